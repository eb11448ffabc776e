// The named steps of a training run (src/internal/train/), each on its own, on a tiny real net.
import * as tf from '@tensorflow/tfjs';
import * as E from 'fp-ts/Either';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adaptive, atEpochs, constant, dense, momentum, network, sensli, sgd, type Experiment } from '@sprout/spec';
import { disposeNet, forward, lossAndGradients, type Net } from '@sprout/model';
import { disposeDatasetTensors, generateSpirals, gatherBatch, toTensors, type DatasetTensors } from '@sprout/data';
import { armPlans, type ArmPlan } from '../src/internal/plan.js';
import type { CheckpointManifest } from '../src/internal/checkpoint.js';
import { startingNet, startingTrace, type Resume, type StepTrace } from '../src/internal/train/restore.js';
import {
  chooseEngine,
  chooseUpdater,
  disposeUpdater,
  type Updater,
  type UpdaterSettings,
} from '../src/internal/train/updater.js';
import {
  augmentation,
  epochMetrics,
  eventLoopTurns,
  runEpoch,
  ruleStep,
  type EpochSteps,
} from '../src/internal/train/epoch.js';
import { checkpointContent } from '../src/internal/train/checkpoint-content.js';
import { growAfterEpoch, growthDue } from '../src/internal/train/grow.js';
import { tiny, useCpu } from './tiny.js';

beforeAll(useCpu);

let data: DatasetTensors;
beforeAll(() => {
  const ds = generateSpirals({ points: 40 });
  if (E.isLeft(ds)) throw new Error('spirals');
  const t = toTensors(ds.right);
  if (E.isLeft(t)) throw new Error('toTensors');
  data = t.right;
});
afterAll(() => disposeDatasetTensors(data));

const id = { arm: 'base', repeat: 0, seed: 7 };
const armOf = (spec: Experiment): ArmPlan => armPlans(spec)[0]!;
const plainNet = network(2, [dense(8, 'relu')], 2);
const settingsOf = (arm: ArmPlan): UpdaterSettings => ({
  optimizer: arm.optimizer,
  lrScale: 1,
  totalEpochs: arm.train.epochs,
  datasetSize: data.trainCount,
  hostEngine: false,
});
const valuesOf = (net: Net): Float32Array[] => net.params.map((p) => Float32Array.from(p.variable.dataSync()));
const netOf = (arm: ArmPlan, resume?: Resume): Net => {
  const n = startingNet(id, arm, { resume });
  if (E.isLeft(n)) throw new Error(n.left.message);
  return n.right;
};
const updaterOf = (net: Net, arm: ArmPlan, saved?: Resume): Updater => {
  const u = chooseUpdater(
    net,
    settingsOf(arm),
    saved === undefined ? undefined : { rule: saved.manifest.rule, pre: saved.manifest.pre, tensors: saved.tensors },
  );
  if (E.isLeft(u)) throw new Error(u.left.message);
  return u.right;
};

/** One epoch on TensorFlow.js kernels; `signal` to interrupt it. */
const epochOf = (
  arm: ArmPlan,
  net: Net,
  updater: Updater,
  epoch: number,
  trace: StepTrace,
  signal?: AbortSignal,
): Promise<EpochSteps> => {
  const host = chooseEngine({
    updater: () => updater,
    settings: settingsOf(arm),
    arm: { loss: arm.loss, augmented: false },
    data,
  });
  const stepsPerEpoch = Math.ceil(data.trainCount / (arm.train.batch as number));
  return runEpoch(
    {
      id,
      arm,
      data,
      net,
      updater,
      host,
      epoch,
      lr: 0.1,
      stepsPerEpoch,
      trace,
      augmentFor: augmentation(arm, data, id.seed, stepsPerEpoch),
    },
    { emit: () => {}, stepEvery: 0, signal, turns: eventLoopTurns(100) },
  );
};

const trained = (s: EpochSteps) => {
  if (s._tag !== 'trained') throw new Error(`epoch ${s._tag}`);
  tf.dispose([...s.losses]);
  return s;
};

