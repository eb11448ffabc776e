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
  /**
   * Armijo backtracking found no sufficient decrease within `maxBacktracks` trials (only with
   * `onLineSearchFailure: 'error'`); `smallest` is the last step size tried.
   */
  | { readonly _tag: 'line-search-failed'; readonly step: number; readonly tries: number; readonly smallest: number }
  /** Building or updating a layer's inner product failed. */
  | { readonly _tag: 'inner-product'; readonly error: InnerProductError };

/**
 * One readable sentence for a step error: what went wrong and, where a setting decides it, which to change
 * (named as in the .sprout language: `max_backtracks`, `initial`).
 */
export const describeStepError = (e: StepError): string => {
  switch (e._tag) {
    case 'non-finite-loss':
      return `the ${e.where === 'current' ? 'batch loss' : 'batch loss after the trial step'} is ${e.value}, not a finite number`;
    case 'non-finite-gradient':
      return 'a gradient holds a NaN or infinite entry';
    case 'missing-gradient':
      return `no gradient was given for the parameters '${e.name}'`;
    case 'missing-statistics':
      return `the step lacks what it measures: ${e.message}`;
    case 'invalid-options':
      return `the optimizer settings are out of range: ${e.message}`;
    case 'unsupported':
      return e.message;
    case 'line-search-failed':
      return `the Armijo line search found no step with sufficient decrease in ${e.tries} ${e.tries === 1 ? 'try' : 'tries'} (the smallest tried: ${e.smallest.toPrecision(3)}); raise max_backtracks or lower initial`;
    case 'inner-product':
      return `a layer's inner product cannot be built: ${e.error.message}`;
  }
};
