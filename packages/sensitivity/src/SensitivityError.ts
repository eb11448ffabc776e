/** The errors @sprout/sensitivity returns as values. */
import type { GrowthError } from '@sprout/growth';

export type SensitivityError =
  | GrowthError
  | {
      /** A gradient or score is NaN or infinite (e.g. a diverged net): no position can be chosen. */
      readonly _tag: 'non-finite-sensitivity';
      readonly message: string;
    }
  | { readonly _tag: 'empty-data'; readonly message: string }
  /** `order` is not a permutation of 0..N−1. */
  | { readonly _tag: 'invalid-order'; readonly message: string }
  | {
      /** The norm needs something this call does not have (e.g. data-based Gram matrices). */
      readonly _tag: 'unsupported-norm';
      readonly message: string;
    }
  | {
      /** The `threshold` rule needs the existing layers' scores (`existing: true`). */
      readonly _tag: 'missing-existing-scores';
      readonly message: string;
    };
