// A conv kernel is the map from input patches (n = kh·kw·in) to channels (m = out): with data-based Grams
// the preconditioned step on a conv layer equals the closed form built from the patch and output-gradient
// statistics (ALGORITHMS.md §1, [design] for conv).
import * as tf from '@tensorflow/tfjs';
import { frobeniusSpaceFor as refFromMetric, mat, transpose, updateMoment } from '@sprout/inner-product';
import { extractPatches } from '@sprout/inner-product/tfjs';
import type { Metric } from '@sprout/spec';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { createPreconditionedOptimizer } from '../src/index.js';
import { right } from './problems.js';

describe('conv layers with data-based Grams', () => {
  it('K⁺ = K − lr · (M_Y⁻¹ G M_X)ᵀ with M_X from input patches and M_Y from output-position gradients', () => {
    const B = 2;
    const x = tf.randomNormal([B, 4, 4, 2], 0, 1, 'float32', 11) as tf.Tensor4D;
    const y = tf.randomNormal([B, 4, 4, 3], 0, 1, 'float32', 12);
    const K = tf.variable(tf.randomNormal([3, 3, 2, 3], 0, 0.5, 'float32', 13));
    const lossOfZ = (z: tf.Tensor) => tf.div(tf.mul(0.5, tf.sum(tf.square(tf.sub(z, y)))), B) as tf.Scalar;
    const f = () => tf.tidy(() => lossOfZ(tf.conv2d(x, K as tf.Variable<tf.Rank.R4>, 1, 'same')));
    const metric: Metric = {
      _tag: 'frobenius',
      domain: {
        _tag: 'data',
        structure: 'dense',
        damping: 0.5,
        estimate: 'batch',
        decay: 0,
        refreshEvery: 1,
        minDiagonal: 1e-12,
      },
      codomain: {
        _tag: 'data',
        structure: 'dense',
        damping: 0.5,
        estimate: 'batch',
        decay: 0,
        refreshEvery: 1,
        minDiagonal: 1e-12,
      },
    };
    const lr = 0.05;
    const z = tf.tidy(() => tf.conv2d(x, K as tf.Variable<tf.Rank.R4>, 1, 'same'));
    const delta = tf.grad(lossOfZ)(z);
    const { value, grads } = tf.variableGrads(f, [K]);
    // Reference: n = 18, m = 3; paper layout G = (reshape(dK, [18, 3]))ᵀ.
    const patches = extractPatches(x, { kh: 3, kw: 3, stride: 1, padding: 'same' });
    const xx = updateMoment(undefined, mat(32, 18, patches.dataSync()), 'batch', 0);
    const dd = updateMoment(
      undefined,
      mat(
        32,
        3,
        Float64Array.from(delta.dataSync(), (v) => v * B),
      ),
      'batch',
      0,
    );
    const ref = right(refFromMetric(metric, { n: 18, m: 3 }, { xx, dd }));
    const G = transpose(mat(18, 3, grads[K.name]!.dataSync()));
    const Rt = transpose(ref.riesz(G)); // 18×3, tfjs layout
    const before = K.dataSync().slice();
    const expected = before.map((v, i) => v - lr * Rt.data[i]!);

    const opt = right(
      createPreconditionedOptimizer(
        [{ name: K.name, kind: 'conv', variable: K, layer: 'c', conv: { stride: 1, padding: 'same' } }],
        { _tag: 'sgd', step: { _tag: 'constant', lr }, metric },
      ),
    );
    const r = opt.step(grads, { loss: value, taps: new Map([['c', { x, delta }]]) });
    expect(E.isRight(r)).toBe(true);
    const got = K.dataSync();
    const scale = Math.max(...Array.from(expected, Math.abs));
    expected.forEach((v, i) => expect(Math.abs(got[i]! - v)).toBeLessThan(1e-4 * scale));
    // The data metric changed the step: it differs from the Euclidean one.
    const euclid = before.map((v, i) => v - lr * grads[K.name]!.dataSync()[i]!);
    expect(Math.max(...Array.from(euclid, (v, i) => Math.abs(v - got[i]!)))).toBeGreaterThan(1e-3);
    opt.dispose();
    tf.dispose([x, y, K, z, delta, value, patches, ...Object.values(grads)]);
  });
});
