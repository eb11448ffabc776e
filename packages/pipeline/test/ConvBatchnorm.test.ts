// `grow sensli { insert_batchnorm … }` in a run: the CNN reference's conv + batch norm + ReLU goes in after
// the scheduled epoch, the grown net (its norm's moving statistics included) is checkpointed so that an
// interrupted and resumed run trains bit for bit as an uninterrupted one, and model/ holds it in the layers
// format (BatchNormalization + Activation), which reads back as the same layers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as E from 'fp-ts/Either';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atEpochs, cifar10, constant, conv, experiment, flatten, maxPool, network, sensli, sgd } from '@sprout/spec';
import { syntheticCifar10, writeCifar10 } from '@sprout/data';
import { fromLayersModel } from '@sprout/model';
import { compile, modelFiles, type RunEvent, type RunOptions } from '../src/index.js';
import { metricRows } from '../../../test-support/metric-rows.mjs';
import { useCpu } from './tiny.js';

const root = mkdtempSync(join(tmpdir(), 'sprout-conv-bn-'));
beforeAll(async () => {
  await useCpu();
  await writeCifar10(join(root, 'cifar'), { train: syntheticCifar10(48, 1), test: syntheticCifar10(16, 2) });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const spec = (init: 'reference' | 'preserve') =>
  experiment('conv-bn', {
    seed: 5,
    data: cifar10({ dir: 'cifar' }),
    network: network([32, 32, 3], [conv(2, 3), maxPool(4), conv(3, 3), maxPool(2), flatten()], 10),
    optimizer: sgd({ step: constant(0.05) }),
    train: { epochs: 4, batch: 16 },
    growth: sensli({ schedule: atEpochs(2), select: { _tag: 'position', index: 1 }, insertBatchnorm: init }),
  });

const run = async (s: ReturnType<typeof spec>, out: string, options: RunOptions = {}) => {
  const p = compile(s, { baseDir: root });
  if (E.isLeft(p)) throw new Error(JSON.stringify(p.left));
  return p.right.run({ out: join(root, out), checkpointInterval: 0, ...options })();
};

describe('insert_batchnorm', () => {
  it.each(['preserve', 'reference'] as const)(
    '%s: inserts conv + batchnorm relu, and model/ reads back with the norm',
    async (init) => {
      const events: RunEvent[] = [];
      expect(E.isRight(await run(spec(init), `full-${init}`, { onEvent: (e) => events.push(e) }))).toBe(true);
      const ins = events.find((e) => e._tag === 'insertion');
      if (ins?._tag !== 'insertion') throw new Error('no insertion');
      // conv 3→3 3×3 with bias (84), then γ and β (6); the moving statistics are not parameters.
      expect(ins.paramsAfter - ins.paramsBefore).toBe(3 * 3 * 3 * 3 + 3 + 2 * 3);
      expect(ins.layers?.after.slice(ins.layers.inserted, ins.layers.inserted + 2)).toEqual([
        'conv 3 3×3 linear',
        'batchnorm relu',
      ]);
      const model = await tf.loadLayersModel(modelFiles(join(root, `full-${init}`, 'model')));
      expect(model.layers.map((l) => l.getClassName())).toEqual(
        expect.arrayContaining(['BatchNormalization', 'Activation']),
      );
      const net = fromLayersModel(model);
      if (E.isLeft(net)) throw new Error(net.left.message);
      expect(net.right.layers.map((l) => l._tag)).toEqual([
        'conv',
        'pool',
        'conv',
        'conv',
        'batchnorm',
        'pool',
        'flatten',
        'dense',
      ]);
      expect(net.right.layers[4]).toEqual({ _tag: 'batchnorm', activation: 'relu' });
      // Trained in training mode for two epochs: the moving statistics left their start.
      const moving = net.right.state.find((p) => p.name === '4.movingVariance')!.variable.dataSync();
      expect(Array.from(moving).some((v) => Math.abs(v - 1) > 1e-3)).toBe(true);
      model.dispose();
    },
    120_000,
  );

  it('gives the same metrics bit for bit after an interruption after the insertion and a resume', async () => {
    const s = spec('preserve');
    expect(E.isRight(await run(s, 'full', { saveModel: false }))).toBe(true);
    const c = new AbortController();
    let steps = 0;
    // 3 steps per epoch: step 8 is in epoch 3, after the insertion.
    const first = await run(s, 'resumed', {
      saveModel: false,
      signal: c.signal,
      stepEvery: 1,
      onEvent: (e) => e._tag === 'step' && ++steps === 8 && c.abort(),
    });
    expect(E.isLeft(first) && first.left._tag).toBe('interrupted');
    expect(E.isRight(await run(s, 'ignored', { resume: join(root, 'resumed'), saveModel: false }))).toBe(true);
    expect(metricRows(join(root, 'resumed'))).toEqual(metricRows(join(root, 'full')));
  }, 120_000);
});
