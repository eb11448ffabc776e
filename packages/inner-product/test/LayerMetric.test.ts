// The tfjs LayerMetric: statistics estimated by tfjs ops agree with the reference builders (batch and
// ema, diagonal and dense), tfjs per-example norms agree with the reference, conv kernels are maps from
// patches to channels, and no tensors leak.
import * as tf from '@tensorflow/tfjs';
import type { Gram as GramSpec, Metric } from '@sprout/spec';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import {
  frobeniusSpaceFor as refFromMetric,
  mat,
  transpose,
  updateMoment,
  perExampleNorms2,
  perExampleBiasNorms2,
  type Mat,
} from '../src/index.js';
import { layerMetricFor, layerShapeOf, tfPerExampleBiasNorms2, tfPerExampleNorms2 } from '../src/tfjs/index.js';

const rand = (seed: number) => () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648 - 0.5;
};
const randMat = (r: number, c: number, next: () => number): Mat =>
  mat(
    r,
    c,
    Array.from({ length: r * c }, () => 2 * next()),
  );
const toT = (a: Mat): tf.Tensor2D => tf.tensor2d(Float32Array.from(a.data), [a.rows, a.cols]);

const right = <A>(e: E.Either<{ message: string }, A>): A => {
  if (E.isLeft(e)) throw new Error(e.left.message);
  return e.right;
};

describe('LayerMetric (tfjs) against the reference', () => {
  const cases: [string, GramSpec][] = [
    [
      'dense batch',
      {
        _tag: 'data',
        structure: 'dense',
        damping: 0.1,
        estimate: 'batch',
        decay: 0.9,
        refreshEvery: 1,
        minDiagonal: 1e-12,
      },
    ],
    [
      'dense ema',
      {
        _tag: 'data',
        structure: 'dense',
        damping: 0.1,
        estimate: 'ema',
        decay: 0.8,
        refreshEvery: 1,
        minDiagonal: 1e-12,
      },
    ],
    [
      'diagonal batch',
      {
        _tag: 'data',
        structure: 'diagonal',
        damping: 0.1,
        estimate: 'batch',
        decay: 0.9,
        refreshEvery: 1,
        minDiagonal: 1e-12,
      },
    ],
    [
      'diagonal ema',
      {
        _tag: 'data',
        structure: 'diagonal',
        damping: 0.1,
        estimate: 'ema',
        decay: 0.8,
        refreshEvery: 1,
        minDiagonal: 1e-12,
      },
    ],
    ['width', { _tag: 'width' }],
  ];
  for (const [name, gram] of cases) {
    it(`${name}: Riesz map, dual norm and per-example norms agree after three updates`, () => {
      const next = rand(name.length * 7919);
      const n = 4;
      const m = 3;
      const metric: Metric = { _tag: 'frobenius', domain: gram, codomain: gram };
      const before = tf.memory().numTensors;
      const lm = right(layerMetricFor(metric, { n, m }));
      let xx: Mat | undefined;
      let dd: Mat | undefined;
      let x = randMat(6, n, next);
      let d = randMat(6, m, next);
      for (let k = 0; k < 3; k++) {
        x = randMat(6, n, next);
        d = randMat(6, m, next);
        const [tx, td] = [toT(x), toT(d)];
        expect(E.isRight(lm.update({ x: tx, delta: td }))).toBe(true);
        tf.dispose([tx, td]);
        if (gram._tag === 'data') {
          xx = updateMoment(xx, x, gram.estimate, gram.decay);
          dd = updateMoment(dd, d, gram.estimate, gram.decay);
        }
      }
      const ref = right(refFromMetric(metric, { n, m }, { xx, dd }));
      const g = randMat(m, n, next); // paper layout m×n
      const tg = toT(transpose(g)); // tfjs layout n×m
      const r = lm.kernel().riesz(tg);
      const rRef = transpose(ref.riesz(g));
      const rv = r.dataSync();
      const scale = Math.max(1, ...rRef.data.map(Math.abs));
      rRef.data.forEach((v, i) => expect(Math.abs(rv[i]! - v)).toBeLessThan(1e-4 * scale));
      const dn = lm.kernel().dualNorm2(tg);
      expect(dn.dataSync()[0]!).toBeCloseTo(ref.dualNorm2(g), 3);
      const [tx, td] = [toT(x), toT(d)];
      const pe = tfPerExampleNorms2(lm.kernel(), tx, td);
      const peb = tfPerExampleBiasNorms2(lm.bias(), td);
      const peRef = perExampleNorms2(ref, x, d);
      const pebRef = perExampleBiasNorms2(ref, d);
      Array.from(pe.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(peRef[i]!, 3));
      Array.from(peb.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(pebRef[i]!, 3));
      tf.dispose([tg, r, dn, tx, td, pe, peb]);
      lm.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('conv kernels are maps from patches (kh·kw·in) to channels (out)', () => {
    expect(layerShapeOf([3, 3, 2, 4])).toEqual({ n: 18, m: 4 });
    expect(layerShapeOf([5, 7])).toEqual({ n: 5, m: 7 });
    expect(layerShapeOf([7])).toEqual({ n: 1, m: 7 });
    const metric: Metric = { _tag: 'frobenius', domain: { _tag: 'width' }, codomain: { _tag: 'scaled', c: 2 } };
    const lm = right(layerMetricFor(metric, layerShapeOf([3, 3, 2, 4])));
    const k = tf.randomNormal([3, 3, 2, 4], 0, 1, 'float32', 1);
    const r = lm.kernel().riesz(k);
    expect(r.shape).toEqual([3, 3, 2, 4]);
    // M_X = I/18, M_Y = 2I → R = G / 36
    const diff = tf.max(tf.abs(tf.sub(r, tf.div(k, 36)))).dataSync()[0]!;
    expect(diff).toBeLessThan(1e-6);
    tf.dispose([k, r]);
    lm.dispose();
  });

  it('statistics of the wrong width are an invalid-metric error', () => {
    const data = {
      _tag: 'data',
      structure: 'dense',
      damping: 0.1,
      estimate: 'batch',
      decay: 0,
      refreshEvery: 1,
      minDiagonal: 1e-12,
    } as const;
    const lm = right(layerMetricFor({ _tag: 'frobenius', domain: data, codomain: data }, { n: 3, m: 2 }));
    const x = tf.ones([4, 5]) as tf.Tensor2D;
    const res = lm.update({ x });
    expect(E.isLeft(res) && res.left._tag).toBe('invalid-metric');
    x.dispose();
    lm.dispose();
  });
});

describe('conv patches', () => {
  it('matMul(patches, reshape(kernel, [n, m])) equals conv2d(x, kernel) (same and valid, stride 1 and 2)', async () => {
    const { extractPatches } = await import('../src/tfjs/index.js');
    const x = tf.randomNormal([2, 5, 6, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const k = tf.randomNormal([3, 2, 3, 4], 0, 1, 'float32', 4) as tf.Tensor4D;
    for (const padding of ['same', 'valid'] as const) {
      for (const stride of [1, 2]) {
        const diff = tf.tidy(() => {
          const conv = tf.conv2d(x, k, stride, padding);
          const p = extractPatches(x, { kh: 3, kw: 2, stride, padding });
          const viaPatches = tf.reshape(tf.matMul(p, tf.reshape(k, [18, 4])), conv.shape);
          return tf.max(tf.abs(tf.sub(conv, viaPatches))).dataSync()[0]!;
        });
        expect(diff).toBeLessThan(1e-4);
      }
    }
    tf.dispose([x, k]);
  });
});
