/**
 * One epoch of a training run: seeded batches, a step of the run's updater on each (host engine, Euclidean
 * rule or preconditioned optimizer), then the epoch's metrics.
 *
 * On TensorFlow.js, nothing is read back from the backend inside the step loop unless step events are asked
 * for: the epoch's batch losses stay on the backend and are read once at its end, with the test metrics (the
 * train loss is their mean weighted by batch size, summed in float64; the first non-finite one names the
 * failing step).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { batchLoss, inferShapes, layerKey, lossAndGradients, type Net } from '@sprout/model';
import type { Layer, Loss, Optimizer } from '@sprout/spec';
import type {
  LayerTap,
  PreconditionedOptimizer,
  StepContext,
  StepError,
  StepInfo,
  UpdateRule,
} from '@sprout/step-size';
import { describeStepError } from '@sprout/step-size';
import type { EpochMetrics, RunError, RunEvent, RunId, StepProgress, StepSizeState } from '../../Pipeline.js';
import type { ArmPlan } from '../plan.js';
import { augmentImages, batches, CIFAR10, forward, gatherBatch, mixSeeds, type DatasetTensors } from '../deps.js';
import { orNaN } from '../checkpoint.js';
import { errorCount } from '../loss.js';
import { nextTurn } from '../next-turn.js';
import type { HostEngine } from '../host-engine.js';
import type { Updater } from './updater.js';
import type { StepTrace } from './restore.js';
import { nonFinite } from './errors.js';

/** Examples per forward pass when evaluating the test set. */
const EVAL_CHUNK = 1000;

/** Loss sum and error count over `n` examples (the test or the validation set), on the backend. */
const evaluate = (net: Net, arm: ArmPlan, set: { x: tf.Tensor; y: tf.Tensor; n: number }): [tf.Scalar, tf.Scalar] => {
  const { n } = set;
  let lossSum: tf.Scalar = tf.scalar(0);
  let errors: tf.Scalar = tf.scalar(0);
  for (let start = 0; start < n; start += EVAL_CHUNK) {
    const size = Math.min(EVAL_CHUNK, n - start);
    const [l, e] = tf.tidy(() => {
      const x = size === n ? set.x : tf.slice(set.x, start, size);
      const y = (size === n ? set.y : tf.slice(set.y, start, size)) as tf.Tensor1D;
      const out = forward(net, x, { training: false });
      const l = tf.add(lossSum, tf.mul(batchLoss(arm.loss, arm.network.output.activation, out, y), size)) as tf.Scalar;
      const e = tf.add(errors, errorCount(out, y)) as tf.Scalar;
      return [l, e];
    });
    tf.dispose([lossSum, errors]);
    lossSum = l;
    errors = e;
  }
  return [lossSum, errors];
};

/**
 * Shapes of the pre-activation outputs of the net's dense and conv layers (one example), by layer key:
 * the probes whose gradients are δ = ∂f_B/∂z.
 */
const probeShapes = (net: Net): Map<string, readonly number[]> => {
  const shapes = inferShapes(net.input, net.layers);
  if (E.isLeft(shapes))
    throw new Error(`probeShapes: the net's layers do not fit together: ${JSON.stringify(shapes.left)}`);
  const out = new Map<string, readonly number[]>();
  const walk = (layers: readonly Layer[], prefix: readonly number[]) =>
    layers.forEach((l, i) => {
      const path = [...prefix, i];
      if (l._tag === 'dense' || l._tag === 'conv') out.set(layerKey(path), shapes.right.get(layerKey(path))!.output);
      if (l._tag === 'residual') walk(l.body, path);
    });
  walk(net.layers, []);
  return out;
};

/**
 * Gradients of the batch-mean loss with respect to the parameters (keyed by parameter name) and, when
 * `withTaps`, the layer taps of @sprout/step-size: each dense/conv layer's input x and δ = ∂f_B/∂z, from
 * zero probes added to the pre-activations (@sprout/model's `lossAndGradients` with taps: one backward
 * pass for both).
 */
