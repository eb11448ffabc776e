/** The errors of @sprout/step-size, as values (tagged union). A step that returns one left the variables unchanged. */
import type { InnerProductError } from '@sprout/inner-product';

export type StepError =
  /** The batch loss f_B(x) (`where: 'current'`) or the trial loss f_B(x⁺) (`'trial'`) is NaN or ±∞. */
  | {
      readonly _tag: 'non-finite-loss';
      readonly where: 'current' | 'trial';
      readonly value: number;
      readonly step: number;
    }
  /** ‖d‖² is NaN or ±∞: a gradient holds a non-finite entry. */
  | { readonly _tag: 'non-finite-gradient'; readonly step: number }
  /** `grads` lacks the gradient of a parameter group. */
  | { readonly _tag: 'missing-gradient'; readonly name: string }
  /** The step needs something the context did not give (taps for data-based metrics and `per_example`, chunk gradients for `split`, `lossAt`). */
  | { readonly _tag: 'missing-statistics'; readonly message: string }
  /** The optimizer spec, a step-size field or an option is out of range. */
  | { readonly _tag: 'invalid-options'; readonly message: string }
  /** A combination this package does not implement (momentum/Adam with Armijo or adaptive steps). */
  | { readonly _tag: 'unsupported'; readonly message: string }
  /** Armijo backtracking found no sufficient decrease within `maxBacktracks` trials (only with `onLineSearchFailure: 'error'`). */
  | { readonly _tag: 'line-search-failed'; readonly step: number; readonly tries: number }
  /** Building or updating a layer's inner product failed. */
  | { readonly _tag: 'inner-product'; readonly error: InnerProductError };
