// The step-size controllers and metrics of @sprout/step-size inside a run: the adaptive controller logs
// L, ρ and a per epoch (metrics.csv gains the columns), Armijo and a width-scaled metric train.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/Either';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import {
  adaptive,
  armijo,
  constant,
  dataGram,
  dense,
  frobenius,
  identity,
  network,
  scaled,
  sgd,
  width,
  type Optimizer,
} from '@sprout/spec';
import { compile, type EpochMetrics, type RunOptions } from '../src/index.js';
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

  // The controller's settings reach it on either engine: tfjs (createPreconditionedOptimizer) and the host
  // engine (hostControllerFor); a net without dropout so that `auto` picks the host.
  const controllerRun = async (optimizer: Optimizer, engine: RunOptions['engine']) => {
    const p = compile(tiny({ optimizer, network: network(2, [dense(6, 'tanh')], 2), train: { epochs: 5, batch: 10 } }));
    if (E.isLeft(p)) throw new Error(JSON.stringify(p.left));
    const epochs: EpochMetrics[] = [];
    const engines: string[] = [];
    const r = await p.right.run({
      write: false,
      engine,
      onEvent: (e) => {
        if (e._tag === 'epoch-end') epochs.push(e);
        if (e._tag === 'run-start') engines.push(e.engine);
      },
    })();
    if (E.isLeft(r)) throw new Error(r.left.message);
    return { engines, L: epochs.map((e) => e.stepSizeState!.L), rho: epochs.map((e) => e.stepSizeState!.rho) };
  };

  it.each([
    ['tfjs', 'tfjs'],
    ['auto', 'host'],
  ] as const)('passes minDirectionNorm2 and emaDecay to the controller (engine %s)', async (engine, ran) => {
    // Every ‖d‖² is below a threshold of 1e10, so every L update is skipped: L stays at L₀ exactly.
    const fromL0 = { initialL: 'L0', L0: 7 } as const;
    const skipped = await controllerRun(sgd({ step: adaptive({ ...fromL0, minDirectionNorm2: 1e10 }) }), engine);
    expect(skipped.engines).toEqual([ran]);
    expect(skipped.L).toEqual([7, 7, 7, 7, 7]);
    const updated = await controllerRun(sgd({ step: adaptive(fromL0) }), engine);
    expect(updated.L.every((L) => L !== 7)).toBe(true);
    // The ema variance estimator's decay changes ρ; the default written out changes nothing.
    const ema = (emaDecay?: number) =>
      controllerRun(
        sgd({ step: adaptive({ variance: 'ema', ...(emaDecay !== undefined ? { emaDecay } : {}) }) }),
        engine,
      );
    const [byDefault, written, other] = [await ema(), await ema(0.9), await ema(0.2)];
    expect(written.engines).toEqual([ran]);
    expect(written.rho).toEqual(byDefault.rho);
    expect(other.rho).not.toEqual(byDefault.rho);
  });

  it("passes Armijo's maxBacktracks and onLineSearchFailure to the controller", async () => {
    const armijoRun = (options: Parameters<typeof armijo>[0]) =>
      compile(
        tiny({
          optimizer: sgd({ step: armijo(options) }),
          network: network(2, [dense(6, 'tanh')], 2),
          train: { epochs: 3, batch: 'full' },
        }),
      );
    const losses = async (options: Parameters<typeof armijo>[0]) => {
      const p = armijoRun(options);
      if (E.isLeft(p)) throw new Error(JSON.stringify(p.left));
      const epochs: EpochMetrics[] = [];
      const r = await p.right.run({ write: false, onEvent: (e) => e._tag === 'epoch-end' && epochs.push(e) })();
      if (E.isLeft(r)) throw new Error(r.left.message);
      return epochs.map((e) => e.trainLoss);
    };
    // From a step of 1e6 no trial is accepted without shrinking: with none allowed every step is undone, so
    // the full-batch loss never moves; 30 shrinks (the default) reach an accepted step.
    const stuck = await losses({ initial: 1e6, maxBacktracks: 0 });
    expect(new Set(stuck).size).toBe(1);
    const moving = await losses({ initial: 1e6 });
    expect(moving.at(-1)).toBeLessThan(moving[0]!);
    const p = armijoRun({ initial: 1e6, maxBacktracks: 0, onLineSearchFailure: 'error' });
    if (E.isLeft(p)) throw new Error(JSON.stringify(p.left));
    const r = await p.right.run({ write: false })();
    expect(E.isLeft(r) && r.left._tag).toBe('step-failed');
    expect(E.isLeft(r) && r.left.message).toBe(
      "the optimizer step failed in epoch 1, step 1 (arm 'base', seed 7): the Armijo line search found no step with sufficient decrease in 1 try (the smallest tried: 1.00e+6); raise max_backtracks or lower initial",
    );
  });

  it("passes a data Gram's minDiagonal and refreshEvery to the layer metrics", async () => {
    const losses = async (domain: Parameters<typeof frobenius>[0], batch: number | 'full') => {
      const p = compile(
        tiny({
          optimizer: sgd({ step: constant(0.05), metric: frobenius(domain, identity()) }),
          network: network(2, [dense(6, 'tanh')], 2),
          train: { epochs: 3, batch },
        }),
      );
      if (E.isLeft(p)) throw new Error(JSON.stringify(p.left));
      const epochs: EpochMetrics[] = [];
      const r = await p.right.run({ write: false, onEvent: (e) => e._tag === 'epoch-end' && epochs.push(e) })();
      if (E.isLeft(r)) throw new Error(r.left.message);
      return epochs.map((e) => e.trainLoss);
    };
    // A floor of 1000 above every diagonal entry E[x²] + ε (inputs and tanh activations are below 1) makes the
    // domain data Gram (E[x²] + ε)⁻¹ equal to I/1000: the run of the metric with domain `scaled 0.001`, up to
    // float32 rounding.
    const floored = await losses(dataGram({ minDiagonal: 1000 }), 'full');
    const scaledRun = await losses(scaled(0.001), 'full');
    floored.forEach((l, i) => expect(l).toBeCloseTo(scaledRun[i]!, 5));
    expect(await losses(dataGram(), 'full')).not.toEqual(floored);
    // A dense Gram refactored only at the first of the minibatch updates differs from one refactored at each.
    const each = await losses(dataGram({ structure: 'dense' }), 10);
    const once = await losses(dataGram({ structure: 'dense', refreshEvery: 1000 }), 10);
    expect(once).not.toEqual(each);
  });
});
