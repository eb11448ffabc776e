/**
 * Spectral norms of weight gradients, in float64 JavaScript (ALGORITHMS.md §3, "spectral").
 *
 * Convolution: a k_h×k_w kernel with n input and m output channels acting on H×W inputs with periodic
 * (circular) boundaries is block-diagonalised by the 2-D DFT over the SPATIAL axes (Sedghi, Gupta & Long,
 * "The Singular Values of Convolutional Layers", arXiv 1805.10408): for each spatial frequency (u, v) the
 * operator acts on the channel vector by the m×n complex matrix
 *     A(u, v)[o, i] = Σ_{a,b} K[a, b, i, o] · exp(−2πi (u a / H + v b / W)),
 * the 2-D DFT of the kernel zero-padded to H×W (taps beyond H or W wrap around). The operator norm is
 *     ‖K‖_op = max_{u,v} σ_max(A(u, v)).
 * This is NOT the SensLI reference code's FFT over the channel axes (a defect ALGORITHMS.md §3 says not to
 * copy). Sign convention, tap offset and cross-correlation vs convolution change A(u, v) only by a unit
 * phase or complex conjugation, so the singular values are the same. For a real kernel A(−u, −v) is the
 * conjugate of A(u, v), so half of the frequencies suffice. Zero padding ('same') instead of periodic
 * boundaries gives a different operator (a compression of the periodic one on a grid larger by the kernel
 * size); both norms are bounded by the supremum of σ_max over continuous frequencies. Sprout uses the
 * periodic operator at the layer's input resolution, the standard closed form.
 *
 * σ_max(A) is found by power iteration on AᴴA from a fixed start vector until the Rayleigh quotient
 * ‖A x‖²/‖x‖² (which increases to σ_max²) changes by less than `tolerance` relatively. Frequencies are visited
 * by decreasing ‖A(u, v)‖_F² ≥ σ_max², and the rest are skipped once that bound falls below the best value
 * found (exact). Cost on one core (measured): 3×3 kernels 64→64 at 32×32 about 1.2 s, 256→256 at 8×8 about
 * 3 s, 8→8 at 28×28 about 10 ms.
 */

export interface SpectralOptions {
  /** Relative change of the Rayleigh quotient that ends the power iteration. @default 1e-13 */
  readonly tolerance?: number;
  /** Iteration cap per frequency. @default 5000 */
  readonly maxIterations?: number;
}

/** Fixed pseudo-random start vector (a start orthogonal to the top singular vector is then improbable). */
const start = (n: number): Float64Array => {
  const v = new Float64Array(n);
  let s = 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    v[i] = (s / 4294967296) * 2 - 1 + 0.1;
  }
  return v;
};

/**
 * σ_max² of the complex m×n matrix `re + i·im` (row-major, [o * n + i]) by power iteration on AᴴA.
 */
function sigmaMaxSquared(re: Float64Array, im: Float64Array, m: number, n: number, options: SpectralOptions): number {
  const tol = options.tolerance ?? 1e-13;
  const maxIt = options.maxIterations ?? 5000;
  const complex = im.some((v) => v !== 0);
  const xr = start(n);
  const xi = complex ? start(n).reverse() : new Float64Array(n);
  const yr = new Float64Array(m);
  const yi = new Float64Array(m);
  let lambda = 0;
  for (let it = 0; it < maxIt; it++) {
    let xx = 0;
    for (let i = 0; i < n; i++) xx += xr[i]! * xr[i]! + xi[i]! * xi[i]!;
    if (xx === 0) return 0;
    // y = A x
    let yy = 0;
    for (let o = 0; o < m; o++) {
      let sr = 0;
      let si = 0;
      const row = o * n;
      for (let i = 0; i < n; i++) {
        const ar = re[row + i]!;
        const ai = im[row + i]!;
        sr += ar * xr[i]! - ai * xi[i]!;
        si += ar * xi[i]! + ai * xr[i]!;
      }
      yr[o] = sr;
      yi[o] = si;
      yy += sr * sr + si * si;
    }
    const next = yy / xx;
    // x ← Aᴴ y / ‖Aᴴ y‖
    xr.fill(0);
    xi.fill(0);
    for (let o = 0; o < m; o++) {
      const row = o * n;
      const a = yr[o]!;
      const b = yi[o]!;
      for (let i = 0; i < n; i++) {
        const ar = re[row + i]!;
        const ai = im[row + i]!;
        xr[i] = xr[i]! + ar * a + ai * b;
        xi[i] = xi[i]! + ar * b - ai * a;
      }
    }
    let z = 0;
    for (let i = 0; i < n; i++) z += xr[i]! * xr[i]! + xi[i]! * xi[i]!;
    const scale = z > 0 ? 1 / Math.sqrt(z) : 0;
    for (let i = 0; i < n; i++) {
      xr[i] = xr[i]! * scale;
      xi[i] = xi[i]! * scale;
    }
    if (next === 0) return 0;
    if (Math.abs(next - lambda) <= tol * next) return next;
    lambda = next;
  }
  return lambda;
}

