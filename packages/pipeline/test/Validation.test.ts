// The validation set and early stopping: validation metrics in the events, metrics.csv and the summary,
// computed on the examples held out of training; early stopping as its fold says, and after a resume as
// without one.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as E from 'fp-ts/Either';
import { beforeAll, describe, expect, it } from 'vitest';
import { adam, constant, dense, network, sgd, spirals, stop, type Experiment } from '@sprout/spec';
import { createNet, batchLoss, disposeNet, forward } from '@sprout/model';
import { holdOutValidation, loadData } from '@sprout/data';
import { compile, reportRuns, type EpochMetrics, type RunEvent, type RunOptions } from '../src/index.js';
import { earlyStopState } from '../src/internal/early-stop.js';
import { metricRows } from '../../../test-support/metric-rows.mjs';
import { tiny, useCpu } from './tiny.js';

beforeAll(useCpu);

const run = async (spec: Experiment, options: RunOptions = {}) => {
  const p = compile(spec);
  if (E.isLeft(p)) throw new Error(JSON.stringify(p.left));
  const events: RunEvent[] = [];
  const r = await p.right.run({
    write: false,
    ...options,
    onEvent: (e) => {
      events.push(e);
      options.onEvent?.(e);
    },
  })();
  return {
    r,
    events,
    epochs: events.filter((e): e is Extract<RunEvent, { _tag: 'epoch-end' }> => e._tag === 'epoch-end'),
  };
};

const net = network(2, [dense(6, 'relu')], 2);

describe('validation set', () => {
  it('is evaluated on the held-out examples: at a vanishing step size, the initial net’s loss and error on them', async () => {
    // Step 1e-30 leaves the weights at their initialisation (to float32), so the first epoch's validation
    // metrics are the initial net's on the held-out examples, computed here independently.
    const spec = tiny({
      network: net,
      data: { ...spirals({ points: 40, splitDraw: 'fixed' }), validation: 0.25 },
      optimizer: sgd({ step: constant(1e-30) }),
      train: { epochs: 1, batch: 'full' },
    });
    const { epochs } = await run(spec);
    const loaded = await loadData(spec.data, { seed: spec.seed })();
    const ds = E.isRight(loaded) ? holdOutValidation(loaded.right, 0.25, spec.seed) : loaded;
    if (E.isLeft(ds)) throw new Error('data');
    const { validX, validY } = ds.right;
    expect(validY!.length).toBe(Math.floor(0.25 * 60));
    const initial = createNet(spec.network, { seed: spec.seed });
    const [loss, error] = tf.tidy(() => {
      const out = forward(initial, tf.tensor2d(validX!, [validY!.length, 2]), { training: false });
      const y = tf.tensor1d(validY!, 'int32');
      const wrong = tf.sum(tf.cast(tf.notEqual(tf.argMax(out, 1), y), 'float32'));
      return [batchLoss('cross_entropy', 'linear', out, y).dataSync()[0]!, wrong.dataSync()[0]! / validY!.length];
    });
    disposeNet(initial);
    expect(epochs[0]!.validationLoss).toBeCloseTo(loss, 6);
    expect(epochs[0]!.validationError).toBeCloseTo(error, 10);
    expect(epochs[0]!.validationLoss).not.toBe(epochs[0]!.testLoss);
  });

  it('appears in metrics.csv, summary.json and final.csv; host engine and TensorFlow.js agree', async () => {
    const spec = tiny({
      network: net,
      data: { ...spirals({ points: 40 }), validation: 0.2 },
      optimizer: adam({ step: constant(0.02) }),
      train: { epochs: 3, batch: 16 },
    });
    const dir = mkdtempSync(join(tmpdir(), 'sprout-validation-'));
    const auto = await run(spec, { write: true, out: join(dir, 'auto'), saveModel: false });
    const tfjs = await run(spec, { write: true, out: join(dir, 'tfjs'), saveModel: false, engine: 'tfjs' });
    const header = readFileSync(join(dir, 'auto', 'metrics.csv'), 'utf8').split('\n')[0];
    expect(header).toBe(
      'arm,repeat,seed,epoch,train_loss,test_loss,test_error_fraction,step_size,parameter_count,seconds,validation_loss,validation_error_fraction',
    );
    for (const [a, b] of auto.epochs.map((e, i) => [e, tfjs.epochs[i]!] as const)) {
      expect(Number.isFinite(a.validationLoss)).toBe(true);
      expect(a.validationLoss).toBeCloseTo(b.validationLoss!, 5);
      expect(a.validationError).toBeCloseTo(b.validationError!, 10);
    }
    const last = metricRows(join(dir, 'auto')).at(-1)!.split(',');
    expect(Number(last.at(-2))).toBe(auto.epochs.at(-1)!.validationLoss);
    const summary = JSON.parse(readFileSync(join(dir, 'auto', 'summary.json'), 'utf8'));
    expect(summary.arms[0].final.validationLoss.mean).toBe(auto.epochs.at(-1)!.validationLoss);
    expect(summary.arms[0].final.epochs.mean).toBe(3);
    expect(readFileSync(join(dir, 'auto', 'final.csv'), 'utf8').split('\n')[0]).toContain(
      'validationLoss_mean,validationLoss_std',
    );
    // `sprout report` (and a study's summary, which is built the same way) reads them back from metrics.csv.
    const again = await reportRuns([join(dir, 'auto')], { out: join(dir, 'report') })();
    if (E.isLeft(again)) throw new Error(again.left.message);
    expect(again.right.arms[0]!.final.validationLoss).toEqual(summary.arms[0].final.validationLoss);
    expect(again.right.arms[0]!.final.validationError).toEqual(summary.arms[0].final.validationError);
  });
});

