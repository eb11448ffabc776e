/**
 * One training run: one arm of the experiment with one seed. Seeded batches, the loss and its gradients
 * (@sprout/model's `lossAndGradients`: closed-form back-propagation for dense/residual nets, the gradient
 * tape otherwise; the tape with probes when layer taps are needed), an update, the metrics of every epoch,
 * and SensLI growth between epochs.
 *
 * Three update paths:
 *  - Euclidean SGD, momentum or Adam with a schedule on a dense/residual net (engine `auto`, where it pays):
 *    the host engine (host-engine.ts, on @sprout/model's host net) computes the steps, the update and the
 *    test metrics in host arrays (products in the native gemm), so a step costs no TensorFlow.js dispatch;
 *    parameters and optimizer slots are written back only when something reads them (checkpoint,
 *    sensitivity pass and growth, end of the run).
 *  - The same optimizers on other nets, or with engine `tfjs` (optimizer.ts): nothing is read back from the backend
 *    inside the step loop unless step events are asked for; the epoch's batch losses stay on the backend
 *    and are read once at the epoch's end, with the test metrics (the train loss is their mean weighted
 *    by batch size, summed in float64; the first non-finite one names the failing step).
 *  - Any other step size or metric: @sprout/step-size's preconditioned optimizer (Riesz map of the
 *    Frobenius-type metric, Armijo or the adaptive controller of ALGORITHMS.md §2, which reads the batch
 *    loss and needs one extra forward pass `lossAt` per step).
 */
import { nextTurn } from './next-turn.js';
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { batchLoss, inferShapes, layerKey, lossAndGradients, type Net, type WeightSnapshot } from '@sprout/model';
import type { Layer, Loss } from '@sprout/spec';
import { describeLayer, transferOptimizerState, paramNameMap, stepAfterInsertion } from '@sprout/growth';
import { growBySensitivity, shouldGrowAt, type GrowStep } from '@sprout/sensitivity';
import {
  createPreconditionedOptimizer,
  hostControllerFor,
  isSchedule,
  type HostController,
  learningRateAt,
  type LayerTap,
  type ParamGroup,
  type PreconditionedOptimizer,
  type StepContext,
  type StepInfo,
} from '@sprout/step-size';
import type { ArmPlan } from './plan.js';
import type { EpochMetrics, RunError, RunEvent, RunId, StepProgress, StepSizeState } from '../Pipeline.js';
import type { InsertionLayers } from './plot.js';
import {
  augmentImages,
  batches,
  CIFAR10,
  createNet,
  createNetFromLayers,
  disposeNet,
  forward,
  gatherBatch,
  parameterCount,
  setWeights,
  type DatasetTensors,
} from './deps.js';
import {
  finiteOrNull,
  orNaN,
  type CheckpointContent,
  type CheckpointManifest,
  type StoredSlots,
  type StoredTensor,
} from './checkpoint.js';
import { errorCount } from './loss.js';
import { updateRule, type UpdateRule } from '@sprout/step-size';
import { deriveSeed } from './rng.js';
import { hostEngine } from './host-engine.js';
import { earlyStopState } from './early-stop.js';

/** Examples per forward pass when evaluating the test set. */
const EVAL_CHUNK = 1000;
/** How often (ms) a long epoch lets the event loop run, so that a stop signal is seen within a step. */
const YIELD_EVERY_MS = 100;

export interface TrainContext {
  readonly id: RunId;
  readonly index: number;
  readonly arm: ArmPlan;
  readonly data: DatasetTensors;
  readonly stepEvery: number;
  readonly emit: (event: RunEvent) => void;
  readonly signal?: AbortSignal;
  /**
   * Write a checkpoint: at the end of an epoch per `checkpointInterval`, and always after a growth decision,
   * after the last epoch and when interrupted.
   */
  readonly checkpoint?: (content: CheckpointContent, tensors: readonly StoredTensor[]) => void;
  /** Seconds between per-epoch checkpoints (see `RunOptions.checkpointInterval`). */
  readonly checkpointInterval: number;
  /** See `RunOptions.engine`. */
  readonly engine: 'auto' | 'tfjs';
  /** Start from these weights (a warm start) instead of the seeded initialisation. */
  readonly initialWeights?: readonly WeightSnapshot[];
  /** See `RunOptions.onProgress`. */
  readonly progress?: (p: StepProgress) => void;
  /** Continue from this checkpoint instead of starting afresh (its `run-start` event says `resumedAt`). */
  readonly resumeFrom?: { readonly manifest: CheckpointManifest; readonly tensors: ReadonlyMap<string, StoredTensor> };
}

