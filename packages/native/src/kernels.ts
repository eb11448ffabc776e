// TensorFlow.js kernel functions backed by the native addon: BatchMatMul and _FusedMatMul (sgemm with a
// bias + activation epilogue); Conv2D and FusedConv2D (direct loops for 8, 16, 24 or 32 output channels
// with a linear or relu epilogue, else NHWC im2col + sgemm), Conv2DBackpropInput and Conv2DBackpropFilter
// (direct loops where they apply, else sgemm + col2im / im2col); MaxPool and MaxPoolGrad; Add, Sub and
// Multiply (equal shapes, a scalar, or a trailing-block broadcast); Relu and Step; Sum over leading axes;
// and Sprout's own SproutReluGrad (dy ⊙ 1[x > 0] in one pass). Each replacing kernel runs natively when the
// shape is supported and large enough to pay for the call, and otherwise delegates to the kernel it
// replaced (`fallback`); SproutReluGrad has none. The backward passes reuse these kernels through tfjs'
// registered gradients, except ReLU's (register.ts replaces it by reluBackward) and conv2dBiasRelu's,
// which has its own (conv-bias-relu.ts).
import * as tf from '@tensorflow/tfjs-core';
import { GEMM_ACTIVATION, type NativeAddon } from './addon.js';
import type { Storage } from './internal/storage.js';

type KernelArgs = Parameters<tf.KernelFunc>[0];
type KernelResult = ReturnType<tf.KernelFunc>;

/** tfjs' fused activation names → the addon's epilogue codes (its tanh is not a tfjs fused activation). */
const activationCode: Readonly<Record<string, number>> = GEMM_ACTIVATION;

export interface KernelTuning {
  /**
   * Forward convolutions with Cin·Cout below this keep the stock kernel (wasm's XNNPACK convolution beats
   * im2col + sgemm when each patch is a few floats, e.g. a first layer on grey images).
   */
  readonly minConvChannelProduct: number;
  /** Products (2·batch·M·N·K flops) below this run on the fallback kernel. */
  readonly minMatMulFlops: number;
  /** Convolutions (2·B·OH·OW·KH·KW·Cin·Cout flops) below this run on the fallback kernel. */
  readonly minConvFlops: number;
  /** Elementwise ops, reductions and pooling on fewer output (input for reductions) elements keep the stock kernel. */
  readonly minElementwise: number;
}

/** Everything a kernel needs: the addon, the backend's memory, and the kernel it replaces. */
export interface KernelContext {
  readonly addon: NativeAddon;
  readonly storage: (backend: unknown) => Storage;
  readonly fallback: tf.KernelConfig | undefined;
  readonly tuning: KernelTuning;
  readonly kernelName: string;
}

function delegate(ctx: KernelContext, args: KernelArgs, why: string): KernelResult {
  if (ctx.fallback === undefined) {
    throw new Error(`@sprout/native: ${ctx.kernelName} has no fallback kernel for this case (${why})`);
  }
  return ctx.fallback.kernelFunc(args);
}

let calls = 0;

/** How many kernel invocations ran natively in this process (diagnostics and tests). */
export function nativeKernelCalls(): number {
  return calls;
}

/** Small work goes to the replaced kernel, if there is one (stock wasm has no Conv2DBackpropFilter). */
function tooSmall(ctx: KernelContext, flops: number, min: number): boolean {
  return ctx.fallback !== undefined && flops < min;
}

function isF32(t: tf.TensorInfo | undefined): t is tf.TensorInfo {
  return t !== undefined && t.dtype === 'float32';
}

interface MatMulPlan {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly batch: number;
  readonly strideA: number;
  readonly strideB: number;
  readonly outShape: number[];
}

