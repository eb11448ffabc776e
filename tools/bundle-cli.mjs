// Bundles the `sprout` command (packages/cli/src/main.ts with every package and library it imports,
// TensorFlow.js included) into one CommonJS file, packages/cli/dist/sprout.cjs. Start-up is most of a short
// run: as separate modules the command loads about 230 files (9 MB of JavaScript, much of it CommonJS that
// Node scans for named exports before compiling it); as one file it is read and compiled once, and
// packages/cli/bin/run-bundle.js keeps V8's code cache of it. CommonJS rather than ES module because only a
// classic script can be given a code cache on Node 20 (vm.Script `cachedData`).
//
// What stays outside the bundle, loaded at run time from where it is installed:
// - vega and vega-lite: imported only when a plot is drawn (@sprout/pipeline's plot.ts);
// - @tensorflow/tfjs-node: an optional package that would need the tfjs-core it was installed with
//   (bin/sprout.js does not use the bundle when it is installed);
// - the native addon (packages/native/build/Release/sprout_native.node), required by path.
// Every `import.meta.url`, `import.meta.resolve`, `__dirname` and `__filename` in a bundled file is
// rewritten to that file's own location (relative to the bundle), so files found next to a module (the
// wasm binaries, package.json versions, the addon, the MNIST files) are found as before; a
// `createRequire(import.meta.url)('name')` becomes a bundled `require('name')` (one TensorFlow.js only).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The bundle's default location, next to the transpiled command. */
export const CLI_BUNDLE = join(root, 'packages', 'cli', 'dist', 'sprout.cjs');

/** Libraries left out of the bundle (see above). */
const EXTERNAL = ['vega', 'vega-lite', '@tensorflow/tfjs-node'];

/**
 * Helpers the rewritten expressions call (the bundle is CommonJS: `__filename` is its own path). The
 * dynamic imports of external libraries go through `__sproutImport`: bin/sprout.js runs the bundle as a
 * vm.Script with a code cache, where V8 has no module loader for `import()`, and supplies its own.
 */
const banner = [
  'const __sproutImport = globalThis.__sproutImport ?? ((s) => import(s));',
  "const __sproutBase = require('node:url').pathToFileURL(__filename).href;",
  'const __sproutUrl = (p) => new URL(p, __sproutBase).href;',
  "const __sproutFilename = (p) => require('node:url').fileURLToPath(__sproutUrl(p));",
  "const __sproutDirname = (p) => require('node:path').dirname(__sproutFilename(p));",
  "const __sproutResolve = (p, s) => require('node:url').pathToFileURL(require('node:module').createRequire(__sproutFilename(p)).resolve(s)).href;",
].join('\n');

