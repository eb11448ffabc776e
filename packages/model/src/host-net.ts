/**
 * A dense/residual `Net` copied into host `Float32Array`s, with its batch loss, gradients, SGD update and
 * evaluation computed there: the closed form of loss-and-gradients.ts (same layers, activations, losses
 * and formulas) without TensorFlow.js.
 *
 * Why: for small nets a TensorFlow.js step costs its kernel dispatches (about 15 µs each on wasm, some
 * 40 per closed-form step, more for an evaluation), while the arithmetic of a spirals step is a few
 * thousand multiply-adds. Here a whole step is a handful of loops; its matrix products go to
 * @sprout/native's OpenBLAS `gemm` when the addon is built, to plain loops otherwise.
 *
 * Formulas (Goodfellow, Bengio, Courville, Deep Learning, §6.5.4, algorithm 6.4), a_l = σ_l(z_l):
 *   z_l = a_{l−1} W_l + b_l;  δ_L = ∂J/∂o ⊙ σ'_L;  ∂J/∂W_l = a_{l−1}ᵀ δ_l;  ∂J/∂b_l = Σ_b δ_l;
 *   δ_{l−1} = (δ_l W_lᵀ) ⊙ σ'_{l−1};  a residual block a_out = a_in + f(a_in) passes δ_out + (∂f/∂a_in)ᵀ δ_out.
 *   σ' from the output: relu' = 1[a > 0], tanh' = 1 − a², sigmoid' = a(1 − a).
 *   Softmax cross-entropy J = −mean_b log softmax(o_b)_{y_b}, ∂J/∂o = (softmax(o) − t)/B; MSE on one-hot
 *   targets J = mean_{b,c} (o − t)², ∂J/∂o = 2(o − t)/(B·C) (the definitions of `batchLoss`).
 * Values are stored in float32; the loss and the bias sums are accumulated in float64, the products in
 * float32 (BLAS, and the loops' A·B and Aᵀ·B, which round each multiply-add) or float64 (the loops' A·Bᵀ
 * dot products). Results agree with the TensorFlow.js paths to
 * float32 rounding, not bit for bit; each path is deterministic.
 */
import * as tf from '@tensorflow/tfjs-core';
import { GEMM_ACTIVATION, nativeAddon, type NativeAddon } from '@sprout/native';
import type { Loss } from '@sprout/spec';
import type { Net, Param } from './Net.js';
import { closedFormLayers, type ClosedFormLayer, type SmoothActivation } from './internal/closed-form-layers.js';

/** The activations a host net computes (those of the closed form). */
export type HostActivation = SmoothActivation;

/** A layer of a host net; kernels are row-major in×out as tfjs stores them. */
export type HostLayer =
  | {
      readonly _tag: 'dense';
      /** Index of the layer in its list of the net's layers (dropout layers are not host layers). */
      readonly index: number;
      readonly units: number;
      readonly inputs: number;
      readonly activation: HostActivation;
      readonly kernel: Float32Array;
      readonly kernelName: string;
      readonly bias: Float32Array | undefined;
      readonly biasName: string | undefined;
    }
  | { readonly _tag: 'residual'; readonly index: number; readonly body: readonly HostLayer[] };

export interface HostNet {
  readonly layers: readonly HostLayer[];
  /** Parameter values by name (`0.kernel`, `1.body.0.bias`); the arrays the layers compute with. */
  readonly params: ReadonlyMap<string, Float32Array>;
  /** Gradient buffers by parameter name, filled by `hostLossAndGradients`. */
  readonly grads: ReadonlyMap<string, Float32Array>;
  readonly inputSize: number;
  readonly outputSize: number;
  readonly loss: Loss;
  /** @sprout/native's addon, whose OpenBLAS `gemm` computes the products; null: plain loops. */
  readonly addon: NativeAddon | null;
  /** Scratch buffers, reused from step to step. */
  readonly scratch: Scratch;
  /** What the last `hostLossAndGradients` left behind, by top-level host layer (see `HostTrace`). */
  readonly trace: HostTrace;
}

/**
 * The last `hostLossAndGradients` call's top-level activations and their gradients, indexed like
 * `HostNet.layers`: `outputs[j]` is a_j [batch × width], the output of host layer j (`layers[j].index` in
 * `net.layers`), `gradients[j]` is ∂J/∂a_j and, for a dense layer, `deltas[j]` is δ_j = ∂J/∂z_j
 * (undefined for a residual block). Scratch buffers: valid until the next pass on the net.
 * @sprout/sensitivity's host pass reads them, so that it runs the training step's own code.
 */