const gradientsWithTaps = (
  net: Net,
  x: tf.Tensor,
  y: tf.Tensor,
  seed: number,
  loss: Loss,
  withTaps: boolean,
): { value: tf.Scalar; grads: tf.NamedTensorMap; taps: Map<string, LayerTap> | undefined } => {
  if (!withTaps) {
    const r = lossAndGradients(net, x, y, { loss, training: true, seed });
    return { value: r.loss, grads: r.grads, taps: undefined };
  }
  const inputs = new Map<string, tf.Tensor>();
  const probes = new Map<string, tf.Variable>();
  // In tf.tidy: the zeros a variable is made from would otherwise outlive it.
  tf.tidy(() => {
    for (const [key, shape] of probeShapes(net)) probes.set(key, tf.variable(tf.zeros([x.shape[0]!, ...shape]), true));
  });
  try {
    const r = lossAndGradients(net, x, y, { loss, training: true, seed, taps: { inputs, probes } });
    const taps = new Map<string, LayerTap>();
    for (const key of probes.keys()) {
      const input = inputs.get(key);
      const delta = r.deltas?.get(key);
      taps.set(key, { ...(input !== undefined ? { x: input } : {}), ...(delta !== undefined ? { delta } : {}) });
    }
    return { value: r.loss, grads: r.grads, taps };
  } finally {
    for (const p of probes.values()) p.dispose();
  }
};

/** `split` variance: the gradients of K equal chunks of the batch (the remainder of B/K is left out). */
const chunkGradients = (
  net: Net,
  x: tf.Tensor,
  y: tf.Tensor,
  seed: number,
  loss: Loss,
  K: number,
): tf.NamedTensorMap[] => {
  const b = Math.floor(x.shape[0]! / K);
  if (b < 1) return [];
  return Array.from({ length: K }, (_, k) =>
    // The chunk's loss is left to the tidy scope; its gradients are returned from it.
    tf.tidy(
      () =>
        lossAndGradients(net, tf.slice(x, k * b, b), tf.slice(y, k * b, b), {
          loss,
          training: true,
          seed,
          updateState: false,
        }).grads,
    ),
  );
};

/**
 * One step of a Euclidean update rule on a batch (`batch` is called inside the step's tf.tidy, so a
 * gathered copy is freed with it): the loss and gradients (@sprout/model's closed-form back-propagation for
 * dense/residual nets, the tape otherwise) and `rule.apply` at step size `lr`. Returns the batch loss, on the
 * backend.
 */
export const ruleStep = (
  net: Net,
  rule: UpdateRule,
  batch: () => { x: tf.Tensor; y: tf.Tensor },
  options: { readonly loss: Loss; readonly seed: number; readonly lr: number },
): tf.Scalar =>
  tf.tidy(() => {
    const { x, y } = batch();
    const { loss, grads } = lossAndGradients(net, x, y, { loss: options.loss, training: true, seed: options.seed });
    rule.apply(net.params, new Map(Object.entries(grads)), options.lr);
    return loss;
  });

/** What the preconditioned optimizer's step needs besides gradients: layer taps, chunk gradients. */
interface PreconditionedNeeds {
  /** Layer taps for data-based Gram matrices and per-example variance. */
  readonly taps: boolean;
  /** Chunks of the batch for `split` variance (0: none). */
  readonly chunks: number;
}

const preconditionedNeeds = (spec: Optimizer): PreconditionedNeeds => ({
  taps:
    spec.metric.domain._tag === 'data' ||
    spec.metric.codomain._tag === 'data' ||
    (spec.step._tag === 'adaptive' && spec.step.variance === 'per_example'),
  chunks: spec.step._tag === 'adaptive' && spec.step.variance === 'split' ? spec.step.chunks : 0,
});

/**
 * One step of the preconditioned optimizer on the batch `x`, `y` (disposed here): gradients (with taps and
 * chunk gradients as `needs` says), and `pre.step`, which may evaluate f_B again at trial points (same batch
 * and dropout masks, batch-norm state untouched). Returns the batch loss (on the backend) and what the
 * controller did; on Left nothing is left allocated.
 */
