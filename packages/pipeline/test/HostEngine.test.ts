// The host engine (RunOptions.engine 'auto'): runs of dense/residual nets with SGD, momentum or Adam
// compute their steps with @sprout/model's host net. Its losses, test errors and SensLI decisions agree with the
// TensorFlow.js path to float32 rounding, on shuffled mini-batches and full batches, across an insertion;
// an interrupted host run resumes bit for bit; other runs report the tfjs engine.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as E from 'fp-ts/Either';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  adam,
  adaptive,
  adaptiveReference,
  dog,
  euclidean,
  frobenius,
  prodigy,
  scaled,
  width,
  atEpochs,
  batchnorm,
  constant,
  dense,
  momentum,
  network,
  residual,
  sensli,
  sgd,
  stepDecay,
  type Experiment,
} from '@sprout/spec';
import { createNet, disposeNet, type Net } from '@sprout/model';
import { disposeDatasetTensors, generateSpirals, toTensors } from '@sprout/data';
import { compile, modelFiles, type RunEvent, type RunOptions } from '../src/index.js';
import { hostEngine } from '../src/internal/host-engine.js';
import { updateRule } from '@sprout/step-size';
import { metricRows } from '../../../test-support/metric-rows.mjs';
import { tiny, useCpu } from './tiny.js';

beforeAll(useCpu);

const resnetSpec = (batch: number | 'full'): Experiment =>
  tiny({
    network: network(
      2,
      [
        dense(4, 'tanh'),
        residual(dense(4, 'relu'), dense(4, 'linear', { bias: false })),
        residual(dense(3, 'sigmoid'), dense(4, 'linear')),
      ],
      2,
    ),
    optimizer: sgd({ step: stepDecay(0.5, { every: 3, factor: 0.5 }) }),
    train: { epochs: 6, batch, shuffle: true },
    growth: sensli({ schedule: atEpochs(3) }),
  });

const run = async (spec: Experiment, options: RunOptions) => {
  const p = compile(spec);
  if (E.isLeft(p)) throw new Error(JSON.stringify(p.left));
  const events: RunEvent[] = [];
  const r = await p.right.run({ write: false, ...options, onEvent: (e) => (events.push(e), options.onEvent?.(e)) })();
  return { r, events };
};

const epochs = (events: readonly RunEvent[]) => events.flatMap((e) => (e._tag === 'epoch-end' ? [e] : []));