export interface HostTrace {
  readonly outputs: Float32Array[];
  readonly gradients: Float32Array[];
  readonly deltas: (Float32Array | undefined)[];
}

/** Buffers handed out in call order and reused by the next pass that asks in the same order. */
class Scratch {
  private readonly buffers: Float32Array[] = [];
  private next = 0;
  /** Start a pass: the next `take` returns the first buffer again. */
  reset(): void {
    this.next = 0;
  }
  /** A buffer of `size` floats (contents undefined) not handed out since the last `reset`. */
  take(size: number): Float32Array {
    let b = this.buffers[this.next];
    if (b === undefined || b.length < size) {
      b = new Float32Array(size);
      this.buffers[this.next] = b;
    }
    this.next++;
    return b.length === size ? b : b.subarray(0, size);
  }
}

export interface HostNetOptions {
  /** The training loss. */
  readonly loss: Loss;
  /**
   * Whether the products go to @sprout/native's OpenBLAS `gemm` when the addon is built (plain loops otherwise).
   * @default true
   */
  readonly native?: boolean;
}

/**
 * `net` as a host net (its current parameter values copied), or undefined when some layer is outside the
 * closed form (`closedFormLayers` with dropout of rate 0 only: dense layers with relu/tanh/sigmoid/linear,
 * residual blocks of them, a dense output layer, a flat input).
 */
export function toHostNet(net: Net, options: HostNetOptions): HostNet | undefined {
  const plan = closedFormLayers(net, true);
  if (plan === undefined) return undefined;
  const params = new Map<string, Float32Array>();
  const grads = new Map<string, Float32Array>();
  const take = (p: Param): Float32Array => {
    const values = Float32Array.from(p.variable.dataSync() as Float32Array);
    params.set(p.name, values);
    grads.set(p.name, new Float32Array(values.length));
    return values;
  };
  let width = net.input[0]!;
  const compile = (list: readonly ClosedFormLayer[]): HostLayer[] | undefined => {
    const out: HostLayer[] = [];
    for (const l of list) {
      if (l._tag === 'dense') {
        const [inputs, units] = l.kernel.variable.shape;
        if (inputs !== width || units === undefined) return undefined;
        out.push({
          _tag: 'dense',
          index: l.index,
          units,
          inputs,
          activation: l.activation,
          kernel: take(l.kernel),
          kernelName: l.kernel.name,
          bias: l.bias === undefined ? undefined : take(l.bias),
          biasName: l.bias?.name,
        });
        width = units;
      } else {
        const before = width;
        const body = compile(l.body);
        if (body === undefined || width !== before) return undefined;
        out.push({ _tag: 'residual', index: l.index, body });
      }
    }
    return out;
  };
  const layers = compile(plan);
  if (layers === undefined || params.size !== net.params.length) return undefined;
  return {
    layers,
    params,
    grads,
    inputSize: net.input[0]!,
    outputSize: width,
    loss: options.loss,
    addon: options.native === false ? null : nativeAddon(),
    scratch: new Scratch(),
    trace: { outputs: [], gradients: [], deltas: [] },
  };
}

/** Multiply-adds of one example's forward pass (the products of the dense layers). */
export function hostMultiplyAdds(h: HostNet): number {
  const count = (list: readonly HostLayer[]): number =>
    list.reduce((sum, l) => sum + (l._tag === 'dense' ? l.inputs * l.units : count(l.body)), 0);
  return count(h.layers);
}

/**
 * Above this many multiply-adds per example, plain loops lose to TensorFlow.js' wasm kernels (SIMD
 * products). Measured on wasm without the native kernels: an MNIST MLP step (784-50-50-10, 42,200 per
 * example, batch 100) took 33.6 ms in the loops and 8.5 ms on stock wasm (0.81 ms with the native gemm);
 * a step of the loops costs about 8 ns × batch × this count, a TensorFlow.js step about 0.6 ms of
 * dispatches, so the loops pay below about 1,000 at batch 100 (spirals nets: 45).
 */
export const HOST_LOOPS_MAX_MULTIPLY_ADDS = 1_000;

/**
 * Whether the host net is the faster way to train `h`: always with the native gemm; with plain loops
 * only for small nets (≤ HOST_LOOPS_MAX_MULTIPLY_ADDS per example), whose TensorFlow.js steps cost their
 * kernel dispatches rather than their arithmetic.
 */
export function hostNetPays(h: HostNet): boolean {
  return h.addon !== null || hostMultiplyAdds(h) <= HOST_LOOPS_MAX_MULTIPLY_ADDS;
}