const preconditionedStep = (
  net: Net,
  pre: PreconditionedOptimizer,
  batch: { x: tf.Tensor; y: tf.Tensor },
  options: {
    readonly loss: Loss;
    readonly lossOf: (out: tf.Tensor, y: tf.Tensor) => tf.Scalar;
    readonly seed: number;
    readonly epoch: number;
    readonly needs: PreconditionedNeeds;
  },
): E.Either<StepError, { readonly loss: tf.Scalar; readonly info: StepInfo }> => {
  const { x, y } = batch;
  const { seed, needs } = options;
  const { value, grads, taps } = gradientsWithTaps(net, x, y, seed, options.loss, needs.taps);
  const chunkGrads = needs.chunks > 0 ? chunkGradients(net, x, y, seed, options.loss, needs.chunks) : undefined;
  // f_B at the current variables, same batch and dropout masks, batch-norm state untouched.
  const lossAt = (): number => {
    const l = tf.tidy(() => options.lossOf(forward(net, x, { training: true, seed, updateState: false }), y));
    const v = l.dataSync()[0]!;
    l.dispose();
    return v;
  };
  const stepCtx: StepContext = {
    loss: value,
    lossAt,
    epoch: options.epoch,
    batchSize: x.shape[0]!,
    ...(taps !== undefined ? { taps } : {}),
    ...(chunkGrads !== undefined ? { chunkGrads } : {}),
  };
  const stepped = pre.step(grads, stepCtx);
  tf.dispose([x, y, ...Object.values(grads), ...(chunkGrads ?? []).flatMap((c) => Object.values(c))]);
  for (const t of taps?.values() ?? []) tf.dispose([t.x, t.delta].filter((u): u is tf.Tensor => u !== undefined));
  if (E.isLeft(stepped)) {
    value.dispose();
    return stepped;
  }
  return E.right({ loss: value, info: stepped.right });
};

/**
 * Seeded augmentation of the training batches (crop, flip) for epoch and step: on the host rows before they
 * are uploaded, its draws a function of (seed, epoch, step). Padding is a 0 pixel, which CIFAR-10's
 * normalisation moves. Undefined without augmentation.
 */
export const augmentation = (
  arm: ArmPlan,
  data: DatasetTensors,
  seed: number,
  stepsPerEpoch: number,
): ((epoch: number, step: number) => ((x: Float32Array, n: number) => void) | undefined) => {
  const augment = arm.data.augment;
  const fill =
    arm.data._tag === 'cifar10' && arm.data.normalize ? CIFAR10.mean.map((m, c) => -m / CIFAR10.std[c]!) : undefined;
  return augment === undefined
    ? () => undefined
    : (epoch, step) => (x, n) =>
        augmentImages(
          x,
          n,
          data.inputShape,
          { ...augment, ...(fill !== undefined ? { fill } : {}) },
          seed,
          epoch * stepsPerEpoch + step,
        );
};

/**
 * The event loop's turns inside a run: SIGINT/SIGTERM handlers (which abort the run's signal), timers and
 * a progress display run only when it turns, so a long epoch yields every `everyMs` to stop after the
 * current step, and every epoch ends with a turn.
 */
interface Turns {
  /** Whether `everyMs` have passed since the last turn. */
  readonly due: () => boolean;
  readonly take: () => Promise<void>;
}

export const eventLoopTurns = (everyMs: number): Turns => {
  let last = performance.now();
  return {
    due: () => performance.now() - last >= everyMs,
    take: async () => {
      await nextTurn();
      last = performance.now();
    },
  };
};

/** One epoch's inputs. */
interface EpochInput {
  readonly id: RunId;
  readonly arm: ArmPlan;
  readonly data: DatasetTensors;
  readonly net: Net;
  readonly updater: Updater;
  readonly host: HostEngine;
  /** The epoch, 0-based. */
  readonly epoch: number;
  /** The schedule's step size in this epoch (NaN for other step sizes). */
  readonly lr: number;
  readonly stepsPerEpoch: number;
  /** Steps of this epoch already taken (a run resumed inside it), with their batch losses and sizes. */
  readonly taken?: {
    readonly steps: number;
    readonly losses: readonly (number | null)[];
    readonly sizes: readonly number[];
  };
  readonly trace: StepTrace;
  readonly augmentFor: ReturnType<typeof augmentation>;
}

/** What an epoch reports while it runs. */
interface EpochHooks {
  readonly emit: (event: RunEvent) => void;
  /** A step event every `stepEvery` steps of the run (0: none). */
  readonly stepEvery: number;
  readonly signal?: AbortSignal | undefined;
  readonly progress?: ((p: StepProgress) => void) | undefined;
  readonly turns: Turns;
}

