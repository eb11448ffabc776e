/**
 * Learning-rate schedules by epoch (0-based `epoch` of `epochs`):
 *  - constant: lr;
 *  - step: lr · factor^⌊epoch / every⌋;
 *  - cosine: minLr + (lr − minLr)(1 + cos(π · epoch / epochs)) / 2 (Loshchilov & Hutter, SGDR,
 *    arXiv 1608.03983, without restarts), so the first epoch uses lr.
 */
import type { StepSize } from '@sprout/spec';

export type ScheduledStep = Extract<StepSize, { _tag: 'constant' | 'step' | 'cosine' }>;

export const isScheduled = (step: StepSize): step is ScheduledStep =>
  step._tag === 'constant' || step._tag === 'step' || step._tag === 'cosine';

export const learningRate = (step: ScheduledStep, epoch: number, epochs: number): number => {
  switch (step._tag) {
    case 'constant':
      return step.lr;
    case 'step':
      return step.lr * Math.pow(step.factor, Math.floor(epoch / step.every));
    case 'cosine':
      return step.minLr + ((step.lr - step.minLr) * (1 + Math.cos((Math.PI * epoch) / epochs))) / 2;
  }
};
