/**
 * Selection rules (ALGORITHMS.md §3, [code]: the reference's `abs max`, `abs min`, `posK`, `threshold_rel`):
 *   - `max`: the position with the largest sensitivity (SensLI); ties go to the first;
 *   - `min`: the smallest (the papers' validity baseline);
 *   - `position k`: always k;
 *   - `threshold τ`: the `max` position only if its score exceeds τ × a mean score computed with the same
 *     norm from the same pass: of the existing layers (`mean: 'existing'`, default; the FNN/ResNet reference,
 *     model_selection.py `mode == 'threshold'`) or of the existing and the virtual layers together (`mean:
 *     'all'`; the CNN reference's `denominator_threshold`, model_selection_oo.py, which averages over every
 *     conv layer of the fully extended model); otherwise the rule declines;
 *   - `threshold_abs b`: the `max` position only if its score exceeds b (the CNN reference's
 *     `threshold_abs`, b = 1e-4).
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Selection } from '@sprout/spec';
import type { SensitivityError } from './SensitivityError.js';

/** The outcome of a selection rule: insert at a position, or (threshold only) decline. */
export type Choice =
  | { readonly _tag: 'insert'; readonly position: number; readonly score: number }
  | {
      readonly _tag: 'decline';
      /** The best position and its score, which did not exceed the bar. */
      readonly best: number;
      readonly score: number;
      /** The bar the best score had to exceed (τ × a mean score, or the absolute bar). */
      readonly bar: number;
    };

/** What a rule reads: the positions' scores and, for `threshold`, the existing layers' mean score. */
export interface Scores {
  readonly scores: readonly number[];
  readonly existingMean?: number | undefined;
  /** The existing layers' scores (their count weighs `existingMean` in the `mean: 'all'` denominator). */
  readonly existing?: readonly { readonly score: number }[];
}

const argBy = (xs: readonly number[], better: (a: number, b: number) => boolean): number => {
  let k = 0;
  for (let i = 1; i < xs.length; i++) if (better(xs[i]!, xs[k]!)) k = i;
  return k;
};

/** Applies `selection` to the scores (see the module comment). */
export function selectPosition(selection: Selection, s: Scores): E.Either<SensitivityError, Choice> {
  const xs = s.scores;
  if (xs.length === 0)
    return E.left({ _tag: 'no-positions', message: 'there are no candidate positions to choose from' });
  if (!xs.every(Number.isFinite))
    return E.left({ _tag: 'non-finite-sensitivity', message: 'a sensitivity is NaN or infinite' });
  switch (selection._tag) {
    case 'max': {
      const k = argBy(xs, (a, b) => a > b);
      return E.right({ _tag: 'insert', position: k, score: xs[k]! });
    }
    case 'min': {
      const k = argBy(xs, (a, b) => a < b);
      return E.right({ _tag: 'insert', position: k, score: xs[k]! });
    }
    case 'position': {
      const k = selection.index;
      if (!Number.isInteger(k) || k < 0 || k >= xs.length) {
        return E.left({
          _tag: 'position-out-of-range',
          position: k,
          count: xs.length,
          message: `position ${k} does not exist; this net has positions 0..${xs.length - 1}`,
        });
      }
      return E.right({ _tag: 'insert', position: k, score: xs[k]! });
    }
    case 'threshold': {
      if (s.existingMean === undefined) {
        return E.left({
          _tag: 'missing-existing-scores',
          message: 'the threshold rule compares with the existing layers: compute sensitivities with `existing: true`',
        });
      }
      const k = argBy(xs, (a, b) => a > b);
      const ne = s.existing?.length ?? 0;
      const mean =
        selection.mean === 'all'
          ? (s.existingMean * ne + xs.reduce((a, b) => a + b, 0)) / (ne + xs.length)
          : s.existingMean;
      const bar = selection.tau * mean;
      return E.right(
        xs[k]! > bar
          ? { _tag: 'insert', position: k, score: xs[k]! }
          : { _tag: 'decline', best: k, score: xs[k]!, bar },
      );
    }
    case 'threshold_abs': {
      const k = argBy(xs, (a, b) => a > b);
      const bar = selection.bar;
      return E.right(
        xs[k]! > bar
          ? { _tag: 'insert', position: k, score: xs[k]! }
          : { _tag: 'decline', best: k, score: xs[k]!, bar },
      );
    }
  }
}
