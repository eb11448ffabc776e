// DoG (Ivgi et al. 2023) and Prodigy (Mishchenko & Defazio 2023) as step-size controllers: their first
// steps on a quadratic against closed forms, convergence on quadratics, and independence of the metric's
// overall scale (the step η R does not change when M_X = cI, up to r_ε / d₀, which carry the metric's units).
import * as tf from '@tensorflow/tfjs';
import type { Metric, StepSize } from '@sprout/spec';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import {
  createPreconditionedOptimizer,
  dogStep,
  initialDogState,
  initialProdigyState,
  prodigyStep,
  type StepInfo,
} from '../src/index.js';
import { EUCLID, right, sgd } from './problems.js';

const DOG: StepSize = { _tag: 'dog', rEps: 1e-3 };
const PRODIGY: StepSize = { _tag: 'prodigy', d0: 1e-3 };

/** f(x) = ½ Σ h_i x_i² on a 1×n "kernel" from x₀; returns the iterates (x after each step) and infos. */
const quadratic = (step: StepSize, metric: Metric, h: readonly number[], x0: readonly number[], steps: number) => {
  const n = h.length;
  const x = tf.variable(tf.tensor2d([...x0], [n, 1]));
  const H = tf.tensor2d([...h], [n, 1]);
  const f = () => tf.tidy(() => tf.mul(0.5, tf.sum(tf.mul(H, tf.square(x))))) as tf.Scalar;
  const opt = right(createPreconditionedOptimizer([{ name: x.name, kind: 'dense', variable: x }], sgd(step, metric)));
  const xs: number[][] = [];
  const infos: StepInfo[] = [];
  for (let k = 0; k < steps; k++) {
    const { value, grads } = tf.variableGrads(f, [x]);
    const r = opt.step(grads, { loss: value });
    tf.dispose([value, ...Object.values(grads)]);
    if (E.isLeft(r)) throw new Error(JSON.stringify(r.left));
    infos.push(r.right);
    xs.push(Array.from(x.dataSync()));
  }
  const final = f().dataSync()[0]!;
  opt.dispose();
  tf.dispose([x, H]);
  return { xs, infos, final };
};

describe('DoG', () => {
  it('first two steps on f = ½ h x² equal the closed form', () => {
    // x₀ = 2, h = 3: g₀ = 6, r_ε = 1e-3 (1 + 2) = 3e-3, η₀ = r_ε/|g₀| = 5e-4, x₁ = 2 − 3e-3 (the first step moves r_ε).
    // g₁ = 3 x₁, r̄₁ = max(r_ε, |x₁ − x₀|) = 3e-3, η₁ = 3e-3 / √(36 + 9 x₁²), x₂ = x₁ − η₁ g₁.
    const { xs, infos } = quadratic(DOG, EUCLID, [3], [2], 2);
    const x1 = 2 - 3e-3;
    expect(infos[0]!.a).toBeCloseTo(5e-4, 9);
    expect(xs[0]![0]!).toBeCloseTo(x1, 6);
    const eta1 = 3e-3 / Math.sqrt(36 + 9 * x1 * x1);
    // |x₁ − x₀| = 3e-3 is a float32 difference of numbers near 2: relative error ~1e-7/3e-3.
    expect(infos[1]!.a / eta1).toBeCloseTo(1, 4);
    expect(xs[1]![0]!).toBeCloseTo(x1 - eta1 * 3 * x1, 6);
  });

  it('the arithmetic: r̄ is the largest distance so far, η = r̄ / √Σ‖g‖²; zero gradients take no step', () => {
    const s0 = initialDogState({ _tag: 'dog', rEps: 0.1 }, 1); // r_ε = 0.2
    const a = dogStep(s0, 0, 4); // η = 0.2 / 2
    expect(a.eta).toBeCloseTo(0.1, 15);
    const b = dogStep(a.state, 0.25, 5); // r̄ = 0.5, η = 0.5 / 3
    expect(b.eta).toBeCloseTo(0.5 / 3, 15);
    expect(dogStep(b.state, 0.01, 0).state.rBar).toBe(0.5); // r̄ never shrinks
    expect(dogStep(initialDogState({ _tag: 'dog', rEps: 0.1 }, 0), 0, 0).eta).toBe(0);
  });

  it('converges on an ill-conditioned quadratic without a learning rate', () => {
    const { final } = quadratic(DOG, EUCLID, [1, 10, 0.3], [1, -1, 2], 400);
    expect(final).toBeLessThan(1e-3 * 0.5 * (1 + 10 + 0.3 * 4));
  });

  it("does not depend on the overall scale of the metric (with r_ε in the metric's units)", () => {
    // M_X = cI: R = cG, ‖R‖² = c‖G‖², ‖Δx‖ = ‖Δx‖_F/√c ⇒ η R = r̄ √c G/√Σ‖G‖², the Euclidean step when
    // r̄ = r̄_F/√c; with x₀ = 0 that holds for r_ε = rEps when rEps is divided by √c.
    // f = ½ Σ h (x − c)², x₀ = 0: shifted so the start is 0.
    const scaled = (c: number): Metric => ({
      _tag: 'frobenius',
      domain: { _tag: 'scaled', c },
      codomain: { _tag: 'identity' },
    });
    const run = (metric: Metric, step: StepSize) => {
      const x = tf.variable(tf.zeros([3, 1]));
      const target = tf.tensor2d([1, -2, 0.5], [3, 1]);
      const H = tf.tensor2d([2, 0.5, 4], [3, 1]);
      const f = () => tf.tidy(() => tf.mul(0.5, tf.sum(tf.mul(H, tf.square(tf.sub(x, target)))))) as tf.Scalar;
      const opt = right(
        createPreconditionedOptimizer([{ name: x.name, kind: 'dense', variable: x }], sgd(step, metric)),
      );
      for (let k = 0; k < 20; k++) {
        const { value, grads } = tf.variableGrads(f, [x]);
        opt.step(grads, { loss: value });
        tf.dispose([value, ...Object.values(grads)]);
      }
      const out = Array.from(x.dataSync());
      opt.dispose();
      tf.dispose([x, target, H]);
      return out;
    };
    const a = run(EUCLID, DOG);
    const b = run(scaled(7), { _tag: 'dog', rEps: 1e-3 / Math.sqrt(7) });
    const c = run(scaled(7), DOG);
    a.forEach((v, i) => expect(b[i]!).toBeCloseTo(v, 4));
    // The run moved: the test would pass trivially otherwise.
    expect(Math.abs(a[0]!)).toBeGreaterThan(0.05);
    // and r_ε does carry the metric's units: unscaled, the iterates differ.
    expect(Math.max(...a.map((v, i) => Math.abs(v - c[i]!)))).toBeGreaterThan(1e-3);
  });
});