/** The batched-product geometry, or why the native kernel does not take it. */
function planMatMul(a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean): MatMulPlan | string {
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra < 2 || rb < 2) return 'rank < 2';
  const aRows = a.shape[ra - 2]!;
  const aCols = a.shape[ra - 1]!;
  const bRows = b.shape[rb - 2]!;
  const bCols = b.shape[rb - 1]!;
  const m = transposeA ? aCols : aRows;
  const k = transposeA ? aRows : aCols;
  const kb = transposeB ? bCols : bRows;
  const n = transposeB ? bRows : bCols;
  if (k !== kb) return 'inner dimensions differ';
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  const batchA = tf.util.sizeFromShape(outerA);
  const batchB = tf.util.sizeFromShape(outerB);
  const batch = tf.util.sizeFromShape(outer);
  if (!((batchA === batch || batchA === 1) && (batchB === batch || batchB === 1))) return 'general batch broadcast';
  return {
    m,
    n,
    k,
    batch,
    strideA: batchA === 1 ? 0 : m * k,
    strideB: batchB === 1 ? 0 : k * n,
    outShape: [...outer, m, n],
  };
}

function runMatMul(
  ctx: KernelContext,
  args: KernelArgs,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  bias: tf.TensorInfo | undefined,
  activation: number,
  alpha: number,
): KernelResult {
  const plan = planMatMul(a, b, transposeA, transposeB);
  if (typeof plan === 'string') return delegate(ctx, args, plan);
  if (tooSmall(ctx, 2 * plan.batch * plan.m * plan.n * plan.k, ctx.tuning.minMatMulFlops))
    return delegate(ctx, args, 'small');
  return runOnViews(ctx, args, plan.outShape, [a, b, bias ?? null], ([av, bv, biasView], ov) =>
    ctx.addon.gemm(
      av!,
      bv!,
      ov,
      plan.m,
      plan.n,
      plan.k,
      transposeA,
      transposeB,
      plan.batch,
      plan.strideA,
      plan.strideB,
      plan.m * plan.n,
      biasView ?? null,
      activation,
      alpha,
    ),
  );
}

export function batchMatMulKernel(ctx: KernelContext): tf.KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a?: tf.TensorInfo; b?: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as { transposeA?: boolean; transposeB?: boolean };
    if (!isF32(a) || !isF32(b)) return delegate(ctx, args, 'not float32');
    return runMatMul(ctx, args, a, b, transposeA === true, transposeB === true, undefined, 0, 0);
  };
}

export function fusedMatMulKernel(ctx: KernelContext): tf.KernelFunc {
  return (args) => {
    const { a, b, bias, preluActivationWeights } = args.inputs as {
      a?: tf.TensorInfo;
      b?: tf.TensorInfo;
      bias?: tf.TensorInfo;
      preluActivationWeights?: tf.TensorInfo;
    };
    const { transposeA, transposeB, activation, leakyreluAlpha } = args.attrs as {
      transposeA?: boolean;
      transposeB?: boolean;
      activation?: string;
      leakyreluAlpha?: number;
    };
    if (!isF32(a) || !isF32(b)) return delegate(ctx, args, 'not float32');
    const act = activationCode[activation ?? 'linear'];
    if (act === undefined || preluActivationWeights != null) return delegate(ctx, args, `activation ${activation}`);
    const n = (transposeB === true ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1]) ?? 0;
    if (bias != null && !rowBias(bias, n)) return delegate(ctx, args, 'bias not a row vector');
    return runMatMul(
      ctx,
      args,
      a,
      b,
      transposeA === true,
      transposeB === true,
      bias ?? undefined,
      act,
      leakyreluAlpha ?? 0.2,
    );
  };
}

/** A bias the epilogue can add: float32 with n entries along the last axis (leading axes all 1). */
function rowBias(bias: tf.TensorInfo, n: number): boolean {
  return (
    isF32(bias) &&
    bias.shape.length >= 1 &&
    bias.shape[bias.shape.length - 1] === n &&
    tf.util.sizeFromShape(bias.shape) === n
  );
}

/** [B, H, W, Cin, OH, OW, Cout, KH, KW, sh, sw, dh, dw, padTop, padLeft] for the addon. */
function convGeometry(info: tf.backend_util.Conv2DInfo): Int32Array {
  return Int32Array.from([
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.outChannels,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    info.padInfo.top,
    info.padInfo.left,
  ]);
}

/** tfjs' geometry of an NHWC convolution (the same call for the forward pass and both gradients). */
function convInfo(
  xShape: readonly number[],
  filterShape: readonly number[],
  attrs: ConvAttrs,
  dilations: [number, number] | number = 1,
): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
}

