#!/usr/bin/env node
// The `sprout` command from a clone. It runs the JavaScript that `npm run build` transpiled into
// packages/*/dist (`npm ci` builds it) when that is newer than every TypeScript source, on plain Node: a
// start-up without a TypeScript loader is about a second faster. Otherwise it runs the sources through tsx
// with the `sprout-source` export condition, passing the arguments and the exit status through.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packages = fileURLToPath(new URL('../../', import.meta.url));
const built = join(packages, 'cli', 'dist', 'main.js');

/** Newest modification time of the .ts files below `dir` (0 when there are none). */
const newest = (dir) => {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) t = Math.max(t, newest(path));
    else if (entry.name.endsWith('.ts')) t = Math.max(t, statSync(path).mtimeMs);
  }
  return t;
};

const fresh = (() => {
  try {
    const builtAt = statSync(built).mtimeMs;
    return readdirSync(packages).every((p) => {
      try {
        return newest(join(packages, p, 'src')) <= builtAt;
      } catch {
        return true; // a package without src/
      }
    });
  } catch {
    return false; // not built
  }
})();

if (fresh) {
  await import(new URL(`file://${built}`).href);
} else {
  const main = join(packages, 'cli', 'src', 'main.ts');
  const tsx = import.meta.resolve('tsx');
  const r = spawnSync(process.execPath, ['--conditions=sprout-source', '--import', tsx, main, ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  if (r.error !== undefined) {
    process.stderr.write(`sprout: cannot start node: ${r.error.message}\n`);
    process.exit(1);
  }
  if (r.signal !== null) process.kill(process.pid, r.signal);
  process.exit(r.status ?? 1);
}
