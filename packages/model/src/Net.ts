/**
 * A network as Sprout trains it: an architecture (spec layers, the output layer appended as a dense
 * layer) and its parameters as TensorFlow.js variables. Growth edits the architecture and carries the
 * parameters over; the forward pass is a plain function of both, so no tfl.LayersModel is rebuilt per step.
 *
 * CONTRACT (shared by growth, sensitivity and pipeline; change only together with them):
 *   - `layers` holds every layer, including the output dense layer last.
 *   - A parameter's `path` is the index path of its layer: `[3]` for layers[3], `[2, 0]` for
 *     layers[2].body[0] of a residual block.
 *   - `role` is `kernel` (dense: in×out, conv: kh×kw×in×out, as tfjs stores them), `bias`, `gamma`, `beta`.
 *   - `state` holds non-trainable variables (batch-norm moving mean and variance, roles `movingMean` and
 *     `movingVariance`).
 *   - A layer's key (`layerKey(path)`) is its path joined with `.body.`: `3`, `2.body.0`; a parameter's
 *     name is `<layer key>.<role>`.
 *
 * TAPS (for inner products and sensitivities; see `Taps` below):
 *   - `forward(net, x, { taps: { inputs } })` stores, for every dense and conv layer, its input activation
 *     `x` (dense: batch×in, conv: batch×h×w×in) under the layer key, as a kept tensor the caller disposes.
 *   - `forward(net, x, { taps: { probes } })` adds `probes.get(key)` to that layer's pre-activation output
 *     `z = x W + b` before the activation. With a zero probe the output is unchanged and the gradient of the
 *     loss J with respect to the probe is δ = ∂J/∂z (batch×out or batch×h'×w'×out). For a dense layer the
 *     kernel gradient is Σ_b x_b δ_bᵀ; the per-example gradient is x_b δ_bᵀ.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { Layer } from '@sprout/spec';

/** Trainable roles (`params`) and non-trainable roles (`state`). */
export type ParamRole = 'kernel' | 'bias' | 'gamma' | 'beta' | 'movingMean' | 'movingVariance';

export interface Param {
  /** Unique, stable name such as `3.kernel` or `2.body.0.kernel`. */
  readonly name: string;
  readonly path: readonly number[];
  readonly role: ParamRole;
  readonly variable: tf.Variable;
}

export interface Net {
  readonly input: readonly number[];
  readonly layers: readonly Layer[];
  readonly params: readonly Param[];
  readonly state: readonly Param[];
}

/**
 * Instrumentation of a forward pass, keyed by layer key (`layerKey(path)`). Only dense and conv layers are
 * tapped.
 */
export interface Taps {
  /**
   * When given, forward sets `inputs.get(key)` to a kept clone of the layer's input for every dense and conv
   * layer. The tensors outlive `tf.tidy` and `tf.grad`; the caller disposes them.
   */
  readonly inputs?: Map<string, tf.Tensor>;
  /**
   * When given, forward adds `probes.get(key)` (shape of the layer's pre-activation output) to that layer's
   * pre-activation output. Pass zeros and differentiate with respect to the probe to obtain δ = ∂J/∂z.
   */
  readonly probes?: ReadonlyMap<string, tf.Tensor>;
}
