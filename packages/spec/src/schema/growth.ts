/**
 * The growth section, described once (see describe.ts): when to insert (the schedule), how candidate
 * positions are compared (the sensitivity norm, ALGORITHMS.md §3), which one is chosen (the selection rule)
 * and what follows an insertion. Its type, decoder, defaults, builders, name and range checks and test data
 * are derived from it; the language's `grow sensli { … }` clauses are its own grammar (to-spec.ts, printer.ts).
 */
import { nonNegative, nonNegativeInt, positive, positiveInt } from '../internal/range.js';
import { MAX_INSERTIONS, MAX_LAYERS } from '../limits.js';
import { error } from '../internal/diagnostic.js';
import { list, name, num, optional, sub, union, type Infer } from './describe.js';
import { METRIC_SCHEMA } from './optimizer.js';

/** How candidate positions are compared (ALGORITHMS.md §3). */
export const NORM_SCHEMA = union('norm', 'a sensitivity norm', {
  fro: {},
  fro_numel: {},
  metric: { metric: sub(METRIC_SCHEMA) },
  /** σ_max² of the periodic convolution operator (or the matrix, for dense weights). */
  spectral: {},
  /** σ_max² of the zero-padded 'same' convolution operator, the layer actually inserted (power iteration). */
  spectral_same: {},
  /** The SensLI reference's `op22` score, bug for bug (channel-axis DFT; conv weights only). */
  op22_reference: {},
});

/** How candidate positions are compared (ALGORITHMS.md §3). */
export type SensitivityNorm = Infer<typeof NORM_SCHEMA>;

/**
 * When to insert: after each listed epoch, or every `every` epochs at most `max` times. The epochs are
 * checked against the training's (check-schedule.ts); here only how many an `at` schedule lists.
 */
export const SCHEDULE_SCHEMA = union(
  'schedule',
  'a growth schedule',
  {
    // Test data: epochs ≤ 9, and training runs at least 10 epochs.
    at: { epochs: list(num({ what: 'an insertion epoch', sample: positiveInt(9) }), { minLength: 1, maxLength: 4 }) },
    every: {
      every: num({ what: 'the insertion period', sample: positiveInt(9) }),
      max: num({ default: 1, range: positiveInt(MAX_INSERTIONS), what: 'most insertions', sample: positiveInt(10) }),
    },
  },
  (v, path) => {
    if (v._tag !== 'at' || !Array.isArray(v['epochs'])) return [];
    const n = v['epochs'].length;
    const at: typeof path = [...path, 'epochs'];
    if (n > MAX_INSERTIONS)
      return [error('out-of-range', `a growth schedule lists at most ${MAX_INSERTIONS} epochs, got ${n}`, at)];
    return n === 0 ? [error('out-of-range', 'a growth schedule `at` needs at least one epoch', at)] : [];
  },
);

export type GrowthSchedule = Infer<typeof SCHEDULE_SCHEMA>;

export const SELECTION_SCHEMA = union('selection', 'a selection rule', {
  max: {},
  min: {},
  position: {
    index: num({ range: nonNegativeInt(MAX_LAYERS), what: 'insertion position', sample: nonNegativeInt(10) }),
  },
  /**
   * Insert only if the best score exceeds τ times a mean score: of the existing layers (`mean: 'existing'`,
   * the default and the FNN/ResNet reference, model_selection.py) or of the existing AND the virtual layers
   * (`mean: 'all'`, the CNN reference's `denominator_threshold`, model_selection_oo.py).
   */
  threshold: {
    tau: num({ default: 1, range: positive, what: 'threshold τ', sample: { min: 1e-3, max: 10 } }),
    mean: optional(name<'existing' | 'all'>('thresholdMean')),
  },
  /** Insert only if the best score exceeds `bar` (the CNN reference's `threshold_abs`, bar 1e-4). */
  threshold_abs: {
    bar: num({ default: 1e-4, range: nonNegative, what: 'absolute threshold', sample: { min: 0, max: 1 } }),
  },
});

export type Selection = Infer<typeof SELECTION_SCHEMA>;

export const GROWTH_SCHEMA = union('growth', 'a growth policy', {
  none: {},
  sensli: {
    schedule: sub(SCHEDULE_SCHEMA),
    norm: sub(NORM_SCHEMA, { default: { _tag: 'fro' } }),
    select: sub(SELECTION_SCHEMA, { default: { _tag: 'max' } }),
    /** Step size after an insertion = lrFactor × the last step size. */
    lrFactor: num({ default: 1, range: positive, what: 'lrFactor', sample: { min: 1e-3, max: 10 } }),
    /** Optimizer state after an insertion: `reset` (the reference) or `keep` (zero for new weights). */
    optimizerState: name<'reset' | 'keep'>('optimizerState', { default: 'reset' }),
    /**
     * ResNets: the virtual block's initialisation, the reference's first (`outer_zero`: W₁ = 0.8 I, W₂ = 0;
     * the default) or second (`inner_zero`: W₁ = 0, W₂ = 0.8 I; model_selection.py `v2`).
     */
    residualInit: optional(name<'outer_zero' | 'inner_zero'>('residualInit')),
    /**
     * CNNs: the chosen conv is inserted with a batch norm between it and its ReLU (conv + BN + ReLU, the
     * CNN reference's `BN=True`), the norm initialised as the reference's (`reference`: γ = 1, β = 0,
     * moving mean 0, variance 1; the function changes in training mode) or from the training data's
     * statistics at the position (`preserve`: exact in inference mode, see ALGORITHMS.md §3). Absent: conv + ReLU.
     */
    insertBatchnorm: optional(name<'reference' | 'preserve'>('insertBatchnorm')),
  },
});

export type Growth = Infer<typeof GROWTH_SCHEMA>;
