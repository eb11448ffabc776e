/**
 * The training section, described once (see describe.ts): epochs, batch size, shuffling and early
 * stopping. Its type, decoder, defaults, builders, range and name checks, test data and the language's
 * `train { … }` settings and printer are derived from it.
 */
import { nonNegative, positiveInt } from '../internal/range.js';
import { MAX_BATCH, MAX_EPOCHS } from '../limits.js';
import { bool, name, num, numOrWord, optional, record, struct, type Infer } from './describe.js';

/** What early stopping watches: the validation set's mean loss or error, or the epoch's training loss. */
export type StopMonitor = 'validation_loss' | 'validation_error' | 'train_loss';

/**
 * Early stopping: the run ends when `monitor` has not improved by more than `minDelta` on its best value
 * for `patience` epochs in a row. A SensLI insertion restarts the count (the grown net gets `patience`
 * epochs of its own). The final metrics are those of the last epoch trained.
 */
export const STOP_SCHEMA = struct({
  patience: num({ range: positiveInt(MAX_EPOCHS), what: 'patience', sample: positiveInt(100) }),
  // Test data watches the training loss: an arm may replace the data, so a validation set is not certain.
  monitor: name<StopMonitor>('monitor', { default: 'validation_loss', sample: ['train_loss'] }),
  minDelta: num({ default: 0, range: nonNegative, what: 'min_delta', sample: { min: 0, max: 1 } }),
});

export const TRAINING_SCHEMA = struct({
  // Test data trains at least 10 epochs, so every generated growth schedule (epochs ≤ 9) fits.
  epochs: num({
    default: 100,
    range: positiveInt(MAX_EPOCHS),
    what: 'epochs',
    code: 'invalid-epochs',
    sample: { min: 10, max: 2000, integer: true },
  }),
  /** Examples per step; `'full'` is the whole training set. */
  batch: numOrWord('full', "a batch size or 'full'", {
    default: 'full',
    range: positiveInt(MAX_BATCH),
    what: "batch size (or 'full')",
    sample: positiveInt(512),
  }),
  shuffle: bool({ default: true }),
  /** Early stopping; absent: every run trains all `epochs`. */
  stop: optional(record(STOP_SCHEMA)),
});

/** Early stopping (see `STOP_SCHEMA`). */
export type EarlyStop = Infer<typeof STOP_SCHEMA>;

export type Training = Infer<typeof TRAINING_SCHEMA>;
