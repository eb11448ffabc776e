import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { convSpectralNormSquared, matrixSpectralNormSquared } from '../src/index.js';
import { sigmaMaxSquaredDense } from './linalg.js';
import { testValues } from '../../../test-support/values.mjs';

/** Deterministic values in [−1, 1) (test-support/values.mjs). */
const values = testValues;

/**
 * The circular cross-correlation operator of a kernel [kh, kw, n, m] (centre tap at (⌊kh/2⌋, ⌊kw/2⌋)) on H×W
 * inputs as a dense (H·W·m)×(H·W·n) matrix: y[p, q, o] = Σ K[a, b, i, o] x[(p + a − ch) mod H, (q + b − cw) mod W, i].
 */
function operator(
  k: Float64Array,
  [kh, kw, n, m]: [number, number, number, number],
  H: number,
  W: number,
): Float64Array {
  const rows = H * W * m;
  const cols = H * W * n;
  const T = new Float64Array(rows * cols);
  const ch = Math.floor(kh / 2);
  const cw = Math.floor(kw / 2);
  for (let p = 0; p < H; p++)
    for (let q = 0; q < W; q++)
      for (let o = 0; o < m; o++)
        for (let a = 0; a < kh; a++)
          for (let b = 0; b < kw; b++)
            for (let i = 0; i < n; i++) {
              const pp = (((p + a - ch) % H) + H) % H;
              const qq = (((q + b - cw) % W) + W) % W;
              const at = ((p * W + q) * m + o) * cols + (pp * W + qq) * n + i;
              T[at] = T[at]! + k[((a * kw + b) * n + i) * m + o]!;
            }
  return T;
}

/** tfjs conv2d of x [1, H, W, n] with periodic padding by one on each side (3×3 kernels). */
const circularConv = (x: tf.Tensor4D, k: tf.Tensor4D): tf.Tensor4D =>
  tf.tidy(() => {
    const [, H, W] = x.shape;
    const rows = tf.concat([x.slice([0, H - 1, 0, 0], [-1, 1, -1, -1]), x, x.slice([0, 0, 0, 0], [-1, 1, -1, -1])], 1);
    const padded = tf.concat(
      [rows.slice([0, 0, W - 1, 0], [-1, -1, 1, -1]), rows, rows.slice([0, 0, 0, 0], [-1, -1, 1, -1])],
      2,
    );
    return tf.conv2d(padded as tf.Tensor4D, k, 1, 'valid');
  });

describe('spectral norm of the convolution operator (spatial FFT)', () => {
  const cases: [number, number, number, number, number][] = [
    // H, W, n (in), m (out), seed
    [4, 4, 2, 2, 1],
    [3, 5, 2, 3, 2],
    [5, 4, 3, 2, 3],
    [2, 2, 2, 2, 4], // kernel larger than the grid: taps wrap around
  ];
  for (const [H, W, n, m, seed] of cases) {
    it(`equals σ_max² of the dense circular operator (H=${H}, W=${W}, ${n}→${m} channels)`, () => {
      const shape: [number, number, number, number] = [3, 3, n, m];
      const k = values(9 * n * m, seed);
      const T = operator(k, shape, H, W);
      const brute = sigmaMaxSquaredDense(T, H * W * m, H * W * n);
      const fft = convSpectralNormSquared(k, [3, 3, n, m], [H, W]);
      expect(Math.abs(fft - brute) / brute).toBeLessThan(1e-9);
      // The dense operator is the one tfjs computes (periodic padding): T x = conv2d(x).
      if (H >= 2 && W >= 2) {
        const x = values(H * W * n, seed + 100);
        const y = new Float64Array(H * W * m);
        for (let r = 0; r < H * W * m; r++)
          for (let c = 0; c < H * W * n; c++) y[r] = y[r]! + T[r * H * W * n + c]! * x[c]!;
        const yt = tf.tidy(() =>
          circularConv(
            tf.tensor4d(Float32Array.from(x), [1, H, W, n]),
            tf.tensor4d(Float32Array.from(k), [3, 3, n, m]),
          ).dataSync(),
        );
        for (let r = 0; r < y.length; r++) expect(yt[r]).toBeCloseTo(y[r]!, 4);
      }
    });
  }

  it('differs from the reference code’s channel-axis FFT (the defect not to copy)', () => {
    // The reference computes np.fft.fft2(K, (H, W), axes=[0, 1]) on a torch kernel [out, in, kh, kw], i.e. a
    // DFT over the two CHANNEL axes zero-padded to H×W, and takes the largest singular value of the kh×kw
    // matrices. Rebuilt here for comparison: it is not the operator norm the dense operator has.
    const [H, W, n, m] = [4, 4, 2, 3];
    const k = values(9 * n * m, 21); // tfjs layout [kh, kw, in, out]
    const brute = sigmaMaxSquaredDense(operator(k, [3, 3, n, m], H, W), H * W * m, H * W * n);
    let channelAxis = 0;
    for (let p = 0; p < H; p++)
      for (let q = 0; q < W; q++) {
        // 3×3 complex matrix B[a][b] = Σ_{o<m, i<n} K[a, b, i, o] e^{−2πi(p o / H + q i / W)}, as a real 6×6 embedding.
        const emb = new Float64Array(36);
        for (let a = 0; a < 3; a++)
          for (let b = 0; b < 3; b++) {
            let re = 0;
            let im = 0;
            for (let o = 0; o < m; o++)
              for (let i = 0; i < n; i++) {
                const phase = -2 * Math.PI * ((p * o) / H + (q * i) / W);
                const v = k[((a * 3 + b) * n + i) * m + o]!;
                re += v * Math.cos(phase);
                im += v * Math.sin(phase);
              }
            emb[a * 6 + b] = re;
            emb[a * 6 + b + 3] = -im;
            emb[(a + 3) * 6 + b] = im;
            emb[(a + 3) * 6 + b + 3] = re;
          }
        channelAxis = Math.max(channelAxis, sigmaMaxSquaredDense(emb, 6, 6));
      }
    const spatial = convSpectralNormSquared(k, [3, 3, n, m], [H, W]);
    expect(Math.abs(spatial - brute) / brute).toBeLessThan(1e-9);
    expect(Math.abs(channelAxis - brute) / brute).toBeGreaterThan(0.05);
  });

  it('identity-centre kernel: every frequency matrix is unitary, so the norm is 1 (‖K‖_F² = m)', () => {
    const m = 3;
    const k = new Float64Array(9 * m * m);
    for (let i = 0; i < m; i++) k[(4 * m + i) * m + i] = 1;
    expect(convSpectralNormSquared(k, [3, 3, m, m], [4, 4])).toBeCloseTo(1, 12);
  });

  it('dense: the matrix 2-norm', () => {
    const g = values(5 * 3, 9); // tfjs kernel [in 5, out 3]
    const brute = sigmaMaxSquaredDense(Float64Array.from(g), 5, 3);
    expect(Math.abs(matrixSpectralNormSquared(g, [5, 3]) - brute) / brute).toBeLessThan(1e-10);
    // Rank one: σ_max² = ‖u‖²‖v‖².
    const u = [1, 2, 3];
    const v = [0.5, -1];
    const r1 = u.flatMap((a) => v.map((b) => a * b));
    expect(matrixSpectralNormSquared(r1, [3, 2])).toBeCloseTo(14 * 1.25, 10);
    expect(matrixSpectralNormSquared(new Float64Array(6), [3, 2])).toBe(0);
  });
});
