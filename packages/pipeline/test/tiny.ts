// A tiny spirals experiment for the pipeline's tests (a few epochs of a small FNN, fast on cpu), built
// with the spec builders.
import * as tf from '@tensorflow/tfjs';
import {
  constant,
  dense,
  dropout,
  experiment,
  network,
  sgd,
  spirals,
  type Experiment,
  type ExperimentParts,
} from '@sprout/spec';

export const tiny = (parts: ExperimentParts = {}): Experiment =>
  experiment('tiny', {
    seed: 7,
    data: spirals({ points: 40 }),
    network: network(2, [dense(8, 'relu'), dropout(0.1)], 2),
    optimizer: sgd({ step: constant(0.1) }),
    train: { epochs: 4, batch: 16 },
    ...parts,
  });

export const useCpu = async (): Promise<void> => {
  await tf.setBackend('cpu');
  await tf.ready();
};
