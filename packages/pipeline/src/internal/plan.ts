/**
 * The arms of an experiment as complete sections: the base experiment first (named `base`), then each
 * `compare` arm with its replaced sections. Every arm runs with the seeds seed, seed+1, … seed+repeat−1,
 * so arms with the same architecture start from the same initial weights.
 */
import type { Data, Experiment, Growth, Loss, Network, Optimizer, Training } from '@sprout/spec';
import { BASE_ARM } from '../Pipeline.js';

export interface ArmPlan {
  readonly name: string;
  readonly network: Network;
  readonly data: Data;
  readonly loss: Loss;
  readonly optimizer: Optimizer;
  readonly train: Training;
  readonly growth: Growth;
}

export const armPlans = (spec: Experiment): readonly ArmPlan[] => [
  {
    name: BASE_ARM,
    network: spec.network,
    data: spec.data,
    loss: spec.loss,
    optimizer: spec.optimizer,
    train: spec.train,
    growth: spec.growth,
  },
  ...spec.compare.map((arm) => ({
    name: arm.name,
    network: arm.network ?? spec.network,
    data: arm.data ?? spec.data,
    loss: arm.loss ?? spec.loss,
    optimizer: arm.optimizer ?? spec.optimizer,
    train: arm.train ?? spec.train,
    growth: arm.growth ?? spec.growth,
  })),
];

export const seeds = (spec: Experiment): readonly number[] =>
  Array.from({ length: spec.repeat }, (_, r) => spec.seed + r);
