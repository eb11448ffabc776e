// Closed forms of ALGORITHMS.md §1 on the reference instance: scaled and width-scaled identities,
// the data-based Riesz map against explicit inverses, the rank-one per-example norm against brute
// force, biases, and the error values.
import fc from 'fast-check';
import type { Metric } from '@sprout/spec';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import {
  biasSpace,
  EUCLIDEAN,
  frobeniusSpaceFor,
  gramMatrix,
  matFromRows,
  matmul,
  perExampleBiasNorms2,
  perExampleNorms2,
  secondMoment,
  transpose,
  updateMoment,
  type Mat,
} from '../src/index.js';
import { choleskyInverse, cholesky, choleskySolve } from '../src/linalg.js';
import { caseArb, close, matArb } from './arbitraries.js';

const right = <A>(e: E.Either<{ message: string }, A>): A => {
  if (E.isLeft(e)) throw new Error(e.left.message);
  return e.right;
};
const maxAbsDiff = (a: Mat, b: Mat): number => Math.max(...a.data.map((v, i) => Math.abs(v - b.data[i]!)));

describe('closed forms', () => {
  const g = matFromRows([
    [1, -2, 0.5],
    [3, 0.25, -1],
  ]); // m = 2, n = 3

  it('euclidean: R = G and ‖R‖² = ‖G‖_F²', () => {
    const s = right(frobeniusSpaceFor(EUCLIDEAN, { n: 3, m: 2 }));
    expect(maxAbsDiff(s.riesz(g), g)).toBe(0);
    expect(s.dualNorm2(g)).toBeCloseTo(1 + 4 + 0.25 + 9 + 0.0625 + 1, 12);
  });

  it('scaled identities: R = (c_X / c_Y) G', () => {
    const metric: Metric = {
      _tag: 'frobenius',
      domain: { _tag: 'scaled', c: 3 },
      codomain: { _tag: 'scaled', c: 0.5 },
    };
    const s = right(frobeniusSpaceFor(metric, { n: 3, m: 2 }));
    const r = s.riesz(g);
    g.data.forEach((v, i) => expect(r.data[i]).toBeCloseTo(6 * v, 12));
  });

  it('width-scaled: M_X = I/n, M_Y = I/m, so R = (m / n) G', () => {
    const metric: Metric = { _tag: 'frobenius', domain: { _tag: 'width' }, codomain: { _tag: 'width' } };
    const s = right(frobeniusSpaceFor(metric, { n: 3, m: 2 }));
    const r = s.riesz(g);
    g.data.forEach((v, i) => expect(r.data[i]).toBeCloseTo((2 / 3) * v, 12));
  });

  it('dense data Grams: R = (E[δδᵀ] + εI)⁻¹ G (E[xxᵀ] + εI)⁻¹ with explicit inverses', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }).chain((n) =>
          fc.integer({ min: 1, max: 4 }).chain((m) =>
            fc.record({
              x: matArb(5, n),
              d: matArb(5, m),
              g: matArb(m, n),
              eps: fc.double({ min: 0.01, max: 1, noNaN: true }),
            }),
          ),
        ),
        ({ x, d, g: gg, eps }) => {
          const data = {
            _tag: 'data',
            structure: 'dense',
            damping: eps,
            estimate: 'batch',
            decay: 0,
            refreshEvery: 1,
            minDiagonal: 1e-12,
          } as const;
          const s = right(
            frobeniusSpaceFor(
              { _tag: 'frobenius', domain: data, codomain: data },
              { n: x.cols, m: d.cols },
              {
                xx: secondMoment(x),
                dd: secondMoment(d),
              },
            ),
          );
          const damp = (a: Mat): Mat => ({ ...a, data: a.data.map((v, i) => (i % (a.cols + 1) === 0 ? v + eps : v)) });
          const mxInv = damp(secondMoment(x)); // M_X⁻¹ = E[xxᵀ] + εI
          const my = damp(secondMoment(d));
          const mx = choleskyInverse(cholesky(mxInv)!);
          const myInv = choleskyInverse(cholesky(my)!);
          const expected = matmul(matmul(myInv, gg), mx);
          const r = s.riesz(gg);
          const scale = Math.max(1, ...expected.data.map(Math.abs));
          expect(maxAbsDiff(r, expected)).toBeLessThan(1e-8 * scale);
          expect(maxAbsDiff(gramMatrix(s.mx), mx)).toBeLessThan(1e-8 * Math.max(1, ...mx.data.map(Math.abs)));
        },
      ),
      { numRuns: 50 },
    );
  });

  it('diagonal data Grams: M_X = diag(1/(E[x²]+ε)), M_Y = diag(E[δ²]+ε)', () => {
    const x = matFromRows([
      [1, 2],
      [3, 0],
    ]);
    const d = matFromRows([[2], [0]]);
    const data = {
      _tag: 'data',
      structure: 'diagonal',
      damping: 0.5,
      estimate: 'batch',
      decay: 0,
      refreshEvery: 1,
      minDiagonal: 1e-12,
    } as const;
    const s = right(
      frobeniusSpaceFor(
        { _tag: 'frobenius', domain: data, codomain: data },
        { n: 2, m: 1 },
        { xx: secondMoment(x), dd: secondMoment(d) },
      ),
    );
    // E[x²] = (5, 2), E[δ²] = 2 → M_X = diag(1/5.5, 1/2.5), M_Y = 2.5; R = G M_X / 2.5
    const gg = matFromRows([[1, 1]]);
    const r = s.riesz(gg);
    expect(r.data[0]).toBeCloseTo(1 / 5.5 / 2.5, 12);
    expect(r.data[1]).toBeCloseTo(1 / 2.5 / 2.5, 12);
  });

  it('ema moments: decay·prev + (1 − decay)·batch, the first batch initialises', () => {
    const a = matFromRows([[1, 0]]);
    const b = matFromRows([[0, 2]]);
    const m1 = updateMoment(undefined, a, 'ema', 0.9);
    const m2 = updateMoment(m1, b, 'ema', 0.9);
    [0.9, 0, 0, 0.4].forEach((v, i) => expect(m2.data[i]).toBeCloseTo(v, 14));
    expect(Array.from(updateMoment(m1, b, 'batch', 0.9).data)).toEqual([0, 0, 0, 4]);
  });
});

