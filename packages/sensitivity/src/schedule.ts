/**
 * Growth schedules: when to run the sensitivity pass and (maybe) insert.
 * `epoch` counts COMPLETED epochs: `at epoch 450` grows after the 450th epoch, before the 451st (the
 * reference's 450 + 1400 protocol).
 */
import type { GrowthSchedule } from '@sprout/spec';

/**
 * Whether to grow after `epoch` completed epochs, with `insertionsSoFar` insertions made (declined attempts
 * of the threshold rule do not count):
 *   - `at`: `epoch` is one of the listed epochs;
 *   - `every k, max M`: `epoch` is a positive multiple of k and fewer than M insertions were made.
 */
export function shouldGrowAt(schedule: GrowthSchedule, epoch: number, insertionsSoFar: number): boolean {
  switch (schedule._tag) {
    case 'at':
      return schedule.epochs.includes(epoch);
    case 'every':
      return schedule.every > 0 && epoch > 0 && epoch % schedule.every === 0 && insertionsSoFar < schedule.max;
  }
}
