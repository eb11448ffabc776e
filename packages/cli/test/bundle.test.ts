// The bundled command (tools/bundle-cli.mjs → dist/sprout.cjs, run by bin/run-bundle.js with V8's code
// cache): built from the current sources into a temporary folder with the code caches of `check` and
// `run` (the build's warm-up), it checks, trains and plots like the command run from the modules, and
// V8 accepts those caches (they are not rewritten).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runAction } from '../src/commands/run.js';
import { nodeIo, type Io } from '../src/Io.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
// Inside the repository, as the real bundle is, so the libraries it leaves out resolve the same way.
const dir = mkdtempSync(join(root, 'packages', 'cli', 'test', '.bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const bundle = join(dir, 'sprout.cjs');
const launcher = join(dir, 'launch.mjs');

const experiment = join(dir, 'tiny.sprout');
writeFileSync(
  experiment,
  `experiment "tiny" {
  seed 5
  data spirals { points 40 }
  network { input 2  dense 4 relu  output 2 }
  optimizer sgd { step constant 0.1 }
  train { epochs 3, batch 20 }
  report { plot curves, table final }
}
`,
);

const node = (args: readonly string[]) =>
  spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', timeout: 120_000 });
const sprout = (args: readonly string[]) => node([launcher, ...args]);
/** stderr without the banner tfjs-backend-cpu prints in Node. */
const quiet = (stderr: string) =>
  stderr.replace(/\n?=+\nHi, looks like you are running TensorFlow\.js in Node\.js\.[^\n]*\n=+\n/, '');
const versions = (d: string) =>
  (JSON.parse(readFileSync(join(d, 'spec.json'), 'utf8')) as { run: { versions: Record<string, string> } }).run
    .versions;
/** The bundle's code caches of a sub-command (bin/run-bundle.js names them). */
const caches = (command: string) =>
  readdirSync(dir).filter((f) => f.startsWith('sprout.cjs.') && f.endsWith(`.${command}.cache`));
const cachedAt = (command: string) => statSync(join(dir, caches(command)[0]!)).mtimeMs;
const warmedAt: { check?: number; run?: number } = {};
const metrics = (d: string) =>
  readFileSync(join(d, 'metrics.csv'), 'utf8')
    .split('\n')
    .map((l) => l.split(',').slice(0, 9).join(','));

describe('the bundled command', () => {
  it('builds', () => {
    const r = node([join(root, 'tools', 'bundle-cli.mjs'), bundle]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // run-bundle.js reads it as latin1.
    expect(/[^\x00-\x7f]/.test(readFileSync(bundle, 'latin1'))).toBe(false);
    // The build's warm-up wrote the code caches of `check` and `run`.
    expect(r.stdout).toContain('code cache of check, run');
    expect(caches('check')).toHaveLength(1);
    expect(caches('run')).toHaveLength(1);
    writeFileSync(
      launcher,
      `import { runBundle } from ${JSON.stringify(join(root, 'packages', 'cli', 'bin', 'run-bundle.js'))};\nif (!runBundle(${JSON.stringify(bundle)})) process.exit(99);\n`,
    );
  }, 120_000);

  it('checks a file', () => {
    warmedAt.check = cachedAt('check');
    warmedAt.run = cachedAt('run');
    const r = sprout(['check', join(root, 'examples', 'quickstart.sprout')]);
    expect(r.stdout).toContain("ok (experiment 'quickstart')");
    expect(r.status).toBe(0);
    expect(cachedAt('check')).toBe(warmedAt.check);
  });

  it('trains with the losses of the modules, writes every output, and uses the code cache of the build', async () => {
    const io: Io = { ...nodeIo, stdout: () => {}, stderr: () => {} };
    const reference = join(dir, 'modules');
    expect(await runAction(experiment, { out: reference, backend: 'wasm', quiet: true }, io)).toBe(0);

    const first = sprout(['run', experiment, '--backend', 'wasm', '--out', join(dir, 'first'), '--quiet']);
    // Nothing but the path: no second copy of TensorFlow.js re-registering its kernels, no warnings.
    expect(quiet(first.stderr)).toBe('');
    expect(first.stdout).toBe(`Results in ${join(dir, 'first')}\n`);
    expect(first.status).toBe(0);
    // The warm-up's cache was accepted: it is rewritten only when there is none or V8 rejects it.
    expect(cachedAt('run')).toBe(warmedAt.run);

    const second = sprout(['run', experiment, '--backend', 'wasm', '--out', join(dir, 'second'), '--quiet']);
    expect(quiet(second.stderr)).toBe('');
    expect(second.status).toBe(0);
    expect(cachedAt('run')).toBe(warmedAt.run);

    for (const out of ['first', 'second']) {
      expect(metrics(join(dir, out))).toEqual(metrics(reference));
      expect(readdirSync(join(dir, out)).sort()).toEqual(readdirSync(reference).sort());
      expect(readFileSync(join(dir, out, 'curves.svg'), 'utf8')).toMatch(/^<svg /);
      // The versions recorded (tfjs-core and tfjs-layers, as the sources read them).
      expect(versions(join(dir, out))).toEqual(versions(reference));
      expect(versions(reference)['tfjs-layers']).toMatch(/^\d+\.\d+\.\d+$/);
    }
  }, 120_000);

  it('falls back (returns false) when the bundle is missing', () => {
    const r = node([
      '--input-type=module',
      '-e',
      `import { runBundle } from ${JSON.stringify(join(root, 'packages', 'cli', 'bin', 'run-bundle.js'))}; process.stdout.write(String(runBundle(${JSON.stringify(join(dir, 'none.cjs'))})));`,
    ]);
    expect(r.stdout).toBe('false');
  });
});