/** Write the host net's parameter values into `net`'s variables (same names). */
export function writeHostNet(h: HostNet, net: Net): void {
  for (const p of net.params) {
    const values = h.params.get(p.name);
    if (values === undefined) continue;
    tf.tidy(() => p.variable.assign(tf.tensor(values, p.variable.shape, 'float32')));
  }
}

/** The addon gemm's epilogue code of each activation. */
const EPILOGUE: Readonly<Record<HostActivation, number>> = GEMM_ACTIVATION;

/**
 * C (m×n) = σ(op(A)·op(B) + bias) with op(A) m×k, op(B) k×n, row-major; A is k×m when `transA`, B is n×k
 * when `transB`; `bias` (length n) is added to every row; σ = `activation`. C is overwritten.
 */
function gemm(
  addon: NativeAddon | null,
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
  activation: HostActivation = 'linear',
  bias: Float32Array | null = null,
): void {
  // Even the 225×5×2 products of a spirals step are faster through the addon (a call costs ~1 µs) than in
  // the loops below, whose inner loops are too short for V8 to run fast. Its epilogue adds the bias and
  // applies σ (relu keeps NaN, as in tfjs).
  if (addon !== null) {
    addon.gemm(a, b, c, m, n, k, transA, transB, 1, 0, 0, 0, bias, EPILOGUE[activation], 0);
    return;
  }
  if (transA && transB) throw new Error('host net: Aᵀ·Bᵀ is not a product the host net takes');
  else if (transB) loopsNT(a, b, c, m, n, k);
  else if (transA) loopsTN(a, b, c, m, n, k);
  else loopsNN(a, b, c, m, n, k);
  if (bias !== null) for (let r = 0; r < m; r++) for (let j = 0; j < n; j++) c[r * n + j] = c[r * n + j]! + bias[j]!;
  const size = m * n;
  switch (activation) {
    case 'relu':
      for (let i = 0; i < size; i++) c[i] = c[i]! < 0 ? 0 : c[i]!; // NaN stays NaN, as in tfjs
      break;
    case 'tanh':
      for (let i = 0; i < size; i++) c[i] = Math.tanh(c[i]!);
      break;
    case 'sigmoid':
      for (let i = 0; i < size; i++) c[i] = 1 / (1 + Math.exp(-c[i]!));
      break;
    case 'linear':
      break;
  }
}

// One loop nest per operand layout. They run at about 2.8 ns per multiply-add on this machine (MNIST-sized
// products; float32 loads and stores through float64 arithmetic), 3–4× slower than stock wasm's SIMD
// kernels, hence `hostNetPays`.

/** C = A·B, A m×k, B k×n: row i of C accumulates a[i,p] times row p of B. */
function loopsNN(a: Float32Array, b: Float32Array, c: Float32Array, m: number, n: number, k: number): void {
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    const ai = i * k;
    for (let j = 0; j < n; j++) c[ci + j] = 0;
    for (let p = 0; p < k; p++) {
      const x = a[ai + p]!;
      const bp = p * n;
      for (let j = 0; j < n; j++) c[ci + j] = c[ci + j]! + x * b[bp + j]!;
    }
  }
}

/** C = Aᵀ·B, A k×m, B k×n: row p of A and of B update every row of C. */
function loopsTN(a: Float32Array, b: Float32Array, c: Float32Array, m: number, n: number, k: number): void {
  c.fill(0, 0, m * n);
  for (let p = 0; p < k; p++) {
    const ap = p * m;
    const bp = p * n;
    for (let i = 0; i < m; i++) {
      const x = a[ap + i]!;
      const ci = i * n;
      for (let j = 0; j < n; j++) c[ci + j] = c[ci + j]! + x * b[bp + j]!;
    }
  }
}

/** C = A·Bᵀ, A m×k, B n×k: dot products of rows, summed in float64. */
function loopsNT(a: Float32Array, b: Float32Array, c: Float32Array, m: number, n: number, k: number): void {
  for (let i = 0; i < m; i++) {
    const ai = i * k;
    for (let j = 0; j < n; j++) {
      const bj = j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ai + p]! * b[bj + p]!;
      c[i * n + j] = s;
    }
  }
}

/**
 * C (m×n) = σ(op(A)·op(B)) (row-major; A is k×m when `transA`, B is n×k when `transB`; σ = `activation`,
 * default linear) with the host net's product: the native gemm and its epilogue when the addon is loaded,
 * plain loops otherwise. C is overwritten.
 */