/** An epoch's steps: all of them, the steps up to an interruption, or a failure (the step losses freed). */
export type EpochSteps =
  | {
      readonly _tag: 'trained';
      /** The steps ran on the host engine (`hostLosses`), else on the backend (`losses`). */
      readonly onHost: boolean;
      readonly losses: readonly tf.Scalar[];
      readonly hostLosses: readonly number[];
      readonly sizes: readonly number[];
      readonly trace: StepTrace;
    }
  | {
      readonly _tag: 'interrupted';
      /** Steps taken in this epoch (1-based number of the last). */
      readonly step: number;
      readonly losses: readonly number[];
      readonly sizes: readonly number[];
      readonly trace: StepTrace;
    }
  | { readonly _tag: 'failed'; readonly error: RunError };

/** The steps of one epoch (the engine prepared for `net` first). */
export const runEpoch = async (input: EpochInput, hooks: EpochHooks): Promise<EpochSteps> => {
  const { id, arm, data: d, net, updater, host, epoch, lr, stepsPerEpoch, augmentFor } = input;
  let trace = input.trace;
  const nTrain = d.trainCount;
  const order = batches(nTrain, arm.train.batch, id.seed, epoch, { shuffle: arm.train.shuffle });
  const lossOf = (out: tf.Tensor, y: tf.Tensor): tf.Scalar =>
    batchLoss(arm.loss, arm.network.output.activation, out, y);
  const needs = preconditionedNeeds(arm.optimizer);
  // The batch losses of the epoch stay on the backend until its end: one read for all of them.
  const stepLosses: tf.Scalar[] = [];
  const stepSizes: number[] = [];
  host.prepare(net);
  const onHost = host.active();
  // The host path's batch losses (read nowhere else, so no tensors).
  const hostLosses: number[] = [];
  const firstStep = input.taken?.steps ?? 0;
  input.taken?.losses.forEach((l, k) => {
    if (onHost) hostLosses.push(orNaN(l));
    else stepLosses.push(tf.scalar(orNaN(l)));
    stepSizes.push(input.taken!.sizes[k]!);
  });
  const failed = (error: RunError): EpochSteps => {
    tf.dispose(stepLosses);
    return { _tag: 'failed', error };
  };
  // Examples of this epoch's steps so far and when they began, for `progress`.
  let examplesDone = 0;
  const stepsFrom = performance.now();
  for (let s = firstStep; s < order.length; s++) {
    const indices = order[s]!;
    const size = indices.length;
    const stepSeed = mixSeeds(id.seed, 2, epoch, s);
    let lossValue: tf.Scalar | number;
    if (onHost) {
      lossValue = host.step(indices, lr, epoch);
      if (!Number.isFinite(lossValue)) return failed(nonFinite(id, epoch + 1, s + 1));
      const info =
        updater._tag === 'preconditioned' && updater.hostController !== undefined ? host.lastInfo() : undefined;
      if (info !== undefined) trace = { lastInfo: info, lastStep: info.a };
    } else if (updater._tag === 'rule') {
      lossValue = ruleStep(
        net,
        updater.rule,
        () =>
          // A full batch in stored order uses the stored tensors as they are (no copy).
          arm.data.augment === undefined &&
          size === nTrain &&
          stepsPerEpoch === 1 &&
          indices[0] === 0 &&
          indices[size - 1] === size - 1
            ? { x: d.trainX, y: d.trainY }
            : gatherBatch(d, indices, augmentFor(epoch, s)),
        { loss: arm.loss, seed: stepSeed, lr },
      );
    } else {
      const stepped = preconditionedStep(net, updater.pre, gatherBatch(d, indices, augmentFor(epoch, s)), {
        loss: arm.loss,
        lossOf,
        seed: stepSeed,
        epoch,
        needs,
      });
      if (E.isLeft(stepped)) {
        const err = stepped.left;
        if (err._tag === 'non-finite-loss' || err._tag === 'non-finite-gradient')
          return failed(nonFinite(id, epoch + 1, s + 1));
        return failed({
          _tag: 'step-failed',
          ...id,
          epoch: epoch + 1,
          step: s + 1,
          message: `the optimizer step failed in epoch ${epoch + 1}, step ${s + 1} (arm '${id.arm}', seed ${id.seed}): ${describeStepError(err)}`,
        });
      }
      trace = { lastInfo: stepped.right.info, lastStep: stepped.right.info.a };
      lossValue = stepped.right.loss;
    }
    if (typeof lossValue === 'number') hostLosses.push(lossValue);
    else stepLosses.push(lossValue);
    stepSizes.push(size);
    examplesDone += size;
    if (hooks.turns.due()) {
      hooks.progress?.({
        ...id,
        epoch: epoch + 1,
        step: s + 1,
        steps: order.length,
        examples: examplesDone,
        seconds: (performance.now() - stepsFrom) / 1000,
      });
      await hooks.turns.take();
    }
    if (hooks.signal?.aborted === true) {
      // Stopped inside the epoch: the steps taken go into a checkpoint, with their batch losses.
      let partialLosses = hostLosses;
      if (!onHost) {
        const partial = tf.tidy(() => tf.stack(stepLosses));
        partialLosses = Array.from(partial.dataSync());
        partial.dispose();
      }
      tf.dispose(stepLosses);
      return { _tag: 'interrupted', step: s + 1, losses: partialLosses, sizes: stepSizes, trace };
    }
    if (hooks.stepEvery > 0 && (epoch * stepsPerEpoch + s + 1) % hooks.stepEvery === 0) {
      hooks.emit({
        _tag: 'step',
        ...id,
        epoch: epoch + 1,
        step: s + 1,
        loss: typeof lossValue === 'number' ? lossValue : (await lossValue.data())[0]!,
      });
    }
  }
  if (updater._tag === 'rule') trace = { ...trace, lastStep: lr };
  return { _tag: 'trained', onHost, losses: stepLosses, hostLosses, sizes: stepSizes, trace };
};

