#!/usr/bin/env node
// Transpiles every package's src/**/*.ts to dist/**/*.js (ES modules, same layout, no bundling), so the
// `sprout` command runs on plain Node without a TypeScript loader: its start-up is what a user waits for
// on every command. Types are checked by `npm run typecheck`, not here. Runs at `npm ci` (prepare).
import { build } from 'esbuild';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
console.log(`sprout build: ${files} files transpiled to packages/*/dist in ${Math.round(performance.now() - started)} ms`);
