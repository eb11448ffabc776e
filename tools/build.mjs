#!/usr/bin/env node
// Builds every package's dist/ from its src/**/*.ts, file by file (no bundling, same layout):
// - dist/**/*.js   ES modules (the `import` condition of each package's exports map);
// - dist/**/*.cjs  CommonJS (the `require` condition), relative imports pointing at the .cjs files;
// - with --types, dist/**/*.d.ts and dist/**/*.d.cts declarations (tools/build-types.mjs, one tsc program).
// Then it bundles the `sprout` command into packages/cli/dist/sprout.cjs (tools/bundle-cli.mjs), which
// bin/sprout.js runs in the clone: start-up is what a user waits for on every command.
// `npm ci` runs it without --types (prepare): the clone's tests and tsc read the sources through the
// `sprout-source` export condition and need no declarations; `npm run pack` builds them.
// Usage: node tools/build.mjs [--types] [--no-bundle]
import { build } from 'esbuild';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleCli, warmCodeCache } from './bundle-cli.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = new Set(process.argv.slice(2));

/** The TypeScript sources below `dir` (declaration files aside). */
export const sourceFiles = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory()
      ? sourceFiles(path)
      : path.endsWith('.ts') && !path.endsWith('.d.ts')
        ? [path]
        : [];
  });

/** Whether packages/<pkg> is private (the playground: an app built by Vite, never published). */
export const isPrivatePackage = (pkg) => {
  try {
    return JSON.parse(readFileSync(join(root, 'packages', pkg, 'package.json'), 'utf8')).private === true;
  } catch {
    return false;
  }
};

/** The names of the folders under packages/ that hold a publishable package with sources. */
export const packageDirs = () =>
  readdirSync(join(root, 'packages')).filter((pkg) => {
    try {
      return statSync(join(root, 'packages', pkg, 'src')).isDirectory() && !isPrivatePackage(pkg);
    } catch {
      return false;
    }
  });

/** `./x.js` → `./x.cjs` in a relative `require("…")` (esbuild keeps the specifiers it is given). */
const toCjsSpecifiers = (text) => text.replace(/require\("(\.{1,2}\/[^"]*?)\.js"\)/g, 'require("$1.cjs")');

/**
 * CommonJS has no `import.meta`: its `url` becomes the file's own URL, and `import.meta.resolve(s)`
 * resolves from the file. The one top-level await (the chevrotain loader of @sprout/dsl, which picks the
 * single-file build of chevrotain) becomes a plain require of the package: Node ≥ 20.19 requires an ES
 * module without top-level await, as chevrotain is.
 */
const CJS_BANNER = [
  '"use strict";',
  'const __sproutMetaUrl = require("node:url").pathToFileURL(__filename).href;',
  'const __sproutMetaResolve = (s) => require("node:url").pathToFileURL(require.resolve(s)).href;',
].join('\n');
const cjsCompatible = {
  name: 'sprout-cjs-compatible',
  setup(b) {
    b.onLoad({ filter: /[\\/]packages[\\/]dsl[\\/]src[\\/]internal[\\/]chevrotain\.ts$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const exported = /export const \{([^}]*)\} = chevrotain;/.exec(text);
      if (exported === null)
        return { errors: [{ text: `${args.path} no longer has the shape tools/build.mjs expects` }] };
      return { contents: `export {${exported[1]}} from 'chevrotain';`, loader: 'ts' };
    });
  },
};

/** Transpiles the sources under `src` into `outdir` (emptied first), as ES modules and as CommonJS. */
export const transpilePackage = async (src, outdir) => {
  const entryPoints = sourceFiles(src);
  rmSync(outdir, { recursive: true, force: true });
  const common = { entryPoints, outdir, outbase: src, platform: 'node', target: 'node20', logLevel: 'warning' };
  // Source maps point at src/, which the tarballs ship, so they carry no copy of the sources.
  await build({ ...common, format: 'esm', sourcemap: true, sourcesContent: false });
  const cjs = await build({
    ...common,
    format: 'cjs',
    outExtension: { '.js': '.cjs' },
    define: { 'import.meta.url': '__sproutMetaUrl', 'import.meta.resolve': '__sproutMetaResolve' },
    banner: { js: CJS_BANNER },
    plugins: [cjsCompatible],
    write: false,
  });
  for (const out of cjs.outputFiles) writeFileSync(out.path, toCjsSpecifiers(out.text));
  return entryPoints.length;
};

const main = async () => {
  const started = performance.now();
  let files = 0;
  for (const pkg of packageDirs())
    files += await transpilePackage(join(root, 'packages', pkg, 'src'), join(root, 'packages', pkg, 'dist'));
  const transpiled = performance.now();
  console.log(
    `sprout build: ${files} files transpiled to packages/*/dist as ES modules and CommonJS in ${Math.round(transpiled - started)} ms`,
  );

  if (args.has('--types')) {
    const { buildTypes } = await import('./build-types.mjs');
    const count = buildTypes();
    console.log(
      `sprout build: ${count} declaration files (.d.ts and .d.cts) in ${Math.round(performance.now() - transpiled)} ms`,
    );
  }

  // Without the bundle bin/sprout.js runs the transpiled modules: slower to start, same behaviour.
  if (!args.has('--no-bundle')) {
    const before = performance.now();
    try {
      const bytes = await bundleCli();
      const bundled = performance.now();
      console.log(
        `sprout build: the command bundled into packages/cli/dist/sprout.cjs (${(bytes / 1e6).toFixed(1)} MB) in ${Math.round(bundled - before)} ms`,
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
  }

  // The playground's static files (packages/playground/dist), which any static server can host.
  if (!args.has('--no-playground')) {
    const before = performance.now();
    try {
      const { build: viteBuild } = await import('vite');
      const playground = join(root, 'packages', 'playground');
      await viteBuild({ root: playground, configFile: join(playground, 'vite.config.ts'), logLevel: 'error' });
      console.log(
        `sprout build: the playground built into packages/playground/dist in ${Math.round(performance.now() - before)} ms`,
      );
    } catch (e) {
      console.warn(
        `sprout build: the playground was not built (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`,
      );
    }
  }
};

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) await main();
