// A real Redis for the queue tests: Debian's redis-server on a free localhost port, with a password, and with
// TLS only when asked (a self-signed CA and a server certificate for 127.0.0.1, made by openssl).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

export interface TlsFiles {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

const openssl = (args: string[]) => {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
};

/** A certificate authority and a server certificate for 127.0.0.1 signed by it, in `dir`. */
export const makeTlsFiles = (dir: string): TlsFiles => {
  mkdirSync(dir, { recursive: true });
  const f = (name: string) => join(dir, name);
  // Clients check the name they dialled against the certificate's subjectAltName.
  writeFileSync(f('server.ext'), 'subjectAltName = IP:127.0.0.1\n');
  openssl(
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=sprout-test-ca'].concat([
      '-keyout',
      f('ca.key'),
      '-out',
      f('ca.crt'),
    ]),
  );
  openssl(
    ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', f('server.key')].concat([
      '-out',
      f('server.csr'),
    ]),
  );
  openssl(
    ['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial'].concat([
      '-days',
      '2',
      '-out',
      f('server.crt'),
      '-extfile',
      f('server.ext'),
    ]),
  );
  return { ca: f('ca.crt'), cert: f('server.crt'), key: f('server.key') };
};

export interface RedisServer {
  readonly process: ChildProcess;
  /** redis://default:PASSWORD@127.0.0.1:PORT, or rediss://… when TLS was asked for. */
  readonly url: string;
  readonly stop: () => void;
}

/** Start redis-server in `dir` and wait until it answers PING (TLS-only when `tls` is given). */
export const startRedis = async (dir: string, password: string, tls?: TlsFiles): Promise<RedisServer> => {
  const port = await freePort();
  mkdirSync(dir, { recursive: true });
  const listen = tls
    ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', tls.cert, '--tls-key-file', tls.key].concat([
        '--tls-ca-cert-file',
        tls.ca,
        '--tls-auth-clients',
        'no',
      ])
    : ['--port', String(port)];
  const server = spawn(
    'redis-server',
    [...listen, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--requirepass', password],
    { stdio: 'ignore' },
  );
  const url = `${tls ? 'rediss' : 'redis'}://default:${password}@127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const probe = new Redis(url, {
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 1,
      ...(tls ? { tls: { ca: readFileSync(tls.ca) } } : {}),
    });
    probe.on('error', () => {});
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      return { process: server, url, stop: () => server.kill('SIGKILL') };
    } catch {
      probe.disconnect();
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  server.kill('SIGKILL');
  throw new Error('redis-server did not start');
};
