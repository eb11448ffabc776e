/**
 * The optimizer the training pipeline calls once per minibatch: a preconditioned gradient method over
 * named parameter groups. Each group's gradient is turned into its Riesz representative `R` in the
 * layer's Frobenius-type inner product (ALGORITHMS.md §1, `@sprout/inner-product/tfjs`), and the step is
 * `x ← x − a R` with `a` from the step-size spec: a schedule, Armijo backtracking or the adaptive
 * controller of §2; momentum and Adam run on `R` with a schedule.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { LayerMetricOptions } from '@sprout/inner-product/tfjs';
import type * as E from 'fp-ts/lib/Either.js';
import type { AdaptiveOverrides } from './adaptive.js';
import type { StepError } from './StepError.js';

/** How a parameter enters the inner product: `dense`/`conv` kernels (tfjs layout, last axis = out), biases, or `other` (Euclidean). */
export type ParamKind = 'dense' | 'conv' | 'bias' | 'other';

export interface ParamGroup {
  /** The key of this parameter's gradient in `grads` (e.g. `3.kernel`). */
  readonly name: string;
  readonly kind: ParamKind;
  readonly variable: tf.Variable;
  /**
   * The layer this parameter belongs to (e.g. `3`, the model's layer key): a kernel and its bias share the
   * layer's `M_Y`, and `StepContext.taps` is keyed by it. @default name
   */
  readonly layer?: string;
  /**
   * Conv kernels only: the stride and padding of the convolution, so that data-based domain Grams can be
   * estimated from the input patches of the tapped input (`extractPatches`). Without it a conv layer's
   * domain Gram stays the identity.
   */
  readonly conv?: { readonly stride: number; readonly padding: 'same' | 'valid' };
}

/**
 * Statistics of one layer for one batch, as `@sprout/model`'s taps give them: `x`, the layer input
 * (dense: B×n; conv: B×h×w×in), and `delta = ∂f_B/∂z`, the gradient of the batch loss with respect to the
 * pre-activation output (dense: B×m; conv: B×h'×w'×m). For conv layers every patch / output position is one
 * sample of the domain / codomain statistics [design]. With the default `deltaIs: 'batch-mean'` the rows of `delta` are
 * `(1/B) ∂J_b/∂z_b` (the batch loss is a mean) and are multiplied by B to get per-example gradients.
 */
export interface LayerTap {
  readonly x?: tf.Tensor;
  readonly delta?: tf.Tensor;
}

export interface StepContext {
  /** The batch loss f_B(x) at the current parameters (a number, or a scalar tensor read only when needed). */
  readonly loss: number | tf.Scalar;
  /**
   * f_B at the CURRENT values of the variables, on the same batch: the pipeline's forward pass. The
   * controller sets x⁺ = x + a d itself before calling it. Required by `armijo` and `adaptive`.
   */
  readonly lossAt?: () => number;
  /** Per-layer statistics keyed by `ParamGroup.layer`: needed by data-based metrics and `per_example` variance. */
  readonly taps?: ReadonlyMap<string, LayerTap>;
  /**
   * `split` variance: the gradients of the K chunks of the batch (each the gradient of the chunk's mean loss,
   * equal-sized chunks), keyed like `grads`.
   */
  readonly chunkGrads?: readonly tf.NamedTensorMap[];
  /** Examples in this batch, for the finite-population correction of `split` (see `datasetSize`). */
  readonly batchSize?: number;
  /** The current epoch (0-based) for `step` and `cosine` schedules. @default 0 */
  readonly epoch?: number;
}