describe('Prodigy', () => {
  it('first two steps on f = ½ h x² equal the closed form', () => {
    // x₀ = 2, h = 3, d₀ = 1e-3, G = running max |g|.
    // k = 0: g₀ = 6, G² = 36, η₀ = d₀² / √(d₀²·36 + d₀²·36) = d₀/(6√2); x₁ = 2 − 6η₀;
    //        d̂₁ = η₀·g₀·(x₀ − x₀)/|x₁ − x₀| = 0 ⇒ d₁ = d₀.
    // k = 1: g₁ = 3x₁ < 6 so G² = 36; η₁ = d₀² / √(d₀²·36 + d₀²(36 + g₁²)) = d₀ / √(72 + g₁²);
    //        d̂₂ = η₁ g₁ (x₀ − x₁) / |x₂ − x₀|.
    const d0 = 1e-3;
    const { xs, infos } = quadratic(PRODIGY, EUCLID, [3], [2], 2);
    const eta0 = d0 / (6 * Math.SQRT2);
    const x1 = 2 - 6 * eta0;
    expect(infos[0]!.a / eta0).toBeCloseTo(1, 6);
    expect(xs[0]![0]!).toBeCloseTo(x1, 6);
    const g1 = 3 * x1;
    const eta1 = d0 / Math.sqrt(72 + g1 * g1);
    expect(infos[1]!.a / eta1).toBeCloseTo(1, 5);
    expect(xs[1]![0]!).toBeCloseTo(x1 - eta1 * g1, 6);
  });

  it('the arithmetic: d grows to d̂ = Σ η⟨g, x₀ − x⟩ / ‖x_{k+1} − x₀‖ and never shrinks', () => {
    const s0 = initialProdigyState({ _tag: 'prodigy', d0: 0.5 });
    // k = 0 with g² = 4, ‖x − x₀‖ = 0, slope 0: η = 0.25 / √(0.25·4 + 0.25·4) = 0.25/√2; d stays.
    const a = prodigyStep(s0, 0, 0, 4);
    expect(a.eta).toBeCloseTo(0.25 / Math.SQRT2, 15);
    expect(a.state.d).toBe(0.5);
    // k = 1: dist² = 1, slope = 2, g² = 1: η = 0.25 / √(0.25·4 + 0.25·5); Σηs = 2η; next dist² = 1 + 4η + η².
    const b = prodigyStep(a.state, 1, 2, 1);
    const eta = 0.25 / Math.sqrt(0.25 * 4 + 0.25 * 5);
    expect(b.eta).toBeCloseTo(eta, 15);
    expect(b.state.d).toBeCloseTo(Math.max(0.5, (2 * eta) / Math.sqrt(1 + 4 * eta + eta * eta)), 15);
    expect(prodigyStep(b.state, 1, -100, 1).state.d).toBe(b.state.d);
  });

  it('converges on an ill-conditioned quadratic without a learning rate; d grows from d₀', () => {
    const { final, infos } = quadratic(PRODIGY, EUCLID, [1, 10, 0.3], [1, -1, 2], 400);
    expect(final).toBeLessThan(1e-3 * 0.5 * (1 + 10 + 0.3 * 4));
    expect(infos.at(-1)!.a).toBeGreaterThan(100 * infos[0]!.a);
  });
});
