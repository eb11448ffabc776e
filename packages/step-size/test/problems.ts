// Small objectives for the controller tests: a noisy quadratic with known curvature, Rosenbrock, and
// logistic regression with taps (layer input x and δ = ∂f_B/∂z) as @sprout/model provides them.
import * as tf from '@tensorflow/tfjs';
import type { Metric, Optimizer, StepSize } from '@sprout/spec';
import * as E from 'fp-ts/lib/Either.js';
import {
  ADAPTIVE_DEFAULTS,
  createPreconditionedOptimizer,
  type ParamGroup,
  type PreconditionedOptimizerOptions,
  type StepContext,
  type StepInfo,
  type AdaptiveStep,
} from '../src/index.js';

export const EUCLID: Metric = { _tag: 'frobenius', domain: { _tag: 'identity' }, codomain: { _tag: 'identity' } };
export const WIDTH: Metric = { _tag: 'frobenius', domain: { _tag: 'width' }, codomain: { _tag: 'width' } };
export const DATA_DENSE: Metric = {
  _tag: 'frobenius',
  domain: {
    _tag: 'data',
    structure: 'dense',
    damping: 0.1,
    estimate: 'ema',
    decay: 0.9,
    refreshEvery: 1,
    minDiagonal: 1e-12,
  },
  codomain: {
    _tag: 'data',
    structure: 'dense',
    damping: 0.1,
    estimate: 'ema',
    decay: 0.9,
    refreshEvery: 1,
    minDiagonal: 1e-12,
  },
};
export const DATA_DIAG: Metric = {
  _tag: 'frobenius',
  domain: {
    _tag: 'data',
    structure: 'diagonal',
    damping: 0.1,
    estimate: 'batch',
    decay: 0.9,
    refreshEvery: 1,
    minDiagonal: 1e-12,
  },
  codomain: {
    _tag: 'data',
    structure: 'diagonal',
    damping: 0.1,
    estimate: 'batch',
    decay: 0.9,
    refreshEvery: 1,
    minDiagonal: 1e-12,
  },
};

export const sgd = (step: StepSize, metric: Metric = EUCLID): Optimizer => ({ _tag: 'sgd', step, metric });

export const adaptive = (
  variance: 'none' | 'per_example' | 'split' | 'ema',
  over: Partial<AdaptiveStep> = {},
): AdaptiveStep => ({
  ...ADAPTIVE_DEFAULTS,
  variance,
  ...over,
});

export const right = <A>(e: E.Either<{ _tag: string }, A>): A => {
  if (E.isLeft(e)) throw new Error(`expected Right, got ${JSON.stringify(e.left)}`);
  return e.right;
};

/** A seeded uniform generator in [0, 1) (LCG; enough for test data). */
export const rng = (seed: number) => {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
};

/** Rosenbrock f(u, v) = (1 − u)² + 100 (v − u²)², from (−1.2, 1). */
export const rosenbrock = () => {
  const x = tf.variable(tf.tensor1d([-1.2, 1]), true);
  const f = (): tf.Scalar =>
    tf.tidy(() => {
      const u = tf.slice(x, [0], [1]);
      const v = tf.slice(x, [1], [1]);
      return tf.sum(tf.add(tf.square(tf.sub(1, u)), tf.mul(100, tf.square(tf.sub(v, tf.square(u)))))) as tf.Scalar;
    });
  return { x, f, groups: [{ name: x.name, kind: 'other', variable: x }] as ParamGroup[] };
};

/** Run `steps` steps of `opt` on a full-batch objective; returns infos and losses (f before each step). */
export const runFullBatch = (
  groups: ParamGroup[],
  f: () => tf.Scalar,
  optimizer: Optimizer,
  steps: number,
  options: PreconditionedOptimizerOptions = {},
): { infos: StepInfo[]; losses: number[]; final: number; errors: string[] } => {
  const opt = right(createPreconditionedOptimizer(groups, optimizer, options));
  const infos: StepInfo[] = [];
  const losses: number[] = [];
  const errors: string[] = [];
  const vars = groups.map((g) => g.variable);
  const lossAt = () => {
    const l = f();
    const v = l.dataSync()[0]!;
    l.dispose();
    return v;
  };
  for (let s = 0; s < steps; s++) {
    const { value, grads } = tf.variableGrads(f, vars);
    const ctx: StepContext = { loss: value, lossAt, epoch: Math.floor((s * 10) / steps) };
    losses.push(value.dataSync()[0]!);
    const r = opt.step(grads, ctx);
    tf.dispose([value, ...Object.values(grads)]);
    if (E.isLeft(r)) {
      errors.push(r.left._tag);
      break;
    }
    infos.push(r.right);
  }
  opt.dispose();
  return { infos, losses, final: lossAt(), errors };
};

