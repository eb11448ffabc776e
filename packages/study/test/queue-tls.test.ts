// The queue over TLS: a TLS-only redis-server (Debian's, with a certificate from a test CA) and a study
// submitted and run through `rediss://USER:PASSWORD@…`. The CA is trusted through SPROUT_REDIS_CA; without
// it the certificate is refused with a clear error (exit 1), never a hang or a stack trace.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTlsFiles, startRedis, type RedisServer, type TlsFiles } from './support/redis-server.js';
import { cwd, sprout } from './support/sprout-cli.js';

const root = mkdtempSync(join(tmpdir(), 'sprout-queue-tls-'));

let tls: TlsFiles;
let redis: RedisServer;
let worker: ChildProcess | undefined;

beforeAll(async () => {
  tls = makeTlsFiles(join(root, 'tls'));
  redis = await startRedis(join(root, 'redis'), 'tls-secret', tls);
});

afterAll(() => {
  worker?.kill('SIGKILL');
  redis?.stop();
  rmSync(root, { recursive: true, force: true });
});

const SPEC = `experiment "over-tls" {
  seed 5
  repeat 2
  data spirals { points 60 }
  network { input 2  dense 6 relu  output 2 }
  optimizer sgd { step constant 0.1 }
  train { epochs 30, batch full }
}
`;

describe('the queue over rediss://', () => {
  it('a study submitted and run over TLS with a password finishes', { timeout: 600_000 }, async () => {
    expect(redis.url).toMatch(/^rediss:\/\/default:tls-secret@127\.0\.0\.1:\d+$/);
    const env = { ...process.env, SPROUT_REDIS_CA: tls.ca };
    const file = join(root, 'over-tls.sprout');
    writeFileSync(file, SPEC);
    const [wc, wa] = sprout('worker', '--queue', redis.url, '--concurrency', '1', '--data-root', root);
    worker = spawn(wc, [...wa], { cwd, env, stdio: 'ignore' });
    const out = join(root, 'study');
    const [cmd, args] = sprout('run', file, '--queue', redis.url, '--out', out, '--backend', 'cpu', '--quiet');
    const submitted = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const s = spawn(cmd, [...args], { cwd, env });
      let output = '';
      s.stdout.on('data', (c: Buffer) => (output += c.toString()));
      s.stderr.on('data', (c: Buffer) => (output += c.toString()));
      s.on('close', (code) => resolve({ code, output }));
    });
    expect(submitted.code, submitted.output).toBe(0);
    expect(submitted.output).not.toContain('tls-secret');
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { status: string };
    expect(summary.status).toBe('finished');
  });

  it('a certificate the client does not trust is a clear error within seconds (exit 1)', () => {
    const env = { ...process.env };
    delete env.SPROUT_REDIS_CA;
    const t0 = Date.now();
    const [cmd, args] = sprout('worker', '--queue', redis.url);
    const r = spawnSync(cmd, [...args], { cwd, env, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/cannot reach the queue at rediss:\/\/default:\*\*\*@127\.0\.0\.1:\d+: .*certificate/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(Date.now() - t0).toBeLessThan(30_000);
  });
});
