#!/usr/bin/env node
// The `sprout` command. Installed from npm (no monorepo around it) it runs the transpiled modules,
// packages/cli/dist/main.js, with the libraries installed beside it: no TypeScript loader, no tsx.
// In a clone (nx.json two folders up), when `npm run build` (run by `npm ci`) is newer than every TypeScript
// source it runs the built command on plain Node:
// - packages/cli/dist/sprout.cjs, the whole command in one file (tools/bundle-cli.mjs), compiled with
//   V8's code cache kept next to it (./run-bundle.js); about three times faster to start than the
//   separate modules;
// - else packages/cli/dist/main.js, the transpiled modules (also when @tensorflow/tfjs-node is installed,
//   which needs the tfjs-core it was installed with, when the dependencies changed after the build, or
//   with SPROUT_BUNDLE=0).
// Otherwise it runs the sources through tsx with the `sprout-source` export condition, passing the
// arguments and the exit status through.
// CommonJS (bin/package.json): Node starts a CommonJS entry a few milliseconds sooner than a module.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { pathToFileURL } = require('node:url');
const { runBundle } = require('./run-bundle.js');

const packages = join(__dirname, '..', '..');
const built = join(packages, 'cli', 'dist', 'main.js');
const bundle = join(packages, 'cli', 'dist', 'sprout.cjs');

const inClone = existsSync(join(packages, '..', 'nx.json')) && existsSync(join(packages, 'cli', 'src', 'main.ts'));

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

const mtime = (path) => {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
};

const sourcesAt = !inClone
  ? 0
  : Math.max(
      ...readdirSync(packages).map((p) => {
        try {
          return newest(join(packages, p, 'src'));
        } catch {
          return 0; // a package without src/
        }
      }),
    );

const fresh = (mtime(built) ?? -1) >= sourcesAt;

/** Whether the bundle is built from the current sources and dependencies and may be used. */
const bundleUsable = () => {
  if (process.env['SPROUT_BUNDLE'] === '0') return false;
  const at = mtime(bundle);
  if (at === undefined || at < sourcesAt) return false;
  // npm rewrites this file whenever it changes node_modules: the bundle would hold the old libraries.
  const depsAt = mtime(join(packages, '..', 'node_modules', '.package-lock.json'));
  if (depsAt !== undefined && depsAt > at) return false;
  // tfjs-node can load only with its native addon (lib/napi-v<N>/tfjs_binding.node), and then must share
  // the tfjs-core it was installed with: the separate modules share it, the bundle holds its own.
  try {
    const lib = join(dirname(require.resolve('@tensorflow/tfjs-node/package.json')), 'lib');
    return !readdirSync(lib).some((d) => mtime(join(lib, d, 'tfjs_binding.node')) !== undefined);
  } catch {
    return true; // not installed, or no lib/
  }
};

if (inClone && fresh && bundleUsable() && runBundle(bundle)) {
  // The bundle runs the command.
} else if (fresh || !inClone) {
  import(pathToFileURL(built).href).catch((e) => {
    process.stderr.write(`sprout: cannot load ${built}: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
} else {
  const main = join(packages, 'cli', 'src', 'main.ts');
  const tsx = pathToFileURL(require.resolve('tsx')).href;
  const r = spawnSync(
    process.execPath,
    ['--conditions=sprout-source', '--import', tsx, main, ...process.argv.slice(2)],
    {
      stdio: 'inherit',
    },
  );
  if (r.error !== undefined) {
    process.stderr.write(`sprout: cannot start node: ${r.error.message}\n`);
    process.exit(1);
  }
  if (r.signal !== null) process.kill(process.pid, r.signal);
  process.exit(r.status ?? 1);
}
