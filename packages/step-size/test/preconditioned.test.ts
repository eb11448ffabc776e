// PreconditionedOptimizer: one preconditioned step equals the closed form W ← W − lr M_Y⁻¹ G M_X on a small
// dense layer (ALGORITHMS.md §1), momentum and Adam equal tfjs's optimizers in the Euclidean metric,
// errors are values that leave the variables untouched, and no tensors leak.
import * as tf from '@tensorflow/tfjs';
import { frobeniusSpaceFor as refFromMetric, mat, transpose, updateMoment, type Mat } from '@sprout/inner-product';
import type { Metric, Optimizer } from '@sprout/spec';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { createPreconditionedOptimizer, type ParamGroup } from '../src/index.js';
import { adaptive, DATA_DENSE, EUCLID, logistic, normals, right, runLogistic, sgd } from './problems.js';

const B = 6;
const n = 3;
const m = 2;

/** A dense layer z = x W + b with loss ½ mean ‖z − y‖², its gradient and taps. */
const layer = (seed: number) => {
  const X = tf.tensor2d(normals(B * n, seed), [B, n]);
  const Y = tf.tensor2d(normals(B * m, seed + 1), [B, m]);
  const W = tf.variable(tf.tensor2d(normals(n * m, seed + 2), [n, m]));
  const b = tf.variable(tf.tensor1d(normals(m, seed + 3)));
  const lossOfZ = (z: tf.Tensor) => tf.mul(0.5, tf.mean(tf.sum(tf.square(tf.sub(z, Y)), 1))) as tf.Scalar;
  const f = () => tf.tidy(() => lossOfZ(tf.add(tf.matMul(X, W), b)));
  const groups: ParamGroup[] = [
    { name: W.name, kind: 'dense', variable: W, layer: 'L' },
    { name: b.name, kind: 'bias', variable: b, layer: 'L' },
  ];
  return { X, Y, W, b, f, lossOfZ, groups, dispose: () => tf.dispose([X, Y, W, b]) };
};

const toMat = (t: tf.Tensor): Mat => {
  const [r, c] = t.shape.length === 2 ? (t.shape as [number, number]) : [t.shape[0]!, 1];
  return mat(r, c, t.dataSync());
};

describe('a preconditioned step equals the closed form', () => {
  for (const [name, metric] of [
    [
      'data dense (batch)',
      {
        _tag: 'frobenius',
        domain: {
          _tag: 'data',
          structure: 'dense',
          damping: 0.1,
          estimate: 'batch',
          decay: 0,
          refreshEvery: 1,
          minDiagonal: 1e-12,
        },
        codomain: {
          _tag: 'data',
          structure: 'dense',
          damping: 0.1,
          estimate: 'batch',
          decay: 0,
          refreshEvery: 1,
          minDiagonal: 1e-12,
        },
      } as Metric,
    ],
    ['scaled / width', { _tag: 'frobenius', domain: { _tag: 'scaled', c: 2 }, codomain: { _tag: 'width' } } as Metric],
  ] as const) {
    it(`${name}: W⁺ = W − lr M_Y⁻¹ G M_X (paper layout), b⁺ = b − lr M_Y⁻¹ g_b`, () => {
      const p = layer(3);
      const lr = 0.3;
      const z = tf.tidy(() => tf.add(tf.matMul(p.X, p.W), p.b));
      const delta = tf.grad(p.lossOfZ)(z) as tf.Tensor2D; // rows (1/B) ∂J_b/∂z_b
      const { value, grads } = tf.variableGrads(p.f, [p.W, p.b]);
      // Reference, in Float64 and the papers' layout: W (m×n), G (m×n), statistics of x and of B·δ.
      const Wp = transpose(toMat(p.W));
      const G = transpose(toMat(grads[p.W.name]!));
      const gb = toMat(grads[p.b.name]!);
      const bp = toMat(p.b);
      const xx = updateMoment(undefined, toMat(p.X), 'batch', 0);
      const dd = updateMoment(
        undefined,
        mat(
          B,
          m,
          toMat(delta).data.map((v) => v * B),
        ),
        'batch',
        0,
      );
      const ref = right(refFromMetric(metric, { n, m }, { xx, dd }));
      const R = ref.riesz(G); // M_Y⁻¹ G M_X
      const expectedW = Wp.data.map((w, i) => w - lr * R.data[i]!);
      const biasRef = right(refFromMetric({ ...metric, domain: { _tag: 'identity' } }, { n: 1, m }, { dd }));
      const Rb = biasRef.riesz(gb);
      const expectedB = bp.data.map((v, i) => v - lr * Rb.data[i]!);

      const opt = right(
        createPreconditionedOptimizer(p.groups, { _tag: 'sgd', step: { _tag: 'constant', lr }, metric }),
      );
      const r = opt.step(grads, { loss: value, taps: new Map([['L', { x: p.X, delta }]]) });
      expect(E.isRight(r)).toBe(true);
      const gotW = transpose(toMat(p.W)).data;
      const gotB = p.b.dataSync();
      const scale = Math.max(1, ...expectedW.map(Math.abs));
      expectedW.forEach((v, i) => expect(Math.abs(gotW[i]! - v)).toBeLessThan(1e-4 * scale));
      expectedB.forEach((v, i) => expect(Math.abs(gotB[i]! - v)).toBeLessThan(1e-4 * scale));
      opt.dispose();
      tf.dispose([z, delta, value, ...Object.values(grads)]);
      p.dispose();
    });
  }
});

