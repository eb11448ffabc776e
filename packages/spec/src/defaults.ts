/**
 * The documented default of every construct, so a short `.sprout` file or a short builder call is a whole
 * experiment. The language and the builders both fill omitted values from here, which is what makes a
 * file and its TypeScript twin produce equal specs. Values follow the reference protocols of ALGORITHMS.md
 * (spirals, plain SGD, the adaptive controller of §2, SensLI selection `max` with `lrFactor` 1).
 */
import type {
  Activation,
  Data,
  EarlyStop,
  Gram,
  Growth,
  Layer,
  Loss,
  Metric,
  Network,
  Optimizer,
  Report,
  StepSize,
  Training,
} from './Spec.js';
import { fieldDefaults, fillVariant, settingDefaults } from './schema/describe.js';
import { GRAM_SCHEMA, LEARNING_RATE, OPTIMIZER_SCHEMA, STEP_SIZE_SCHEMA } from './schema/optimizer.js';
import { STOP_SCHEMA, TRAINING_SCHEMA } from './schema/training.js';
import { DATA_SCHEMA } from './schema/data.js';
import { GROWTH_SCHEMA, SCHEDULE_SCHEMA, SELECTION_SCHEMA } from './schema/growth.js';

type SpiralsData = Extract<Data, { _tag: 'spirals' }>;
type CsvData = Extract<Data, { _tag: 'csv' }>;
type IdxData = Extract<Data, { _tag: 'idx' }>;
type Cifar10Data = Extract<Data, { _tag: 'cifar10' }>;
type DataGram = Extract<Gram, { _tag: 'data' }>;
type Adaptive = Extract<StepSize, { _tag: 'adaptive' }>;
type StepDecay = Extract<StepSize, { _tag: 'step' }>;
type Cosine = Extract<StepSize, { _tag: 'cosine' }>;
type Armijo = Extract<StepSize, { _tag: 'armijo' }>;
/** An optimizer's own settings, without its step rule and metric. */
type OwnSettings<T extends Optimizer['_tag']> = Omit<Extract<Optimizer, { _tag: T }>, '_tag' | 'step' | 'metric'>;
type Sensli = Extract<Growth, { _tag: 'sensli' }>;
type Dense = Extract<Layer, { _tag: 'dense' }>;
type Conv = Extract<Layer, { _tag: 'conv' }>;

const deepFreeze = <T>(value: T): T => {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
};

/** Plain SGD with its described defaults: a constant step size and the Euclidean (classical Frobenius) metric. */
const SGD = fillVariant(OPTIMIZER_SCHEMA, 'sgd', {});

/** SensLI's described defaults, without its tag (and its schedule, which has none). */
const { _tag: _sensli, ...SENSLI } = fillVariant(GROWTH_SCHEMA, 'sensli', {}) as Sensli;

export interface Defaults {
  /** Random seed of the first run. @default 1 */
  readonly seed: number;
  /** Independent runs. @default 1 */
  readonly repeat: number;
  /** Data when none is given: the reference spirals. @default spirals { points 300, turns 1, radius 0.5, split 0.75 } */
  readonly data: SpiralsData;
  /** Per data set defaults (spirals as above; csv has a header and trains on 80 %; idx trains on 80 %). */
  readonly spirals: Omit<SpiralsData, '_tag'>;
  readonly csv: Pick<CsvData, 'header' | 'split'>;
  readonly idx: Pick<IdxData, 'split'>;
  /** cifar10: the folder `tar xzf cifar-10-binary.tar.gz` makes, next to the .sprout file; the reference's normalisation. */
  readonly cifar10: Pick<Cifar10Data, 'dir' | 'normalize'>;
  /** Network when none is given: the reference FNN [5] ReLU for spirals (input 2, output 2 logits). */
  readonly network: Network;
  /** @default 'cross_entropy' */
  readonly loss: Loss;
  /** @default sgd { step constant 0.1, metric euclidean } */
  readonly optimizer: Optimizer;
  /** @default constant 0.1 */
  readonly step: StepSize;
  /** Learning rate of `constant`, `step` and `cosine` when none is given. @default 0.1 */
  readonly lr: number;
  /** @default euclidean = frobenius { domain identity, codomain identity } */
  readonly metric: Metric;
  /** @default { epochs 100, batch 'full', shuffle true } */
  readonly train: Training;
  /** @default none */
  readonly growth: Growth;
  /** @default [] */
  readonly compare: readonly [];
  /** @default { plots ['curves'], tables ['final'] } */
  readonly report: Report;
  /** Activation of a hidden dense or conv layer when none is given. @default 'relu' */
  readonly activation: Activation;
  /** Activation of the output layer: logits, the cross-entropy loss applies the softmax. @default 'linear' */
  readonly outputActivation: Activation;
  /** @default { bias true } */
  readonly dense: Pick<Dense, 'bias'>;
  /** @default { stride 1, padding 'same' } */
  readonly conv: Pick<Conv, 'stride' | 'padding'>;
  /** Pool: the stride defaults to the pool size (non-overlapping windows), so there is no constant here. */
  readonly pool: { readonly kind: 'max' | 'avg' };
  /** @default { beta 0.9 } */
  readonly momentum: OwnSettings<'momentum'>;
  /** @default { beta1 0.9, beta2 0.999, epsilon 1e-8 } */
  readonly adam: OwnSettings<'adam'>;
  /** Step decay: multiply by `factor` every `every` epochs. @default { factor 0.1, every 30 } */
  readonly stepDecay: Omit<StepDecay, '_tag' | 'lr'>;
  /** @default { minLr 0 } */
  readonly cosine: Omit<Cosine, '_tag' | 'lr'>;
  /** @default { initial 1, shrink 0.5, c 1e-4 } */
  readonly armijo: Omit<Armijo, '_tag'>;
  /** ALGORITHMS.md §2. @default { variance 'none', L0 10, beta 0.995, Lmin 1e-5, rhoMin 1e-3, growthCap 2, chunks 4, onIncrease 'reset', a0 0.1, initialL 'first_estimate', restart 'phase', lossResolution 1e-6 }: the best untuned setting of the step-size study (packages/step-size/README.md); `preset reference` is the SensLI code's. */
  readonly adaptive: Omit<Adaptive, '_tag'>;
  /** DoG (Ivgi et al. 2023): r_ε = rEps (1 + ‖x₀‖). @default { rEps 1e-6 } */
  readonly dog: Omit<Extract<StepSize, { _tag: 'dog' }>, '_tag'>;
  /** Prodigy (Mishchenko & Defazio 2023). @default { d0 1e-6 } */
  readonly prodigy: Omit<Extract<StepSize, { _tag: 'prodigy' }>, '_tag'>;
  /** ALGORITHMS.md §1. @default { structure 'diagonal', damping 1e-3, estimate 'batch', decay 0.95 } */
  readonly dataGram: Omit<DataGram, '_tag'>;
  /** ALGORITHMS.md §3 (reference SensLI). @default { norm fro, select max, lrFactor 1, optimizerState 'reset' } */
  readonly sensli: Omit<Sensli, '_tag' | 'schedule'>;
  /** `every k epochs` without `max`: at most one insertion. @default { max 1 } */
  readonly every: { readonly max: number };
  /** `select threshold` without τ. @default { tau 1 } */
  readonly threshold: { readonly tau: number };
  /** `select threshold_abs` without a bar: the CNN reference's 1e-4. */
  readonly thresholdAbs: { readonly bar: number };
  /** Early stopping (`patience` given) without a monitor or min_delta. @default { monitor 'validation_loss', minDelta 0 } */
  readonly stop: Omit<EarlyStop, 'patience'>;
}

