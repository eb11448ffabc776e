/**
 * The updater of a training run: what turns a batch's gradients into new parameters, and the engine that
 * runs it.
 *
 *  - Euclidean SGD, momentum or Adam with a schedule: @sprout/step-size's `updateRule` (its slots are the
 *    optimizer state that checkpoints store and growth moves).
 *  - Any other step size or metric: @sprout/step-size's preconditioned optimizer (Riesz map of the
 *    Frobenius-type metric, Armijo, the adaptive controller of ALGORITHMS.md §2, DoG, Prodigy), and with the
 *    `auto` engine the same controller on host arrays where the metric allows (`hostControllerFor`).
 *
 * The engine: the host engine (host-engine.ts) where the updater and data allow and the net pays, else
 * TensorFlow.js kernels.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { layerKey, type Net } from '@sprout/model';
import type { Growth, Layer, Loss, Optimizer } from '@sprout/spec';
import { transferOptimizerState, paramNameMap, stepAfterInsertion } from '@sprout/growth';
import {
  createPreconditionedOptimizer,
  describeStepError,
  hostControllerFor,
  isSchedule,
  updateRule,
  type HostController,
  type ParamGroup,
  type PreconditionedOptimizer,
  type UpdateRule,
} from '@sprout/step-size';
import type { RunError } from '../../Pipeline.js';
import type { CheckpointManifest, StoredSlots, StoredTensor } from '../checkpoint.js';
import { finiteOrNull } from '../checkpoint.js';
import { hostEngine, type HostEngine } from '../host-engine.js';
import type { DatasetTensors } from '../deps.js';

/** A Euclidean update rule, or the preconditioned optimizer with (on the host engine) its host controller. */
export type Updater =
  | { readonly _tag: 'rule'; readonly rule: UpdateRule }
  | {
      readonly _tag: 'preconditioned';
      readonly pre: PreconditionedOptimizer;
      readonly hostController: HostController | undefined;
    };

/** What an updater is built from. */
export interface UpdaterSettings {
  /** The arm's optimizer as the spec gives it. */
  readonly optimizer: Optimizer;
  /** Scale of the schedule's learning rate: the product of the insertions' `lrFactor` (ALGORITHMS.md §3). */
  readonly lrScale: number;
  readonly totalEpochs: number;
  /** Training examples N (the finite-population factor of the step-size controllers' variance). */
  readonly datasetSize: number;
  /** Whether the run may step on the host engine (`RunOptions.engine` 'auto'): then a host controller is built too. */
  readonly hostEngine: boolean;
}

/** The adaptive controller's scalars to continue from (after a checkpoint or an insertion). */
type ControllerResume = { L?: number; a?: number; k?: number };

/** Whether the optimizer needs @sprout/step-size's preconditioned optimizer (not the fast Euclidean rule). */
const usesPreconditioner = (optimizer: Optimizer): boolean =>
  !isSchedule(optimizer.step) ||
  optimizer.metric.domain._tag !== 'identity' ||
  optimizer.metric.codomain._tag !== 'identity';

/** The optimizer with its schedule's learning rate scaled by `lrScale` (other step sizes unchanged). */
const scaledOptimizer = (optimizer: Optimizer, lrScale: number): Optimizer =>
  isSchedule(optimizer.step)
    ? { ...optimizer, step: { ...optimizer.step, lr: optimizer.step.lr * lrScale } }
    : optimizer;

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

const preconditioned = (
  net: Net,
  settings: UpdaterSettings,
  resume?: ControllerResume & { slots?: ReadonlyMap<string, { m?: tf.Tensor; v?: tf.Tensor; t: number }> },
): E.Either<RunError, PreconditionedOptimizer> => {
  const made = createPreconditionedOptimizer(paramGroups(net), scaledOptimizer(settings.optimizer, settings.lrScale), {
    totalEpochs: settings.totalEpochs,
    checkFinite: false,
    // Batches partition the shuffled training set (sampling without replacement), so the variance of a
    // batch direction carries the finite-population factor (N − B)/(N − 1): zero for full batches.
    datasetSize: settings.datasetSize,
    ...(resume !== undefined ? { resume } : {}),
  });
  return E.isLeft(made)
    ? E.left({ _tag: 'internal-error', message: `cannot build the optimizer: ${describeStepError(made.left)}` })
    : E.right(made.right);
};

