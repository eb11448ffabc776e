/**
 * `createPreconditionedOptimizer`: the implementation of PreconditionedOptimizer.ts. Sources: the Riesz
 * map and norms of ALGORITHMS.md §1 (arXiv 2311.15419, steppers/parameters.ts), and one stepper per
 * step-size controller in steppers/: schedules with PyTorch's SGD, momentum and Adam rules on the Riesz
 * representative, Armijo backtracking, the adaptive controller of §2 (arXiv 2311.16956), DoG and Prodigy.
 *
 * Host synchronisation per step: none for schedules (except one scalar for the finiteness check of a
 * tensor loss); for Armijo and adaptive one download of the stacked scalars (‖d‖², and the variance
 * statistics) plus the pipeline's extra forward pass(es) `lossAt`; dense data Grams download their moment.
 */
import * as tf from '@tensorflow/tfjs-core';
import { EUCLIDEAN } from '@sprout/inner-product';
import type { Metric, Optimizer } from '@sprout/spec';
import * as E from 'fp-ts/lib/Either.js';
import type {
  ControllerState,
  OptimizerSnapshot,
  ParamGroup,
  PreconditionedOptimizer,
  PreconditionedOptimizerOptions,
  StepContext,
  StepInfo,
} from './PreconditionedOptimizer.js';
import { isSchedule } from './schedule.js';
import type { StepError } from './StepError.js';
import { buildParams } from './steppers/parameters.js';
import { invalid, type MakeStepper } from './steppers/stepper.js';
import { scheduleStepper } from './steppers/schedule-stepper.js';
import { armijoStepper } from './steppers/armijo-stepper.js';
import { adaptiveStart } from './steppers/adaptive-stepper.js';
import { dogStepper, prodigyStepper } from './steppers/distance-stepper.js';

/** The stepper of the optimizer's step size, its settings checked, and the step count it starts from. */
const stepperFor = (
  optimizer: Optimizer,
  options: PreconditionedOptimizerOptions,
): E.Either<StepError, { readonly make: MakeStepper; readonly k: number }> => {
  const step = optimizer.step;
  if (step._tag === 'adaptive') {
    const start = adaptiveStart(step, options);
    return E.isLeft(start) ? start : E.right({ make: start.right.make, k: start.right.state.k });
  }
  const made =
    step._tag === 'armijo'
      ? armijoStepper(step)
      : step._tag === 'dog'
        ? dogStepper(step)
        : step._tag === 'prodigy'
          ? prodigyStepper(step)
          : scheduleStepper(optimizer, step);
  return E.isLeft(made) ? made : E.right({ make: made.right, k: 0 });
};

/**
 * A preconditioned optimizer over `groups` for a spec `Optimizer` (its `metric` and `step`):
 *   sgd       with any step size: schedules, `armijo`, `adaptive`, `dog`, `prodigy`;
 *   momentum  (PyTorch rule on R: `m ← β m + R`, `x ← x − lr m`) with a schedule;
 *   adam      (PyTorch rule on R, bias-corrected moments) with a schedule.
 * Kernels (`dense`, `conv`) and biases use the metric of their layer; `other` parameters the Euclidean one.
 */
export const createPreconditionedOptimizer = (
  groups: readonly ParamGroup[],
  optimizer: Optimizer,
  options: PreconditionedOptimizerOptions = {},
): E.Either<StepError, PreconditionedOptimizer> => {
  const stepSpec = optimizer.step;
  if (optimizer._tag !== 'sgd' && !isSchedule(stepSpec)) {
    return E.left({
      _tag: 'unsupported',
      message: `${optimizer._tag} runs with constant, step or cosine schedules; ${stepSpec._tag} steps need optimizer sgd`,
    });
  }
  const maxBacktracks = options.maxBacktracks ?? (stepSpec._tag === 'armijo' ? stepSpec.maxBacktracks : 0);
  if (!(Number.isInteger(maxBacktracks) && maxBacktracks >= 0))
    return invalid(`maxBacktracks must be a non-negative integer, got ${maxBacktracks}`);
  const chosen = stepperFor(optimizer, options);
  if (E.isLeft(chosen)) return chosen;
  const metric: Metric = optimizer.metric ?? EUCLIDEAN;
  const built = buildParams(groups, metric, options);
  if (E.isLeft(built)) return built;
  const params = built.right;
  const stepper = chosen.right.make(params, options);
  let k = chosen.right.k;

  const step = (grads: tf.NamedTensorMap, ctx: StepContext): E.Either<StepError, StepInfo> => {
    // Checks that need no computation come first, so that a Left leaves even the metric statistics alone.
    const lacking = params.list.find((p) => grads[p.g.name] === undefined);
    if (lacking !== undefined) return E.left({ _tag: 'missing-gradient', name: lacking.g.name });
    const r = stepper.step(grads, ctx, k);
    if (E.isRight(r)) k += 1;
    return r;
  };

  const state = (): ControllerState => ({ k, ...stepper.state() });

  const snapshot = (): OptimizerSnapshot => ({
    ...state(),
    slots: new Map(
      params.list.map((p) => [
        p.g.name,
        {
          ...(p.m === undefined ? {} : { m: tf.clone(p.m) }),
          ...(p.v === undefined ? {} : { v: tf.clone(p.v) }),
          t: p.t,
        },
      ]),
    ),
  });

  const dispose = () => {
    params.dispose();
    stepper.dispose();
  };

  return E.right({ step, state, snapshot, dispose });
};
