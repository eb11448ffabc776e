/**
 * The plan of an experiment: every (arm, sweep point) it trains, each as a complete experiment of its own,
 * in a stable order (arms in order, base first; within an arm the sweep points in order). Each is run once
 * per seed (seed, seed+1, … seed+repeat−1); a run's id is (arm, point, seed).
 */
import { baseArmName } from './base-arm.js';
import { resolveArm } from './check.js';
import type { Experiment } from './Spec.js';
import { applyPoint, armSweep, pointRunName, sweepPoints, type SweepPoint } from './sweep.js';

export interface PlannedArm {
  /** Unique name of this (arm, point): the arm's name, with the point's settings when there is a sweep. */
  readonly name: string;
  /** The compare arm (or the base arm) it belongs to. */
  readonly arm: string;
  /** The sweep point; absent without a sweep. */
  readonly point?: SweepPoint;
  /** The experiment this (arm, point) runs, without arms or sweep of its own. */
  readonly experiment: Experiment;
}

/**
 * Every (arm, point) of a checked experiment. `baseName` names the base arm (default: `baseArmName(spec)`). Throws only if a point cannot be
 * applied, which `check` rules out.
 */
export const planArms = (spec: Experiment, baseName: string = baseArmName(spec)): readonly PlannedArm[] => {
  const { sweep: _sweep, ...base } = spec;
  const arms = [
    { arm: baseName, experiment: { ...base, compare: [] } as Experiment },
    ...spec.compare.map((a) => ({ arm: a.name, experiment: resolveArm(base as Experiment, a) })),
  ];
  return arms.flatMap(({ arm, experiment }, i): PlannedArm[] => {
    const own = armSweep(spec, i);
    const points = own === undefined ? undefined : sweepPoints(own.sweep, own.at);
    if (points === undefined) return [{ name: arm, arm, experiment }];
    return points.map((point) => {
      const r = applyPoint(experiment, point);
      if (!r.ok)
        throw new Error(
          `planArms: the sweep point ${point.label} does not apply to arm '${arm}': ${r.message} (check the experiment first)`,
        );
      return { name: pointRunName(arm, point), arm, point, experiment: r.experiment };
    });
  });
};

/** The seeds every (arm, point) runs with. */
export const runSeeds = (spec: Experiment): readonly number[] =>
  Array.from({ length: spec.repeat }, (_, r) => spec.seed + r);
