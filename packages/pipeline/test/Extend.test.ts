// Extending a finished run (`resume` with `extend`): every run continues from the checkpoint after its last
// epoch to the new epoch count, and ends with the metrics bit for bit of a run that trained that long at once.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/Either';
import { beforeAll, describe, expect, it } from 'vitest';
import { arm, atEpochs, constant, dense, network, sensli, sgd, type Experiment } from '@sprout/spec';
import { compile, type RunOptions } from '../src/index.js';
import { metricRows } from '../../../test-support/metric-rows.mjs';
import { tiny, useCpu } from './tiny.js';

beforeAll(useCpu);

const spec = (epochs: number, lr = 0.1): Experiment =>
  tiny({
    repeat: 2,
    network: network(2, [dense(6, 'relu')], 2),
    optimizer: sgd({ step: constant(lr) }),
    train: { epochs, batch: 16 },
    growth: sensli({ schedule: atEpochs(2) }),
    compare: [arm('fixed', { growth: { _tag: 'none' }, train: { epochs, batch: 16, shuffle: true } })],
  });

const run = async (s: Experiment, options: RunOptions) => {
  const p = compile(s);
  if (E.isLeft(p)) throw new Error(JSON.stringify(p.left));
  return p.right.run({ saveModel: false, ...options })();
};

describe('extend a finished run', () => {
  const root = mkdtempSync(join(tmpdir(), 'sprout-extend-'));
  it('trains every run on to the new epochs, bit for bit as a run of that length', async () => {
    expect(E.isRight(await run(spec(7), { out: join(root, 'seven') }))).toBe(true);
    expect(E.isRight(await run(spec(4), { out: join(root, 'extended') }))).toBe(true);
    const r = await run(spec(7), { resume: join(root, 'extended'), extend: true });
    expect(E.isRight(r)).toBe(true);
    const sort = (rows: string[]) => [rows[0], ...rows.slice(1).sort()];
    expect(sort(metricRows(join(root, 'extended')))).toEqual(sort(metricRows(join(root, 'seven'))));
    const recorded = JSON.parse(readFileSync(join(root, 'extended', 'spec.json'), 'utf8'));
    expect(recorded.train.epochs).toBe(7);
    expect(recorded.run.extended[0].from).toEqual({ base: 4, arms: [4] });
    const summary = JSON.parse(readFileSync(join(root, 'extended', 'summary.json'), 'utf8'));
    expect(summary.arms.map((a: { final: { epochs: { mean: number } } }) => a.final.epochs.mean)).toEqual([7, 7]);
  });

  it('refuses other changed settings and fewer epochs', async () => {
    expect(E.isRight(await run(spec(4), { out: join(root, 'short') }))).toBe(true);
    const other = await run(spec(5, 0.2), { resume: join(root, 'short'), extend: true });
    expect(E.isLeft(other) && other.left).toMatchObject({
      _tag: 'checkpoint-error',
      message: expect.stringContaining('differ from the run’s record in more than the epochs'.replace('’', "'")),
    });
    const fewer = await run(spec(3), { resume: join(root, 'short'), extend: true });
    expect(E.isLeft(fewer) && fewer.left).toMatchObject({
      _tag: 'checkpoint-error',
      message: expect.stringContaining('to fewer epochs'),
    });
  });
});