/**
 * The layers of the net before and after an insertion, as the candidate positions describe them, and the
 * index of the new one: the first place where the two lists differ (between two equal layers, the later).
 */
const insertionLayers = (before: Net, after: Net): InsertionLayers => {
  const b = before.layers.map(describeLayer);
  const a = after.layers.map(describeLayer);
  let inserted = a.findIndex((d, i) => d !== b[i]);
  if (inserted < 0) inserted = a.length - 1;
  return { before: b, after: a, inserted };
};

export interface TrainOutcome {
  readonly net: Net;
  readonly final: EpochMetrics;
}

/** Whether the arm needs @sprout/step-size's preconditioned optimizer (not the fast Euclidean path). */
const usesPreconditioner = (arm: ArmPlan): boolean =>
  !isSchedule(arm.optimizer.step) ||
  arm.optimizer.metric.domain._tag !== 'identity' ||
  arm.optimizer.metric.codomain._tag !== 'identity';

const errorMessage = (e: unknown): string =>
  typeof e === 'object' && e !== null && 'message' in e
    ? String((e as { message: unknown }).message)
    : JSON.stringify(e);

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

/** The layer at an index path (`[2, 0]` is layers[2].body[0]). */
const layerAt = (layers: readonly Layer[], path: readonly number[]): Layer | undefined => {
  let list = layers;
  let layer: Layer | undefined;
  for (const i of path) {
    layer = list[i];
    if (layer === undefined) return undefined;
    list = layer._tag === 'residual' ? layer.body : [];
  }
  return layer;
};

/** The parameter groups of the preconditioned optimizer: kernels by layer kind, biases, and the rest Euclidean. */
const paramGroups = (net: Net): ParamGroup[] =>
  net.params.map((p) => {
    const layer = layerAt(net.layers, p.path);
    const kind: ParamGroup['kind'] =
      p.role === 'kernel' ? (layer?._tag === 'conv' ? 'conv' : 'dense') : p.role === 'bias' ? 'bias' : 'other';
    // Conv kernels carry their geometry, so data-based Grams and per-example norms can form input patches.
    const conv =
      kind === 'conv' && layer?._tag === 'conv' ? { conv: { stride: layer.stride, padding: layer.padding } } : {};
    return { name: p.name, kind, variable: p.variable, layer: layerKey(p.path), ...conv };
  });

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

