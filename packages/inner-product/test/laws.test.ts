// The laws of InnerProductSpace (see src/InnerProductSpace.ts) for every Gram family, on the Float64
// reference instance and on the TensorFlow.js instance, and the agreement of the two.
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { transpose, type Mat } from '../src/index.js';
import { disposeTfGram, tfFrobeniusSpace, tfGramFromReference } from '../src/tfjs/index.js';
import { caseArb, close, entry, matArb } from './arbitraries.js';

const REF_TOL = 1e-9;
const TF_TOL = 2e-3;

/** Reference m×n (paper layout) → tfjs n×m (tfjs kernel layout). */
const toTf = (a: Mat): tf.Tensor2D => {
  const t = transpose(a);
  return tf.tensor2d(Float32Array.from(t.data), [t.rows, t.cols]);
};
const fromTf = (t: tf.Tensor): Mat => {
  const [n, m] = t.shape as [number, number];
  return transpose({ rows: n, cols: m, data: Float64Array.from(t.dataSync()) });
};
const num = (s: tf.Scalar): number => {
  const v = s.dataSync()[0]!;
  s.dispose();
  return v;
};

describe('reference instance laws', () => {
  const withMats = caseArb().chain((c) =>
    fc.record({
      c: fc.constant(c),
      a: matArb(c.m, c.n),
      b: matArb(c.m, c.n),
      v: matArb(c.m, c.n),
      alpha: entry,
      beta: entry,
    }),
  );

  it('symmetry: ⟨a, b⟩ = ⟨b, a⟩', () => {
    fc.assert(
      fc.property(withMats, ({ c, a, b }) => {
        const s = c.space;
        return close(s.inner(a, b), s.inner(b, a), REF_TOL, Math.sqrt(s.norm2(a) * s.norm2(b)));
      }),
    );
  });

  it('bilinearity: ⟨αa + βb, v⟩ = α⟨a, v⟩ + β⟨b, v⟩', () => {
    fc.assert(
      fc.property(withMats, ({ c, a, b, v, alpha, beta }) => {
        const s = c.space;
        const lhs = s.inner(s.add(s.scale(alpha, a), s.scale(beta, b)), v);
        const rhs = alpha * s.inner(a, v) + beta * s.inner(b, v);
        const scale =
          (Math.abs(alpha) * Math.sqrt(s.norm2(a)) + Math.abs(beta) * Math.sqrt(s.norm2(b))) * Math.sqrt(s.norm2(v));
        return close(lhs, rhs, REF_TOL, scale);
      }),
    );
  });

  it('positivity: ‖a‖² > 0 for a ≠ 0 and ‖0‖² = 0', () => {
    fc.assert(
      fc.property(withMats, ({ c, a }) => {
        const s = c.space;
        const zero = s.scale(0, a);
        const nonzero = a.data.some((x) => x !== 0);
        return s.norm2(zero) === 0 && (!nonzero || s.norm2(a) > 0);
      }),
    );
  });

  it('Riesz identity: ⟨R(G), V⟩ = tr(Gᵀ V); dualNorm2(G) = ‖R(G)‖²; flat(R(G)) = G', () => {
    fc.assert(
      fc.property(withMats, ({ c, a: g, v }) => {
        const s = c.space;
        const r = s.riesz(g);
        const scale = Math.sqrt(s.norm2(r) * s.norm2(v));
        const back = s.flat(r);
        return (
          close(s.inner(r, v), s.pairing(g, v), REF_TOL, scale) &&
          close(s.dualNorm2(g), s.norm2(r), REF_TOL, s.norm2(r)) &&
          g.data.every((x, i) => close(back.data[i]!, x, 1e-7, 1))
        );
      }),
    );
  });
});

describe('tfjs instance laws and agreement with the reference', () => {
  // Damping ≥ 0.05 keeps the float32 conditioning of data Grams within the tolerance.
  const withMats = caseArb(0.05).chain((c) =>
    fc.record({ c: fc.constant(c), a: matArb(c.m, c.n), b: matArb(c.m, c.n), alpha: entry, beta: entry }),
  );

  it('symmetry, bilinearity, positivity, Riesz identity and agreement (float32 tolerance)', () => {
    const before = tf.memory().numTensors;
    fc.assert(
      fc.property(withMats, ({ c, a, b, alpha, beta }) => {
        const ref = c.space;
        const mx = tfGramFromReference(ref.mx);
        const my = tfGramFromReference(ref.my);
        const s = tfFrobeniusSpace(mx, my);
        const [ta, tb] = [toTf(a), toTf(b)];
        try {
          const scaleAB = Math.sqrt(ref.norm2(a) * ref.norm2(b));
          const ab = num(s.inner(ta, tb));
          const ba = num(s.inner(tb, ta));
          expect(close(ab, ba, TF_TOL, scaleAB)).toBe(true);
          // agreement with the reference
          expect(close(ab, ref.inner(a, b), TF_TOL, scaleAB)).toBe(true);
          const comb = tf.tidy(() => s.add(s.scale(alpha, ta), s.scale(beta, tb)));
          const lin = num(s.inner(comb, tb));
          comb.dispose();
          const linScale =
            (Math.abs(alpha) * Math.sqrt(ref.norm2(a)) + Math.abs(beta) * Math.sqrt(ref.norm2(b))) *
            Math.sqrt(ref.norm2(b));
          expect(close(lin, alpha * ab + beta * num(s.norm2(tb)), TF_TOL, linScale)).toBe(true);
          if (a.data.some((x) => Math.abs(x) > 1e-3)) expect(num(s.norm2(ta))).toBeGreaterThan(0);
          // Riesz identity with G = a, V = b, and agreement of the Riesz map and the dual norm
          const r = s.riesz(ta);
          const rRef = ref.riesz(a);
          const rScale = Math.sqrt(ref.norm2(rRef) * ref.norm2(b));
          expect(close(num(s.inner(r, tb)), num(s.pairing(ta, tb)), TF_TOL, rScale)).toBe(true);
          expect(close(num(s.dualNorm2(ta)), ref.dualNorm2(a), TF_TOL, ref.dualNorm2(a))).toBe(true);
          const rBack = fromTf(r);
          const rMax = Math.max(1, ...rRef.data.map(Math.abs));
          rRef.data.forEach((x, i) => expect(Math.abs(rBack.data[i]! - x)).toBeLessThanOrEqual(TF_TOL * rMax));
          const flat = s.flat(r);
          const gBack = fromTf(flat);
          a.data.forEach((x, i) => expect(Math.abs(gBack.data[i]! - x)).toBeLessThanOrEqual(TF_TOL * 2));
          tf.dispose([r, flat]);
        } finally {
          tf.dispose([ta, tb]);
          disposeTfGram(mx);
          disposeTfGram(my);
        }
      }),
      { numRuns: 60 },
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});