describe('a run in named steps', () => {
  it('ruleStep moves the parameters by −lr × the batch gradient (SGD)', () => {
    const arm = armOf(tiny({ network: plainNet, optimizer: sgd({ step: constant(0.1) }) }));
    const net = netOf(arm);
    const updater = updaterOf(net, arm);
    if (updater._tag !== 'rule') throw new Error('SGD with a constant step takes the Euclidean rule');
    const indices = Int32Array.from([3, 1, 4, 15, 9, 2]);
    const before = valuesOf(net);
    const grads = tf.tidy(() => {
      const { x, y } = gatherBatch(data, indices);
      const g = lossAndGradients(net, x, y, { loss: arm.loss, training: true, seed: 11 }).grads;
      return net.params.map((p) => g[p.name]!);
    });
    const gradValues = grads.map((g) => Float32Array.from(g.dataSync()));
    tf.dispose(grads);
    ruleStep(net, updater.rule, () => gatherBatch(data, indices), { loss: arm.loss, seed: 11, lr: 0.1 }).dispose();
    valuesOf(net).forEach((after, i) =>
      after.forEach((v, k) => expect(v).toBeCloseTo(before[i]![k]! - 0.1 * gradValues[i]![k]!, 6)),
    );
    disposeUpdater(updater);
    disposeNet(net);
  });

  it('a checkpoint restores net and momentum slots exactly, and the next epoch continues bit for bit', async () => {
    const arm = armOf(
      tiny({ network: plainNet, optimizer: momentum(0.9, { step: constant(0.1) }), train: { epochs: 4, batch: 8 } }),
    );
    const net = netOf(arm);
    const updater = updaterOf(net, arm);
    let trace = startingTrace(undefined, 0.1);
    trace = trained(await epochOf(arm, net, updater, 0, trace)).trace;
    const { content, tensors } = checkpointContent(
      id,
      { epoch: 1, step: 0, partialLosses: [], partialSizes: [], seconds: 1 },
      { net, lrScale: 1, insertions: 0, trace, history: [] },
      updater,
      false,
    );
    expect(tensors.filter((t) => t.name.startsWith('opt:')).map((t) => t.name)).toHaveLength(net.params.length);
    const manifest: CheckpointManifest = {
      ...content,
      version: 2,
      identity: { run: 'r', specHash: 'h' },
      tensors: [],
    };
    const resume: Resume = { manifest, tensors: new Map(tensors.map((t) => [t.name, t])) };
    const net2 = netOf(arm, resume);
    const updater2 = updaterOf(net2, arm, resume);
    expect(valuesOf(net2)).toEqual(valuesOf(net));
    expect(startingTrace(resume, Number.NaN)).toEqual(trace);
    const a = trained(await epochOf(arm, net, updater, 1, trace));
    const b = trained(await epochOf(arm, net2, updater2, 1, startingTrace(resume, Number.NaN)));
    expect(b.sizes).toEqual(a.sizes);
    expect(valuesOf(net2)).toEqual(valuesOf(net));
    for (const u of [updater, updater2]) disposeUpdater(u);
    for (const n of [net, net2]) disposeNet(n);
  });

  it('an aborted epoch stops after its first step with that step’s batch loss', async () => {
    const arm = armOf(tiny({ network: plainNet, train: { epochs: 4, batch: 8 } }));
    const net = netOf(arm);
    const updater = updaterOf(net, arm);
    const c = new AbortController();
    c.abort();
    const s = await epochOf(arm, net, updater, 0, startingTrace(undefined, 0.1), c.signal);
    expect(s._tag).toBe('interrupted');
    if (s._tag !== 'interrupted') return;
    expect(s.step).toBe(1);
    expect(s.sizes).toEqual([8]);
    expect(s.losses).toHaveLength(1);
    expect(Number.isFinite(s.losses[0]!)).toBe(true);
    disposeUpdater(updater);
    disposeNet(net);
  });

  it('the adaptive step takes the preconditioned optimizer and reports its step size', async () => {
    const arm = armOf(
      tiny({ network: plainNet, optimizer: sgd({ step: adaptive() }), train: { epochs: 2, batch: 8 } }),
    );
    const net = netOf(arm);
    const updater = updaterOf(net, arm);
    expect(updater._tag).toBe('preconditioned');
    const s = trained(await epochOf(arm, net, updater, 0, startingTrace(undefined, Number.NaN)));
    expect(s.trace.lastInfo).toBeDefined();
    expect(s.trace.lastStep).toBe(s.trace.lastInfo!.a);
    expect(s.trace.lastStep).toBeGreaterThan(0);
    disposeUpdater(updater);
    disposeNet(net);
  });

  it('epochMetrics: the train loss is the batch losses weighted by size; a non-finite one names its step', () => {
    const base = {
      epoch: 3,
      sizes: [16, 4],
      trainCount: 20,
      testCount: 10,
      validationCount: undefined,
      trace: { lastStep: 0.1, lastInfo: undefined },
      adaptive: false,
      parameterCount: 42,
      seconds: 1,
    };
    const m = epochMetrics({ ...base, sums: [1, 3, 5, 2] });
    expect(m).toEqual(
      E.right({
        epoch: 3,
        trainLoss: (16 * 1 + 4 * 3) / 20,
        testLoss: 0.5,
        testError: 0.2,
        stepSize: 0.1,
        parameterCount: 42,
        seconds: 1,
      }),
    );
    expect(epochMetrics({ ...base, sums: [1, Number.NaN, 5, 2] })).toEqual(E.left({ step: 2 }));
    const v = epochMetrics({ ...base, validationCount: 5, sums: [1, 3, 5, 2, 4, 1] });
    expect(E.isRight(v) && [v.right.validationLoss, v.right.validationError]).toEqual([0.8, 0.2]);
  });

  it('growth inserts a layer that preserves the function, scales the step and keeps the momentum slots', () => {
    const arm = armOf(
      tiny({
        network: plainNet,
        optimizer: momentum(0.9, { step: constant(0.1) }),
        growth: sensli({ schedule: atEpochs(1), lrFactor: 0.5, optimizerState: 'keep' }),
      }),
    );
    expect(growthDue(arm, 1, 4, 0)).toBeDefined();
    expect(growthDue(arm, 2, 4, 0)).toBeUndefined();
    const net = netOf(arm);
    const updater = updaterOf(net, arm);
    if (updater._tag !== 'rule') throw new Error('momentum with a constant step takes the Euclidean rule');
    // Slots that are not zero, so that keeping them is visible.
    tf.tidy(() => {
      const { x, y } = gatherBatch(data, Int32Array.from([0, 1, 2, 3]));
      const { grads } = lossAndGradients(net, x, y, { loss: arm.loss, training: true, seed: 1 });
      updater.rule.apply(net.params, new Map(Object.entries(grads)), 0.1);
    });
    const slotsBefore = new Map(
      [...updater.rule.state].map(([n, s]) => [n, Float32Array.from(s.slots[0]!.dataSync())]),
    );
    const outBefore = tf.tidy(() => forward(net, data.testX, { training: false }).arraySync());
    const host = chooseEngine({
      updater: () => updater,
      settings: settingsOf(arm),
      arm: { loss: arm.loss, augmented: false },
      data,
    });
    const grown = growAfterEpoch({
      id,
      arm,
      growth: growthDue(arm, 1, 4, 0)!,
      data,
      net,
      host,
      updater,
      settings: settingsOf(arm),
      epochsDone: 1,
      lastStep: 0.1,
    });
    if (E.isLeft(grown)) throw new Error(grown.left.error.message);
    const g = grown.right;
    expect(g.inserted).toBe(true);
    expect(g.net.layers.length).toBe(net.layers.length + 1);
    expect(g.lrScale).toBe(0.5);
    expect(g.event).toMatchObject({ _tag: 'insertion', stepBefore: 0.1, stepAfter: 0.05 });
    expect(g.event._tag === 'insertion' && g.event.layers?.after).toHaveLength(g.net.layers.length);
    const outAfter = tf.tidy(() => forward(g.net, data.testX, { training: false }).arraySync()) as number[][];
    (outBefore as number[][]).forEach((row, i) => row.forEach((v, k) => expect(outAfter[i]![k]).toBeCloseTo(v, 5)));
    // The old parameters' slots moved to their names in the grown net, unchanged.
    const after = updater.rule.state;
    for (const values of slotsBefore.values()) {
      const moved = [...after.values()].some((s) => {
        const a = s.slots[0]!.dataSync();
        return a.length === values.length && a.every((v, k) => v === values[k]);
      });
      expect(moved).toBe(true);
    }
    disposeUpdater(g.updater);
    disposeNet(g.net);
  });
});