/**
 * Allocates the output, takes float32 views of the inputs and of the output (after allocating: allocation
 * may grow the wasm heap and detach older views) and runs `call` on them. A missing input (`null`) gets a
 * `null` view; an input whose values are not in float32 storage sends the call to the fallback kernel.
 */
function runOnViews(
  ctx: KernelContext,
  args: KernelArgs,
  outShape: number[],
  inputs: readonly (tf.TensorInfo | null)[],
  call: (views: readonly (Float32Array | null)[], out: Float32Array) => void,
): KernelResult {
  const storage = ctx.storage(args.backend);
  const out = storage.alloc(outShape);
  const views = inputs.map((t) => (t === null ? null : storage.f32(t)));
  const ov = storage.f32(out);
  if (ov === null || views.some((v, k) => v === null && inputs[k] !== null)) {
    storage.free(out);
    return delegate(ctx, args, 'values not in float32 storage');
  }
  calls++;
  call(views, ov);
  return out;
}

/**
 * Output channel counts of the addon's direct convolution loops (native/direct_conv.cc `DirectCout`; they
 * take the linear and relu epilogues only, `TryDirectConv`).
 */
const directChannels = (c: number): boolean => c === 8 || c === 16 || c === 24 || (c % 32 === 0 && c >= 32 && c <= 256);

function convFlops(info: tf.backend_util.Conv2DInfo): number {
  return (
    2 *
    info.batchSize *
    info.outHeight *
    info.outWidth *
    info.filterHeight *
    info.filterWidth *
    info.inChannels *
    info.outChannels
  );
}

interface ConvAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  activation?: string;
  leakyreluAlpha?: number;
  inputShape?: [number, number, number, number];
  filterShape?: [number, number, number, number];
}

function conv2dLike(ctx: KernelContext, fused: boolean): tf.KernelFunc {
  return (args) => {
    const { x, filter, bias, preluActivationWeights } = args.inputs as {
      x?: tf.TensorInfo;
      filter?: tf.TensorInfo;
      bias?: tf.TensorInfo;
      preluActivationWeights?: tf.TensorInfo;
    };
    const attrs = args.attrs as unknown as ConvAttrs;
    if (!isF32(x) || !isF32(filter)) return delegate(ctx, args, 'not float32');
    if ((attrs.dataFormat ?? 'NHWC') !== 'NHWC') return delegate(ctx, args, 'NCHW');
    if (x.shape.length !== 4 || filter.shape.length !== 4) return delegate(ctx, args, 'rank');
    const act = fused ? activationCode[attrs.activation ?? 'linear'] : 0;
    if (act === undefined || preluActivationWeights != null)
      return delegate(ctx, args, `activation ${attrs.activation}`);
    const info = convInfo(x.shape, filter.shape, attrs, attrs.dilations ?? 1);
    if (fused && bias != null && !rowBias(bias, info.outChannels)) return delegate(ctx, args, 'bias not per channel');
    if (tooSmall(ctx, convFlops(info), ctx.tuning.minConvFlops)) return delegate(ctx, args, 'small');
    // (8–32 output channels with a linear or relu epilogue run the direct loops, which beat wasm's XNNPACK on
    // few input channels too — unless they are turned off with setDirectConv(false), which the threshold
    // cannot see.)
    const direct = directChannels(info.outChannels) && (act === GEMM_ACTIVATION.linear || act === GEMM_ACTIVATION.relu);
    if (!direct && tooSmall(ctx, info.inChannels * info.outChannels, ctx.tuning.minConvChannelProduct)) {
      return delegate(ctx, args, 'few channels');
    }
    return runOnViews(ctx, args, info.outShape, [x, filter, fused && bias != null ? bias : null], ([xv, fv, bv], ov) =>
      ctx.addon.conv2d(xv!, fv!, ov, bv ?? null, act, attrs.leakyreluAlpha ?? 0.2, convGeometry(info)),
    );
  };
}

export const conv2dKernel = (ctx: KernelContext): tf.KernelFunc => conv2dLike(ctx, false);
export const fusedConv2dKernel = (ctx: KernelContext): tf.KernelFunc => conv2dLike(ctx, true);