export function hostMatMul(
  h: HostNet,
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
  activation: HostActivation = 'linear',
): void {
  gemm(h.addon, a, b, c, m, n, k, transA, transB, activation);
}

/** The forward pass of the dense layers, recording each one's input and output for the backward pass. */
interface LayerRecord {
  readonly input: Float32Array;
  readonly output: Float32Array;
}

/**
 * The outputs [batch × C] of the host net on `x`; starts a scratch pass (`h.scratch.reset()`) and records
 * the top-level activations in `h.trace.outputs`.
 */
function forwardPass(h: HostNet, x: Float32Array, batch: number, records: LayerRecord[] | undefined): Float32Array {
  h.scratch.reset();
  const buffer = (size: number): Float32Array => h.scratch.take(size);
  const topOutputs = h.trace.outputs;
  topOutputs.length = 0;
  const run = (list: readonly HostLayer[], input: Float32Array): Float32Array => {
    let a = input;
    const top = list === h.layers ? topOutputs : undefined;
    for (const l of list) {
      if (l._tag === 'residual') {
        const f = run(l.body, a);
        const sum = buffer(f.length);
        for (let i = 0; i < sum.length; i++) sum[i] = a[i]! + f[i]!;
        a = sum;
        top?.push(a);
        continue;
      }
      const z = buffer(batch * l.units);
      gemm(h.addon, a, l.kernel, z, batch, l.units, l.inputs, false, false, l.activation, l.bias ?? null);
      records?.push({ input: a, output: z });
      a = z;
      top?.push(a);
    }
    return a;
  };
  return run(h.layers, x);
}

/**
 * Loss of outputs `o` [batch × C] against integer labels, and (when `g` is given) ∂J/∂o into `g`.
 * Softmax cross-entropy on logits or MSE on one-hot targets, as `batchLoss`.
 */
function lossAndOutputGradient(
  loss: Loss,
  o: Float32Array,
  labels: Int32Array,
  batch: number,
  classes: number,
  g: Float32Array | undefined,
): number {
  let total = 0;
  if (loss === 'mse') {
    const factor = 2 / (batch * classes);
    for (let r = 0; r < batch; r++)
      for (let c = 0; c < classes; c++) {
        const d = o[r * classes + c]! - (labels[r] === c ? 1 : 0);
        total += d * d;
        if (g !== undefined) g[r * classes + c] = d * factor;
      }
    return total / (batch * classes);
  }
  const factor = 1 / batch;
  for (let r = 0; r < batch; r++) {
    const row = r * classes;
    let max = -Infinity;
    for (let c = 0; c < classes; c++) {
      const v = o[row + c]!;
      max = v > max || v !== v ? v : max; // NaN wins, as in tf.max
    }
    // One exp per class (kept in g when it is wanted) and one log per row.
    let sum = 0;
    for (let c = 0; c < classes; c++) {
      const e = Math.exp(o[row + c]! - max);
      if (g !== undefined) g[row + c] = e;
      sum += e;
    }
    const label = labels[r]!;
    total -= o[row + label]! - max - Math.log(sum);
    if (g !== undefined) {
      const f = factor / sum;
      for (let c = 0; c < classes; c++) g[row + c] = g[row + c]! * f;
      g[row + label] = g[row + label]! - factor;
    }
  }
  return total / batch;
}

/** What `hostLossAndGradients` computes besides the loss and the trace. */
export interface HostGradientOptions {
  /**
   * The parameters whose gradients go to `h.grads` (the others' buffers keep stale values). The backward
   * pass through every layer still runs, since the trace needs it, but the weight-gradient products of
   * the others are skipped: a sensitivity pass that reads only the trace saves a third of its products on
   * a wide MLP. What is computed is bit-identical either way.
   * @default every parameter
   */
  readonly wanted?: ReadonlySet<string>;
}

/**
 * The batch-mean loss J of the host net on `x` [batch × inputSize] (row-major) and integer `labels`
 * [batch], and ∂J/∂θ into `h.grads`; `h.trace` then holds the top-level activations and their gradients.
 * Returns J (NaN or ±∞ when it is not finite).
 *
 */
