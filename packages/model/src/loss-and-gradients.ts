/**
 * The batch loss of a `Net` and its gradients with respect to every parameter, in one call.
 *
 * Two paths, chosen from the net and the options (`gradientPath`):
 *  - `closed-form`: for nets of dense layers (with or without bias; activations relu, tanh, sigmoid,
 *    linear), residual blocks of such layers and inactive dropout, with a dense output layer whose loss has a
 *    simple output gradient. The forward pass uses fused products (x W + b with relu/sigmoid/linear fused)
 *    and keeps each layer's input and output; the backward pass is the textbook back-propagation (e.g.
 *    Goodfellow, Bengio, Courville, Deep Learning, §6.5.4, algorithm 6.4), with no gradient tape:
 *      δ_L = ∂J/∂o ⊙ σ'_L,  ∂J/∂W_l = a_{l−1}ᵀ δ_l,  ∂J/∂b_l = Σ_b δ_l,  δ_{l−1} = (δ_l W_lᵀ) ⊙ σ'_{l−1},
 *    where a_l = σ_l(z_l) and σ' is read from the activation: relu' = 1[a > 0], tanh' = 1 − a²,
 *    sigmoid' = a(1 − a). A residual block a_out = a_in + f(a_in) passes δ_in = δ_out + (∂f/∂a_in)ᵀ δ_out.
 *    Output gradients: softmax cross-entropy (mean over B) ∂J/∂o = (softmax(o) − t)/B; MSE (mean over B·C)
 *    ∂J/∂o = 2(o − t)/(B·C).
 *    For tiny nets a step's cost is TensorFlow.js's per-kernel dispatch, and this path dispatches about 40 %
 *    of the kernels of the tape (tools/src/bench-step.ts).
 *  - `tape`: everything else (conv, pool, flatten, batch norm, dropout in training, gelu and softmax
 *    activations, a softmax output with cross-entropy, taps, non-matrix inputs): tf.variableGrads through
 *    `forward`, so the function is always correct.
 * Both use the loss definitions of `batchLoss` (loss.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
// For its side effect: the entry of tfjs-layers registers the gradient of every kernel (tfjs-core's own entry
// does not), which tf.grad and variableGrads need.
import '@tensorflow/tfjs-layers';
import { reluBackward } from '@sprout/native';
import type { Activation, Loss } from '@sprout/spec';
import type { Net, Taps } from './Net.js';
import { closedFormLayers, type ClosedFormLayer, type SmoothActivation } from './internal/closed-form-layers.js';
import { forward } from './forward.js';
import { batchLoss, oneHotTargets } from './loss.js';

export interface LossAndGradientsOptions {
  /** The training loss (see `batchLoss`). */
  readonly loss: Loss;
  /** Training mode (dropout on, batch norm on batch statistics), as `forward`'s. @default false */
  readonly training?: boolean;
  /** Seed of the dropout masks, as `forward`'s. @default 0 */
  readonly seed?: number;
  /** Update batch-norm moving averages in training mode, as `forward`'s. @default true */
  readonly updateState?: boolean;
  /**
   * Taps, as `forward`'s; requesting them takes the tape path. Probes that are trainable `tf.Variable`s get
   * their gradients δ = ∂J/∂z in `deltas`, by layer key. @default none
   */
  readonly taps?: Taps;
  /**
   * Factor applied to the returned gradients (not to the loss): the closed form folds it into ∂J/∂o at no
   * cost, the tape multiplies each gradient. With the learning rate here, plain SGD is one subtraction per
   * parameter, θ ← θ − grads[name]. @default 1
   */
  readonly gradScale?: number;
  /** Take the tape path even where the closed form applies (for comparisons and benchmarks). @default false */
  readonly forceTape?: boolean;
}

/** Which computation `lossAndGradients` uses. */
export type GradientPath = 'closed-form' | 'tape';

export interface LossAndGradients {
  /** The batch-mean loss J. */
  readonly loss: tf.Scalar;
  /** ∂J/∂θ (times `gradScale`) for every parameter of `net.params`, keyed by parameter name (`3.kernel`, `2.body.0.bias`). */
  readonly grads: tf.NamedTensorMap;
  /** The path taken (see `gradientPath`). */
  readonly path: GradientPath;
  /** δ = ∂J/∂z of the probes that are trainable variables, by layer key (tape path with probes only). */
  readonly deltas?: ReadonlyMap<string, tf.Tensor>;
}