/** The same controller on host arrays, for the host engine (scaled-identity metrics; see hostControllerFor). */
const hostController = (settings: UpdaterSettings, resume?: ControllerResume): HostController | undefined => {
  const made = hostControllerFor(scaledOptimizer(settings.optimizer, settings.lrScale), {
    totalEpochs: settings.totalEpochs,
    ...(resume !== undefined ? { resume } : {}),
  });
  return made !== undefined && E.isRight(made) ? made.right : undefined;
};

/** The optimizer state a checkpoint holds, with the checkpoint's tensors by name. */
interface SavedUpdater {
  readonly rule: CheckpointManifest['rule'];
  readonly pre: CheckpointManifest['pre'];
  readonly tensors: ReadonlyMap<string, StoredTensor>;
}

/** The slots of one parameter as tensors (slot name → tensor), read from the checkpoint's tensors. */
const slotTensors = (slots: StoredSlots, tensors: ReadonlyMap<string, StoredTensor>): Record<string, tf.Tensor> => {
  const out: Record<string, tf.Tensor> = {};
  for (const [slot, name] of Object.entries(slots.slots)) {
    const t = tensors.get(name);
    if (t !== undefined) out[slot] = tf.tensor(t.values, [...t.shape], 'float32');
  }
  return out;
};

/** The run's updater for `net`: fresh, or continuing the optimizer state of a checkpoint (`saved`). */
export const chooseUpdater = (
  net: Net,
  settings: UpdaterSettings,
  saved?: SavedUpdater,
): E.Either<RunError, Updater> => {
  const spec = settings.optimizer;
  if (usesPreconditioner(spec)) {
    const stored = saved?.pre ?? undefined;
    const slots = new Map<string, { m?: tf.Tensor; v?: tf.Tensor; t: number }>();
    if (stored !== undefined)
      for (const [name, s] of Object.entries(stored.slots))
        slots.set(name, { ...slotTensors(s, saved!.tensors), t: s.t });
    const scalars: ControllerResume | undefined =
      stored === undefined
        ? undefined
        : { ...(stored.L !== null ? { L: stored.L } : {}), ...(stored.a !== null ? { a: stored.a } : {}), k: stored.k };
    const made = preconditioned(net, settings, scalars === undefined ? undefined : { ...scalars, slots });
    for (const s of slots.values()) tf.dispose([s.m, s.v].filter((t): t is tf.Tensor => t !== undefined));
    if (E.isLeft(made)) return made;
    return E.right({
      _tag: 'preconditioned',
      pre: made.right,
      hostController: settings.hostEngine ? hostController(settings, scalars) : undefined,
    });
  }
  const rule = updateRule(spec);
  const stored = saved?.rule ?? undefined;
  if (stored !== undefined) {
    const state = new Map<string, Record<string, tf.Tensor>>();
    for (const [name, s] of Object.entries(stored))
      state.set(name, { ...slotTensors(s, saved!.tensors), ...(spec._tag === 'adam' ? { t: tf.scalar(s.t) } : {}) });
    rule.importState(state);
  }
  return E.right({ _tag: 'rule', rule });
};

/**
 * The engine that runs the updater: the host engine is allowed with the `auto` engine when the updater has a
 * host form (a Euclidean rule, or a host controller) and no augmentation (it gathers its own batches).
 * `updater` is a getter: growth replaces the preconditioned updater, and the engine steps with the current one.
 */
export const chooseEngine = (options: {
  readonly updater: () => Updater;
  readonly settings: UpdaterSettings;
  readonly arm: { readonly loss: Loss; readonly augmented: boolean };
  readonly data: DatasetTensors;
}): HostEngine => {
  const first = options.updater();
  const rule = first._tag === 'rule' ? first.rule : undefined;
  return hostEngine({
    allowed:
      options.settings.hostEngine &&
      (rule !== undefined || (first._tag === 'preconditioned' && first.hostController !== undefined)) &&
      !options.arm.augmented,
    loss: options.arm.loss,
    data: options.data,
    optimizer: options.settings.optimizer,
    rule,
    controller: () => {
      const u = options.updater();
      return u._tag === 'preconditioned' ? u.hostController : undefined;
    },
  });
};