/** Train one run. On failure the net is disposed and the error names the epoch and step. */
export const trainRun = async (ctx: TrainContext): Promise<E.Either<RunError, TrainOutcome>> => {
  const { id, arm, data: d, emit } = ctx;
  const spec = arm.optimizer;
  const nTrain = d.trainCount;
  const stepsPerEpoch = batches(nTrain, arm.train.batch, id.seed, 0, { shuffle: false }).length;
  const epochs = arm.train.epochs;
  const growth = arm.growth;
  const outputActivation = arm.network.output.activation;
  const lossOf = (out: tf.Tensor, y: tf.Tensor): tf.Scalar => batchLoss(arm.loss, outputActivation, out, y);

  // Inside tf.tidy, so no temporary tensor of the initialisation outlives it (variables are kept).
  const resume = ctx.resumeFrom;
  let created: Net | undefined;
  tf.tidy(() => {
    created =
      resume === undefined
        ? createNet(arm.network, { seed: id.seed })
        : createNetFromLayers(resume.manifest.input, resume.manifest.layers, { seed: id.seed });
  });
  let net = created!;
  if (resume === undefined && ctx.initialWeights !== undefined) {
    const set = setWeights(net, ctx.initialWeights);
    if (E.isLeft(set)) {
      disposeNet(net);
      return E.left({
        _tag: 'internal-error',
        message: `the warm start's weights do not fit arm '${id.arm}': ${set.left.message}`,
      });
    }
  }
  if (resume !== undefined) {
    const weights = [
      ...net.params.map((p) => ['param', p] as const),
      ...net.state.map((p) => ['state', p] as const),
    ].map(([kind, p]) => {
      const t = resume.tensors.get(`${kind}:${p.name}`);
      return { name: p.name, shape: t?.shape ?? [], values: t?.values ?? new Float32Array(0) };
    });
    const set = setWeights(net, weights);
    if (E.isLeft(set)) {
      disposeNet(net);
      return E.left({
        _tag: 'internal-error',
        message: `the checkpoint of arm '${id.arm}', seed ${id.seed} does not fit its architecture: ${set.left.message}`,
      });
    }
  }
  const slotTensors = (slots: StoredSlots): Record<string, tf.Tensor> => {
    const out: Record<string, tf.Tensor> = {};
    for (const [slot, name] of Object.entries(slots.slots)) {
      const t = resume!.tensors.get(name);
      if (t !== undefined) out[slot] = tf.tensor(t.values, [...t.shape], 'float32');
    }
    return out;
  };

  // Step size after insertions: lr = lrFactor × last lr (ALGORITHMS.md §3), as a scale on the schedule.
  let lrScale = resume?.manifest.lrScale ?? 1;
  const scaledSpec = () =>
    isSchedule(spec.step) ? { ...spec, step: { ...spec.step, lr: spec.step.lr * lrScale } } : spec;
  let rule: UpdateRule | undefined;
  let pre: PreconditionedOptimizer | undefined;
  const buildPre = (resume?: {
    L?: number;
    a?: number;
    k?: number;
    slots?: ReadonlyMap<string, { m?: tf.Tensor; v?: tf.Tensor; t: number }>;
  }): E.Either<RunError, PreconditionedOptimizer> => {
    const made = createPreconditionedOptimizer(paramGroups(net), scaledSpec(), {
      totalEpochs: epochs,
      checkFinite: false,
      // Batches partition the shuffled training set (sampling without replacement), so the variance of a
      // batch direction carries the finite-population factor (N − B)/(N − 1): zero for full batches.
      datasetSize: d.trainCount,
      ...(resume !== undefined ? { resume } : {}),
    });
    return E.isLeft(made)
      ? E.left({ _tag: 'internal-error', message: `cannot build the optimizer: ${errorMessage(made.left)}` })
      : E.right(made.right);
  };
  // The same controller on host arrays, for the host engine (scaled-identity metrics; see hostControllerFor).
  let hostCtl: HostController | undefined;
  const buildHostController = (resume?: { L?: number; a?: number; k?: number }): void => {
    const made = hostControllerFor(scaledSpec(), { totalEpochs: epochs, ...(resume !== undefined ? { resume } : {}) });
    hostCtl = made !== undefined && E.isRight(made) ? made.right : undefined;
  };
  if (usesPreconditioner(arm)) {
    const saved = resume?.manifest.pre ?? undefined;
    const slots = new Map<string, { m?: tf.Tensor; v?: tf.Tensor; t: number }>();
    if (saved !== undefined)
      for (const [name, s] of Object.entries(saved.slots)) slots.set(name, { ...slotTensors(s), t: s.t });
    const made = buildPre(
      saved === undefined
        ? undefined
        : {
            ...(saved.L !== null ? { L: saved.L } : {}),
            ...(saved.a !== null ? { a: saved.a } : {}),
            k: saved.k,
            slots,
          },
    );
    for (const s of slots.values()) tf.dispose([s.m, s.v].filter((t): t is tf.Tensor => t !== undefined));
    if (E.isLeft(made)) {
      disposeNet(net);
      return made;
    }
    pre = made.right;
    if (ctx.engine === 'auto')
      buildHostController(
        saved === undefined
          ? undefined
          : { ...(saved.L !== null ? { L: saved.L } : {}), ...(saved.a !== null ? { a: saved.a } : {}), k: saved.k },
      );
  } else {
    rule = updateRule(spec);
    const saved = resume?.manifest.rule ?? undefined;
    if (saved !== undefined) {
      const state = new Map<string, Record<string, tf.Tensor>>();
      for (const [name, s] of Object.entries(saved))
        state.set(name, { ...slotTensors(s), ...(spec._tag === 'adam' ? { t: tf.scalar(s.t) } : {}) });
      rule.importState(state);
    }
  }

  // Layer taps for data-based Gram matrices and per-example variance; chunk gradients for split variance.
  const metric = spec.metric;
  const needsTaps =
    metric.domain._tag === 'data' ||
    metric.codomain._tag === 'data' ||
    (spec.step._tag === 'adaptive' && spec.step.variance === 'per_example');
  const splitChunks = spec.step._tag === 'adaptive' && spec.step.variance === 'split' ? spec.step.chunks : 0;

  // The host engine (host-engine.ts): prepared from `net` at an epoch's start; ahead of the variables
  // until `syncVariables`.
  // Seeded augmentation of the training batches (crop, flip): on the host rows before they are uploaded, its
  // draws a function of (seed, epoch, step). Padding is a 0 pixel, which CIFAR-10's normalisation moves.
  const augment = arm.data.augment;
  const fill =
    arm.data._tag === 'cifar10' && arm.data.normalize ? CIFAR10.mean.map((m, c) => -m / CIFAR10.std[c]!) : undefined;
  const augmentFor =
    augment === undefined
      ? () => undefined
      : (epoch: number, step: number) => (x: Float32Array, n: number) =>
          augmentImages(
            x,
            n,
            d.inputShape,
            { ...augment, ...(fill !== undefined ? { fill } : {}) },
            id.seed,
            epoch * stepsPerEpoch + step,
          );
  const host = hostEngine({
    // The host engine gathers its own batches, without augmentation.
    allowed: ctx.engine === 'auto' && (rule !== undefined || hostCtl !== undefined) && augment === undefined,
    loss: arm.loss,
    data: d,
    optimizer: spec,
    rule,
    controller: () => hostCtl,
  });
  const syncVariables = (): void => host.sync(net);

  const start = performance.now() - (resume?.manifest.seconds ?? 0) * 1000;
  let count = parameterCount(net);
  let insertions = resume?.manifest.insertions ?? 0;
  let lastStep: number =
    resume !== undefined
      ? orNaN(resume.manifest.lastStep)
      : isSchedule(spec.step)
        ? learningRateAt(spec.step, 0, epochs)
        : Number.NaN;
  let lastInfo:
    (Pick<StepInfo, 'a'> & { readonly L?: number | undefined; readonly rho?: number | undefined }) | undefined =
    resume?.manifest.lastInfo === null || resume === undefined
      ? undefined
      : {
          a: resume.manifest.lastInfo.a,
          L: orNaN(resume.manifest.lastInfo.L),
          rho: orNaN(resume.manifest.lastInfo.rho),
        };
  host.prepare(net);
  emit({
    _tag: 'run-start',
    ...id,
    index: ctx.index,
    epochs,
    stepsPerEpoch,
    parameterCount: count,
    engine: host.active() ? 'host' : 'tfjs',
    ...(resume === undefined ? {} : { resumedAt: { epoch: resume.manifest.epoch, step: resume.manifest.step } }),
  });
  // The running statistics of data-based metrics and of the `ema` variance are not in the checkpoint.
  const distanceBased = spec.step._tag === 'dog' || spec.step._tag === 'prodigy';
  if (
    resume !== undefined &&
    (metric.domain._tag === 'data' ||
      metric.codomain._tag === 'data' ||
      (spec.step._tag === 'adaptive' && spec.step.variance === 'ema') ||
      distanceBased)
  )
    emit({
      _tag: 'warning',
      message: `arm '${id.arm}', seed ${id.seed}: resumed without the running statistics of its ${distanceBased ? `'${spec.step._tag}' step (x₀ and its sums)` : spec.step._tag === 'adaptive' && spec.step.variance === 'ema' ? "'ema' variance" : 'data-based metric'} (they start afresh), so its metrics may differ from an uninterrupted run's`,
    });
  const history: EpochMetrics[] = [...(resume?.manifest.metrics ?? [])];
  let last: EpochMetrics | undefined = history.at(-1);
  let lastCheckpointAt = Number.NEGATIVE_INFINITY;
  // When the event loop last ran inside an epoch: SIGINT/SIGTERM handlers (which abort ctx.signal) only run
  // when it does, so a long epoch yields every YIELD_EVERY_MS to stop after the current step.
  let lastYieldAt = performance.now();

  /** Checkpoint after `epochDone` epochs and `stepDone` steps of the next one (with their batch losses). */
  const saveCheckpoint = (
    epochDone: number,
    stepDone: number,
    partialLosses: readonly number[],
    partialSizes: readonly number[],
  ): void => {
    if (ctx.checkpoint === undefined) return;
    syncVariables();
    const tensors: StoredTensor[] = [];
    const store = (name: string, t: tf.Tensor): string => {
      tensors.push({ name, shape: [...t.shape], values: Float32Array.from(t.dataSync() as Float32Array) });
      return name;
    };
    for (const p of net.params) store(`param:${p.name}`, p.variable);
    for (const p of net.state) store(`state:${p.name}`, p.variable);
    let ruleState: Record<string, StoredSlots> | null = null;
    let preState: CheckpointContent['pre'] = null;
    if (rule !== undefined) {
      ruleState = {};
      for (const [name, s] of rule.state) {
        const slots: Record<string, string> = {};
        s.slots.forEach((v, i) => (slots[rule!.slotNames[i]!] = store(`opt:${name}:${rule!.slotNames[i]!}`, v)));
        ruleState[name] = { t: s.t, slots };
      }
    } else if (pre !== undefined) {
      const onHostNow = host.active() && hostCtl !== undefined;
      const snap = onHostNow ? { ...pre.snapshot(), ...hostCtl!.state() } : pre.snapshot();
      const slots: Record<string, StoredSlots> = {};
      for (const [name, s] of snap.slots) {
        const named: Record<string, string> = {};
        if (s.m !== undefined) named['m'] = store(`opt:${name}:m`, s.m);
        if (s.v !== undefined) named['v'] = store(`opt:${name}:v`, s.v);
        slots[name] = { t: s.t, slots: named };
        tf.dispose([s.m, s.v].filter((t): t is tf.Tensor => t !== undefined));
      }
      preState = { k: snap.k, a: finiteOrNull(snap.a), L: finiteOrNull(snap.L), slots };
    }
    ctx.checkpoint(
      {
        arm: id.arm,
        repeat: id.repeat,
        seed: id.seed,
        epoch: epochDone,
        step: stepDone,
        partialLosses: partialLosses.map(finiteOrNull),
        partialSizes: [...partialSizes],
        seconds: (performance.now() - start) / 1000,
        input: net.input,
        layers: net.layers,
        lrScale,
        insertions,
        lastStep: finiteOrNull(lastStep),
        lastInfo:
          lastInfo === undefined
            ? null
            : { a: lastInfo.a, L: finiteOrNull(lastInfo.L), rho: finiteOrNull(lastInfo.rho) },
        rule: ruleState,
        pre: preState,
        metrics: history,
      },
      tensors,
    );
  };
  const failed = (error: RunError): E.Either<RunError, TrainOutcome> => {
    disposeNet(net);
    return E.left(error);
  };
  const nonFinite = (epoch: number, step: number): RunError => ({
    _tag: 'non-finite-loss',
    ...id,
    epoch,
    step,
    message: `the training loss became non-finite in epoch ${epoch}, step ${step} (arm '${id.arm}', seed ${id.seed})`,
  });
  // Early stopping decides from the metrics alone (early-stop.ts): a run resumed after its stop ends at once.
  const earlyStop = arm.train.stop;
  let stopped = earlyStop !== undefined && history.length > 0 && earlyStopState(history, earlyStop).stop;
  try {
    for (let epoch = resume?.manifest.epoch ?? 0; epoch < epochs && !stopped; epoch++) {
      const lr = isSchedule(spec.step) ? learningRateAt(spec.step, epoch, epochs) * lrScale : Number.NaN;
      const order = batches(nTrain, arm.train.batch, id.seed, epoch, { shuffle: arm.train.shuffle });
      // The batch losses of the epoch stay on the backend until its end: one read for all of them.
      const stepLosses: tf.Scalar[] = [];
      const stepSizes: number[] = [];
      host.prepare(net);
      const onHost = host.active();
      // The host path's batch losses (read nowhere else, so no tensors).
      const hostLosses: number[] = [];
      // Resuming inside an epoch: the steps taken before the checkpoint, with their stored batch losses.
      let firstStep = 0;
      if (resume !== undefined && epoch === resume.manifest.epoch && resume.manifest.step > 0) {
        firstStep = resume.manifest.step;
        resume.manifest.partialLosses.forEach((l, k) => {
          if (onHost) hostLosses.push(orNaN(l));
          else stepLosses.push(tf.scalar(orNaN(l)));
          stepSizes.push(resume.manifest.partialSizes[k]!);
        });
      }
      // Examples of this epoch's steps so far, for `progress`.
      let examplesDone = 0;
      for (let s = firstStep; s < order.length; s++) {
        const indices = order[s]!;
        const size = indices.length;
        const stepSeed = deriveSeed(id.seed, 2, epoch, s);
        let lossValue: tf.Scalar | number;
        if (onHost) {
          lossValue = host.step(indices, lr, epoch);
          if (!Number.isFinite(lossValue)) {
            tf.dispose(stepLosses);
            return failed(nonFinite(epoch + 1, s + 1));
          }
          const info = hostCtl !== undefined ? host.lastInfo() : undefined;
          if (info !== undefined) {
            lastInfo = info;
            lastStep = info.a;
          }
        } else if (rule !== undefined) {
          const r = rule;
          lossValue = tf.tidy(() => {
            // A full batch in stored order uses the stored tensors as they are (no copy).
            const { x, y } =
              augment === undefined &&
              size === nTrain &&
              stepsPerEpoch === 1 &&
              indices[0] === 0 &&
              indices[size - 1] === size - 1
                ? { x: d.trainX, y: d.trainY }
                : gatherBatch(d, indices, augmentFor(epoch, s));
            // @sprout/model's closed-form back-propagation for dense/residual nets, the tape otherwise.
            const { loss, grads } = lossAndGradients(net, x, y, { loss: arm.loss, training: true, seed: stepSeed });
            r.apply(net.params, new Map(Object.entries(grads)), lr);
            return loss;
          });
        } else {
          const p = pre!;
          const { x, y } = gatherBatch(d, indices, augmentFor(epoch, s));
          const { value, grads, taps } = gradientsWithTaps(net, x, y, stepSeed, arm.loss, needsTaps);
          const chunkGrads = splitChunks > 0 ? chunkGradients(net, x, y, stepSeed, arm.loss, splitChunks) : undefined;
          // f_B at the current variables, same batch and dropout masks, batch-norm state untouched.
          const lossAt = (): number => {
            const l = tf.tidy(() => lossOf(forward(net, x, { training: true, seed: stepSeed, updateState: false }), y));
            const v = l.dataSync()[0]!;
            l.dispose();
            return v;
          };
          const stepCtx: StepContext = {
            loss: value,
            lossAt,
            epoch,
            batchSize: size,
            ...(taps !== undefined ? { taps } : {}),
            ...(chunkGrads !== undefined ? { chunkGrads } : {}),
          };
          const stepped = p.step(grads, stepCtx);
          tf.dispose([x, y, ...Object.values(grads), ...(chunkGrads ?? []).flatMap((c) => Object.values(c))]);
          for (const t of taps?.values() ?? [])
            tf.dispose([t.x, t.delta].filter((u): u is tf.Tensor => u !== undefined));
          if (E.isLeft(stepped)) {
            tf.dispose([value, ...stepLosses]);
            const err = stepped.left;
            if (err._tag === 'non-finite-loss' || err._tag === 'non-finite-gradient')
              return failed(nonFinite(epoch + 1, s + 1));
            return failed({
              _tag: 'internal-error',
              message: `optimizer step failed in epoch ${epoch + 1}, step ${s + 1}: ${errorMessage(err)}`,
            });
          }
          lastInfo = stepped.right;
          lastStep = stepped.right.a;
          lossValue = value;
        }
        if (typeof lossValue === 'number') hostLosses.push(lossValue);
        else stepLosses.push(lossValue);
        stepSizes.push(size);
        examplesDone += size;
        if (performance.now() - lastYieldAt >= YIELD_EVERY_MS) {
          ctx.progress?.({ ...id, epoch: epoch + 1, step: s + 1, steps: order.length, examples: examplesDone });
          await nextTurn();
          lastYieldAt = performance.now();
        }
        if (ctx.signal?.aborted === true) {
          // A checkpoint inside the epoch: nothing of the steps taken is lost.
          let partialLosses = hostLosses;
          if (!onHost) {
            const partial = tf.tidy(() => tf.stack(stepLosses));
            partialLosses = Array.from(partial.dataSync());
            partial.dispose();
          }
          saveCheckpoint(epoch, s + 1, partialLosses, stepSizes);
          tf.dispose(stepLosses);
          return failed({
            _tag: 'interrupted',
            ...id,
            epoch: epoch + 1,
            step: s + 1,
            message: `interrupted after epoch ${epoch + 1}, step ${s + 1} (arm '${id.arm}', seed ${id.seed})`,
          });
        }
        if (ctx.stepEvery > 0 && (epoch * stepsPerEpoch + s + 1) % ctx.stepEvery === 0) {
          emit({
            _tag: 'step',
            ...id,
            epoch: epoch + 1,
            step: s + 1,
            loss: typeof lossValue === 'number' ? lossValue : (await lossValue.data())[0]!,
          });
        }
      }
      if (rule !== undefined) lastStep = lr;
      // Step losses, then test loss sum and errors, then (with a validation set) its loss sum and errors.
      let values: ArrayLike<number>;
      const validation = d.validation;
      if (onHost) {
        const { lossSum, errors } = host.evaluate();
        const v = validation !== undefined ? host.evaluateValidation() : undefined;
        values = [...hostLosses, lossSum, errors, ...(v !== undefined ? [v.lossSum, v.errors] : [])];
      } else {
        const sums = [
          ...evaluate(net, arm, { x: d.testX, y: d.testY, n: d.testCount }),
          ...(validation !== undefined
            ? evaluate(net, arm, { x: validation.x, y: validation.y, n: validation.count })
            : []),
        ];
        const packed = tf.tidy(() => tf.concat([tf.stack(stepLosses), tf.stack(sums)]));
        values = await packed.data();
        tf.dispose([packed, ...sums, ...stepLosses]);
      }
      const steps = stepSizes.length;
      let lossSum = 0;
      for (let k = 0; k < steps; k++) {
        if (!Number.isFinite(values[k]!)) return failed(nonFinite(epoch + 1, k + 1));
        lossSum += values[k]! * stepSizes[k]!;
      }
      const stepSizeState: StepSizeState | undefined =
        spec.step._tag === 'adaptive' && lastInfo !== undefined
          ? { L: lastInfo.L ?? Number.NaN, rho: lastInfo.rho ?? Number.NaN, a: lastInfo.a }
          : undefined;
      last = {
        epoch: epoch + 1,
        trainLoss: lossSum / nTrain,
        testLoss: values[steps]! / d.testCount,
        testError: values[steps + 1]! / d.testCount,
        ...(validation !== undefined
          ? {
              validationLoss: values[steps + 2]! / validation.count,
              validationError: values[steps + 3]! / validation.count,
            }
          : {}),
        stepSize: lastStep,
        parameterCount: count,
        seconds: (performance.now() - start) / 1000,
        ...(stepSizeState !== undefined ? { stepSizeState } : {}),
      };
      history.push(last);
      emit({ _tag: 'epoch-end', ...id, ...last });
      if (earlyStop !== undefined && epoch + 1 < epochs) {
        const state = earlyStopState(history, earlyStop);
        if (state.stop) {
          stopped = true;
          emit({
            _tag: 'early-stop',
            ...id,
            epoch: epoch + 1,
            monitor: earlyStop.monitor,
            best: state.best,
            bestEpoch: state.bestEpoch,
            patience: earlyStop.patience,
          });
          saveCheckpoint(epoch + 1, 0, [], []);
          break;
        }
      }

      // SensLI growth after `epoch + 1` completed epochs (ALGORITHMS.md §3).
      let growthDecided = false;
      if (growth._tag === 'sensli' && epoch + 1 < epochs && shouldGrowAt(growth.schedule, epoch + 1, insertions)) {
        growthDecided = true; // the growth decision (insert or decline) is always checkpointed
        syncVariables();
        const old = net;
        let grown: E.Either<unknown, GrowStep> | undefined;
        const passStart = performance.now();
        tf.tidy(() => {
          // The host arrays let dense/residual nets take @sprout/sensitivity's host pass without a copy.
          const arrays =
            d.host !== undefined && d.inputShape.length === 1 ? { host: { x: d.host.trainX, y: d.host.trainY } } : {};
          // Getters: the host pass reads only the host arrays, so the tensors need not be uploaded.
          const data = {
            get x() {
              return d.trainX;
            },
            get y() {
              return d.trainY;
            },
            ...arrays,
          };
          grown = growBySensitivity(old, data, {
            norm: growth.norm,
            select: growth.select,
            loss: arm.loss,
            batchSize: arm.train.batch,
            epoch: epoch + 1,
            hostNet: host.hostNet(),
            ...(growth.residualInit === undefined ? {} : { residualInit: growth.residualInit }),
          });
        });
        if (grown === undefined || E.isLeft(grown)) {
          const why = grown === undefined ? 'no result' : errorMessage(grown.left);
          return failed({
            _tag: 'internal-error',
            message: `the sensitivity pass after epoch ${epoch + 1} failed: ${why}`,
          });
        }
        const g = grown.right;
        const passSeconds = (performance.now() - passStart) / 1000;
        let stepBefore = lastStep;
        let stepAfter = lastStep;
        if (g.choice._tag === 'insert') {
          insertions += 1;
          net = g.net;
          host.invalidate(); // prepared from the grown net at the next epoch's start
          const names = paramNameMap(old, net);
          stepAfter =
            Number.isFinite(lastStep) && lastStep > 0 ? stepAfterInsertion(lastStep, growth.lrFactor) : lastStep;
          lrScale *= growth.lrFactor;
          if (rule !== undefined) {
            if (growth.optimizerState === 'reset') rule.reset();
            else {
              const exported = rule.exportState();
              const moved = transferOptimizerState('keep', exported, names, old, net);
              for (const slots of exported.values()) slots['t']?.dispose();
              rule.importState(moved);
            }
          } else {
            const state = onHost && hostCtl !== undefined ? hostCtl.state() : pre!.state();
            pre!.dispose();
            pre = undefined;
            // The adaptive step continues (× lrFactor); L and the step count start a new phase with
            // `restart phase` (the reference code starts every training phase at L₀), or carry on. DoG and
            // Prodigy start a new phase from the grown net (their x₀).
            const a = state.a !== undefined ? { a: stepAfterInsertion(state.a, growth.lrFactor) } : {};
            const resume =
              spec.step._tag === 'adaptive'
                ? spec.step.restart === 'phase'
                  ? { ...a, k: 0 }
                  : { ...(state.L !== undefined ? { L: state.L } : {}), ...a, k: state.k }
                : undefined;
            const made = buildPre(resume);
            if (E.isLeft(made)) return failed(made.left);
            pre = made.right;
            if (ctx.engine === 'auto') buildHostController(resume);
          }
          count = parameterCount(net);
        } else stepBefore = stepAfter = lastStep;
        emit({
          ...g.event,
          ...id,
          stepBefore,
          stepAfter,
          seconds: passSeconds,
          ...(g.choice._tag === 'insert' ? { layers: insertionLayers(old, net) } : {}),
        });
      }
      const now = performance.now();
      if (growthDecided || epoch + 1 === epochs || now - lastCheckpointAt >= ctx.checkpointInterval * 1000) {
        saveCheckpoint(epoch + 1, 0, [], []);
        lastCheckpointAt = now;
      }
      // Let timers (progress display) and I/O run between epochs.
      await nextTurn();
      lastYieldAt = performance.now();
    }
    // The host engine's values into the net (and its slots into the rule, disposed just below).
    syncVariables();
  } finally {
    rule?.dispose();
    pre?.dispose();
  }
  if (last === undefined)
    throw new Error('trainRun: a run needs at least one epoch; the spec check should have rejected 0');
  return E.right({ net, final: last });
};