/**
 * The epoch's numbers in one read: the step losses, then the test set's loss sum and error count, then
 * (with a validation set) its loss sum and error count. Frees the step losses.
 */
export const epochSums = async (
  net: Net,
  arm: ArmPlan,
  d: DatasetTensors,
  host: HostEngine,
  steps: Extract<EpochSteps, { _tag: 'trained' }>,
): Promise<ArrayLike<number>> => {
  const validation = d.validation;
  if (steps.onHost) {
    const { lossSum, errors } = host.evaluate();
    const v = validation !== undefined ? host.evaluateValidation() : undefined;
    return [...steps.hostLosses, lossSum, errors, ...(v !== undefined ? [v.lossSum, v.errors] : [])];
  }
  const sums = [
    ...evaluate(net, arm, { x: d.testX, y: d.testY, n: d.testCount }),
    ...(validation !== undefined ? evaluate(net, arm, { x: validation.x, y: validation.y, n: validation.count }) : []),
  ];
  const packed = tf.tidy(() => tf.concat([tf.stack([...steps.losses]), tf.stack(sums)]));
  const values = await packed.data();
  tf.dispose([packed, ...sums, ...steps.losses]);
  return values;
};

/**
 * The metrics of epoch `epoch` (1-based) from `epochSums`' numbers and the steps' batch sizes: the train
 * loss is the batch losses' mean weighted by batch size (summed in float64), test and validation loss and
 * error are means over their sets. Left: the 1-based step whose batch loss was not finite.
 */
export const epochMetrics = (input: {
  readonly epoch: number;
  readonly sums: ArrayLike<number>;
  readonly sizes: readonly number[];
  readonly trainCount: number;
  readonly testCount: number;
  readonly validationCount: number | undefined;
  readonly trace: StepTrace;
  /** Whether the step size is the adaptive controller's (its L, ρ and a are logged). */
  readonly adaptive: boolean;
  readonly parameterCount: number;
  readonly seconds: number;
}): E.Either<{ readonly step: number }, EpochMetrics> => {
  const { sums: values, sizes, testCount, validationCount, trace } = input;
  const steps = sizes.length;
  let lossSum = 0;
  for (let k = 0; k < steps; k++) {
    if (!Number.isFinite(values[k]!)) return E.left({ step: k + 1 });
    lossSum += values[k]! * sizes[k]!;
  }
  const stepSizeState: StepSizeState | undefined =
    input.adaptive && trace.lastInfo !== undefined
      ? { L: trace.lastInfo.L ?? Number.NaN, rho: trace.lastInfo.rho ?? Number.NaN, a: trace.lastInfo.a }
      : undefined;
  return E.right({
    epoch: input.epoch,
    trainLoss: lossSum / input.trainCount,
    testLoss: values[steps]! / testCount,
    testError: values[steps + 1]! / testCount,
    ...(validationCount !== undefined
      ? {
          validationLoss: values[steps + 2]! / validationCount,
          validationError: values[steps + 3]! / validationCount,
        }
      : {}),
    stepSize: trace.lastStep,
    parameterCount: input.parameterCount,
    seconds: input.seconds,
    ...(stepSizeState !== undefined ? { stepSizeState } : {}),
  });
};
