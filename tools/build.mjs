#!/usr/bin/env node
// Transpiles every package's src/**/*.ts to dist/**/*.js (ES modules, same layout, no bundling), so the
// packages run on plain Node without a TypeScript loader, then bundles the `sprout` command into
// packages/cli/dist/sprout.cjs (tools/bundle-cli.mjs), which bin/sprout.js runs: start-up is what a user
// waits for on every command. Types are checked by `npm run typecheck`, not here. Runs at `npm ci` (prepare).
import { build } from 'esbuild';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleCli, warmCodeCache } from './bundle-cli.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const walk = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });

const started = performance.now();
let files = 0;
for (const pkg of readdirSync(join(root, 'packages'))) {
  const src = join(root, 'packages', pkg, 'src');
  try {
    statSync(src);
  } catch {
    continue;
  }
  const entryPoints = walk(src);
  rmSync(join(root, 'packages', pkg, 'dist'), { recursive: true, force: true });
  await build({
    entryPoints,
    outdir: join(root, 'packages', pkg, 'dist'),
    outbase: src,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
  });
  files += entryPoints.length;
}
const transpiled = performance.now();
console.log(`sprout build: ${files} files transpiled to packages/*/dist in ${Math.round(transpiled - started)} ms`);
// Without the bundle bin/sprout.js runs the transpiled modules: slower to start, same behaviour.
try {
  const bytes = await bundleCli();
  const bundled = performance.now();
  console.log(
    `sprout build: the command bundled into packages/cli/dist/sprout.cjs (${(bytes / 1e6).toFixed(1)} MB) in ${Math.round(bundled - transpiled)} ms`,
  );
  const warmed = warmCodeCache();
  console.log(
    `sprout build: code cache of ${warmed.length > 0 ? warmed.join(', ') : 'no command'} written in ${Math.round(performance.now() - bundled)} ms`,
  );
} catch (e) {
  console.warn(
    `sprout build: the command was not bundled (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); sprout runs the transpiled modules`,
  );
}
