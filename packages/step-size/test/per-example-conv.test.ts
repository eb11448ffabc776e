// per_example variance on a conv layer: a conv kernel's per-example gradient is G_b = P_bᵀ Δ_b (patches ×
// output-position gradients), not rank one. The optimizer's V_B and ρ are checked against a brute-force
// loop that takes each example's gradient with tf.variableGrads and its norm in the same inner product.
import * as tf from '@tensorflow/tfjs';
import { extractPatches, layerMetricFor as tfFromMetric, layerShapeOf } from '@sprout/inner-product/tfjs';
import type { Metric } from '@sprout/spec';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { createPreconditionedOptimizer, varianceRatio, type ParamGroup } from '../src/index.js';
import { adaptive, EUCLID, normals, right, sgd } from './problems.js';

const B = 6;

describe('per_example variance on conv layers', () => {
  for (const [name, metric] of [
    ['euclidean', EUCLID],
    ['scaled', { _tag: 'frobenius', domain: { _tag: 'scaled', c: 2 }, codomain: { _tag: 'scaled', c: 0.5 } } as Metric],
    [
      'data dense',
      {
        _tag: 'frobenius',
        domain: {
          _tag: 'data',
          structure: 'dense',
          damping: 0.3,
          estimate: 'batch',
          decay: 0,
          refreshEvery: 1,
          minDiagonal: 1e-12,
        },
        codomain: {
          _tag: 'data',
          structure: 'diagonal',
          damping: 0.3,
          estimate: 'batch',
          decay: 0,
          refreshEvery: 1,
          minDiagonal: 1e-12,
        },
      } as Metric,
    ],
  ] as const) {
    it(`${name}: V_B and ρ equal the brute-force per-example computation (kernel and bias)`, () => {
      const X = tf.tensor4d(normals(B * 4 * 4 * 2, 5), [B, 4, 4, 2]);
      const Y = tf.tensor4d(normals(B * 4 * 4 * 3, 6), [B, 4, 4, 3]);
      const K = tf.variable(tf.tensor4d(normals(3 * 3 * 2 * 3, 7), [3, 3, 2, 3]));
      const bias = tf.variable(tf.tensor1d(normals(3, 8)));
      const zOf = (x: tf.Tensor) => tf.add(tf.conv2d(x as tf.Tensor4D, K as tf.Variable<tf.Rank.R4>, 1, 'same'), bias);
      // Mean over examples of ½‖tanh(z) − y‖²: a batch-mean loss, as the pipeline's.
      const lossOfZ = (z: tf.Tensor, y: tf.Tensor) =>
        tf.div(tf.mul(0.5, tf.sum(tf.square(tf.sub(tf.tanh(z), y)))), z.shape[0]!) as tf.Scalar;
      const loss = (x: tf.Tensor, y: tf.Tensor) => () => tf.tidy(() => lossOfZ(zOf(x), y));
      const groups: ParamGroup[] = [
        { name: K.name, kind: 'conv', variable: K, layer: 'c', conv: { stride: 1, padding: 'same' } },
        { name: bias.name, kind: 'bias', variable: bias, layer: 'c' },
      ];
      const z = tf.tidy(() => zOf(X));
      const delta = tf.grad((zz: tf.Tensor) => lossOfZ(zz, Y))(z);
      // Brute force in the same metric, its statistics fed with the same patches and per-example δ.
      const lm = right(tfFromMetric(metric, layerShapeOf(K.shape)));
      const patches = extractPatches(X, { kh: 3, kw: 3, stride: 1, padding: 'same' });
      const deltaRows = tf.reshape(tf.mul(delta, B), [-1, 3]) as tf.Tensor2D;
      lm.update({ x: patches, delta: deltaRows });
      const spaces = [lm.kernel(), lm.bias()];
      let q = 0;
      let mean: tf.Tensor[] = [tf.zerosLike(K), tf.zerosLike(bias)];
      for (let b = 0; b < B; b++) {
        const xb = tf.slice(X, [b, 0, 0, 0], [1, 4, 4, 2]);
        const yb = tf.slice(Y, [b, 0, 0, 0], [1, 4, 4, 3]);
        const { value, grads } = tf.variableGrads(loss(xb, yb), [K, bias]);
        mean = [K, bias].map((v, i) => {
          const r = spaces[i]!.riesz(grads[v.name]!);
          const n2 = spaces[i]!.norm2(r);
          q += n2.dataSync()[0]! / B;
          const next = tf.add(mean[i]!, tf.div(r, B));
          tf.dispose([mean[i]!, r, n2]);
          return next;
        });
        tf.dispose([xb, yb, value, ...Object.values(grads)]);
      }
      const meanNorm2 = mean.reduce((acc, r, i) => {
        const t = spaces[i]!.norm2(r);
        const v = t.dataSync()[0]!;
        t.dispose();
        return acc + v;
      }, 0);
      const brute = varianceRatio(meanNorm2, q, B, 1e-6);

      const opt = right(createPreconditionedOptimizer(groups, sgd(adaptive('per_example', { rhoMin: 1e-6 }), metric)));
      const { value, grads } = tf.variableGrads(loss(X, Y), [K, bias]);
      const r = opt.step(grads, {
        loss: value,
        lossAt: () => loss(X, Y)().dataSync()[0]!,
        taps: new Map([['c', { x: X, delta }]]),
      });
      expect(E.isRight(r)).toBe(true);
      if (E.isRight(r)) {
        expect(r.right.variance!).toBeGreaterThan(0);
        expect(Math.abs(r.right.variance! - brute.VB!)).toBeLessThan(2e-3 * brute.VB!);
        expect(Math.abs(r.right.rho! - brute.rho)).toBeLessThan(2e-3);
        expect(r.right.rho!).toBeLessThan(1);
      }
      opt.dispose();
      lm.dispose();
      tf.dispose([X, Y, K, bias, z, delta, patches, deltaRows, value, ...Object.values(grads), ...mean]);
    });
  }
});
