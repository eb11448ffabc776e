// Shared fast-check arbitraries and helpers for the inner-product tests.
import fc from 'fast-check';
import type { Gram as GramSpec, Metric } from '@sprout/spec';
import * as E from 'fp-ts/lib/Either.js';
import { frobeniusSpaceFor, mat, secondMoment, type FrobeniusSpace, type Mat } from '../src/index.js';

// Entries on a 1e-3 grid in [-2, 2]: no subnormals, whose squares underflow to 0 (not a law violation).
export const entry = fc.integer({ min: -2000, max: 2000 }).map((v) => v / 1000);

export const matArb = (rows: number, cols: number): fc.Arbitrary<Mat> =>
  fc.array(entry, { minLength: rows * cols, maxLength: rows * cols }).map((v) => mat(rows, cols, v));

export const gramSpecArb = (minDamping: number): fc.Arbitrary<GramSpec> =>
  fc.oneof(
    fc.constant<GramSpec>({ _tag: 'identity' }),
    fc.double({ min: 0.1, max: 10, noNaN: true }).map((c): GramSpec => ({ _tag: 'scaled', c })),
    fc.constant<GramSpec>({ _tag: 'width' }),
    fc
      .record({
        structure: fc.constantFrom<'diagonal' | 'dense'>('diagonal', 'dense'),
        damping: fc.double({ min: minDamping, max: 1, noNaN: true }),
      })
      .map((r): GramSpec => ({
        _tag: 'data',
        ...r,
        estimate: 'batch',
        decay: 0.9,
        refreshEvery: 1,
        minDiagonal: 1e-12,
      })),
  );

/** A layer n→m, a metric, sample statistics, and the reference space built from them. */
export interface Case {
  readonly n: number;
  readonly m: number;
  readonly metric: Metric;
  readonly x: Mat;
  readonly delta: Mat;
  readonly space: FrobeniusSpace;
}

export const caseArb = (minDamping = 0.01): fc.Arbitrary<Case> =>
  fc
    .record({ n: fc.integer({ min: 1, max: 5 }), m: fc.integer({ min: 1, max: 5 }), b: fc.integer({ min: 1, max: 6 }) })
    .chain(({ n, m, b }) =>
      fc.record({
        n: fc.constant(n),
        m: fc.constant(m),
        metric: fc
          .record({ domain: gramSpecArb(minDamping), codomain: gramSpecArb(minDamping) })
          .map((r): Metric => ({ _tag: 'frobenius', ...r })),
        x: matArb(b, n),
        delta: matArb(b, m),
      }),
    )
    .map((c) => {
      const space = frobeniusSpaceFor(
        c.metric,
        { n: c.n, m: c.m },
        { xx: secondMoment(c.x), dd: secondMoment(c.delta) },
      );
      if (E.isLeft(space)) throw new Error(`caseArb: ${space.left.message}`);
      return { ...c, space: space.right };
    });

/** `|a − b| ≤ tol · (1 + scale)`. */
export const close = (a: number, b: number, tol: number, scale = 0): boolean =>
  Math.abs(a - b) <= tol * (1 + Math.abs(scale));
