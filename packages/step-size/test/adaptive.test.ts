// The adaptive controller of ALGORITHMS.md §2: its arithmetic (pure functions) and its behaviour on
// quadratics with known curvature, in several inner products.
import * as tf from '@tensorflow/tfjs';
import type { Metric } from '@sprout/spec';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import {
  afterTrial,
  createPreconditionedOptimizer,
  emaRatio,
  initialAdaptiveState,
  lipschitzEstimate,
  resolveAdaptiveOptions,
  stepSizeFor,
  varianceRatio,
  type StepInfo,
} from '../src/index.js';
import { adaptive, EUCLID, normals, right, sgd, WIDTH } from './problems.js';

describe('arithmetic', () => {
  it('L̂ is exact on a quadratic: f(x) = (λ/2)x², d = −λx ⇒ L̂ = λ', () => {
    // f⁺ − f + a d² = (λ/2)((x + a d)² − x²) + a d² = (λ/2) a² d² (since λ x d = −d²) ⇒ L̂ = λ.
    const lambda = 3.7;
    const x = 1.3;
    const d = -lambda * x;
    for (const a of [0.01, 0.1, 0.5, 2]) {
      const f = (lambda / 2) * x * x;
      const fPlus = (lambda / 2) * (x + a * d) ** 2;
      expect(lipschitzEstimate(f, fPlus, a, d * d)).toBeCloseTo(lambda, 10);
    }
  });

  it('variance ratio: V₁ = b/(b−1)(q − ‖d̄‖²), V_B = V₁/b, ρ = clip(1 − V_B/‖d̄‖², ρ_min, 1)', () => {
    // directions 1, 3 (scalars): d̄ = 2, q = 5, V₁ = 2·(5 − 4) = 2, V_B = 1, ρ = 1 − 1/4.
    expect(varianceRatio(4, 5, 2, 1e-3)).toEqual({ rho: 0.75, V1: 2, VB: 1 });
    expect(varianceRatio(4, 100, 2, 1e-3).rho).toBe(1e-3);
    expect(varianceRatio(4, 3, 2, 1e-3).rho).toBe(1);
    expect(varianceRatio(4, 5, 1, 1e-3)).toEqual({ rho: 1, V1: undefined, VB: undefined });
    expect(varianceRatio(0, 5, 4, 1e-3).rho).toBe(1e-3);
  });

  it('ema ratio: EMA⟨d_k, d_{k−1}⟩ / EMA‖d_k‖², ρ = 1 before a previous direction exists', () => {
    const spec = adaptive('ema');
    const s0 = initialAdaptiveState(spec, resolveAdaptiveOptions(spec));
    expect(emaRatio(s0, undefined, 2, 0.9, 1e-3).rho).toBe(1);
    const e = emaRatio(s0, 1, 2, 0.9, 1e-3);
    expect(e.rho).toBeCloseTo(0.5, 12);
    expect(emaRatio({ ...s0, ...e }, -5, 2, 0.9, 1e-3).rho).toBe(1e-3);
  });

  it("the spec's on_increase policy is used unless an option overrides it", () => {
    expect(resolveAdaptiveOptions(adaptive('none')).onIncrease).toBe('reset'); // the default
    expect(resolveAdaptiveOptions(adaptive('none', { onIncrease: 'keep' })).onIncrease).toBe('keep');
    expect(resolveAdaptiveOptions(adaptive('none', { onIncrease: 'reset' }), { onIncrease: 'reject' }).onIncrease).toBe(
      'reject',
    );
  });

  it('step sizes: the reference rule a ← β a + (1 − β)/L, ρ/L for variance modes, growth cap 2', () => {
    const none = adaptive('none');
    const o = resolveAdaptiveOptions(none);
    const s0 = initialAdaptiveState(none, o);
    expect(stepSizeFor(none, s0, 1)).toBe(0.1); // a₀ = 1/L₀
    const s1 = { ...s0, k: 1, L: 4, a: 0.1 };
    expect(stepSizeFor(none, s1, 1)).toBeCloseTo(0.995 * 0.1 + 0.005 / 4, 15);
    const pe = adaptive('per_example');
    expect(stepSizeFor(pe, { ...s1, L: 4 }, 0.5)).toBeCloseTo(0.125, 15);
    expect(stepSizeFor(pe, { ...s1, L: 0.01 }, 1)).toBeCloseTo(0.2, 15); // capped at 2 a_{k−1}
  });

  it('L update: floor L_min, smoothing β, skips for non-finite losses, ‖d‖² ≈ 0 and sub-resolution terms', () => {
    // L starts at L₀ (the reference), so that the first update is smoothed too.
    const spec = adaptive('none', { initialL: 'L0' });
    const o = resolveAdaptiveOptions(spec);
    const s = initialAdaptiveState(spec, o);
    const ok = afterTrial(spec, s, o, { f: 1, fPlus: 0.5, a: 0.1, d2: 10 }); // L̂ = 2(0.5 − 1 + 1)/(0.1) = 10
    expect(ok.Lhat).toBeCloseTo(10, 10);
    expect(ok.state.L).toBeCloseTo(10, 10);
    const neg = afterTrial(spec, s, o, { f: 1, fPlus: -5, a: 0.1, d2: 10 });
    expect(neg.Lhat).toBe(1e-5);
    expect(neg.state.L).toBeCloseTo(0.995 * 10 + 0.005 * 1e-5, 12);
    expect(afterTrial(spec, s, o, { f: 1, fPlus: Number.NaN, a: 0.1, d2: 10 }).skipped).toBe('non-finite-loss');
    expect(afterTrial(spec, s, o, { f: 1, fPlus: 1, a: 0.1, d2: 0 }).skipped).toBe('direction-zero');
    expect(afterTrial(spec, s, o, { f: 1, fPlus: 1 - 1e-6 + 1e-8, a: 1e-6, d2: 1 }).skipped).toBe('below-resolution');
    for (const r of [neg, ok]) expect(r.state.k).toBe(1);
  });
});

