/**
 * The closed vocabularies of the spec: every tag and keyword a spec may contain, as lists. The checks and
 * the JSON decoder use them to recognise names and to suggest a close one ("did you mean"); the language
 * uses them for its own suggestions. Each list is derived from a `Record<Tag, true>`, so adding a variant
 * to a union in `Spec.ts` without listing it here is a type error.
 */
import type {
  Activation,
  DataTag,
  Gram,
  GrowthSchedule,
  LayerTag,
  Loss,
  Optimizer,
  Padding,
  Plot,
  Selection,
  SensitivityNorm,
  StepSize,
  Table,
  VarianceMode,
  OnIncrease,
  InitialL,
  Restart,
  Growth,
  StopMonitor,
  Augment,
} from './Spec.js';

const keys = <K extends string>(record: Record<K, true>): readonly K[] => Object.freeze(Object.keys(record) as K[]);

/** Layer tags (`Layer['_tag']`). */
export const LAYER_NAMES = keys<LayerTag>({
  dense: true,
  conv: true,
  pool: true,
  flatten: true,
  residual: true,
  dropout: true,
  batchnorm: true,
});
/** Activation functions. */
export const ACTIVATION_NAMES = keys<Activation>({
  relu: true,
  tanh: true,
  sigmoid: true,
  gelu: true,
  linear: true,
  softmax: true,
});
export const PADDING_NAMES = keys<Padding>({ same: true, valid: true });
export const POOL_KINDS = keys<'max' | 'avg'>({ max: true, avg: true });
/** Data set tags (`Data['_tag']`). */
export const DATA_NAMES = keys<DataTag>({
  spirals: true,
  mnist: true,
  fashion_mnist: true,
  cifar10: true,
  csv: true,
  idx: true,
});
export const LOSS_NAMES = keys<Loss>({ cross_entropy: true, mse: true });
export const OPTIMIZER_NAMES = keys<Optimizer['_tag']>({ sgd: true, momentum: true, adam: true });
/** Step-size rule tags (`StepSize['_tag']`). */
export const STEP_NAMES = keys<StepSize['_tag']>({
  constant: true,
  step: true,
  cosine: true,
  armijo: true,
  adaptive: true,
  dog: true,
  prodigy: true,
});
export const VARIANCE_MODES = keys<VarianceMode>({ none: true, per_example: true, split: true, ema: true });
export const ON_INCREASE_POLICIES = keys<OnIncrease>({ keep: true, reject: true, reset: true });
export const INITIAL_L_POLICIES = keys<InitialL>({ L0: true, first_estimate: true });
export const RESTART_POLICIES = keys<Restart>({ phase: true, never: true });
/** Metric tags: the spec has one (`frobenius`); `euclidean` is frobenius with identity on both sides. */
export const METRIC_NAMES = keys<'frobenius'>({ frobenius: true });
/** Gram matrix family tags (`Gram['_tag']`). */
export const GRAM_NAMES = keys<Gram['_tag']>({ identity: true, scaled: true, width: true, data: true });
export const GRAM_STRUCTURES = keys<'diagonal' | 'dense'>({ diagonal: true, dense: true });
export const GRAM_ESTIMATES = keys<'batch' | 'ema'>({ batch: true, ema: true });
export const LINE_SEARCH_FAILURES = keys<'skip' | 'error'>({ skip: true, error: true });
export const GROWTH_NAMES = keys<Growth['_tag']>({ none: true, sensli: true });
export const SCHEDULE_NAMES = keys<GrowthSchedule['_tag']>({ at: true, every: true });
export const NORM_NAMES = keys<SensitivityNorm['_tag']>({
  fro: true,
  fro_numel: true,
  metric: true,
  spectral: true,
  spectral_same: true,
  op22_reference: true,
});
export const SELECTION_NAMES = keys<Selection['_tag']>({
  max: true,
  min: true,
  position: true,
  threshold: true,
  threshold_abs: true,
});
/** Which layers' mean score the `threshold` rule compares with. */
export const THRESHOLD_MEANS = keys<'existing' | 'all'>({ existing: true, all: true });
/** The virtual ResNet block's initialisations (the reference's two). */
export const RESIDUAL_INITS = keys<'outer_zero' | 'inner_zero'>({ outer_zero: true, inner_zero: true });
export const BATCHNORM_INITS = keys<'reference' | 'preserve'>({ reference: true, preserve: true });
/** How repeats draw the train/test split (`SplitDraw`). */
export const SPLIT_DRAWS = keys<'fixed' | 'per_seed'>({ fixed: true, per_seed: true });
export const FLIPS = keys<Augment['flip']>({ none: true, horizontal: true });
export const STOP_MONITORS = keys<StopMonitor>({ validation_loss: true, validation_error: true, train_loss: true });
export const OPTIMIZER_STATES = keys<'reset' | 'keep'>({ reset: true, keep: true });
export const PLOT_NAMES = keys<Plot>({ curves: true, sensitivities: true });
export const TABLE_NAMES = keys<Table>({ final: true });
