/**
 * Learning-rate schedules of the spec (`constant`, `step`, `cosine`), as pure functions of the epoch.
 * The pipeline may use them with its own optimizers; `PreconditionedOptimizer` uses them for sgd,
 * momentum and Adam.
 */
import type { StepSize } from '@sprout/spec';

/** The step sizes that are fixed functions of the epoch. */
export type Schedule = Extract<StepSize, { readonly _tag: 'constant' | 'step' | 'cosine' }>;

export const isSchedule = (s: StepSize): s is Schedule =>
  s._tag === 'constant' || s._tag === 'step' || s._tag === 'cosine';

/**
 * The learning rate in epoch `epoch` (0-based) of a run of `totalEpochs` epochs:
 *   constant: `lr`;
 *   step:     `lr · factor^⌊epoch / every⌋` (PyTorch `StepLR`);
 *   cosine:   `minLr + (lr − minLr)(1 + cos(π · epoch / totalEpochs)) / 2` (PyTorch `CosineAnnealingLR`,
 *             T_max = totalEpochs, stepped once per epoch), clamped to `minLr` past the end.
 */
export const learningRateAt = (step: Schedule, epoch: number, totalEpochs: number): number => {
  switch (step._tag) {
    case 'constant':
      return step.lr;
    case 'step':
      return step.lr * Math.pow(step.factor, Math.floor(Math.max(epoch, 0) / Math.max(step.every, 1)));
    case 'cosine': {
      const t = totalEpochs > 0 ? Math.min(Math.max(epoch, 0) / totalEpochs, 1) : 1;
      return step.minLr + ((step.lr - step.minLr) * (1 + Math.cos(Math.PI * t))) / 2;
    }
  }
};