/**
 * A noisy quadratic on a 4×3 kernel: f_B(W) = ½ Σ λ_ij (W_ij − ξ_ij)² with fresh ξ each step (the same ξ for
 * f_B(x) and f_B(x⁺)). Its Hessian is diag(λ), so the curvature along d in the chosen inner product is
 * H[d, d] / ‖d‖² = Σ λ (Δ/a)² / ‖d‖², with Δ = W⁺ − W the step taken.
 */
const noisyQuadratic = (
  metric: Metric,
  lambdas: Float32Array,
  steps: number,
  spec = adaptive('none'),
  options = {},
) => {
  const W = tf.variable(tf.zeros([4, 3]));
  const lam = tf.tensor2d(lambdas, [4, 3]);
  const opt = right(
    createPreconditionedOptimizer([{ name: W.name, kind: 'dense', variable: W }], sgd(spec, metric), options),
  );
  const out: { info: StepInfo; trueL: number }[] = [];
  for (let s = 0; s < steps; s++) {
    const xi = tf.tensor2d(normals(12, 1000 + s), [4, 3]);
    const f = () => tf.tidy(() => tf.mul(0.5, tf.sum(tf.mul(lam, tf.square(tf.sub(W, xi)))))) as tf.Scalar;
    const { value, grads } = tf.variableGrads(f, [W]);
    const before = W.dataSync().slice();
    const r = opt.step(grads, {
      loss: value,
      lossAt: () => {
        const t = f();
        const v = t.dataSync()[0]!;
        t.dispose();
        return v;
      },
    });
    if (E.isLeft(r)) throw new Error(JSON.stringify(r.left));
    const after = W.dataSync();
    const a = r.right.a;
    let h = 0;
    for (let i = 0; i < 12; i++) h += lambdas[i]! * ((after[i]! - before[i]!) / a) ** 2;
    out.push({ info: r.right, trueL: h / r.right.d2! });
    tf.dispose([xi, value, ...Object.values(grads)]);
  }
  opt.dispose();
  tf.dispose([W, lam]);
  return out;
};

describe('quadratics with known curvature', () => {
  const lambdas = Float32Array.from({ length: 12 }, (_, i) => 0.5 + (i % 5));
  for (const [name, metric] of [
    ['euclidean', EUCLID],
    ['width', WIDTH],
    ['scaled', { _tag: 'frobenius', domain: { _tag: 'scaled', c: 2 }, codomain: { _tag: 'scaled', c: 5 } } as Metric],
  ] as const) {
    it(`${name}: every L̂ is within 5 % of the curvature along d`, () => {
      const rows = noisyQuadratic(metric, lambdas, 60);
      const estimated = rows.filter((r) => r.info.Lhat !== undefined);
      expect(estimated.length).toBeGreaterThan(55);
      for (const r of estimated) expect(Math.abs(r.info.Lhat! - r.trueL) / r.trueL).toBeLessThan(0.05);
    });
  }

  it('isotropic λ = 4, reference settings (β = 0.995, L₀ = 10): L → 4 and a → 1/L = 0.25 within 5 %', () => {
    const rows = noisyQuadratic(EUCLID, new Float32Array(12).fill(4), 1500);
    const last = rows[rows.length - 1]!.info;
    expect(Math.abs(last.L! - 4) / 4).toBeLessThan(0.05);
    expect(Math.abs(last.a - 0.25) / 0.25).toBeLessThan(0.05);
  });

  it('width metric on a 4×3 kernel: curvature λ·m/n = 3, so a → 1/3, the Euclidean step 1/λ', () => {
    // R = (m/n) G, ‖R‖² = (m/n)‖G‖², H[R, R] = λ (m/n)² ‖G‖² ⇒ L = λ m/n with n = 4, m = 3.
    const rows = noisyQuadratic(WIDTH, new Float32Array(12).fill(4), 1500);
    const last = rows[rows.length - 1]!.info;
    expect(Math.abs(last.L! - 3) / 3).toBeLessThan(0.05);
    expect(Math.abs(last.a - 1 / 3) / (1 / 3)).toBeLessThan(0.05);
  });
});

