// Public API of @sprout/spec: the spec types, defaults and limits, builders, checks and the JSON decoder.
export * from './Spec.js';
export type { Diagnostic, Position, SourceRange, SpecPath, Severity } from './Diagnostic.js';
export { DEFAULTS, classCount, inputShapes } from './defaults.js';
export type { Defaults } from './defaults.js';
export {
  MAX_WIDTH,
  MAX_INPUT_ELEMENTS,
  MAX_INPUT_RANK,
  MAX_LAYERS,
  MAX_NESTING,
  MAX_EPOCHS,
  MAX_REPEAT,
  MAX_KERNEL,
  MAX_BATCH,
  MAX_POINTS,
  MAX_TURNS,
  MAX_SEED,
  MAX_ARMS,
  MAX_INSERTIONS,
  MAX_CHUNKS,
  MAX_NAME_LENGTH,
  MAX_EXAMPLES,
} from './limits.js';
export { didYouMean, editDistance } from './did-you-mean.js';
export {
  LAYER_NAMES,
  ACTIVATION_NAMES,
  PADDING_NAMES,
  POOL_KINDS,
  DATA_NAMES,
  LOSS_NAMES,
  OPTIMIZER_NAMES,
  STEP_NAMES,
  VARIANCE_MODES,
  METRIC_NAMES,
  GRAM_NAMES,
  GRAM_STRUCTURES,
  GRAM_ESTIMATES,
  GROWTH_NAMES,
  SCHEDULE_NAMES,
  NORM_NAMES,
  SELECTION_NAMES,
  OPTIMIZER_STATES,
  PLOT_NAMES,
  TABLE_NAMES,
} from './names.js';