describe('per-example norms and biases', () => {
  it('‖R_b‖² = (δ_bᵀ M_Y⁻¹ δ_b)(x_bᵀ M_X x_b) equals the norm of the Riesz map of δ_b x_bᵀ, for every family', () => {
    fc.assert(
      fc.property(caseArb(), (c) => {
        const fast = perExampleNorms2(c.space, c.x, c.delta);
        const fastBias = perExampleBiasNorms2(c.space, c.delta);
        const bs = biasSpace(c.space);
        for (let b = 0; b < c.x.rows; b++) {
          const xb: Mat = { rows: 1, cols: c.n, data: c.x.data.slice(b * c.n, (b + 1) * c.n) };
          const db: Mat = { rows: c.m, cols: 1, data: c.delta.data.slice(b * c.m, (b + 1) * c.m) };
          const gb = matmul(db, xb); // G_b = δ_b x_bᵀ (m×n)
          const brute = c.space.norm2(c.space.riesz(gb));
          if (!close(fast[b]!, brute, 1e-9, brute)) return false;
          const bruteBias = bs.norm2(bs.riesz(db));
          if (!close(fastBias[b]!, bruteBias, 1e-9, bruteBias)) return false;
        }
        return true;
      }),
    );
  });

  it('the bias gradient is M_Y⁻¹ g_b', () => {
    const metric: Metric = { _tag: 'frobenius', domain: { _tag: 'scaled', c: 7 }, codomain: { _tag: 'scaled', c: 4 } };
    const bs = biasSpace(right(frobeniusSpaceFor(metric, { n: 3, m: 2 })));
    const r = bs.riesz(transpose(matFromRows([[2, -8]])));
    expect(Array.from(r.data)).toEqual([0.5, -2]);
  });
});

describe('errors are values', () => {
  it('scaled c ≤ 0 and negative damping are invalid-metric', () => {
    const bad: Metric = { _tag: 'frobenius', domain: { _tag: 'scaled', c: 0 }, codomain: { _tag: 'identity' } };
    const r = frobeniusSpaceFor(bad, { n: 2, m: 2 });
    expect(E.isLeft(r) && r.left._tag).toBe('invalid-metric');
    const neg: Metric = {
      _tag: 'frobenius',
      domain: {
        _tag: 'data',
        structure: 'dense',
        damping: -1,
        estimate: 'batch',
        decay: 0,
        refreshEvery: 1,
        minDiagonal: 1e-12,
      },
      codomain: { _tag: 'identity' },
    };
    expect(E.isLeft(frobeniusSpaceFor(neg, { n: 2, m: 2 }))).toBe(true);
    expect(E.isLeft(frobeniusSpaceFor(EUCLIDEAN, { n: 0, m: 2 }))).toBe(true);
  });

  it('a singular moment without damping is not-positive-definite', () => {
    const data = {
      _tag: 'data',
      structure: 'dense',
      damping: 0,
      estimate: 'batch',
      decay: 0,
      refreshEvery: 1,
      minDiagonal: 1e-12,
    } as const;
    const x = matFromRows([[1, 1]]); // E[xxᵀ] has rank one
    const r = frobeniusSpaceFor(
      { _tag: 'frobenius', domain: data, codomain: { _tag: 'identity' } },
      { n: 2, m: 1 },
      { xx: secondMoment(x) },
    );
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'not-positive-definite', side: 'domain' });
  });
});

describe('linear algebra', () => {
  it('choleskyInverse(cholesky(S)) · S = I and choleskySolve solves S X = B, for random SPD S', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }).chain((k) => fc.record({ a: matArb(k + 2, k), b: matArb(k, 3) })),
        ({ a, b }) => {
          const s = matmul(transpose(a), a);
          for (let i = 0; i < s.rows; i++) s.data[i * s.rows + i] = s.data[i * s.rows + i]! + 0.5;
          const l = cholesky(s)!;
          const p = matmul(s, choleskyInverse(l));
          p.data.forEach((v, k) => expect(Math.abs(v - (k % (s.rows + 1) === 0 ? 1 : 0))).toBeLessThan(1e-10));
          const x = choleskySolve(l, b);
          const back = matmul(s, x);
          back.data.forEach((v, k) => expect(Math.abs(v - b.data[k]!)).toBeLessThan(1e-9));
        },
      ),
      { numRuns: 50 },
    );
  });
});