describe('host engine', () => {
  for (const batch of [16, 'full'] as const)
    it(`agrees with TensorFlow.js to float32 rounding (batch ${batch}, residual net, insertion after epoch 3)`, async () => {
      const host = await run(resnetSpec(batch), { engine: 'auto' });
      const tfjs = await run(resnetSpec(batch), { engine: 'tfjs' });
      if (E.isLeft(host.r)) throw new Error(host.r.left.message);
      if (E.isLeft(tfjs.r)) throw new Error(tfjs.r.left.message);
      expect(host.events.find((e) => e._tag === 'run-start')).toMatchObject({ engine: 'host' });
      expect(tfjs.events.find((e) => e._tag === 'run-start')).toMatchObject({ engine: 'tfjs' });
      const [a, b] = [epochs(host.events), epochs(tfjs.events)];
      expect(a).toHaveLength(6);
      a.forEach((m, i) => {
        const n = b[i]!;
        expect(Math.abs(m.trainLoss - n.trainLoss)).toBeLessThan(1e-5 * Math.max(1, n.trainLoss));
        expect(Math.abs(m.testLoss - n.testLoss)).toBeLessThan(1e-5 * Math.max(1, n.testLoss));
        expect(m.testError).toBe(n.testError);
        expect(m.parameterCount).toBe(n.parameterCount);
        expect(m.stepSize).toBe(n.stepSize);
      });
      const [ia, ib] = [
        host.events.find((e) => e._tag === 'insertion'),
        tfjs.events.find((e) => e._tag === 'insertion'),
      ];
      if (ia?._tag !== 'insertion' || ib?._tag !== 'insertion') throw new Error('no insertion');
      expect(ia.chosen).toBe(ib.chosen);
      ia.positions.forEach((p, k) =>
        expect(Math.abs(p.sensitivity - ib.positions[k]!.sensitivity)).toBeLessThan(
          1e-4 * Math.max(1e-3, ib.positions[k]!.sensitivity),
        ),
      );
      expect(a[5]!.parameterCount).toBeGreaterThan(a[2]!.parameterCount); // the grown net trained on the host too
    });

  for (const [name, optimizer] of [
    ['momentum 0.9', momentum(0.9, { step: constant(0.05) })],
    ['Adam', adam({ step: constant(0.01) })],
  ] as const)
    for (const policy of ['keep', 'reset'] as const)
      it(`agrees with TensorFlow.js with ${name}, optimizer state '${policy}' across the insertion`, async () => {
        const spec = {
          ...resnetSpec(16),
          optimizer,
          growth: sensli({ schedule: atEpochs(3), optimizerState: policy }),
        };
        const host = await run(spec, { engine: 'auto' });
        const tfjs = await run(spec, { engine: 'tfjs' });
        if (E.isLeft(host.r)) throw new Error(host.r.left.message);
        if (E.isLeft(tfjs.r)) throw new Error(tfjs.r.left.message);
        expect(host.events.find((e) => e._tag === 'run-start')).toMatchObject({ engine: 'host' });
        const [a, b] = [epochs(host.events), epochs(tfjs.events)];
        expect(a).toHaveLength(6);
        a.forEach((m, i) => {
          expect(Math.abs(m.trainLoss - b[i]!.trainLoss)).toBeLessThan(1e-4 * Math.max(1, b[i]!.trainLoss));
          expect(Math.abs(m.testLoss - b[i]!.testLoss)).toBeLessThan(1e-4 * Math.max(1, b[i]!.testLoss));
          expect(m.parameterCount).toBe(b[i]!.parameterCount);
        });
      });

  it('resumes an interrupted Adam run on the host bit for bit (slots and step counts in the checkpoint)', async () => {
    const spec = {
      ...resnetSpec(16),
      optimizer: adam({ step: constant(0.01) }),
      growth: sensli({ schedule: atEpochs(3), optimizerState: 'keep' as const }),
    };
    const root = mkdtempSync(join(tmpdir(), 'sprout-host-adam-'));
    expect(E.isRight((await run(spec, { write: true, saveModel: false, out: join(root, 'reference') })).r)).toBe(true);
    for (const stopAfter of [2, 4]) {
      const c = new AbortController();
      const out = join(root, `interrupted-${stopAfter}`);
      const r1 = await run(spec, {
        write: true,
        saveModel: false,
        out,
        signal: c.signal,
        onEvent: (e) => e._tag === 'epoch-end' && e.epoch === stopAfter && c.abort(),
      });
      expect(E.isLeft(r1.r) && r1.r.left._tag).toBe('interrupted');
      expect(E.isRight((await run(spec, { write: true, saveModel: false, resume: out })).r)).toBe(true);
      expect(metricRows(out)).toEqual(metricRows(join(root, 'reference')));
    }
  }, 60_000);

  it('reports a non-finite loss with its epoch and step, as the TensorFlow.js path does', async () => {
    const spec = tiny({
      network: network(2, [dense(8, 'relu')], 2),
      optimizer: sgd({ step: constant(1e30) }),
      train: { epochs: 4, batch: 16 },
    });
    const host = await run(spec, { engine: 'auto' });
    const tfjs = await run(spec, { engine: 'tfjs' });
    expect(E.isLeft(host.r) && E.isLeft(tfjs.r)).toBe(true);
    if (E.isRight(host.r) || E.isRight(tfjs.r)) return;
    expect(host.r.left._tag).toBe('non-finite-loss');
    expect(host.r.left.message).toBe(tfjs.r.left.message);
  });

  it('resumes an interrupted host run bit for bit', async () => {
    const spec = resnetSpec(16);
    const root = mkdtempSync(join(tmpdir(), 'sprout-host-'));
    expect(E.isRight((await run(spec, { write: true, saveModel: false, out: join(root, 'reference') })).r)).toBe(true);
    const c = new AbortController();
    const out = join(root, 'interrupted');
    // Interrupted in epoch 5, after the insertion: the checkpoint needs the host weights written back.
    const r1 = await run(spec, {
      write: true,
      saveModel: false,
      out,
      signal: c.signal,
      onEvent: (e) => e._tag === 'epoch-end' && e.epoch === 4 && c.abort(),
    });
    expect(E.isLeft(r1.r) && r1.r.left._tag).toBe('interrupted');
    expect(E.isRight((await run(spec, { write: true, saveModel: false, resume: out })).r)).toBe(true);
    expect(metricRows(out)).toEqual(metricRows(join(root, 'reference')));
    expect(metricRows(out)).toHaveLength(7);
  }, 60_000);

  it("saves the trained weights: the model of a host run equals the TensorFlow.js run's to float32 rounding", async () => {
    const root = mkdtempSync(join(tmpdir(), 'sprout-host-model-'));
    const weights = async (engine: 'auto' | 'tfjs') => {
      const out = join(root, engine);
      expect(E.isRight((await run(resnetSpec('full'), { write: true, out, engine })).r)).toBe(true);
      const model = await tf.loadLayersModel(modelFiles(join(out, 'model')));
      const values = model.getWeights().map((w) => Array.from(w.dataSync()));
      model.dispose();
      return values.flat();
    };
    const [a, b] = [await weights('auto'), await weights('tfjs')];
    expect(a.length).toBe(b.length);
    expect(Math.max(...a.map((v, i) => Math.abs(v - b[i]!)))).toBeLessThan(1e-4);
  }, 60_000);

  for (const [name, step, metric] of [
    ['adaptive none (reference rule)', adaptiveReference(0.3), euclidean()],
    [
      'adaptive ema, on_increase reset, first_estimate',
      adaptive({ variance: 'ema', onIncrease: 'reset', initialL: 'first_estimate' }),
      euclidean(),
    ],
    ['adaptive none in the width metric', adaptive({ initialL: 'first_estimate' }), frobenius(width(), width())],
    // r_ε and d₀ larger than their defaults, so that the 6 short epochs move the net.
    ['dog in a scaled metric', dog({ rEps: 0.05 }), frobenius(scaled(2), scaled(0.5))],
    ['prodigy', prodigy({ d0: 0.5 }), euclidean()],
    ['constant in the width metric', constant(0.5), frobenius(width(), width())],
  ] as const)
    it(`steps a controller on the host, agreeing with TensorFlow.js: ${name}, across an insertion`, async () => {
      const spec = { ...resnetSpec(16), optimizer: sgd({ step, metric }) };
      const host = await run(spec, { engine: 'auto' });
      const tfjs = await run(spec, { engine: 'tfjs' });
      if (E.isLeft(host.r)) throw new Error(host.r.left.message);
      if (E.isLeft(tfjs.r)) throw new Error(tfjs.r.left.message);
      expect(host.events.find((e) => e._tag === 'run-start')).toMatchObject({ engine: 'host' });
      expect(tfjs.events.find((e) => e._tag === 'run-start')).toMatchObject({ engine: 'tfjs' });
      const [a, b] = [epochs(host.events), epochs(tfjs.events)];
      expect(a).toHaveLength(6);
      // The controllers read loss differences and norms: float32 rounding reaches them, so 1e-3, not 1e-5.
      a.forEach((m, i) => {
        const n = b[i]!;
        expect(Math.abs(m.trainLoss - n.trainLoss)).toBeLessThan(1e-3 * Math.max(1, n.trainLoss));
        expect(Math.abs(m.stepSize - n.stepSize)).toBeLessThan(1e-3 * Math.abs(n.stepSize));
        if (n.stepSizeState !== undefined)
          expect(Math.abs(m.stepSizeState!.L - n.stepSizeState.L)).toBeLessThan(1e-3 * n.stepSizeState.L);
      });
      // The run learned (not a comparison of two stuck runs).
      expect(a.at(-1)!.trainLoss).toBeLessThan(0.95 * a[0]!.trainLoss);
    }, 60_000);

  it('uses TensorFlow.js for runs outside the host net (per-example variance, dropout)', async () => {
    const withController = await run(
      tiny({
        network: network(2, [dense(8, 'relu')], 2),
        optimizer: sgd({ step: adaptive({ variance: 'per_example' }) }),
        train: { epochs: 1, batch: 16 },
      }),
      {},
    );
    const withDropout = await run(tiny({ train: { epochs: 1, batch: 16 } }), {});
    expect(withController.events.find((e) => e._tag === 'run-start')).toMatchObject({ engine: 'tfjs' });
    expect(withDropout.events.find((e) => e._tag === 'run-start')).toMatchObject({ engine: 'tfjs' });
  });
});