describe('the reference rule (SensLI train_and_test_.py, use_adaptive_lr)', () => {
  it('adaptiveReference(lr) follows the reference recurrence step for step on a quadratic', async () => {
    // The reference, per step: x ← x − lr g; ω̂ = 2(f(x⁺) − f(x) + lr‖g‖²)/(lr²‖g‖²), floored at 1e-5;
    // ω ← 0.995 ω + 0.005 ω̂ (ω starts at 10); lr ← 0.995 lr + 0.005/ω (lr starts at the given rate).
    // f = ½ Σ h x² with h = (4, 0.5): every quantity has a closed form, computed here in float64.
    const { adaptiveReference } = await import('@sprout/spec');
    const h = [4, 0.5];
    let xs = [1, -2];
    let lr = 0.2;
    let omega = 10;
    const expected: number[] = [];
    const fOf = (v: number[]) => 0.5 * v.reduce((s, x, i) => s + h[i]! * x * x, 0);
    for (let k = 0; k < 30; k++) {
      expected.push(lr);
      const g = xs.map((x, i) => h[i]! * x);
      const g2 = g.reduce((s, v) => s + v * v, 0);
      const next = xs.map((x, i) => x - lr * g[i]!);
      const wHat = Math.max((2 * (fOf(next) - fOf(xs) + lr * g2)) / (lr * lr * g2), 1e-5);
      omega = 0.995 * omega + 0.005 * wHat;
      lr = 0.995 * lr + 0.005 / omega;
      xs = next;
    }
    const W = tf.variable(tf.tensor2d([1, -2], [2, 1]));
    const H = tf.tensor2d(h, [2, 1]);
    const f = () => tf.tidy(() => tf.mul(0.5, tf.sum(tf.mul(H, tf.square(W))))) as tf.Scalar;
    const step = adaptiveReference(0.2);
    const opt = right(createPreconditionedOptimizer([{ name: W.name, kind: 'dense', variable: W }], sgd(step)));
    const got: number[] = [];
    for (let k = 0; k < 30; k++) {
      const { value, grads } = tf.variableGrads(f, [W]);
      const r = right(opt.step(grads, { loss: value, lossAt: () => f().dataSync()[0]! }));
      got.push(r.a);
      tf.dispose([value, ...Object.values(grads)]);
    }
    // float32 losses: L̂ carries ~1e-7/(lr²‖g‖²) relative noise, smoothed by 0.005.
    got.forEach((a, k) => expect(Math.abs(a - expected[k]!) / expected[k]!).toBeLessThan(1e-4));
    expect(step._tag === 'adaptive' && [step.a0, step.L0, step.beta, step.restart, step.lossResolution]).toEqual([
      0.2,
      10,
      0.995,
      'phase',
      0,
    ]);
    // The rule moved the step: the comparison is not of constants.
    expect(Math.abs(expected[29]! - expected[0]!)).toBeGreaterThan(1e-3);
    opt.dispose();
    tf.dispose([W, H]);
  });
});

describe('split variance with the finite-population factor', () => {
  it('a full batch (B = N) has no sampling variance: ρ = 1; a small batch keeps ρ < 1', () => {
    // Chunk gradients 1 and 3 of a scalar: V_B = 1 for the uncorrected formula (see `varianceRatio`).
    const x = tf.variable(tf.tensor1d([0.5]));
    const grads = { [x.name]: tf.tensor1d([2]) };
    const chunkGrads = [{ [x.name]: tf.tensor1d([1]) }, { [x.name]: tf.tensor1d([3]) }];
    const run = (datasetSize: number | undefined, batchSize: number) => {
      const opt = right(
        createPreconditionedOptimizer(
          [{ name: x.name, kind: 'other', variable: x }],
          sgd(adaptive('split', { chunks: 2 })),
          datasetSize === undefined ? {} : { datasetSize },
        ),
      );
      const r = right(opt.step(grads, { loss: 1, lossAt: () => 0.9, chunkGrads, batchSize }));
      opt.dispose();
      return r;
    };
    expect(run(8, 8).rho).toBe(1);
    expect(run(8, 8).variance).toBe(0);
    expect(run(undefined, 8).rho).toBeCloseTo(0.75, 12);
    // B = 2 of N = 8: factor (8 − 2)/7.
    expect(run(8, 2).variance).toBeCloseTo(6 / 7, 12);
    tf.dispose([x, grads[x.name]!, ...chunkGrads.map((c) => c[x.name]!)]);
  });
});
