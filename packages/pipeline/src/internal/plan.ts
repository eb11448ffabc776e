/**
 * The (arm, sweep point)s of an experiment as complete sections (@sprout/spec's `planArms`): the base
 * experiment first (named `base`), then each `compare` arm with its replaced sections, each at every point
 * of the sweep (named `<arm> [<settings>]`). Every one runs with the seeds seed, seed+1, … seed+repeat−1,
 * so arms with the same architecture start from the same initial weights.
 */
import {
  planArms,
  runSeeds,
  type Data,
  type Experiment,
  type Growth,
  type Loss,
  type Network,
  type Optimizer,
  type SweepPoint,
  type SweepValue,
  type Training,
} from '@sprout/spec';
import type { MetricColumnOptions } from './outputs.js';

export interface ArmPlan {
  /** Unique name of the (arm, point) in events, metrics.csv and the summary. */
  readonly name: string;
  /** The compare arm (or `base`) it belongs to. */
  readonly arm: string;
  /** The sweep point, when the experiment has a sweep. */
  readonly point?: SweepPoint;
  readonly network: Network;
  readonly data: Data;
  readonly loss: Loss;
  readonly optimizer: Optimizer;
  readonly train: Training;
  readonly growth: Growth;
  /** The whole experiment of this (arm, point), without arms or sweep. */
  readonly experiment: Experiment;
}

export const armPlans = (spec: Experiment): readonly ArmPlan[] =>
  planArms(spec).map((p) => ({
    name: p.name,
    arm: p.arm,
    ...(p.point === undefined ? {} : { point: p.point }),
    network: p.experiment.network,
    data: p.experiment.data,
    loss: p.experiment.loss,
    optimizer: p.experiment.optimizer,
    train: p.experiment.train,
    growth: p.experiment.growth,
    experiment: p.experiment,
  }));

export const seeds = (spec: Experiment): readonly number[] => runSeeds(spec);

/** Which optional columns the metrics.csv of `spec`'s runs has: those any of its (arm, point)s needs. */
export const metricColumnOptions = (spec: Experiment): MetricColumnOptions => {
  const plans = armPlans(spec);
  return {
    stepSizeColumns: plans.some((arm) => arm.optimizer.step._tag === 'adaptive'),
    validationColumns: plans.some((arm) => arm.data.validation !== undefined),
  };
};

/** The arm and point of a plan for its summary; undefined without a sweep. */
export const pointOf = (plan: ArmPlan): { group: string; point: Record<string, SweepValue> } | undefined =>
  plan.point === undefined
    ? undefined
    : { group: plan.arm, point: Object.fromEntries(plan.point.settings.map((s) => [s.path, s.value])) };
