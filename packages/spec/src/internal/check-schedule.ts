/**
 * Concern: a growth schedule fits the training run. Insertions happen after an epoch, so a scheduled
 * epoch e must satisfy 1 ≤ e ≤ epochs − 1 (after the last epoch nothing would train the new layer);
 * `at` epochs are strictly increasing.
 */
import type { Diagnostic } from '../Diagnostic.js';
import { MAX_EPOCHS } from '../limits.js';
import type { Experiment } from '../Spec.js';
import { error } from './diagnostic.js';
import { checkRange, inRange, positiveInt } from './range.js';

export const checkSchedule = (e: Experiment): readonly Diagnostic[] => {
  if (e.growth._tag !== 'sensli') return [];
  const schedule = e.growth.schedule;
  const epochs = e.train.epochs;
  const known = inRange(epochs, positiveInt(MAX_EPOCHS));
  const range = known ? { min: 1, max: epochs - 1, integer: true } : positiveInt(MAX_EPOCHS);
  const what = known ? `an insertion epoch (training runs ${epochs} epochs)` : 'an insertion epoch';
  const path = ['growth', 'schedule'];
  if (known && epochs < 2)
    return [
      error(
        'schedule-out-of-range',
        `growth needs at least 2 training epochs (insertions happen between epochs), got ${epochs}`,
        path,
        {
          expected: 'epochs ≥ 2',
          actual: String(epochs),
        },
      ),
    ];
  if (schedule._tag === 'every')
    return checkRange(
      schedule.every,
      range,
      [...path, 'every'],
      `the insertion period of ${what.replace('an insertion epoch', 'growth')}`,
      'schedule-out-of-range',
    );
  if (schedule._tag !== 'at') return [];
  return schedule.epochs.flatMap((epoch, i): Diagnostic[] => {
    const own = checkRange(epoch, range, [...path, 'epochs', i], what, 'schedule-out-of-range');
    if (own.length > 0) return [...own];
    const previous = schedule.epochs[i - 1];
    return i > 0 && typeof previous === 'number' && epoch <= previous
      ? [
          error(
            'schedule-not-increasing',
            `insertion epochs must increase: ${epoch} comes after ${previous}`,
            [...path, 'epochs', i],
            {
              expected: `> ${previous}`,
              actual: String(epoch),
            },
          ),
        ]
      : [];
  });
};
