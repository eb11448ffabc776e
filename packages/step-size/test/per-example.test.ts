// The per_example variance estimate (rank-one norms, ALGORITHMS.md §1–2) against a brute-force computation
// that loops over the examples of a two-layer network, takes each example's gradient with tf.variableGrads,
// maps it with the Riesz map of the same inner product and averages the squared norms.
import * as tf from '@tensorflow/tfjs';
import { layerMetricFor as tfFromMetric, layerShapeOf } from '@sprout/inner-product/tfjs';
import type { Metric } from '@sprout/spec';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import {
  createPreconditionedOptimizer,
  finitePopulationCorrection,
  varianceRatio,
  type ParamGroup,
} from '../src/index.js';
import { adaptive, DATA_DENSE, EUCLID, normals, right, sgd, WIDTH } from './problems.js';

const B = 8;
const n0 = 3;
const h = 4;
const m = 2;

/** A 3→4 tanh → 2 network with mean squared error; returns everything the test needs. */
const setup = (seed: number) => {
  const X = tf.tensor2d(normals(B * n0, seed), [B, n0]);
  const Y = tf.tensor2d(normals(B * m, seed + 1), [B, m]);
  const W1 = tf.variable(tf.tensor2d(normals(n0 * h, seed + 2), [n0, h]));
  const b1 = tf.variable(tf.tensor1d(normals(h, seed + 3)));
  const W2 = tf.variable(tf.tensor2d(normals(h * m, seed + 4), [h, m]));
  const b2 = tf.variable(tf.tensor1d(normals(m, seed + 5)));
  const head = (z1: tf.Tensor) => tf.add(tf.matMul(tf.tanh(z1) as tf.Tensor2D, W2), b2);
  const lossOfOut = (z2: tf.Tensor, y: tf.Tensor) =>
    tf.mul(0.5, tf.mean(tf.sum(tf.square(tf.sub(z2, y)), 1))) as tf.Scalar;
  const z1Of = (x: tf.Tensor) => tf.add(tf.matMul(x as tf.Tensor2D, W1), b1);
  const loss = (x: tf.Tensor, y: tf.Tensor) => () => tf.tidy(() => lossOfOut(head(z1Of(x)), y));
  const groups: ParamGroup[] = [
    { name: W1.name, kind: 'dense', variable: W1, layer: '0' },
    { name: b1.name, kind: 'bias', variable: b1, layer: '0' },
    { name: W2.name, kind: 'dense', variable: W2, layer: '1' },
    { name: b2.name, kind: 'bias', variable: b2, layer: '1' },
  ];
  return { X, Y, W1, b1, W2, b2, head, lossOfOut, z1Of, loss, groups };
};

