/**
 * The experiment as data: the contract between the Sprout language, the TypeScript builders and the
 * training pipeline. Every value is readonly, tagged where it is a union, and JSON-serialisable, so a
 * resolved spec written as `spec.json` reruns the same experiment.
 */

import type { Data } from './schema/data.js';
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

// The data section is described once, in schema/data.ts.
export type { Augment, Data, SplitDraw } from './schema/data.js';

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