/**
 * The updater of the grown net `grown` after an insertion into `old` (`settings.lrScale` already includes
 * the insertion's factor). A rule keeps its slots under the new names (`optimizerState keep`, new layers
 * start from zero) or drops them (`reset`). The preconditioned optimizer is built again for the grown net:
 * the adaptive step continues × lrFactor, and L and the step count start a new phase with `restart phase`
 * (the reference code starts every training phase at L₀) or carry on; DoG and Prodigy start a new phase
 * from the grown net (their x₀). `onHost`: the run stepped on the host engine (its controller holds the
 * current scalars). The old preconditioned optimizer is disposed when the new one is built (on failure it
 * stays the caller's).
 */
export const updaterAfterInsertion = (
  updater: Updater,
  change: { readonly old: Net; readonly grown: Net; readonly growth: Extract<Growth, { _tag: 'sensli' }> },
  settings: UpdaterSettings,
  onHost: boolean,
): E.Either<RunError, Updater> => {
  const { old, grown, growth } = change;
  if (updater._tag === 'rule') {
    const rule = updater.rule;
    if (growth.optimizerState === 'reset') rule.reset();
    else {
      const exported = rule.exportState();
      const moved = transferOptimizerState('keep', exported, paramNameMap(old, grown), old, grown);
      for (const slots of exported.values()) slots['t']?.dispose();
      rule.importState(moved);
    }
    return E.right(updater);
  }
  const state = onHost && updater.hostController !== undefined ? updater.hostController.state() : updater.pre.state();
  const spec = settings.optimizer;
  const a = state.a !== undefined ? { a: stepAfterInsertion(state.a, growth.lrFactor) } : {};
  const resume =
    spec.step._tag === 'adaptive'
      ? spec.step.restart === 'phase'
        ? { ...a, k: 0 }
        : { ...(state.L !== undefined ? { L: state.L } : {}), ...a, k: state.k }
      : undefined;
  const made = preconditioned(grown, settings, resume);
  if (E.isLeft(made)) return made;
  updater.pre.dispose();
  return E.right({
    _tag: 'preconditioned',
    pre: made.right,
    hostController: settings.hostEngine ? hostController(settings, resume) : undefined,
  });
};

/**
 * The updater's state for a checkpoint: the rule's slots, or the preconditioned optimizer's scalars and
 * slots (the host controller's scalars when `onHost`: they are ahead of the optimizer's). `store` keeps a
 * tensor's values under a name and returns the name.
 */
export const updaterCheckpoint = (
  updater: Updater,
  onHost: boolean,
  store: (name: string, t: tf.Tensor) => string,
): { readonly rule: CheckpointManifest['rule']; readonly pre: CheckpointManifest['pre'] } => {
  if (updater._tag === 'rule') {
    const { rule } = updater;
    const ruleState: Record<string, StoredSlots> = {};
    for (const [name, s] of rule.state) {
      const slots: Record<string, string> = {};
      s.slots.forEach((v, i) => (slots[rule.slotNames[i]!] = store(`opt:${name}:${rule.slotNames[i]!}`, v)));
      ruleState[name] = { t: s.t, slots };
    }
    return { rule: ruleState, pre: null };
  }
  const { pre, hostController: ctl } = updater;
  const snap = onHost && ctl !== undefined ? { ...pre.snapshot(), ...ctl.state() } : pre.snapshot();
  const slots: Record<string, StoredSlots> = {};
  for (const [name, s] of snap.slots) {
    const named: Record<string, string> = {};
    if (s.m !== undefined) named['m'] = store(`opt:${name}:m`, s.m);
    if (s.v !== undefined) named['v'] = store(`opt:${name}:v`, s.v);
    slots[name] = { t: s.t, slots: named };
    tf.dispose([s.m, s.v].filter((t): t is tf.Tensor => t !== undefined));
  }
  return { rule: null, pre: { k: snap.k, a: finiteOrNull(snap.a), L: finiteOrNull(snap.L), slots } };
};

/** Release the updater's tensors. */
export const disposeUpdater = (updater: Updater): void =>
  updater._tag === 'rule' ? updater.rule.dispose() : updater.pre.dispose();
