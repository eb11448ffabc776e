import type { Experiment } from './Spec.js';

/** The base arm's name when the experiment does not give one. */
export const DEFAULT_BASE_ARM = 'base';

/** The name of the base arm (the experiment's own settings): its `baseArm`, else `base`. */
export const baseArmName = (spec: Experiment): string => spec.baseArm ?? DEFAULT_BASE_ARM;
