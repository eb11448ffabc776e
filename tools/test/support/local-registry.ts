// A minimal npm registry for the @sprout scope, serving the tarballs tools/pack.mjs made, so that a project
// outside the clone installs `@sprout/sensitivity` by name exactly as a user would once it is published
// (`npm install` given `--@sprout:registry=<url>`); every other package comes from the public registry.
// It answers the two requests npm makes: the packument (GET /@sprout%2fname) and the tarball.
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';

export interface PackedTarball {
  readonly name: string;
  readonly version: string;
  readonly filename: string;
  readonly integrity: string;
  readonly shasum: string;
  /** The package.json packed into the tarball. */
  readonly manifest: Record<string, unknown>;
}

export interface LocalRegistry {
  readonly url: string;
  close(): Promise<void>;
}

export const startLocalRegistry = async (tarballs: readonly PackedTarball[]): Promise<LocalRegistry> => {
  const byName = new Map(tarballs.map((t) => [t.name, t]));
  let base = '';
  const tarballPath = (t: PackedTarball) => `/${t.name}/-/${t.name.split('/')[1]}-${t.version}.tgz`;
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
    const t = byName.get(path.slice(1));
    if (t !== undefined) {
      const version = {
        ...t.manifest,
        _id: `${t.name}@${t.version}`,
        dist: { tarball: `${base}${tarballPath(t)}`, integrity: t.integrity, shasum: t.shasum },
      };
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache' });
      res.end(JSON.stringify({ name: t.name, 'dist-tags': { latest: t.version }, versions: { [t.version]: version } }));
      return;
    }
    const file = tarballs.find((x) => tarballPath(x) === path);
    if (file !== undefined) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(readFileSync(file.filename));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'not found' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: `${base}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
};