describe('momentum and Adam in the Euclidean metric equal tfjs optimizers', () => {
  const cases: [string, Optimizer, () => tf.Optimizer][] = [
    [
      'momentum',
      { _tag: 'momentum', beta: 0.9, step: { _tag: 'constant', lr: 0.05 }, metric: EUCLID },
      () => tf.train.momentum(0.05, 0.9),
    ],
    [
      'adam',
      { _tag: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7, step: { _tag: 'constant', lr: 0.01 }, metric: EUCLID },
      () => tf.train.adam(0.01, 0.9, 0.999, 1e-7),
    ],
  ];
  for (const [name, spec, make] of cases) {
    it(name, () => {
      const p = layer(5);
      const q = layer(5);
      const opt = right(createPreconditionedOptimizer(p.groups, spec));
      const ref = make();
      for (let s = 0; s < 5; s++) {
        const { value, grads } = tf.variableGrads(p.f, [p.W, p.b]);
        expect(E.isRight(opt.step(grads, { loss: value }))).toBe(true);
        tf.dispose([value, ...Object.values(grads)]);
        ref.minimize(q.f, true, [q.W, q.b])?.dispose();
      }
      const diff = Math.max(...Array.from(p.W.dataSync()).map((v, i) => Math.abs(v - q.W.dataSync()[i]!)));
      expect(diff).toBeLessThan(1e-5);
      opt.dispose();
      ref.dispose();
      p.dispose();
      q.dispose();
    });
  }
});

