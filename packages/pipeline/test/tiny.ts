// A tiny spirals experiment for the pipeline's tests (a few epochs of a small FNN, fast on cpu), built
// with the spec builders.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { constant, dense, dropout, experiment, network, sgd, spirals, type Experiment, type ExperimentParts } from '@sprout/spec';

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

/** The rows of a run directory's metrics.csv without the wall-time column (`seconds`), for comparing runs. */
export const metricRows = (dir: string): string[] =>
  readFileSync(join(dir, 'metrics.csv'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(',').filter((_, i) => i !== 9).join(','));
