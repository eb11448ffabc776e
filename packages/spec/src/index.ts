// Public API of @sprout/spec: the spec types, defaults and limits, builders, checks and the JSON decoder.
export * from './Spec.js';
export type { Diagnostic, SourcePosition, SourceRange, SpecPath, Severity } from './Diagnostic.js';
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
  MAX_PARAMETERS,
  MAX_SWEEP_POINTS,
  MAX_RUNS,
} from './limits.js';
export {
  SWEEP_ALIASES,
  parseSweepPath,
  sweepAxes,
  sweepPoints,
  sweepSize,
  applyPoint,
  armSweep,
  pointRunName,
  singleRun,
} from './sweep.js';
export type { PathSegment, LocatedAxis, PointSetting, SweepPoint, ApplyResult } from './sweep.js';
export { baseArmName, DEFAULT_BASE_ARM } from './base-arm.js';
export { planArms, runSeeds } from './plan.js';
export type { PlannedArm } from './plan.js';
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
  ON_INCREASE_POLICIES,
  INITIAL_L_POLICIES,
  RESTART_POLICIES,
  METRIC_NAMES,
  GRAM_NAMES,
  GRAM_STRUCTURES,
  GRAM_ESTIMATES,
  GROWTH_NAMES,
  SCHEDULE_NAMES,
  NORM_NAMES,
  SELECTION_NAMES,
  OPTIMIZER_STATES,
  SPLIT_DRAWS,
  STOP_MONITORS,
  PLOT_NAMES,
  TABLE_NAMES,
} from './names.js';
export { NAME_KINDS, isKnownName, unknownName } from './unknown-name.js';
export type { NameKindKey } from './unknown-name.js';
export { notImplemented } from './not-implemented.js';
export { check, diagnose, resolveArm } from './check.js';
export type { CheckOptions } from './check.js';
export {
  estimateMemory,
  estimateArmMemory,
  checkMemory,
  showBytes,
  BYTES_PER_VALUE,
  DEFAULT_MEMORY_LIMIT,
} from './memory.js';
export type { MemoryEstimate, MemoryEstimateOptions, MemoryCheckOptions } from './memory.js';
export { decodeExperiment } from './decode.js';
export { GRAM_SCHEMA, METRIC_SCHEMA, OPTIMIZER_SCHEMA, STEP_SIZE_SCHEMA } from './schema/optimizer.js';
export { GROWTH_SCHEMA, NORM_SCHEMA, SCHEDULE_SCHEMA, SELECTION_SCHEMA } from './schema/growth.js';
export { STOP_SCHEMA, TRAINING_SCHEMA } from './schema/training.js';
export { DATA_SCHEMA } from './schema/data.js';
export {
  fillStruct,
  fillVariant,
  isSetting,
  positionalField,
  settingDefaults,
  settingWord,
  variantFields,
} from './schema/describe.js';
export type {
  Field as SchemaField,
  Fields as SchemaFields,
  Infer as SchemaValue,
  NameField as SchemaNameField,
  NumberField as SchemaNumberField,
  Positional as SchemaPositional,
  SubField as SchemaSubField,
  TagOf as SchemaTag,
  Union as SchemaUnion,
} from './schema/describe.js';
export {
  experiment,
  arm,
  train,
  stop,
  report,
  network,
  output,
  dense,
  conv,
  maxPool,
  avgPool,
  flatten,
  residual,
  dropout,
  batchnorm,
  spirals,
  mnist,
  fashionMnist,
  cifar10,
  csv,
  idx,
  sgd,
  momentum,
  adam,
  constant,
  stepDecay,
  cosine,
  armijo,
  adaptive,
  adaptiveReference,
  REFERENCE_ADAPTIVE,
  dog,
  prodigy,
  identity,
  scaled,
  width,
  dataGram,
  frobenius,
  euclidean,
  none,
  sensli,
  atEpochs,
  every,
  fro,
  froNumel,
  metricNorm,
  spectral,
  spectralSame,
  op22Reference,
  selectMax,
  selectMin,
  position,
  threshold,
  sweep,
  thresholdAbs,
} from './builders.js';
export type {
  ExperimentParts,
  ArmOverrides,
  DenseOptions,
  ConvOptions,
  MnistOptions,
  Cifar10Options,
  CsvOptions,
  OptimizerOptions,
  AdamOptions,
  AdaptiveOptions,
  DataGramOptions,
  SensliOptions,
  SweepAxes,
} from './builders.js';