export function conv2dBackpropInputKernel(ctx: KernelContext): tf.KernelFunc {
  return (args) => {
    const { dy, filter } = args.inputs as { dy?: tf.TensorInfo; filter?: tf.TensorInfo };
    const attrs = args.attrs as unknown as ConvAttrs;
    if (!isF32(dy) || !isF32(filter) || attrs.inputShape === undefined) return delegate(ctx, args, 'not float32');
    if ((attrs.dataFormat ?? 'NHWC') !== 'NHWC') return delegate(ctx, args, 'NCHW');
    const info = convInfo(attrs.inputShape, filter.shape, attrs);
    if (tooSmall(ctx, convFlops(info), ctx.tuning.minConvFlops)) return delegate(ctx, args, 'small');
    return runOnViews(ctx, args, info.inShape, [dy, filter], ([dyv, fv], ov) =>
      ctx.addon.conv2dBackpropInput(dyv!, fv!, ov, convGeometry(info)),
    );
  };
}

export function conv2dBackpropFilterKernel(ctx: KernelContext): tf.KernelFunc {
  return (args) => {
    const { x, dy } = args.inputs as { x?: tf.TensorInfo; dy?: tf.TensorInfo };
    const attrs = args.attrs as unknown as ConvAttrs;
    if (!isF32(x) || !isF32(dy) || attrs.filterShape === undefined) return delegate(ctx, args, 'not float32');
    if ((attrs.dataFormat ?? 'NHWC') !== 'NHWC') return delegate(ctx, args, 'NCHW');
    const info = convInfo(x.shape, attrs.filterShape, attrs);
    if (tooSmall(ctx, convFlops(info), ctx.tuning.minConvFlops)) return delegate(ctx, args, 'small');
    return runOnViews(ctx, args, info.filterShape, [x, dy], ([xv, dyv], ov) =>
      ctx.addon.conv2dBackpropFilter(xv!, dyv!, ov, convGeometry(info)),
    );
  };
}

