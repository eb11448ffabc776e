// Public API of @sprout/step-size: schedules, Armijo backtracking, the adaptive controller of ALGORITHMS.md §2,
// and the preconditioned optimizer the training pipeline calls.
export type { StepError } from './StepError.js';
export type { Schedule } from './schedule.js';
export { learningRateAt, isSchedule } from './schedule.js';
export type { ArmijoStep } from './armijo.js';
export { armijoAccepts } from './armijo.js';
export type { AdaptiveStep, AdaptiveOptions, AdaptiveState, TrialResult, VarianceEstimate } from './adaptive.js';
export {
  ADAPTIVE_DEFAULTS,
  lipschitzEstimate,
  stepSizeFor,
  afterTrial,
  varianceRatio,
  emaRatio,
  finitePopulationCorrection,
  initialAdaptiveState,
  resolveAdaptiveOptions,
} from './adaptive.js';
export type {
  ParamKind,
  ParamGroup,
  LayerTap,
  StepContext,
  StepInfo,
  PreconditionedOptimizerOptions,
  ControllerState,
  ParamSlots,
  OptimizerSnapshot,
  PreconditionedOptimizer,
} from './PreconditionedOptimizer.js';
export { createPreconditionedOptimizer } from './create-optimizer.js';
