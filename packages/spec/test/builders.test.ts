import { describe, expect, it } from 'vitest';
import * as S from '../src/index.js';

const hasUndefined = (v: unknown): boolean =>
  v === undefined || (typeof v === 'object' && v !== null && Object.values(v).some(hasUndefined));

describe('DEFAULTS', () => {
  it('holds the documented values', () => {
    const d = S.DEFAULTS;
    expect([d.seed, d.repeat, d.loss, d.lr]).toStrictEqual([1, 1, 'cross_entropy', 0.1]);
    expect(d.data).toStrictEqual({ _tag: 'spirals', points: 300, turns: 1, radius: 0.5, split: 0.75 });
    expect(d.train).toStrictEqual({ epochs: 100, batch: 'full', shuffle: true });
    expect(d.adaptive).toStrictEqual({
      variance: 'none',
      L0: 10,
      beta: 0.995,
      Lmin: 1e-5,
      rhoMin: 1e-3,
      growthCap: 2,
      chunks: 4,
      onIncrease: 'reset',
      a0: 0.1,
      initialL: 'first_estimate',
      restart: 'phase',
      lossResolution: 1e-6,
      emaDecay: 0.9,
      minDirectionNorm2: 1e-30,
    });
    expect(d.dataGram).toStrictEqual({
      structure: 'diagonal',
      damping: 1e-3,
      estimate: 'batch',
      decay: 0.95,
      refreshEvery: 1,
      minDiagonal: 1e-12,
    });
    expect(d.sensli).toStrictEqual({
      norm: { _tag: 'fro' },
      select: { _tag: 'max' },
      lrFactor: 1,
      optimizerState: 'reset',
    });
    expect([d.csv, d.idx, d.stepDecay, d.cosine, d.armijo, d.adam, d.momentum]).toStrictEqual([
      { header: true, split: 0.8 },
      { split: 0.8 },
      { factor: 0.1, every: 30 },
      { minLr: 0 },
      { initial: 1, shrink: 0.5, c: 1e-4, maxBacktracks: 30, onLineSearchFailure: 'skip' },
      { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
      { beta: 0.9 },
    ]);
  });

  it('is deeply frozen', () => {
    expect(Object.isFrozen(S.DEFAULTS.optimizer)).toBe(true);
    expect(Object.isFrozen(S.DEFAULTS.network.layers[0])).toBe(true);
  });
});

describe('builders', () => {
  it('fill a whole experiment from the defaults', () => {
    const euclidean = { _tag: 'frobenius', domain: { _tag: 'identity' }, codomain: { _tag: 'identity' } };
    expect(S.experiment('quick')).toStrictEqual({
      _tag: 'experiment',
      version: 1,
      name: 'quick',
      seed: 1,
      repeat: 1,
      data: { _tag: 'spirals', points: 300, turns: 1, radius: 0.5, split: 0.75 },
      network: {
        input: [2],
        layers: [{ _tag: 'dense', units: 5, activation: 'relu', bias: true }],
        output: { units: 2, activation: 'linear' },
      },
      loss: 'cross_entropy',
      optimizer: { _tag: 'sgd', step: { _tag: 'constant', lr: 0.1 }, metric: euclidean },
      train: { epochs: 100, batch: 'full', shuffle: true },
      growth: { _tag: 'none' },
      compare: [],
      report: { plots: ['curves'], tables: ['final'] },
    });
  });

  it('fill the documented defaults of each construct', () => {
    expect(S.dense(5)).toStrictEqual({ _tag: 'dense', units: 5, activation: 'relu', bias: true });
    expect(S.dense(5, 'tanh', { bias: false })).toStrictEqual({
      _tag: 'dense',
      units: 5,
      activation: 'tanh',
      bias: false,
    });
    expect(S.conv(8, 3)).toStrictEqual({
      _tag: 'conv',
      filters: 8,
      kernel: 3,
      stride: 1,
      padding: 'same',
      activation: 'relu',
    });
    expect(S.maxPool(2)).toStrictEqual({ _tag: 'pool', kind: 'max', size: 2, stride: 2 });
    expect(S.avgPool(3, 1)).toStrictEqual({ _tag: 'pool', kind: 'avg', size: 3, stride: 1 });
    expect(S.residual(S.flatten())).toStrictEqual({ _tag: 'residual', body: [{ _tag: 'flatten' }] });
    expect(S.network(2, [], 2)).toStrictEqual({ input: [2], layers: [], output: { units: 2, activation: 'linear' } });
    expect(S.spirals({ points: 10 })).toStrictEqual({
      _tag: 'spirals',
      points: 10,
      turns: 1,
      radius: 0.5,
      split: 0.75,
    });
    expect(S.mnist()).toStrictEqual({ _tag: 'mnist' });
    expect(S.fashionMnist({ trainLimit: 100 })).toStrictEqual({ _tag: 'fashion_mnist', trainLimit: 100 });
    expect(S.csv('a.csv')).toStrictEqual({ _tag: 'csv', path: 'a.csv', header: true, split: 0.8 });
    expect(S.idx('i', 'l')).toStrictEqual({ _tag: 'idx', images: 'i', labels: 'l', split: 0.8 });
    expect(S.momentum()).toMatchObject({ _tag: 'momentum', beta: 0.9, step: { _tag: 'constant', lr: 0.1 } });
    expect(S.adam()).toMatchObject({ beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    expect(S.stepDecay(0.5)).toStrictEqual({ _tag: 'step', lr: 0.5, factor: 0.1, every: 30 });
    expect(S.cosine()).toStrictEqual({ _tag: 'cosine', lr: 0.1, minLr: 0 });
    expect(S.armijo()).toStrictEqual({
      _tag: 'armijo',
      initial: 1,
      shrink: 0.5,
      c: 1e-4,
      maxBacktracks: 30,
      onLineSearchFailure: 'skip',
    });
    expect(S.adaptive({ variance: 'split' })).toStrictEqual({
      _tag: 'adaptive',
      ...S.DEFAULTS.adaptive,
      variance: 'split',
    });
    expect(S.dataGram()).toStrictEqual({
      _tag: 'data',
      structure: 'diagonal',
      damping: 1e-3,
      estimate: 'batch',
      decay: 0.95,
      refreshEvery: 1,
      minDiagonal: 1e-12,
    });
    expect(S.euclidean()).toStrictEqual(S.frobenius(S.identity(), S.identity()));
    expect(S.sensli({ schedule: S.atEpochs(450) })).toStrictEqual({
      _tag: 'sensli',
      schedule: { _tag: 'at', epochs: [450] },
      norm: { _tag: 'fro' },
      select: { _tag: 'max' },
      lrFactor: 1,
      optimizerState: 'reset',
    });
    expect(S.every(100)).toStrictEqual({ _tag: 'every', every: 100, max: 1 });
    expect(S.threshold()).toStrictEqual({ _tag: 'threshold', tau: 1 });
    expect(S.train({ epochs: 5 })).toStrictEqual({ epochs: 5, batch: 'full', shuffle: true });
    expect(S.report({ plots: [] })).toStrictEqual({ plots: [], tables: ['final'] });
  });

  it('leave no undefined-valued keys, so a JSON round trip is exact', () => {
    const e = S.experiment('x', {
      data: S.csv('a.csv', { label: undefined, split: 0.5 }),
      network: S.network(4, [S.dense(3)], S.output(2)),
      compare: [S.arm('a', { growth: undefined, loss: 'mse' })],
    });
    expect(hasUndefined(e)).toBe(false);
    expect(JSON.parse(JSON.stringify(e))).toStrictEqual(e);
    expect(e.compare[0]).toStrictEqual({ name: 'a', loss: 'mse' });
  });

  it('write the reference spirals protocol of ALGORITHMS.md §3', () => {
    const spec = S.experiment('spirals-fnn', {
      repeat: 30,
      optimizer: S.sgd({ step: S.constant(0.2) }),
      train: { epochs: 1850 },
      growth: S.sensli({ schedule: S.atEpochs(450) }),
      compare: [
        S.arm('fixed small', { growth: S.none() }),
        S.arm('fixed large', { network: S.network(2, [S.dense(5), S.dense(5)], 2), growth: S.none() }),
        S.arm('validity', { growth: S.sensli({ schedule: S.atEpochs(450), select: S.selectMin() }) }),
      ],
      report: { plots: ['curves', 'sensitivities'] },
    });
    expect(S.check(spec)._tag).toBe('Right');
  });
});

describe('notImplemented', () => {
  it('names the feature and where it is', () => {
    expect(S.notImplemented("step size 'adaptive'", ['optimizer', 'step'])).toStrictEqual({
      code: 'not-implemented',
      severity: 'error',
      message: "step size 'adaptive' is not implemented yet",
      path: ['optimizer', 'step'],
      note: 'the spec is valid; this version of Sprout cannot run it',
    });
    expect(S.notImplemented('growth')).not.toHaveProperty('path');
  });
});