/** The geometry of a MaxPool/MaxPoolGrad call (NHWC input of `shape`, the kernel's attributes). */
function poolInfo(shape: readonly number[], attributes: unknown): tf.backend_util.Conv2DInfo {
  const attrs = attributes as {
    filterSize: [number, number] | number;
    strides: [number, number] | number;
    pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  return tf.backend_util.computePool2DInfo(
    shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
}

export function maxPoolGradKernel(ctx: KernelContext): tf.KernelFunc {
  return (args) => {
    const { dy, input } = args.inputs as { dy?: tf.TensorInfo; input?: tf.TensorInfo };
    if (!isF32(dy) || !isF32(input) || input.shape.length !== 4) return delegate(ctx, args, 'not float32 NHWC');
    const info = poolInfo(input.shape, args.attrs);
    return runOnViews(ctx, args, input.shape.slice(), [dy, input], ([dyv, xv], ov) =>
      ctx.addon.maxPoolGrad(dyv!, xv!, ov, convGeometry(info)),
    );
  };
}

// ---- elementwise kernels, the bias-gradient reduction, max pooling --------------------------------------
// On wasm the stock binary ops broadcast with a scalar index loop and Sum over leading axes transposes first;
// a conv layer's bias add, ReLU, ReLU gradient and bias gradient are each a single pass here.

/** `b`'s repetition period when it broadcasts against `a` along leading axes only (0 when it does not). */
function trailingPeriod(a: readonly number[], b: readonly number[]): number {
  const size = tf.util.sizeFromShape(b as number[]);
  if (size === 1) return 1;
  // b's shape, leading ones dropped, must equal a trailing block of a's shape.
  let k = 0;
  while (k < b.length && b[k] === 1) k++;
  const tail = b.slice(k);
  if (tail.length > a.length) return 0;
  const at = a.slice(a.length - tail.length);
  return tail.every((d, i) => d === at[i]) ? size : 0;
}

const binaryOp: Readonly<Record<string, number>> = { [tf.Add]: 0, [tf.Sub]: 1, [tf.Multiply]: 2 };

export function binaryKernel(ctx: KernelContext): tf.KernelFunc {
  const op = binaryOp[ctx.kernelName]!;
  return (args) => {
    const { a, b } = args.inputs as { a?: tf.TensorInfo; b?: tf.TensorInfo };
    if (!isF32(a) || !isF32(b)) return delegate(ctx, args, 'not float32');
    const sa = tf.util.sizeFromShape(a.shape);
    const sb = tf.util.sizeFromShape(b.shape);
    // The larger operand gives the output shape; the other must repeat along its leading axes.
    const [big, small, bFirst] = sa >= sb ? [a, b, false] : [b, a, true];
    const period = trailingPeriod(big.shape, small.shape);
    if (period === 0 || (big.shape.length < small.shape.length && sa !== sb))
      return delegate(ctx, args, 'general broadcast');
    const outShape = big.shape.length >= small.shape.length ? big.shape.slice() : small.shape.slice();
    if (tf.util.sizeFromShape(outShape) < ctx.tuning.minElementwise && ctx.fallback !== undefined)
      return delegate(ctx, args, 'small');
    return runOnViews(ctx, args, outShape, [big, small], ([bv, sv], ov) =>
      ctx.addon.binary(bv!, sv!, ov, op, period, bFirst),
    );
  };
}

export function unaryKernel(ctx: KernelContext): tf.KernelFunc {
  const step = ctx.kernelName === tf.Step;
  return (args) => {
    const { x } = args.inputs as { x?: tf.TensorInfo };
    if (!isF32(x)) return delegate(ctx, args, 'not float32');
    if (tf.util.sizeFromShape(x.shape) < ctx.tuning.minElementwise && ctx.fallback !== undefined)
      return delegate(ctx, args, 'small');
    const alpha = step ? ((args.attrs as { alpha?: number }).alpha ?? 0) : 0;
    return runOnViews(ctx, args, x.shape.slice(), [x], ([xv], ov) => ctx.addon.unary(xv!, ov, step ? 1 : 0, alpha));
  };
}

export function sumKernel(ctx: KernelContext): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x?: tf.TensorInfo };
    const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims?: boolean };
    if (!isF32(x)) return delegate(ctx, args, 'not float32');
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
    // Leading axes 0..k−1 summed (k < rank): rows × cols with cols the kept trailing block; all axes: cols 1.
    const k = axes.length;
    if (rank === 0 || !axes.every((ax, i) => ax === i)) return delegate(ctx, args, 'not the leading axes');
    const size = tf.util.sizeFromShape(x.shape);
    if (size < ctx.tuning.minElementwise && ctx.fallback !== undefined) return delegate(ctx, args, 'small');
    const kept = x.shape.slice(k);
    const cols = tf.util.sizeFromShape(kept);
    const outShape = keepDims === true ? x.shape.map((d, i) => (i < k ? 1 : d)) : kept;
    if (cols === 0) return delegate(ctx, args, 'empty');
    return runOnViews(ctx, args, outShape, [x], ([xv], ov) => ctx.addon.sumRows(xv!, ov, size / cols, cols));
  };
}

export function maxPoolKernel(ctx: KernelContext): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x?: tf.TensorInfo };
    if (!isF32(x) || x.shape.length !== 4) return delegate(ctx, args, 'not float32 NHWC');
    if (tf.util.sizeFromShape(x.shape) < ctx.tuning.minElementwise && ctx.fallback !== undefined)
      return delegate(ctx, args, 'small');
    const info = poolInfo(x.shape, args.attrs);
    return runOnViews(ctx, args, info.outShape.slice(), [x], ([xv], ov) =>
      ctx.addon.maxPool(xv!, ov, convGeometry(info)),
    );
  };
}

/** The kernel of the Relu gradient that `registerNativeKernels` installs: dx = dy ⊙ 1[x > 0] in one pass. */
export const RELU_GRAD = 'SproutReluGrad';

export function reluGradKernel(ctx: KernelContext): tf.KernelFunc {
  return (args) => {
    const { dy, x } = args.inputs as { dy?: tf.TensorInfo; x?: tf.TensorInfo };
    if (!isF32(dy) || !isF32(x) || !tf.util.arraysEqual(dy.shape, x.shape)) {
      throw new Error('@sprout/native: SproutReluGrad takes float32 dy and x of one shape');
    }
    return runOnViews(ctx, args, x.shape.slice(), [dy, x], ([dv, xv], ov) => ctx.addon.reluGrad(dv!, xv!, ov));
  };
}