export function hostLossAndGradients(
  h: HostNet,
  x: Float32Array,
  labels: Int32Array,
  batch: number,
  options: HostGradientOptions = {},
): number {
  const { wanted } = options;
  const addon = h.addon;
  const records: LayerRecord[] = [];
  const o = forwardPass(h, x, batch, records);
  // The backward pass takes its buffers after the forward pass's (which it reads).
  const buffer = (size: number): Float32Array => h.scratch.take(size);
  const g0 = buffer(batch * h.outputSize);
  const value = lossAndOutputGradient(h.loss, o, labels, batch, h.outputSize, g0);
  const { gradients: topGradients, deltas: topDeltas } = h.trace;
  topGradients.length = topDeltas.length = h.layers.length;
  let r = records.length;
  // Every gradient buffer stays as computed (δ goes to a buffer of its own), so the trace can keep ∂J/∂a.
  const back = (list: readonly HostLayer[], gOut: Float32Array, needInput: boolean): Float32Array | undefined => {
    let g: Float32Array | undefined = gOut;
    for (let i = list.length - 1; i >= 0; i--) {
      const l = list[i]!;
      const need = needInput || i > 0;
      const top = list === h.layers;
      if (top) {
        topGradients[i] = g!;
        topDeltas[i] = undefined;
      }
      if (l._tag === 'residual') {
        const gBody = back(l.body, g!, need);
        if (need) {
          const sum = buffer(g!.length);
          for (let k = 0; k < sum.length; k++) sum[k] = g![k]! + gBody![k]!;
          g = sum;
        }
        continue;
      }
      const rec = records[--r]!;
      const n = l.units;
      // δ = g ⊙ σ'(z) (linear: g itself).
      const gl = g!;
      const a = rec.output;
      const delta = l.activation === 'linear' ? gl : buffer(batch * n);
      switch (l.activation) {
        case 'relu':
          // The addon's one vector pass is some 30× faster on a 128 × 512 batch (the sign of a zero may differ:
          // it gives g · 0).
          if (addon !== null) addon.reluGrad(gl, a, delta);
          else for (let k = 0; k < batch * n; k++) delta[k] = a[k]! > 0 ? gl[k]! : 0;
          break;
        case 'tanh':
          for (let k = 0; k < batch * n; k++) delta[k] = gl[k]! * (1 - a[k]! * a[k]!);
          break;
        case 'sigmoid':
          for (let k = 0; k < batch * n; k++) delta[k] = gl[k]! * a[k]! * (1 - a[k]!);
          break;
        case 'linear':
          break;
      }
      if (top) topDeltas[i] = delta;
      if (wanted === undefined || wanted.has(l.kernelName))
        gemm(addon, rec.input, delta, h.grads.get(l.kernelName)!, l.inputs, n, batch, true, false);
      if (l.biasName !== undefined && (wanted === undefined || wanted.has(l.biasName))) {
        const gb = h.grads.get(l.biasName)!;
        // Both sum each column over the rows in order in a double: the same bits (the addon sums a single
        // column in four partial sums, hence n > 1).
        if (addon !== null && n > 1) addon.sumRows(delta, gb, batch, n);
        else
          for (let j = 0; j < n; j++) {
            let s = 0;
            for (let b = 0; b < batch; b++) s += delta[b * n + j]!;
            gb[j] = s;
          }
      }
      if (need) {
        const gin = buffer(batch * l.inputs);
        gemm(addon, delta, l.kernel, gin, batch, l.inputs, n, false, true);
        g = gin;
      } else g = undefined;
    }
    return g;
  };
  back(h.layers, g0, false);
  return value;
}

/** θ ← θ − lr · g for every parameter (after `hostLossAndGradients`). */
export function hostSgdUpdate(h: HostNet, lr: number): void {
  for (const [name, theta] of h.params) {
    const g = h.grads.get(name)!;
    for (let i = 0; i < theta.length; i++) theta[i] = theta[i]! - lr * g[i]!;
  }
}

/**
 * The summed loss and the number of misclassified examples (argmax ≠ label, first maximum wins as
 * tf.argMax) of the host net on `x` [n × inputSize] and `labels`, in chunks of `chunk` examples.
 */
export function hostEvaluate(
  h: HostNet,
  x: Float32Array,
  labels: Int32Array,
  n: number,
  chunk = 1000,
): { lossSum: number; errors: number } {
  let lossSum = 0;
  let errors = 0;
  const C = h.outputSize;
  for (let start = 0; start < n; start += chunk) {
    const size = Math.min(chunk, n - start);
    const xs = x.subarray(start * h.inputSize, (start + size) * h.inputSize);
    const ys = labels.subarray(start, start + size);
    const o = forwardPass(h, xs, size, undefined);
    lossSum += lossAndOutputGradient(h.loss, o, ys, size, C, undefined) * size;
    for (let r = 0; r < size; r++) {
      let best = 0;
      for (let c = 1; c < C; c++) if (o[r * C + c]! > o[r * C + best]!) best = c;
      if (best !== ys[r]) errors++;
    }
  }
  return { lossSum, errors };
}