export const DEFAULTS: Defaults = deepFreeze<Defaults>({
  seed: 1,
  repeat: 1,
  data: fillVariant(DATA_SCHEMA, 'spirals', {}) as SpiralsData,
  spirals: settingDefaults(DATA_SCHEMA, 'spirals') as Defaults['spirals'],
  csv: settingDefaults(DATA_SCHEMA, 'csv') as Defaults['csv'],
  idx: settingDefaults(DATA_SCHEMA, 'idx') as Defaults['idx'],
  cifar10: settingDefaults(DATA_SCHEMA, 'cifar10') as Defaults['cifar10'],
  network: {
    input: [2],
    layers: [{ _tag: 'dense', units: 5, activation: 'relu', bias: true }],
    output: { units: 2, activation: 'linear' },
  },
  loss: 'cross_entropy',
  optimizer: SGD,
  step: SGD.step,
  lr: LEARNING_RATE,
  metric: SGD.metric,
  train: fieldDefaults(TRAINING_SCHEMA.fields) as Defaults['train'],
  growth: { _tag: 'none' },
  compare: [],
  report: { plots: ['curves'], tables: ['final'] },
  activation: 'relu',
  outputActivation: 'linear',
  dense: { bias: true },
  conv: { stride: 1, padding: 'same' },
  pool: { kind: 'max' },
  momentum: settingDefaults(OPTIMIZER_SCHEMA, 'momentum') as Defaults['momentum'],
  adam: settingDefaults(OPTIMIZER_SCHEMA, 'adam') as Defaults['adam'],
  stepDecay: settingDefaults(STEP_SIZE_SCHEMA, 'step') as Defaults['stepDecay'],
  cosine: settingDefaults(STEP_SIZE_SCHEMA, 'cosine') as Defaults['cosine'],
  armijo: settingDefaults(STEP_SIZE_SCHEMA, 'armijo') as Defaults['armijo'],
  adaptive: settingDefaults(STEP_SIZE_SCHEMA, 'adaptive') as Defaults['adaptive'],
  dog: settingDefaults(STEP_SIZE_SCHEMA, 'dog') as Defaults['dog'],
  prodigy: settingDefaults(STEP_SIZE_SCHEMA, 'prodigy') as Defaults['prodigy'],
  dataGram: settingDefaults(GRAM_SCHEMA, 'data') as Defaults['dataGram'],
  sensli: SENSLI,
  every: settingDefaults(SCHEDULE_SCHEMA, 'every') as Defaults['every'],
  threshold: settingDefaults(SELECTION_SCHEMA, 'threshold') as Defaults['threshold'],
  thresholdAbs: settingDefaults(SELECTION_SCHEMA, 'threshold_abs') as Defaults['thresholdAbs'],
  stop: fieldDefaults(STOP_SCHEMA.fields) as Defaults['stop'],
});

/** Number of classes of the built-in data sets; `undefined` for files (known only after loading). */
export const classCount = (data: Data): number | undefined => {
  switch (data._tag) {
    case 'spirals':
      return 2;
    case 'mnist':
    case 'fashion_mnist':
    case 'cifar10':
      return 10;
    case 'csv':
    case 'idx':
      return undefined;
  }
};

/** Input shapes a network may declare for the data; `undefined` for files (known only after loading). */
export const inputShapes = (data: Data): readonly (readonly number[])[] | undefined => {
  switch (data._tag) {
    case 'spirals':
      return [[2]];
    case 'mnist':
    case 'fashion_mnist':
      return [[784], [28, 28, 1]];
    case 'cifar10':
      return [[32, 32, 3], [3072]];
    case 'csv':
    case 'idx':
      return undefined;
  }
};