describe('errors are values and leave the variables as they were', () => {
  const snapshot = (p: ReturnType<typeof layer>) => [...p.W.dataSync(), ...p.b.dataSync()];

  it('a NaN batch loss → non-finite-loss (current), for schedules and adaptive', () => {
    for (const step of [{ _tag: 'constant', lr: 0.1 } as const, adaptive('none')]) {
      const p = layer(1);
      const before = snapshot(p);
      const opt = right(createPreconditionedOptimizer(p.groups, sgd(step)));
      const { value, grads } = tf.variableGrads(p.f, [p.W, p.b]);
      const r = opt.step(grads, { loss: tf.scalar(Number.NaN), lossAt: () => 0 });
      expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'non-finite-loss', where: 'current' });
      expect(snapshot(p)).toEqual(before);
      tf.dispose([value, ...Object.values(grads)]);
      opt.dispose();
      p.dispose();
    }
  });

  it('an infinite trial loss → non-finite-loss (trial), variables restored, state unchanged', () => {
    const p = layer(2);
    const before = snapshot(p);
    const opt = right(createPreconditionedOptimizer(p.groups, sgd(adaptive('none'))));
    const { value, grads } = tf.variableGrads(p.f, [p.W, p.b]);
    const r = opt.step(grads, { loss: value, lossAt: () => Number.POSITIVE_INFINITY });
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'non-finite-loss', where: 'trial' });
    expect(snapshot(p)).toEqual(before);
    expect(opt.state()).toEqual({ k: 0, a: 0.1, L: 10 });
    tf.dispose([value, ...Object.values(grads)]);
    opt.dispose();
    p.dispose();
  });

  it('a NaN gradient → non-finite-gradient; a missing gradient, lossAt or taps → their errors', () => {
    const p = layer(4);
    const before = snapshot(p);
    const opt = right(createPreconditionedOptimizer(p.groups, sgd(adaptive('none'))));
    const nanGrads = { [p.W.name]: tf.fill([n, m], Number.NaN), [p.b.name]: tf.zeros([m]) };
    expect(E.isLeft(opt.step(nanGrads, { loss: 1, lossAt: () => 1 })) && 'ok').toBe('ok');
    const r1 = opt.step(nanGrads, { loss: 1, lossAt: () => 1 });
    expect(E.isLeft(r1) && r1.left._tag).toBe('non-finite-gradient');
    const r2 = opt.step({ [p.W.name]: nanGrads[p.W.name]! }, { loss: 1, lossAt: () => 1 });
    expect(E.isLeft(r2) && r2.left).toEqual({ _tag: 'missing-gradient', name: p.b.name });
    const r3 = opt.step(nanGrads, { loss: 1 });
    expect(E.isLeft(r3) && r3.left._tag).toBe('missing-statistics');
    const pe = right(createPreconditionedOptimizer(p.groups, sgd(adaptive('per_example'))));
    const zero = { [p.W.name]: tf.zeros([n, m]), [p.b.name]: tf.ones([m]) };
    const r4 = pe.step(zero, { loss: 1, lossAt: () => 1 });
    expect(E.isLeft(r4) && r4.left._tag).toBe('missing-statistics');
    const sp = right(createPreconditionedOptimizer(p.groups, sgd(adaptive('split'))));
    const r5 = sp.step(zero, { loss: 1, lossAt: () => 1 });
    expect(E.isLeft(r5) && r5.left._tag).toBe('missing-statistics');
    expect(snapshot(p)).toEqual(before);
    tf.dispose([...Object.values(nanGrads), ...Object.values(zero)]);
    [opt, pe, sp].forEach((o) => o.dispose());
    p.dispose();
  });

  it('construction errors: unsupported combinations and out-of-range options', () => {
    const p = layer(6);
    const adamAdaptive: Optimizer = {
      _tag: 'adam',
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-8,
      step: adaptive('none'),
      metric: EUCLID,
    };
    const u = createPreconditionedOptimizer(p.groups, adamAdaptive);
    expect(E.isLeft(u) && u.left._tag).toBe('unsupported');
    const bad = createPreconditionedOptimizer(p.groups, sgd(adaptive('none', { beta: 1 })));
    expect(E.isLeft(bad) && bad.left._tag).toBe('invalid-options');
    const badArmijo = createPreconditionedOptimizer(
      p.groups,
      sgd({ _tag: 'armijo', initial: 1, shrink: 1.5, c: 1e-4, maxBacktracks: 30, onLineSearchFailure: 'skip' }),
    );
    expect(E.isLeft(badArmijo) && badArmijo.left._tag).toBe('invalid-options');
    const badMetric = createPreconditionedOptimizer(
      p.groups,
      sgd(
        { _tag: 'constant', lr: 0.1 },
        {
          _tag: 'frobenius',
          domain: { _tag: 'scaled', c: -1 },
          codomain: { _tag: 'identity' },
        },
      ),
    );
    expect(E.isLeft(badMetric) && badMetric.left._tag).toBe('inner-product');
    p.dispose();
  });
});

