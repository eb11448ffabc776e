/**
 * A network as Sprout trains it: an architecture (spec layers, the output layer appended as a dense
 * layer) and its parameters as TensorFlow.js variables. Growth edits the architecture and carries the
 * parameters over; the forward pass is a plain function of both, so no tf.LayersModel is rebuilt per step.
 *
 * CONTRACT (shared by growth, sensitivity and pipeline; change only together with them):
 *   - `layers` holds every layer, including the output dense layer last.
 *   - A parameter's `path` is the index path of its layer: `[3]` for layers[3], `[2, 0]` for
 *     layers[2].body[0] of a residual block.
 *   - `role` is `kernel` (dense: in×out, conv: kh×kw×in×out, as tfjs stores them), `bias`, `gamma`, `beta`.
 *   - `state` holds non-trainable variables (batch-norm moving mean and variance).
 */
import type * as tf from '@tensorflow/tfjs';
import type { Layer } from '@sprout/spec';

export type ParamRole = 'kernel' | 'bias' | 'gamma' | 'beta';

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
