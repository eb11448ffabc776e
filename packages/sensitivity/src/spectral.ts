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

/**
 * σ_max(K)² of the ZERO-PADDED ('same', stride 1) convolution operator of `kernel` (tfjs layout
 * [k_h, k_w, n, m]) on H×W inputs: the operator of the conv layer SensLI actually inserts, whose norm differs
 * from the periodic one above (by up to 62 % at 4×4 for 3×3 kernels). No closed form exists, so power
 * iteration on KᵀK, with K applied as the convolution (TensorFlow's 'same' offsets: ⌊(k−1)/2⌋ rows/columns
 * before, the rest after) and Kᵀ as its adjoint, until the Rayleigh quotient ‖Kx‖²/‖x‖² changes by less than
 * `tolerance` relatively. Cost per iteration: 2·H·W·k_h·k_w·n·m multiply-adds.
 */
export function convSameSpectralNormSquared(
  kernel: ArrayLike<number>,
  shape: readonly [number, number, number, number],
  resolution: readonly [number, number],
  options: SpectralOptions = {},
): number {
  const [kh, kw, n, m] = shape;
  const [H, W] = resolution;
  if (kernel.length !== kh * kw * n * m)
    throw new Error(`convSameSpectralNormSquared: kernel has ${kernel.length} values, shape needs ${kh * kw * n * m}`);
  const tol = options.tolerance ?? 1e-12;
  const maxIt = options.maxIterations ?? 5000;
  const top = Math.floor((kh - 1) / 2);
  const left = Math.floor((kw - 1) / 2);
  const K = Float64Array.from(kernel);
  const x = start(H * W * n);
  const y = new Float64Array(H * W * m);
  /** y = K x: y[h, w, o] = Σ_{a, b, i} x[h + a − top, w + b − left, i] · K[a, b, i, o], zero outside. */
  const forward = (): void => {
    y.fill(0);
    for (let h = 0; h < H; h++) {
      for (let w = 0; w < W; w++) {
        const out = (h * W + w) * m;
        for (let a = 0; a < kh; a++) {
          const p = h + a - top;
          if (p < 0 || p >= H) continue;
          for (let b = 0; b < kw; b++) {
            const q = w + b - left;
            if (q < 0 || q >= W) continue;
            const inp = (p * W + q) * n;
            const tap = (a * kw + b) * n * m;
            for (let i = 0; i < n; i++) {
              const xv = x[inp + i]!;
              if (xv === 0) continue;
              const row = tap + i * m;
              for (let o = 0; o < m; o++) y[out + o] = y[out + o]! + xv * K[row + o]!;
            }
          }
        }
      }
    }
  };
  /** x = Kᵀ y: the same sums with the roles of x and y exchanged. */
  const adjoint = (): void => {
    x.fill(0);
    for (let h = 0; h < H; h++) {
      for (let w = 0; w < W; w++) {
        const out = (h * W + w) * m;
        for (let a = 0; a < kh; a++) {
          const p = h + a - top;
          if (p < 0 || p >= H) continue;
          for (let b = 0; b < kw; b++) {
            const q = w + b - left;
            if (q < 0 || q >= W) continue;
            const inp = (p * W + q) * n;
            const tap = (a * kw + b) * n * m;
            for (let i = 0; i < n; i++) {
              const row = tap + i * m;
              let s = 0;
              for (let o = 0; o < m; o++) s += y[out + o]! * K[row + o]!;
              x[inp + i] = x[inp + i]! + s;
            }
          }
        }
      }
    }
  };
  const sq = (v: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
    return s;
  };
  let lambda = 0;
  for (let it = 0; it < maxIt; it++) {
    const xx = sq(x);
    if (xx === 0) return 0;
    forward();
    const next = sq(y) / xx;
    if (next === 0) return 0;
    adjoint();
    const z = Math.sqrt(sq(x));
    if (z === 0) return next;
    for (let i = 0; i < x.length; i++) x[i] = x[i]! / z;
    if (Math.abs(next - lambda) <= tol * next) return next;
    lambda = next;
  }
  return lambda;
}

/**
 * The SensLI reference's `op22` score, reproduced BUG FOR BUG (sensitivity-based-LI-for-cnns/code/utils.py
 * `max_sing_value`, squared in model_selection_oo.py `_layer_metric`): with the gradient in PyTorch layout
 * G[o, i, a, b] (out, in, k_h, k_w), the reference takes `np.fft.fft2(G, s, axes=[0, 1])`, a 2-D DFT over the
 * two CHANNEL axes, cropped or zero-padded to s×s, where s = (k−1)·stride − 2·padding + k is meant to be the
 * input size but is computed from the kernel (3 for a 3×3 'same' kernel: torch padding 1, stride 1). Then
 * the largest singular value of the k_h×k_w matrices T[u, v, :, :] over all (u, v), squared:
 *     T[u, v, a, b] = Σ_{o<min(s,out)} Σ_{i<min(s,in)} G[o, i, a, b] · exp(−2πi (u·o + v·i)/s).
 * So only the first s output and s input channels count (a 64×64×3×3 gradient scores the same with every
 * channel from index 3 zeroed). It is not an operator norm of the layer: use it only to reproduce the
 * reference's decisions; `spectral_same` is the norm of the inserted layer.
 */
export function op22ReferenceSquared(
  kernel: ArrayLike<number>,
  shape: readonly [number, number, number, number],
  conv: { readonly stride: number; readonly padding: number } = { stride: 1, padding: Math.floor((shape[0] - 1) / 2) },
): number {
  const [kh, kw, n, m] = shape;
  if (kernel.length !== kh * kw * n * m)
    throw new Error(`op22ReferenceSquared: kernel has ${kernel.length} values, shape needs ${kh * kw * n * m}`);
  const s = (kh - 1) * conv.stride - 2 * conv.padding + kh;
  if (s < 1) return 0;
  const re = new Float64Array(kh * kw);
  const im = new Float64Array(kh * kw);
  let best = 0;
  for (let u = 0; u < s; u++) {
    for (let v = 0; v < s; v++) {
      re.fill(0);
      im.fill(0);
      for (let o = 0; o < Math.min(s, m); o++) {
        for (let i = 0; i < Math.min(s, n); i++) {
          const phase = (-2 * Math.PI * (u * o + v * i)) / s;
          const c = Math.cos(phase);
          const sn = Math.sin(phase);
          for (let a = 0; a < kh; a++) {
            for (let b = 0; b < kw; b++) {
              // tfjs [a, b, i, o] is torch [o, i, a, b].
              const g = kernel[((a * kw + b) * n + i) * m + o]!;
              re[a * kw + b] = re[a * kw + b]! + g * c;
              im[a * kw + b] = im[a * kw + b]! + g * sn;
            }
          }
        }
      }
      const s2 = sigmaMaxSquared(re, im, kh, kw, {});
      if (s2 > best) best = s2;
    }
  }
  return best;
}
