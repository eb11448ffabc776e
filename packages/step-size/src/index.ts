// Public API of @sprout/step-size: schedules, Armijo backtracking, the adaptive controller of ALGORITHMS.md §2,
// and the preconditioned optimizer the training pipeline calls.
export type { StepError } from './StepError.js';
export { describeStepError } from './StepError.js';
export type { Schedule } from './schedule.js';
export { learningRateAt, isSchedule } from './schedule.js';
export type { ArmijoStep } from './armijo.js';
export { armijoAccepts } from './armijo.js';
export type { AdaptiveStep, AdaptiveOverrides, AdaptiveState, TrialResult, VarianceEstimate } from './adaptive.js';
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
export type { DogStep, DogState } from './dog.js';
export { initialDogState, dogStep } from './dog.js';
export type { ProdigyStep, ProdigyState } from './prodigy.js';
export { initialProdigyState, prodigyStep } from './prodigy.js';
export type { HostParam, HostController, HostControllerOptions } from './host-controller.js';
export { hostControllerFor, hostControls, rieszFactor } from './host-controller.js';
export type { UpdateRule, ParamState, HostSlots, HostUpdateKernel } from './update-rules.js';
export { updateRule, hostUpdate } from './update-rules.js';
