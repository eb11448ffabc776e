/** The errors a training run ends with, worded once. */
import type { RunError, RunId } from '../../Pipeline.js';

/** The message of anything thrown or returned as an error. */
export const errorMessage = (e: unknown): string =>
  typeof e === 'object' && e !== null && 'message' in e
    ? String((e as { message: unknown }).message)
    : JSON.stringify(e);

/** The training loss became NaN or infinite in `epoch`, `step` (both 1-based). */
export const nonFinite = (id: RunId, epoch: number, step: number): RunError => ({
  _tag: 'non-finite-loss',
  ...id,
  epoch,
  step,
  message: `the training loss became non-finite in epoch ${epoch}, step ${step} (arm '${id.arm}', seed ${id.seed})`,
});