describe('host engine decision', () => {
  it('looks at a net it cannot step on the host once, not again at every epoch start (until invalidate)', () => {
    // Batch norm has no host net: toHostNet declines after reading the net. The net is watched through its
    // `params` and `input`, which every look at it reads.
    const net = createNet(network(2, [dense(4, 'relu'), batchnorm()], 2), { seed: 1 });
    let reads = 0;
    const watched: Net = Object.create(net, {
      input: { get: () => (reads++, net.input) },
      params: { get: () => (reads++, net.params) },
    });
    const ds = generateSpirals({ points: 8 });
    if (E.isLeft(ds)) throw new Error('spirals');
    const data = toTensors(ds.right);
    if (E.isLeft(data)) throw new Error('toTensors');
    const optimizer = sgd({ step: constant(0.1) });
    const engine = hostEngine({
      allowed: true,
      loss: 'cross_entropy',
      data: data.right,
      optimizer,
      rule: updateRule(optimizer),
    });
    engine.prepare(watched);
    expect(engine.active()).toBe(false);
    const first = reads;
    expect(first).toBeGreaterThan(0);
    engine.prepare(watched);
    engine.prepare(watched);
    expect(reads).toBe(first);
    engine.invalidate();
    engine.prepare(watched);
    expect(reads).toBeGreaterThan(first);
    disposeNet(net);
    disposeDatasetTensors(data.right);
  });
});
