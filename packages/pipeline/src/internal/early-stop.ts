/**
 * Early stopping (`train { patience … }`) as a fold over a run's epoch metrics, so a resumed run decides
 * exactly as an uninterrupted one: the metrics are in its checkpoint. An epoch improves when its monitored
 * value is below the best so far by more than `minDelta`; a run stops after `patience` epochs in a row
 * without improvement. A SensLI insertion (seen as a change of the parameter count) restarts the count,
 * not the best value: insertion preserves the function, so the value stays comparable.
 */
import type { EarlyStop } from '@sprout/spec';
import type { EpochMetrics } from '../Pipeline.js';

export interface EarlyStopState {
  /** The best monitored value so far (Infinity before a finite one). */
  readonly best: number;
  /** The epoch (1-based) that reached `best`; 0 before one did. */
  readonly bestEpoch: number;
  /** Epochs since the last improvement (or insertion). */
  readonly since: number;
  /** Whether the run stops after the last epoch of the history. */
  readonly stop: boolean;
}

const monitored = (m: EpochMetrics, monitor: EarlyStop['monitor']): number =>
  monitor === 'train_loss'
    ? m.trainLoss
    : monitor === 'validation_loss'
      ? (m.validationLoss ?? Number.NaN)
      : (m.validationError ?? Number.NaN);

export const earlyStopState = (history: readonly EpochMetrics[], stop: EarlyStop): EarlyStopState => {
  let best = Number.POSITIVE_INFINITY;
  let bestEpoch = 0;
  let since = 0;
  history.forEach((m, i) => {
    if (i > 0 && m.parameterCount !== history[i - 1]!.parameterCount) since = 0;
    const v = monitored(m, stop.monitor);
    // A non-finite value never improves.
    if (Number.isFinite(v) && v < best - stop.minDelta) {
      best = v;
      bestEpoch = m.epoch;
      since = 0;
    } else since += 1;
  });
  return { best, bestEpoch, since, stop: since >= stop.patience };
};
