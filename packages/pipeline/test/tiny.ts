// A tiny spirals experiment for the pipeline's tests: a few epochs of a small FNN, fast on cpu.
import * as tf from '@tensorflow/tfjs';
import { DEFAULTS, type Experiment } from '@sprout/spec';

export const tiny = (overrides: Partial<Experiment> = {}): Experiment => ({
  _tag: 'experiment',
  version: 1,
  name: 'tiny',
  seed: 7,
  repeat: 1,
  data: { _tag: 'spirals', points: 40, turns: 1, radius: 0.5, split: 0.75 },
  network: { input: [2], layers: [{ _tag: 'dense', units: 8, activation: 'relu', bias: true }], output: { units: 2, activation: 'linear' } },
  loss: 'cross_entropy',
  optimizer: { _tag: 'sgd', step: { _tag: 'constant', lr: 0.1 }, metric: DEFAULTS.metric },
  train: { epochs: 4, batch: 16, shuffle: true },
  growth: { _tag: 'none' },
  compare: [],
  report: { plots: ['curves'], tables: ['final'] },
  ...overrides,
});

export const useCpu = async (): Promise<void> => {
  await tf.setBackend('cpu');
  await tf.ready();
};
