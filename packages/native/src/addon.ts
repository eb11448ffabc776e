// Loading the optional N-API addon (build/Release/sprout_native.node, built at install by
// scripts/install.cjs against OpenBLAS). Loading never throws: it yields the addon or the reason it is
// unavailable (not built, disabled, failed to load), memoised for the process.
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';

/** The addon interface version these bindings expect (native/addon.cc `kAddonAbi`). */
export const ADDON_ABI = 5;

/** The epilogue codes of `NativeAddon.gemm` (native/kernels.h `Activation`). */
export const GEMM_ACTIVATION = { linear: 0, relu: 1, relu6: 2, elu: 3, leakyrelu: 4, sigmoid: 5, tanh: 6 } as const;

/** The addon's raw entry points (native/*.cc, registered in native/addon.cc). All work in place on Float32Arrays. */
export interface NativeAddon {
  /** The interface version it was built with (absent before version 2). */
  readonly abi?: number;
  /**
   * For i < batch: C_i = act(op(A_i)·op(B_i) + bias), C_i row-major M×N, op(A_i) M×K, op(B_i) K×N,
   * X_i = X + i·strideX (stride 0 broadcasts). act: a `GEMM_ACTIVATION` code (leakyrelu's slope is
   * alpha).
   */
  gemm(
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    m: number,
    n: number,
    k: number,
    transposeA: boolean,
    transposeB: boolean,
    batch: number,
    strideA: number,
    strideB: number,
    strideC: number,
    bias: Float32Array | null,
    activation: number,
    alpha: number,
  ): void;
  /** NHWC conv: out = act(im2col(x)·filter + bias). geometry: see `convGeometry`. */
  conv2d(
    x: Float32Array,
    filter: Float32Array,
    out: Float32Array,
    bias: Float32Array | null,
    activation: number,
    alpha: number,
    geometry: Int32Array,
  ): void;
  /** dx = col2im(dy·filterᵀ). */
  conv2dBackpropInput(dy: Float32Array, filter: Float32Array, dx: Float32Array, geometry: Int32Array): void;
  /** dfilter = im2col(x)ᵀ·dy. */
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dfilter: Float32Array, geometry: Int32Array): void;
  /** dx[first argmax of each pooling window] += dy (tfjs cpu semantics). */
  maxPoolGrad(dy: Float32Array, x: Float32Array, dx: Float32Array, geometry: Int32Array): void;
  /** out[c…] = max over each pooling window (padding excluded), NHWC; geometry as for convolutions with Cin = Cout. */
  maxPool(x: Float32Array, out: Float32Array, geometry: Int32Array): void;
  /**
   * out[i] = a[i] op b[i mod period] (bFirst false) or b[i mod period] op a[i] (bFirst true); op 0 add, 1 sub,
   * 2 mul; n = out.length; period divides n (n: same shape, 1: scalar, C: a per-channel vector).
   */
  binary(a: Float32Array, b: Float32Array, out: Float32Array, op: number, period: number, bFirst: boolean): void;
  /** out = relu(x) (op 0) or step(x) with `alpha` below 0 (op 1), NaN kept. */
  unary(x: Float32Array, out: Float32Array, op: number, alpha: number): void;
  /** dx = dy ⊙ 1[y > 0]. */
  reluGrad(dy: Float32Array, y: Float32Array, dx: Float32Array): void;
  /** out[c] = Σ_r x[r, c] over a row-major rows × cols block (double accumulators). */
  sumRows(x: Float32Array, out: Float32Array, rows: number, cols: number): void;
  /** acc[i] += x[i] for i < acc.length, in double (x float32, at least as long): running sums over batches. */
  accumulate(acc: Float64Array, x: Float32Array): void;
  /**
   * One optimizer step on `theta` in place, bit for bit the JavaScript loops of @sprout/step-size's
   * `hostUpdate` (double arithmetic, one float32 rounding per stored value): `kind` 0 SGD, 1 momentum
   * (s1 = velocity, h1 = β), 2 Adam (s1 = m, s2 = v, h1 = β₁, h2 = β₂, h3 = ε, h4 = 1 − β₁ᵗ, h5 = 1 − β₂ᵗ).
   */
  update(
    kind: number,
    theta: Float32Array,
    g: Float32Array,
    s1: Float32Array | null,
    s2: Float32Array | null,
    lr: number,
    h1: number,
    h2: number,
    h3: number,
    h4: number,
    h5: number,
  ): void;
  /** Threads of OpenBLAS and of the addon's own loops (one count for both). */
  setNumThreads(n: number): void;
  getNumThreads(): number;
  /** OpenBLAS build configuration and the kernel core it chose. */
  getConfig(): string;
  /** Use the direct convolution loops where they apply (default true; false: im2col + sgemm everywhere), with 16-lane vectors where built for AVX-512 (`wide`, default true). */
  setDirectConv(on: boolean, wide?: boolean): void;
}