describe('memory', () => {
  it('no tensors leak over many steps (adaptive per_example with a data metric, Adam, split)', () => {
    const p = logistic(3);
    const before = tf.memory().numTensors;
    runLogistic(p, sgd(adaptive('per_example'), DATA_DENSE), 20, { taps: true });
    runLogistic(p, sgd(adaptive('split'), DATA_DENSE), 20, { taps: true, chunks: 2 });
    runLogistic(p, sgd(adaptive('ema')), 20);
    runLogistic(
      p,
      {
        _tag: 'adam',
        beta1: 0.9,
        beta2: 0.999,
        epsilon: 1e-8,
        step: { _tag: 'constant', lr: 0.01 },
        metric: DATA_DENSE,
      },
      20,
      { taps: true },
    );
    expect(tf.memory().numTensors).toBe(before);
    p.dispose();
  });
});

describe('data-based metrics need taps', () => {
  it('a data metric without taps for its layer is missing-statistics, not a silent Euclidean step', () => {
    const p = layer(8);
    const before = [...p.W.dataSync(), ...p.b.dataSync()];
    const opt = right(createPreconditionedOptimizer(p.groups, sgd({ _tag: 'constant', lr: 0.1 }, DATA_DENSE)));
    const { value, grads } = tf.variableGrads(p.f, [p.W, p.b]);
    const r = opt.step(grads, { loss: value });
    expect(E.isLeft(r) && r.left._tag).toBe('missing-statistics');
    expect([...p.W.dataSync(), ...p.b.dataSync()]).toEqual(before);
    tf.dispose([value, ...Object.values(grads)]);
    opt.dispose();
    p.dispose();
  });
});

describe('snapshot and resume (optimizer state across a rebuild)', () => {
  for (const spec of [
    { _tag: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, step: { _tag: 'constant', lr: 0.01 }, metric: EUCLID },
    { _tag: 'momentum', beta: 0.9, step: { _tag: 'constant', lr: 0.05 }, metric: EUCLID },
  ] as Optimizer[]) {
    it(`${spec._tag}: 3 steps, snapshot, rebuild with resume, 2 steps = 5 uninterrupted steps`, () => {
      const p = layer(9);
      const q = layer(9);
      const stepN = (
        o: ReturnType<typeof right<import('../src/index.js').PreconditionedOptimizer>>,
        l: typeof p,
        n: number,
      ) => {
        for (let s = 0; s < n; s++) {
          const { value, grads } = tf.variableGrads(l.f, [l.W, l.b]);
          expect(E.isRight(o.step(grads, { loss: value }))).toBe(true);
          tf.dispose([value, ...Object.values(grads)]);
        }
      };
      const straight = right(createPreconditionedOptimizer(p.groups, spec));
      stepN(straight, p, 5);
      const first = right(createPreconditionedOptimizer(q.groups, spec));
      stepN(first, q, 3);
      const snap = first.snapshot();
      first.dispose();
      const second = right(createPreconditionedOptimizer(q.groups, spec, { resume: snap }));
      // A parameter without a slot (a new layer) starts from zero state.
      const fresh = right(
        createPreconditionedOptimizer(q.groups, spec, {
          resume: { slots: new Map([[q.b.name, snap.slots.get(q.b.name)!]]) },
        }),
      );
      const freshSnap = fresh.snapshot();
      expect(freshSnap.slots.get(q.W.name)).toEqual({ t: 0 });
      expect(freshSnap.slots.get(q.b.name)!.m).toBeDefined();
      const disposeSlots = (x: typeof snap) =>
        x.slots.forEach((s) => tf.dispose([s.m, s.v].filter((t): t is tf.Tensor => t !== undefined)));
      disposeSlots(snap);
      disposeSlots(freshSnap);
      stepN(second, q, 2);
      const diff = Math.max(...Array.from(p.W.dataSync()).map((v, i) => Math.abs(v - q.W.dataSync()[i]!)));
      expect(diff).toBeLessThan(1e-6);
      [straight, second, fresh].forEach((o) => o.dispose());
      p.dispose();
      q.dispose();
    });
  }
});
