/**
 * A stepper: one step-size controller's step of the preconditioned optimizer (schedule, Armijo, adaptive,
 * DoG, Prodigy). `createPreconditionedOptimizer` checks the gradients, picks the stepper, counts the steps.
 */
import type * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import type { PreconditionedOptimizerOptions, StepContext, StepInfo } from '../PreconditionedOptimizer.js';
import type { StepError } from '../StepError.js';
import type { Params } from './parameters.js';

export interface Stepper {
  /**
   * Step `k` (0-based) from the batch gradients (all present). On Left the variables are as before and the
   * controller's state is unchanged.
   */
  readonly step: (grads: tf.NamedTensorMap, ctx: StepContext, k: number) => E.Either<StepError, StepInfo>;
  /** The last step size used (for schedules, the last learning rate); the adaptive controller's smoothed L. */
  readonly state: () => { readonly a: number | undefined; readonly L: number | undefined };
  /** Release the stepper's own tensors (not the parameters'). */
  readonly dispose: () => void;
}

/** What a stepper is built from: the spec's settings checked first, the parameters once they are built. */
export type MakeStepper = (params: Params, options: PreconditionedOptimizerOptions) => Stepper;

export const emptyInfo = (k: number, a: number): StepInfo => ({
  k,
  a,
  accepted: true,
  loss: undefined,
  trialLoss: undefined,
  d2: undefined,
  L: undefined,
  Lhat: undefined,
  skipped: undefined,
  rho: undefined,
  variance: undefined,
  backtracks: undefined,
});

export const readLoss = (loss: number | tf.Scalar): number => (typeof loss === 'number' ? loss : loss.dataSync()[0]!);

export const invalid = (message: string): E.Either<StepError, never> => E.left({ _tag: 'invalid-options', message });