/** The closed-form program of `net`, or undefined when some layer (or a tap) needs the tape. */
function closedFormPlan(net: Net, options: LossAndGradientsOptions): ClosedFormLayer[] | undefined {
  if (options.taps !== undefined || options.forceTape === true) return undefined;
  return closedFormLayers(net, options.training ?? false);
}

/**
 * The path `lossAndGradients(net, x, y, options)` takes: `closed-form` for dense/residual nets with relu,
 * tanh, sigmoid or linear activations (see the module comment), `tape` otherwise. A non-matrix `x` also
 * takes the tape path.
 */
export function gradientPath(net: Net, options: LossAndGradientsOptions): GradientPath {
  return closedFormPlan(net, options) === undefined ? 'tape' : 'closed-form';
}

/** σ'(z) ⊙ g from the activation's output a = σ(z): relu' = 1[a > 0], tanh' = 1 − a², sigmoid' = a(1 − a). */
function throughActivation(g: tf.Tensor, a: tf.Tensor, activation: SmoothActivation): tf.Tensor {
  switch (activation) {
    case 'linear':
      return g;
    case 'relu':
      return reluBackward(g, a); // one native kernel where @sprout/native's are registered
    case 'tanh':
      return tf.mul(g, tf.sub(1, tf.square(a)));
    case 'sigmoid':
      return tf.mul(g, tf.mul(a, tf.sub(1, a)));
  }
}

/** A dense layer's input and output in the forward pass, and its kernel as [1, in, out]. */
interface DenseRecord {
  readonly input: tf.Tensor;
  readonly output: tf.Tensor;
  readonly kernel: tf.Tensor;
}

/**
 * The closed-form path (module comment). Activations are kept as [1, B, n]: the rank the _FusedMatMul
 * kernels take (wasm's reads shape[1], shape[2]), so each product is one kernel call, not the five
 * dispatches (reshapes and a custom op) of tf.fused.matMul; the backward products are BatchMatMul calls
 * with transpose flags.
 */
function closedForm(
  steps: readonly ClosedFormLayer[],
  x: tf.Tensor2D,
  y: tf.Tensor,
  loss: Loss,
  scale: number,
): { loss: tf.Scalar; grads: tf.NamedTensorMap } {
  return tf.tidy(() => {
    const matMul = (a: tf.Tensor, b: tf.Tensor, transposeA: boolean, transposeB: boolean): tf.Tensor =>
      tf.engine().runKernel(tf.BatchMatMul, { a, b }, { transposeA, transposeB }) as tf.Tensor;
    // Forward, recording each dense layer's input, output and 3-d kernel (in order of execution).
    const records: DenseRecord[] = [];
    const run = (list: readonly ClosedFormLayer[], h: tf.Tensor): tf.Tensor => {
      let out = h;
      for (const s of list) {
        if (s._tag === 'residual') {
          out = tf.add(out, run(s.body, out));
          continue;
        }
        const kernel = tf.reshape(s.kernel.variable, [1, ...s.kernel.variable.shape]);
        const inputs: tf.NamedTensorMap = {
          a: out,
          b: kernel,
          ...(s.bias !== undefined ? { bias: s.bias.variable } : {}),
        };
        let a = tf.engine().runKernel(tf._FusedMatMul, inputs, {
          transposeA: false,
          transposeB: false,
          activation: s.activation === 'tanh' ? 'linear' : s.activation,
          leakyreluAlpha: 0,
        }) as tf.Tensor;
        if (s.activation === 'tanh') a = tf.tanh(a);
        records.push({ input: out, output: a, kernel });
        out = a;
      }
      return out;
    };
    const [batch, features] = x.shape;
    const o = run(steps, tf.reshape(x, [1, batch, features]));
    const classes = o.shape[2]!;
    const t = oneHotTargets(y, classes);

    // Loss and ∂J/∂o (batchLoss's definitions; the log-softmax is tf.logSoftmax's: s − log Σ exp s, s = o − max o).
    let value: tf.Scalar;
    let g: tf.Tensor;
    if (loss === 'mse') {
      const d = tf.sub(o, t);
      value = tf.mean(tf.square(d));
      g = tf.mul(d, (2 * scale) / (batch * classes));
    } else {
      const s = tf.sub(o, tf.max(o, -1, true));
      const e = tf.exp(s);
      const sum = tf.sum(e, -1, true);
      value = tf.mul(tf.sum(tf.mul(t, tf.sub(s, tf.log(sum)))), -1 / batch);
      g = tf.mul(tf.sub(tf.div(e, sum), t), scale / batch);
    }

    // Backward, consuming the records from the end. `needInput`: whether δ for the list's input is used.
    const grads: tf.NamedTensorMap = {};
    let r = records.length;
    const back = (list: readonly ClosedFormLayer[], gOut: tf.Tensor, needInput: boolean): tf.Tensor | undefined => {
      let gr: tf.Tensor | undefined = gOut;
      for (let i = list.length - 1; i >= 0; i--) {
        const s = list[i]!;
        const need = needInput || i > 0;
        if (s._tag === 'residual') {
          const gBody = back(s.body, gr!, need);
          if (need) gr = tf.add(gr!, gBody!);
          continue;
        }
        const rec = records[--r]!;
        const delta = throughActivation(gr!, rec.output, s.activation);
        grads[s.kernel.name] = tf.reshape(matMul(rec.input, delta, true, false), s.kernel.variable.shape);
        if (s.bias !== undefined) grads[s.bias.name] = tf.sum(delta, [0, 1]);
        gr = need ? matMul(delta, rec.kernel, false, true) : undefined;
      }
      return gr;
    };
    back(steps, g, false);
    return { loss: value, grads };
  });
}