/** Rewrites the location expressions of every loaded .js/.mjs/.cjs/.ts file to its original path. */
const keepLocations = (outfile) => ({
  name: 'sprout-keep-locations',
  setup(b) {
    b.onLoad({ filter: /\.(m?js|cjs|ts)$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!/import\.meta\.(url|resolve)|__dirname|__filename|import\(\s*['"]/.test(text)) return undefined;
      const rel = JSON.stringify(relative(dirname(outfile), args.path).split('\\').join('/'));
      const contents = text
        // A module required at run time by name is bundled like an import: else a second copy of it (and of
        // the tfjs-core it requires) would load beside the bundled one.
        .replace(/createRequire\(import\.meta\.url\)\((['"][^'"]+['"])\)/g, 'require($1)')
        .replace(/(?<![.\w$])import\(\s*(['"])([^'"]+)\1\s*\)/g, (call, _q, name) =>
          EXTERNAL.includes(name) ? `__sproutImport(${JSON.stringify(name)})` : call,
        )
        .replaceAll('import.meta.url', `__sproutUrl(${rel})`)
        .replace(/import\.meta\.resolve\(/g, `__sproutResolve(${rel}, `)
        .replace(/(?<![.\w$])__dirname(?![\w$])/g, `__sproutDirname(${rel})`)
        .replace(/(?<![.\w$])__filename(?![\w$])/g, `__sproutFilename(${rel})`);
      return { contents, loader: args.path.endsWith('.ts') ? 'ts' : 'js', resolveDir: dirname(args.path) };
    });
  },
});

/**
 * @sprout/dsl loads chevrotain's single-file build (lib/chevrotain.mjs, outside the package's `exports`)
 * with a top-level `await import(…)`, which a CommonJS bundle cannot hold; the bundle imports that same
 * file statically instead. The module's export list is checked, so a change to it fails the build.
 */
const staticChevrotain = {
  name: 'sprout-static-chevrotain',
  setup(b) {
    b.onLoad({ filter: /[\\/]packages[\\/]dsl[\\/]src[\\/]internal[\\/]chevrotain\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      const exported = /export const \{([^}]*)\} = chevrotain;/.exec(text);
      if (exported === null || !text.includes("'../chevrotain.mjs'")) {
        return {
          errors: [{ text: `${args.path} no longer has the shape the bundle expects; update tools/bundle-cli.mjs` }],
        };
      }
      const file = join(root, 'node_modules', 'chevrotain', 'lib', 'chevrotain.mjs');
      return {
        contents: `export {${exported[1]}} from ${JSON.stringify(file)};`,
        loader: 'ts',
        resolveDir: dirname(args.path),
      };
    });
  },
};

/** Builds the bundle; returns its size in bytes. */
export const bundleCli = async ({ outfile = CLI_BUNDLE } = {}) => {
  const result = await build({
    entryPoints: [join(root, 'packages', 'cli', 'src', 'main.ts')],
    outfile,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // Sprout's packages from their TypeScript sources; libraries from their ES module builds (tree-shaken).
    conditions: ['sprout-source'],
    mainFields: ['module', 'main'],
    external: EXTERNAL,
    banner: { js: banner },
    plugins: [staticChevrotain, keepLocations(outfile)],
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
  });
  // ASCII only (esbuild escapes strings and regular expressions, not comments), so that bin/run-bundle.js
  // can read it as latin1: about 2 ms instead of 22 ms for UTF-8, and V8 gets a one-byte string.
  // No `#!` line either (main.ts has one): run-bundle.js then compiles the file's text as it is.
  const text = await readFile(outfile, 'utf8');
  const ascii = text.replace(/^#!.*\n/, '').replace(/[^\x00-\x7f]/gu, (c) => `\\u{${c.codePointAt(0).toString(16)}}`);
  if (ascii !== text) await writeFile(outfile, ascii);
  return Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
};

/**
 * Writes the bundle's code caches for `run` and `check` (packages/cli/bin/run-bundle.js) by running each
 * once on a tiny experiment (spirals, 2 epochs and a SensLI insertion, default backend) in a temporary folder, so that the first
 * command after a build starts as fast as the later ones. Returns the sub-commands whose run succeeded;
 * a failure (no backend, a read-only folder) leaves that cache to the first real run.
 */
export const warmCodeCache = ({ bundle = CLI_BUNDLE, timeoutMs = 60_000 } = {}) => {
  const dir = mkdtempSync(join(tmpdir(), 'sprout-warm-'));
  try {
    const launcher = join(dir, 'launch.cjs');
    // A file, not `node -e`: the cache is keyed by Node's options, which must be those of a plain run.
    writeFileSync(
      launcher,
      `require(${JSON.stringify(join(root, 'packages', 'cli', 'bin', 'run-bundle.js'))}).runBundle(${JSON.stringify(bundle)}) || process.exit(99);\n`,
    );
    const experiment = join(dir, 'warm.sprout');
    writeFileSync(
      experiment,
      // Two epochs and a SensLI insertion, so that the sensitivity pass is in the cache too.
      'experiment "warm-up" {\n  seed 1\n  data spirals { points 40 }\n  network { input 2  dense 4 relu  output 2 }\n  train { epochs 2, batch full }\n  grow sensli { at epoch 1 }\n  report { table final }\n}\n',
    );
    const commands = [
      ['check', experiment],
      ['run', experiment, '--out', join(dir, 'out'), '--quiet'],
    ];
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    return commands
      .filter(
        (args) =>
          spawnSync(process.execPath, [launcher, ...args], { cwd: dir, env, stdio: 'ignore', timeout: timeoutMs })
            .status === 0,
      )
      .map((args) => args[0]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

// `node tools/bundle-cli.mjs [OUTFILE]`: the bundle and its code caches alone (npm run build makes them too).
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const outfile = process.argv[2] ?? CLI_BUNDLE;
  const bytes = await bundleCli({ outfile });
  const warmed = warmCodeCache({ bundle: outfile });
  console.log(
    `sprout bundle: ${outfile} (${(bytes / 1e6).toFixed(1)} MB), code cache of ${warmed.join(', ') || 'no command'}`,
  );
}
