// The two CNN norms of the papers' protocol: the zero-padded operator actually inserted (`spectral_same`)
// and the reference code's `op22` quantity (`op22_reference`), each against an independent computation.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  convSameSpectralNormSquared,
  convSpectralNormSquared,
  gradientScore,
  op22ReferenceSquared,
} from '../src/index.js';
import { sigmaMaxSquaredDense } from './linalg.js';
import { testValues as values } from '../../../test-support/values.mjs';

type Shape4 = [number, number, number, number];

/**
 * The zero-padded 'same' cross-correlation of a kernel [kh, kw, n, m] on H×W inputs as a dense
 * (H·W·m)×(H·W·n) matrix, with TensorFlow's offsets: ⌊(k−1)/2⌋ padding before, the rest after.
 */
function sameOperator(k: ArrayLike<number>, [kh, kw, n, m]: Shape4, H: number, W: number): Float64Array {
  const cols = H * W * n;
  const T = new Float64Array(H * W * m * cols);
  const top = Math.floor((kh - 1) / 2);
  const left = Math.floor((kw - 1) / 2);
  for (let p = 0; p < H; p++)
    for (let q = 0; q < W; q++)
      for (let o = 0; o < m; o++)
        for (let a = 0; a < kh; a++)
          for (let b = 0; b < kw; b++) {
            const pp = p + a - top;
            const qq = q + b - left;
            if (pp < 0 || pp >= H || qq < 0 || qq >= W) continue;
            for (let i = 0; i < n; i++) {
              const at = ((p * W + q) * m + o) * cols + (pp * W + qq) * n + i;
              T[at] = T[at]! + k[((a * kw + b) * n + i) * m + o]!;
            }
          }
  return T;
}

describe('spectral_same: the norm of the zero-padded convolution SensLI inserts', () => {
  const cases: [number, number, Shape4, number][] = [
    // H, W, kernel shape, seed
    [4, 4, [3, 3, 2, 2], 1],
    [3, 5, [3, 3, 2, 3], 2],
    [5, 4, [3, 3, 3, 2], 3],
    [4, 3, [2, 2, 2, 2], 4], // an even kernel: one row/column of padding after, none before
    [2, 2, [3, 3, 2, 2], 5], // kernel larger than the grid
  ];
  for (const [H, W, shape, seed] of cases) {
    it(`equals σ_max² of the dense operator, which is tfjs conv2d 'same' (H=${H}, W=${W}, kernel ${shape.join('×')})`, () => {
      const [, , n, m] = shape;
      const k = values(
        shape.reduce((a, b) => a * b, 1),
        seed,
      );
      const T = sameOperator(k, shape, H, W);
      // The dense matrix is the operator tfjs applies: T x = conv2d(x, K, 1, 'same').
      const x = values(H * W * n, seed + 50);
      const y = tf.tidy(() =>
        tf
          .conv2d(tf.tensor4d(Float32Array.from(x), [1, H, W, n]), tf.tensor4d(Float32Array.from(k), shape), 1, 'same')
          .dataSync(),
      );
      for (let r = 0; r < H * W * m; r++) {
        let s = 0;
        for (let c = 0; c < H * W * n; c++) s += T[r * H * W * n + c]! * x[c]!;
        expect(y[r]).toBeCloseTo(s, 4);
      }
      const brute = sigmaMaxSquaredDense(T, H * W * m, H * W * n);
      const power = convSameSpectralNormSquared(k, shape, [H, W]);
      expect(Math.abs(power - brute) / brute).toBeLessThan(1e-8);
    });
  }

  it('is not the periodic norm: at 4×4 the two differ', () => {
    const shape: Shape4 = [3, 3, 3, 3];
    const k = values(81, 11);
    const same = convSameSpectralNormSquared(k, shape, [4, 4]);
    const periodic = convSpectralNormSquared(k, shape, [4, 4]);
    expect(Math.abs(same - periodic) / periodic).toBeGreaterThan(0.02);
  });

  it('gradientScore: spectral_same of a conv gradient at its input resolution; the matrix norm for dense', () => {
    const k = values(3 * 3 * 2 * 2, 7);
    const g = {
      name: '1.kernel',
      kind: 'conv' as const,
      shape: [3, 3, 2, 2],
      inputShape: [4, 4, 2],
      values: Float32Array.from(k),
    };
    const score = gradientScore({ _tag: 'spectral_same' }, g);
    expect(E.isRight(score) && score.right).toBeCloseTo(
      convSameSpectralNormSquared(Float32Array.from(k), [3, 3, 2, 2], [4, 4]),
      10,
    );
    const d = values(6, 8);
    const dense = gradientScore(
      { _tag: 'spectral_same' },
      { name: '0.kernel', kind: 'dense', shape: [3, 2], inputShape: [3], values: Float32Array.from(d) },
    );
    expect(E.isRight(dense) && dense.right).toBeCloseTo(
      sigmaMaxSquaredDense(Float64Array.from(Float32Array.from(d)), 3, 2),
      8,
    );
  });
});

describe("op22_reference: the reference code's op22, bug for bug", () => {
  const fixture = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'op22-reference.json'), 'utf8')) as {
    cases: { shape: Shape4; stride: number; padding: number; kernel: number[]; op22: number }[];
  };

  it('equals the values numpy computes with the reference formula (tools/peer/op22_values.py)', () => {
    expect(fixture.cases.length).toBeGreaterThanOrEqual(5);
    for (const c of fixture.cases) {
      const got = op22ReferenceSquared(c.kernel, c.shape, { stride: c.stride, padding: c.padding });
      expect(Math.abs(got - c.op22) / c.op22).toBeLessThan(1e-9);
    }
  });

  it('sees only the first k×k channels: zeroing every channel from index 3 leaves a 3×3 same kernel’s score unchanged', () => {
    const shape: Shape4 = [3, 3, 8, 8];
    const k = Float64Array.from(values(9 * 64, 3));
    const cut = Float64Array.from(k);
    for (let a = 0; a < 9; a++)
      for (let i = 0; i < 8; i++) for (let o = 0; o < 8; o++) if (i >= 3 || o >= 3) cut[(a * 8 + i) * 8 + o] = 0;
    const full = op22ReferenceSquared(k, shape);
    expect(op22ReferenceSquared(cut, shape)).toBeCloseTo(full, 10);
    // …while a change inside the first 3×3 channels changes it.
    const inside = Float64Array.from(k);
    inside[(4 * 8 + 1) * 8 + 2] = inside[(4 * 8 + 1) * 8 + 2]! + 1;
    expect(Math.abs(op22ReferenceSquared(inside, shape) - full)).toBeGreaterThan(1e-3);
    // The operator norm of the layer sees every channel.
    expect(
      Math.abs(convSameSpectralNormSquared(cut, shape, [4, 4]) - convSameSpectralNormSquared(k, shape, [4, 4])),
    ).toBeGreaterThan(1e-3);
  });

  it('gradientScore refuses a dense weight, naming it', () => {
    const r = gradientScore(
      { _tag: 'op22_reference' },
      { name: '0.kernel', kind: 'dense', shape: [2, 2], inputShape: [2], values: new Float32Array(4) },
    );
    expect(E.isLeft(r) && r.left.message).toMatch(
      /^op22_reference is the reference's score of conv kernels; 0\.kernel is a dense weight/,
    );
  });
});
