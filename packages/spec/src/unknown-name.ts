/**
 * The diagnostic for a name outside a closed vocabulary (an unknown layer, activation, data set, …), with
 * "did you mean" when a known name is close. Shared by `check`, `decodeExperiment` and the language.
 */
import type { Diagnostic, SpecPath } from './Diagnostic.js';
import { didYouMean } from './did-you-mean.js';
import { error, show } from './internal/diagnostic.js';
import * as N from './names.js';

interface NameKind {
  /** Code of the diagnostic, e.g. `unknown-activation`. */
  readonly code: string;
  /** What the name names, in a message: "unknown activation 'rleu'". */
  readonly label: string;
  readonly names: readonly string[];
}

/** Every closed vocabulary of the spec, by kind. */
export const NAME_KINDS = {
  layer: { code: 'unknown-layer', label: 'layer', names: N.LAYER_NAMES },
  activation: { code: 'unknown-activation', label: 'activation', names: N.ACTIVATION_NAMES },
  padding: { code: 'unknown-padding', label: 'padding', names: N.PADDING_NAMES },
  pool: { code: 'unknown-pool', label: 'pool kind', names: N.POOL_KINDS },
  data: { code: 'unknown-data', label: 'data set', names: N.DATA_NAMES },
  loss: { code: 'unknown-loss', label: 'loss', names: N.LOSS_NAMES },
  optimizer: { code: 'unknown-optimizer', label: 'optimizer', names: N.OPTIMIZER_NAMES },
  step: { code: 'unknown-step', label: 'step size', names: N.STEP_NAMES },
  variance: { code: 'unknown-variance', label: 'variance mode', names: N.VARIANCE_MODES },
  onIncrease: { code: 'unknown-on-increase', label: 'on_increase policy', names: N.ON_INCREASE_POLICIES },
  initialL: { code: 'unknown-initial-l', label: 'initial_l policy', names: N.INITIAL_L_POLICIES },
  restart: { code: 'unknown-restart', label: 'restart policy', names: N.RESTART_POLICIES },
  metric: { code: 'unknown-metric', label: 'metric', names: N.METRIC_NAMES },
  gram: { code: 'unknown-gram', label: 'Gram matrix', names: N.GRAM_NAMES },
  structure: { code: 'unknown-gram-structure', label: 'Gram structure', names: N.GRAM_STRUCTURES },
  estimate: { code: 'unknown-gram-estimate', label: 'Gram estimate', names: N.GRAM_ESTIMATES },
  onLineSearchFailure: {
    code: 'unknown-line-search-failure',
    label: 'on_line_search_failure policy',
    names: N.LINE_SEARCH_FAILURES,
  },
  growth: { code: 'unknown-growth', label: 'growth policy', names: N.GROWTH_NAMES },
  schedule: { code: 'unknown-schedule', label: 'growth schedule', names: N.SCHEDULE_NAMES },
  norm: { code: 'unknown-norm', label: 'sensitivity norm', names: N.NORM_NAMES },
  selection: { code: 'unknown-selection', label: 'selection', names: N.SELECTION_NAMES },
  optimizerState: { code: 'unknown-optimizer-state', label: 'optimizer state', names: N.OPTIMIZER_STATES },
  residualInit: { code: 'unknown-residual-init', label: 'residual block initialisation', names: N.RESIDUAL_INITS },
  insertBatchnorm: { code: 'unknown-batchnorm-init', label: 'batch norm initialisation', names: N.BATCHNORM_INITS },
  splitDraw: { code: 'unknown-split-draw', label: 'split draw', names: N.SPLIT_DRAWS },
  flip: { code: 'unknown-flip', label: 'flip', names: N.FLIPS },
  monitor: { code: 'unknown-monitor', label: 'early-stopping monitor', names: N.STOP_MONITORS },
  thresholdMean: { code: 'unknown-threshold-mean', label: 'threshold mean', names: N.THRESHOLD_MEANS },
  plot: { code: 'unknown-plot', label: 'plot', names: N.PLOT_NAMES },
  table: { code: 'unknown-table', label: 'table', names: N.TABLE_NAMES },
} as const satisfies Record<string, NameKind>;

export type NameKindKey = keyof typeof NAME_KINDS;

/** Whether `value` is a known name of this kind. */
export const isKnownName = (kind: NameKindKey, value: unknown): boolean =>
  typeof value === 'string' && (NAME_KINDS[kind].names as readonly string[]).includes(value);

/** "unknown activation 'rleu'; did you mean 'relu'?", with the known names as `expected`. */
export const unknownName = (kind: NameKindKey, value: unknown, path: SpecPath): Diagnostic => {
  const { code, label, names } = NAME_KINDS[kind];
  const suggestion = typeof value === 'string' ? didYouMean(value, names) : undefined;
  const message = `unknown ${label} ${show(value)}${suggestion === undefined ? '' : `; did you mean '${suggestion}'?`}`;
  return error(code, message, path, {
    expected: `one of ${names.map((n) => `'${n}'`).join(', ')}`,
    actual: show(value),
  });
};