export type AddonLoad =
  | { readonly ok: true; readonly addon: NativeAddon; readonly path: string }
  | { readonly ok: false; readonly reason: string };

const packageRoot = fileURLToPath(new URL('../', import.meta.url));
const addonPath = join(packageRoot, 'build', 'Release', 'sprout_native.node');
const markerPath = join(packageRoot, 'build', 'NATIVE_UNAVAILABLE.txt');

let cached: AddonLoad | undefined;

/**
 * OpenBLAS 0.3.21 (Debian 12) does not know CPUs newer than Cooper Lake and then falls back to its
 * generic Prescott kernels. Unless the user chose a core, name the best one the CPU flags allow; the
 * variable is read once when libopenblas loads, so it must be set before the addon is required.
 */
function chooseOpenBlasCore(): boolean {
  if (process.env['OPENBLAS_CORETYPE'] !== undefined || process.arch !== 'x64') return false;
  let flags: Set<string>;
  try {
    const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
    const line = cpuinfo.split('\n').find((l) => l.startsWith('flags'));
    if (line === undefined) return false;
    flags = new Set(line.split(':')[1]?.trim().split(/\s+/) ?? []);
  } catch {
    return false;
  }
  if (flags.has('avx512f') && flags.has('avx512bw') && flags.has('avx512vl') && flags.has('avx512dq')) {
    process.env['OPENBLAS_CORETYPE'] = 'SkylakeX';
    return true;
  }
  if (flags.has('avx2') && flags.has('fma')) {
    process.env['OPENBLAS_CORETYPE'] = 'Haswell';
    return true;
  }
  return false;
}

/** Upper bound of a thread count (the addon's pool and the MAX_THREADS of Debian's OpenBLAS build). */
export const MAX_NATIVE_THREADS = 64;

/**
 * The native kernels' thread count when none is chosen: SPROUT_NATIVE_THREADS when it is an integer ≥ 1,
 * else the number of cores the process may use; at most MAX_NATIVE_THREADS.
 */
export function defaultNativeThreads(): number {
  const env = Number(process.env['SPROUT_NATIVE_THREADS']);
  return Math.min(MAX_NATIVE_THREADS, Math.max(1, Number.isInteger(env) && env >= 1 ? env : availableParallelism()));
}

/** Loads the addon once; `SPROUT_NATIVE=0` disables it. */
export function loadAddon(): AddonLoad {
  if (cached !== undefined) return cached;
  cached = tryLoad();
  return cached;
}

function tryLoad(): AddonLoad {
  if (process.env['SPROUT_NATIVE'] === '0') return { ok: false, reason: 'disabled by SPROUT_NATIVE=0' };
  if (!existsSync(addonPath)) {
    const why = existsSync(markerPath) ? readFileSync(markerPath, 'utf8').trim() : 'the addon was not built';
    return { ok: false, reason: why };
  }
  const setCore = chooseOpenBlasCore();
  try {
    const require = createRequire(import.meta.url);
    const addon = require(addonPath) as NativeAddon;
    // OpenBLAS has read the variable while loading; do not leak it to child processes (e.g. a PyTorch
    // peer started by a benchmark would otherwise run with a different BLAS core than on its own).
    if (setCore) delete process.env['OPENBLAS_CORETYPE'];
    if (typeof addon.gemm !== 'function') return { ok: false, reason: `${addonPath} is not Sprout's addon` };
    if (addon.abi !== ADDON_ABI)
      return { ok: false, reason: `${addonPath} was built from older sources (npm rebuild @sprout/native)` };
    // Every core unless told otherwise (OpenBLAS's own default would be the same; the addon's loops would
    // start with one).
    addon.setNumThreads(defaultNativeThreads());
    return { ok: true, addon, path: addonPath };
  } catch (e) {
    return { ok: false, reason: `failed to load ${addonPath}: ${e instanceof Error ? e.message : String(e)}` };
  }
}