/**
 * σ_max(K)² of the circular convolution operator of `kernel` (tfjs layout [k_h, k_w, n, m], row-major) on
 * H×W inputs: max over the spatial frequencies of the squared largest singular value of the kernel's DFT
 * (see the module comment).
 */
export function convSpectralNormSquared(
  kernel: ArrayLike<number>,
  shape: readonly [number, number, number, number],
  resolution: readonly [number, number],
  options: SpectralOptions = {},
): number {
  const [kh, kw, n, m] = shape;
  const [H, W] = resolution;
  if (kernel.length !== kh * kw * n * m)
    throw new Error(`convSpectralNormSquared: kernel has ${kernel.length} values, shape needs ${kh * kw * n * m}`);
  const re = new Float64Array(m * n);
  const im = new Float64Array(m * n);
  /** A(u, v) into re, im; returns ‖A(u, v)‖_F², an upper bound of σ_max². */
  const build = (u: number, v: number): number => {
    re.fill(0);
    im.fill(0);
    for (let a = 0; a < kh; a++) {
      for (let b = 0; b < kw; b++) {
        const phase = -2 * Math.PI * ((u * a) / H + (v * b) / W);
        const c = Math.cos(phase);
        const s = Math.sin(phase);
        const tap = (a * kw + b) * n * m;
        for (let i = 0; i < n; i++) {
          for (let o = 0; o < m; o++) {
            const k = kernel[tap + i * m + o]!;
            re[o * n + i] = re[o * n + i]! + k * c;
            im[o * n + i] = im[o * n + i]! + k * s;
          }
        }
      }
    }
    let f = 0;
    for (let i = 0; i < m * n; i++) f += re[i]! * re[i]! + im[i]! * im[i]!;
    return f;
  };
  // Frequencies by decreasing Frobenius bound; a frequency whose bound does not exceed the best σ_max² so far
  // cannot hold the maximum and is skipped (exact pruning).
  const freqs: { u: number; v: number; bound: number }[] = [];
  for (let u = 0; u < H; u++) for (let v = 0; v <= Math.floor(W / 2); v++) freqs.push({ u, v, bound: build(u, v) });
  freqs.sort((a, b) => b.bound - a.bound);
  let best = 0;
  for (const f of freqs) {
    if (f.bound <= best) break;
    build(f.u, f.v);
    const s2 = sigmaMaxSquared(re, im, m, n, options);
    if (s2 > best) best = s2;
  }
  return best;
}

/** σ_max(G)² of a real matrix stored as a tfjs dense kernel [n, m] (in×out): the squared matrix 2-norm. */
export function matrixSpectralNormSquared(
  kernel: ArrayLike<number>,
  shape: readonly [number, number],
  options: SpectralOptions = {},
): number {
  return convSpectralNormSquared(kernel, [1, 1, shape[0], shape[1]], [1, 1], options);
}