/** Standard normal samples (Box–Muller over `rng`). */
export const normals = (count: number, seed: number): Float32Array => {
  const u = rng(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  return out;
};

/**
 * Logistic regression: N examples in Rⁿ, labels from a random separator plus label noise; the model is a
 * dense layer z = x W + b (W: n×1 in tfjs layout) with mean loss softplus(z) − y z.
 */
export const logistic = (seed: number, N = 64, n = 5) => {
  const X = tf.tensor2d(normals(N * n, seed), [N, n]);
  const wStar = tf.tensor2d(normals(n, seed + 1), [n, 1]);
  const noise = tf.tensor2d(normals(N, seed + 2), [N, 1]);
  const Y = tf.tidy(() =>
    tf.cast(tf.greater(tf.add(tf.matMul(X, wStar), tf.mul(noise, 0.5)), 0), 'float32'),
  ) as tf.Tensor2D;
  tf.dispose([wStar, noise]);
  const W = tf.variable(tf.zeros([n, 1]));
  const b = tf.variable(tf.zeros([1]));
  const lossOfZ = (z: tf.Tensor, y: tf.Tensor): tf.Scalar => tf.mean(tf.sub(tf.softplus(z), tf.mul(y, z))) as tf.Scalar;
  const logits = (x: tf.Tensor): tf.Tensor => tf.add(tf.matMul(x as tf.Tensor2D, W), b);
  const loss = (x: tf.Tensor, y: tf.Tensor) => (): tf.Scalar => tf.tidy(() => lossOfZ(logits(x), y));
  const groups: ParamGroup[] = [
    { name: W.name, kind: 'dense', variable: W, layer: 'out' },
    { name: b.name, kind: 'bias', variable: b, layer: 'out' },
  ];
  const dispose = () => tf.dispose([X, Y, W, b]);
  return { X, Y, W, b, N, n, lossOfZ, logits, loss, groups, dispose };
};

export type Logistic = ReturnType<typeof logistic>;

const scalar = (t: tf.Scalar): number => {
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
};

/**
 * Minibatch training of a logistic regression with `optimizer`; batches in a fixed cyclic order. Passes
 * taps (x, δ = ∂f_B/∂z) when `taps`, and K chunk gradients when `chunks`.
 */
export const runLogistic = (
  p: Logistic,
  optimizer: Optimizer,
  steps: number,
  options: PreconditionedOptimizerOptions & {
    readonly batch?: number;
    readonly taps?: boolean;
    readonly chunks?: number;
  } = {},
) => {
  const batch = options.batch ?? 16;
  const opt = right(
    createPreconditionedOptimizer(p.groups, optimizer, { totalEpochs: Math.ceil((steps * batch) / p.N), ...options }),
  );
  const full = () => scalar(p.loss(p.X, p.Y)());
  const initial = full();
  const infos: StepInfo[] = [];
  const errors: string[] = [];
  const vars = [p.W, p.b];
  for (let s = 0; s < steps; s++) {
    const start = (s * batch) % p.N;
    const xb = tf.slice(p.X, [start, 0], [batch, p.n]);
    const yb = tf.slice(p.Y, [start, 0], [batch, 1]);
    const f = p.loss(xb, yb);
    const { value, grads } = tf.variableGrads(f, vars);
    const owned: tf.Tensor[] = [xb, yb, value, ...Object.values(grads)];
    let taps: Map<string, { x: tf.Tensor; delta: tf.Tensor }> | undefined;
    if (options.taps === true) {
      const z = tf.tidy(() => p.logits(xb));
      const delta = tf.grad((zz: tf.Tensor) => p.lossOfZ(zz, yb))(z);
      owned.push(z, delta);
      taps = new Map([['out', { x: xb, delta }]]);
    }
    let chunkGrads: tf.NamedTensorMap[] | undefined;
    if (options.chunks !== undefined) {
      const size = batch / options.chunks;
      chunkGrads = Array.from({ length: options.chunks }, (_, c) => {
        const xc = tf.slice(xb, [c * size, 0], [size, p.n]);
        const yc = tf.slice(yb, [c * size, 0], [size, 1]);
        const r = tf.variableGrads(p.loss(xc, yc), vars);
        owned.push(xc, yc, r.value, ...Object.values(r.grads));
        return r.grads;
      });
    }
    const ctx: StepContext = {
      loss: value,
      lossAt: () => scalar(f()),
      epoch: Math.floor((s * batch) / p.N),
      ...(taps === undefined ? {} : { taps }),
      ...(chunkGrads === undefined ? {} : { chunkGrads }),
    };
    const r = opt.step(grads, ctx);
    tf.dispose(owned);
    if (E.isLeft(r)) {
      errors.push(r.left._tag);
      break;
    }
    infos.push(r.right);
  }
  opt.dispose();
  return { initial, final: full(), infos, errors };
};