function tapeGradients(
  net: Net,
  x: tf.Tensor,
  y: tf.Tensor,
  options: LossAndGradientsOptions,
): Omit<LossAndGradients, 'path'> {
  const output = net.layers[net.layers.length - 1];
  const outputActivation: Activation = output?._tag === 'dense' ? output.activation : 'linear';
  const probes = [...(options.taps?.probes ?? new Map<string, tf.Tensor>())].filter(
    (e): e is [string, tf.Variable] => e[1] instanceof tf.Variable && e[1].trainable,
  );
  let deltas: Map<string, tf.Tensor> | undefined;
  const scale = options.gradScale ?? 1;
  const result = tf.tidy(() => {
    const r = tf.variableGrads(
      () =>
        batchLoss(
          options.loss,
          outputActivation,
          forward(net, x, {
            training: options.training ?? false,
            seed: options.seed ?? 0,
            updateState: options.updateState ?? true,
            ...(options.taps !== undefined ? { taps: options.taps } : {}),
          }),
          y,
        ),
      [...net.params.filter((p) => p.variable.trainable).map((p) => p.variable), ...probes.map(([, v]) => v)],
    );
    const grads: tf.NamedTensorMap = {};
    for (const p of net.params) {
      const g = r.grads[p.variable.name];
      if (g !== undefined) grads[p.name] = scale === 1 ? g : tf.mul(g, scale);
    }
    if (probes.length > 0) {
      // Kept out of the tidy scope here: a Map is not a tensor container.
      deltas = new Map();
      for (const [key, v] of probes) {
        const d = r.grads[v.name];
        if (d !== undefined) deltas.set(key, tf.keep(d));
      }
    }
    return { loss: r.value, grads };
  });
  return deltas === undefined ? result : { ...result, deltas };
}

/**
 * The batch-mean loss J of `net` on inputs `x` [B, …] and labels `y` ([B] int32, or one-hot [B, C]) and
 * ∂J/∂θ for every parameter, keyed by parameter name; closed form where the layers allow it, the gradient
 * tape otherwise (see the module comment and `gradientPath`). The returned tensors are kept (outside any
 * tidy scope); the caller disposes them. Nothing is read back from the backend.
 */
export function lossAndGradients(
  net: Net,
  x: tf.Tensor,
  y: tf.Tensor,
  options: LossAndGradientsOptions,
): LossAndGradients {
  const plan = x.rank === 2 ? closedFormPlan(net, options) : undefined;
  if (plan === undefined) return { ...tapeGradients(net, x, y, options), path: 'tape' };
  return { ...closedForm(plan, x as tf.Tensor2D, y, options.loss, options.gradScale ?? 1), path: 'closed-form' };
}