describe('per_example variance', () => {
  for (const [name, metric] of [
    ['euclidean', EUCLID],
    ['width', WIDTH],
    ['scaled', { _tag: 'frobenius', domain: { _tag: 'scaled', c: 3 }, codomain: { _tag: 'scaled', c: 0.5 } } as Metric],
    ['data dense', DATA_DENSE],
  ] as const) {
    it(`${name}: V_B and ρ equal the brute-force per-example computation`, () => {
      const s = setup(name.length * 31);
      const vars = [s.W1, s.b1, s.W2, s.b2];
      // Taps: layer inputs and δ = ∂f_B/∂z (rows are (1/B)·∂J_b/∂z_b).
      const z1 = tf.tidy(() => s.z1Of(s.X));
      const h1 = tf.tanh(z1) as tf.Tensor2D;
      const z2 = tf.tidy(() => s.head(z1));
      const d1 = tf.grad((z: tf.Tensor) => s.lossOfOut(s.head(z), s.Y))(z1) as tf.Tensor2D;
      const d2 = tf.grad((z: tf.Tensor) => s.lossOfOut(z, s.Y))(z2) as tf.Tensor2D;
      const taps = new Map([
        ['0', { x: s.X, delta: d1 }],
        ['1', { x: h1, delta: d2 }],
      ]);
      // Brute force: the same metric, statistics fed with the same per-example δ (B · rows).
      const lms = new Map(
        [
          ['0', s.W1],
          ['1', s.W2],
        ].map(([k, w]) => [k as string, right(tfFromMetric(metric, layerShapeOf((w as tf.Variable).shape)))]),
      );
      lms.get('0')!.update({ x: s.X, delta: tf.mul(d1, B) as tf.Tensor2D });
      lms.get('1')!.update({ x: h1, delta: tf.mul(d2, B) as tf.Tensor2D });
      const spaceOf = (i: number) => {
        const lm = lms.get(i < 2 ? '0' : '1')!;
        return i % 2 === 0 ? lm.kernel() : lm.bias();
      };
      let q = 0;
      const mean: tf.Tensor[] = vars.map((v) => tf.zerosLike(v));
      for (let b = 0; b < B; b++) {
        const xb = tf.slice(s.X, [b, 0], [1, n0]);
        const yb = tf.slice(s.Y, [b, 0], [1, m]);
        const { value, grads } = tf.variableGrads(s.loss(xb, yb), vars);
        vars.forEach((v, i) => {
          const r = spaceOf(i).riesz(grads[v.name]!);
          const n2 = spaceOf(i).norm2(r);
          q += n2.dataSync()[0]! / B;
          const next = tf.add(mean[i]!, tf.div(r, B));
          tf.dispose([mean[i]!, r, n2]);
          mean[i] = next;
        });
        tf.dispose([xb, yb, value, ...Object.values(grads)]);
      }
      const meanNorm2 = mean.reduce((acc, r, i) => {
        const t = spaceOf(i).norm2(r);
        const v = t.dataSync()[0]!;
        t.dispose();
        return acc + v;
      }, 0);
      const V1 = (B / (B - 1)) * (q - meanNorm2);
      const brute = varianceRatio(meanNorm2, q, B, 1e-6);
      expect(brute.V1).toBeCloseTo(V1, 10);

      // The optimizer's estimate on the same batch.
      const opt = right(
        createPreconditionedOptimizer(s.groups, sgd(adaptive('per_example', { rhoMin: 1e-6 }), metric)),
      );
      const { value, grads } = tf.variableGrads(s.loss(s.X, s.Y), vars);
      const r = opt.step(grads, { loss: value, lossAt: () => s.loss(s.X, s.Y)().dataSync()[0]!, taps });
      expect(E.isRight(r)).toBe(true);
      if (E.isRight(r)) {
        expect(r.right.variance!).toBeGreaterThan(0);
        expect(Math.abs(r.right.variance! - V1 / B)).toBeLessThan(2e-3 * (V1 / B));
        expect(Math.abs(r.right.rho! - brute.rho)).toBeLessThan(2e-3);
        expect(r.right.rho!).toBeLessThan(1);
      }
      opt.dispose();
      // Full batch with the finite-population correction (datasetSize = B): no sampling variance, ρ = 1.
      const full = right(
        createPreconditionedOptimizer(s.groups, sgd(adaptive('per_example', { rhoMin: 1e-6 }), metric), {
          datasetSize: B,
        }),
      );
      const r2 = full.step(grads, { loss: value, lossAt: () => s.loss(s.X, s.Y)().dataSync()[0]!, taps });
      expect(E.isRight(r2) && [r2.right.variance, r2.right.rho]).toEqual([0, 1]);
      full.dispose();
      lms.forEach((lm) => lm.dispose());
      tf.dispose([value, ...Object.values(grads), ...mean, z1, h1, z2, d1, d2, s.X, s.Y, ...vars]);
    });
  }
});

describe('finite-population correction', () => {
  it('(N − B)/(N − 1): 0 for the full batch, → 1 for B ≪ N, 1 without N', () => {
    expect(finitePopulationCorrection(450, 450)).toBe(0);
    expect(finitePopulationCorrection(1, 450)).toBe(1);
    expect(finitePopulationCorrection(64, 60001)).toBeCloseTo(59937 / 60000, 12);
    expect(finitePopulationCorrection(64, undefined)).toBe(1);
    expect(varianceRatio(4, 5, 2, 1e-3, 0.5)).toEqual({ rho: 0.875, V1: 2, VB: 0.5 });
  });
});