/** What one step did, for logging (`metrics.csv` columns `a`, `L`, `rho`). */
export interface StepInfo {
  /** Index of this step (0-based). */
  readonly k: number;
  /** The step size a used (the learning rate for schedules). */
  readonly a: number;
  /** False when the step was undone (Armijo failure with `skip`, adaptive `reject` on an increase). */
  readonly accepted: boolean;
  /** f_B(x), when it was read. */
  readonly loss: number | undefined;
  /** f_B(x⁺) of the (last) trial, for Armijo and adaptive. */
  readonly trialLoss: number | undefined;
  /** ‖d‖² in the chosen inner product, when it was computed. */
  readonly d2: number | undefined;
  /** Adaptive: the smoothed L after this step. */
  readonly L: number | undefined;
  /** Adaptive: L̂ of this step after the floor, undefined when the update was skipped. */
  readonly Lhat: number | undefined;
  /** Adaptive: why the L update was skipped. */
  readonly skipped: 'non-finite-loss' | 'direction-zero' | 'below-resolution' | undefined;
  /** Adaptive: the variance ratio ρ used (1 for `none`). */
  readonly rho: number | undefined;
  /** Adaptive `per_example`/`split`: V_B, the estimated variance of the batch direction. */
  readonly variance: number | undefined;
  /** Armijo: the number of shrinks. */
  readonly backtracks: number | undefined;
}

export interface PreconditionedOptimizerOptions extends AdaptiveOverrides, LayerMetricOptions {
  /** Epochs of the run (cosine schedules decay over them). @default 1 */
  readonly totalEpochs?: number;
  /** Whether tap `delta` rows are gradients of the batch-mean loss (`batch-mean`) or per-example gradients. @default 'batch-mean' */
  readonly deltaIs?: 'batch-mean' | 'per-example';
  /** Armijo: the largest number of shrinks per step. @default the spec's `maxBacktracks` (30) */
  readonly maxBacktracks?: number;
  /** Armijo: when no trial satisfies the condition, undo the step and report it (`skip`) or return an error. @default the spec's `onLineSearchFailure` ('skip') */
  readonly onLineSearchFailure?: 'skip' | 'error';
  /** Schedules: read a tensor loss to check it is finite (one scalar download per step). @default true */
  readonly checkFinite?: boolean;
  /**
   * [design] Number of training examples N: `per_example` and `split` multiply V_B by the finite-population
   * correction (N − B)/(N − 1), so full-batch training has no sampling variance (ρ = 1). Unset: no correction
   * (the formula of ALGORITHMS.md §2). `split` needs `StepContext.batchSize` for B.
   */
  readonly datasetSize?: number;
  /**
   * Continue from a previous optimizer (e.g. after a layer insertion rebuilt it): the adaptive controller's
   * `L`, `a`, `k`, and momentum/Adam slots by parameter name (copied; parameters without a slot start from
   * zero state, as new layers do under growth's `optimizerState: keep`). See `PreconditionedOptimizer.snapshot`.
   */
  readonly resume?: {
    readonly L?: number;
    readonly a?: number;
    readonly k?: number;
    readonly slots?: ReadonlyMap<string, ParamSlots>;
  };
}

/** The controller's state, for logging and for resuming after a rebuild. */
export interface ControllerState {
  readonly k: number;
  /** The last step size used (for schedules, the last learning rate). */
  readonly a: number | undefined;
  /** Adaptive: the smoothed L. */
  readonly L: number | undefined;
}

/** Momentum/Adam state of one parameter: first moment `m` (momentum buffer), second moment `v`, Adam steps `t`. */
export interface ParamSlots {
  readonly m?: tf.Tensor;
  readonly v?: tf.Tensor;
  readonly t: number;
}

/** Everything needed to continue an optimizer; the tensors are clones owned by the caller. */
export interface OptimizerSnapshot extends ControllerState {
  readonly slots: ReadonlyMap<string, ParamSlots>;
}

export interface PreconditionedOptimizer {
  /**
   * One step from the batch gradients `grads` (Euclidean, keyed by `ParamGroup.name`; not disposed).
   * On `Left` the variables are as before the call and the controller state is unchanged (data-based metric
   * statistics may already hold this batch when the error is found after the Riesz map: a non-finite
   * gradient or trial loss).
   */
  readonly step: (grads: tf.NamedTensorMap, ctx: StepContext) => E.Either<StepError, StepInfo>;
  readonly state: () => ControllerState;
  /** The state and clones of the momentum/Adam slots, keyed by parameter name (dispose them after use). */
  readonly snapshot: () => OptimizerSnapshot;
  /** Release the optimizer's tensors (metric statistics, momentum/Adam slots, the previous direction). */
  readonly dispose: () => void;
}