describe('early stopping', () => {
  const m = (epoch: number, v: number, parameterCount = 10): EpochMetrics => ({
    epoch,
    trainLoss: v,
    testLoss: 0,
    testError: 0,
    validationLoss: v,
    validationError: 0,
    stepSize: 0.1,
    parameterCount,
    seconds: 0,
  });
  it('stops after `patience` epochs without an improvement of more than min_delta; an insertion restarts the count', () => {
    const s = stop(2, { minDelta: 0.01 });
    expect(earlyStopState([m(1, 1), m(2, 0.995), m(3, 0.999)], s)).toEqual({
      best: 1,
      bestEpoch: 1,
      since: 2,
      stop: true,
    });
    expect(earlyStopState([m(1, 1), m(2, 0.9), m(3, 0.95)], s).stop).toBe(false);
    // The insertion after epoch 2 (parameter count 10 → 20) restarts the count but keeps the best value.
    expect(earlyStopState([m(1, 1), m(2, 1), m(3, 1, 20)], s)).toMatchObject({ since: 1, stop: false, best: 1 });
    expect(earlyStopState([m(1, Number.NaN), m(2, Number.NaN)], s)).toMatchObject({ stop: true, bestEpoch: 0 });
  });

  it('ends a run whose monitor does not improve; the event, the summary and the metrics say so', async () => {
    const spec = tiny({
      network: net,
      optimizer: sgd({ step: constant(1e-30) }),
      train: { epochs: 20, batch: 'full', stop: stop(3, { monitor: 'train_loss' }) },
    });
    const { r, events, epochs } = await run(spec);
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    expect(events.find((e) => e._tag === 'early-stop')).toMatchObject({
      epoch: 4,
      monitor: 'train_loss',
      bestEpoch: 1,
      patience: 3,
    });
    expect(E.isRight(r) && r.right.arms[0]!.final.epochs.mean).toBe(4);
  });

  it('decides the same after an interruption and a resume as without', async () => {
    const spec = tiny({
      repeat: 2,
      network: net,
      data: { ...spirals({ points: 40 }), validation: 0.2 },
      optimizer: adam({ step: constant(0.05) }),
      train: { epochs: 60, batch: 16, stop: stop(4, { monitor: 'validation_error' }) },
    });
    const dir = mkdtempSync(join(tmpdir(), 'sprout-stop-resume-'));
    const full = await run(spec, { write: true, out: join(dir, 'full'), saveModel: false, checkpointInterval: 0 });
    const stoppedAt = full.events.filter((e) => e._tag === 'early-stop').map((e) => (e as { epoch: number }).epoch);
    expect(stoppedAt).toHaveLength(2);
    expect(stoppedAt.every((e) => e < 60)).toBe(true);
    const c = new AbortController();
    const first = await run(spec, {
      write: true,
      out: join(dir, 'resumed'),
      saveModel: false,
      checkpointInterval: 0,
      signal: c.signal,
      onEvent: (e) => e._tag === 'epoch-end' && e.seed === 7 && e.epoch === stoppedAt[0]! - 1 && c.abort(),
    });
    expect(E.isLeft(first.r) && first.r.left._tag).toBe('interrupted');
    const second = await run(spec, { resume: join(dir, 'resumed'), saveModel: false, checkpointInterval: 0 });
    expect(E.isRight(second.r)).toBe(true);
    expect(metricRows(join(dir, 'resumed'))).toEqual(metricRows(join(dir, 'full')));
  });
});
