// The step-size controllers and metrics of @sprout/step-size inside a run: the adaptive controller logs
// L, ρ and a per epoch (metrics.csv gains the columns), Armijo and a width-scaled metric train.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/Either';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { adaptive, armijo, constant, dataGram, frobenius, identity, sgd, width, type Optimizer } from '@sprout/spec';
import { compile, type EpochMetrics } from '../src/index.js';
import { tiny, useCpu } from './tiny.js';

beforeAll(useCpu);

const train = async (optimizer: Optimizer, out?: string): Promise<EpochMetrics[]> => {
  const p = compile(tiny({ optimizer, train: { epochs: 6, batch: 20 } }));
  if (E.isLeft(p)) throw new Error(JSON.stringify(p.left));
  const epochs: EpochMetrics[] = [];
  const r = await p.right.run({
    ...(out !== undefined ? { out } : { write: false }),
    onEvent: (e) => e._tag === 'epoch-end' && epochs.push(e),
  })();
  if (E.isLeft(r)) throw new Error(r.left.message);
  return epochs;
};

describe('step sizes', () => {
  it('runs the adaptive controller and writes L, rho and a', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'sprout-adaptive-')), 'run');
    const epochs = await train(sgd({ step: adaptive() }), out);
    expect(epochs).toHaveLength(6);
    for (const e of epochs) {
      expect(Number.isFinite(e.trainLoss)).toBe(true);
      expect(e.stepSizeState!.L).toBeGreaterThan(0);
      expect(e.stepSizeState!.rho).toBe(1); // variance none: ρ = 1 (the reference)
      expect(e.stepSize).toBe(e.stepSizeState!.a);
    }
    const lines = readFileSync(join(out, 'metrics.csv'), 'utf8').trim().split('\n');
    expect(lines[0]!.endsWith(',L,rho,a')).toBe(true);
    expect(lines[6]!.split(',').slice(-3).map(Number)).toEqual([epochs[5]!.stepSizeState!.L, 1, epochs[5]!.stepSize]);
  });

  it('trains with Armijo backtracking and with a width-scaled metric', async () => {
    const a = await train(sgd({ step: armijo() }));
    expect(a.at(-1)!.trainLoss).toBeLessThan(a[0]!.trainLoss);
    const w = await train(sgd({ step: constant(0.1), metric: frobenius(width(), width()) }));
    expect(w.every((e) => Number.isFinite(e.trainLoss))).toBe(true);
    const plain = await train(sgd({ step: constant(0.1) }));
    expect(w.map((e) => e.trainLoss)).not.toEqual(plain.map((e) => e.trainLoss));
  });

  it('feeds layer taps and chunk gradients: per-example and split variance, data-based metrics', async () => {
    const before = tf.memory().numTensors;
    const pe = await train(sgd({ step: adaptive({ variance: 'per_example' }) }));
    expect(pe.every((e) => Number.isFinite(e.trainLoss) && e.stepSizeState!.rho > 0 && e.stepSizeState!.rho <= 1)).toBe(
      true,
    );
    expect(pe.some((e) => e.stepSizeState!.rho < 1)).toBe(true);
    const split = await train(sgd({ step: adaptive({ variance: 'split', chunks: 2 }) }));
    expect(split.every((e) => Number.isFinite(e.trainLoss) && e.stepSizeState!.rho <= 1)).toBe(true);
    const data = await train(sgd({ step: constant(0.05), metric: frobenius(dataGram(), identity()) }));
    expect(data.every((e) => Number.isFinite(e.trainLoss))).toBe(true);
    const kfac = await train(
      sgd({ step: adaptive(), metric: frobenius(dataGram({ structure: 'dense' }), dataGram({ structure: 'dense' })) }),
    );
    expect(kfac.every((e) => Number.isFinite(e.trainLoss))).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });
});
