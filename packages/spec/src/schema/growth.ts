/**
 * The growth section, described once (see describe.ts), as far as it is described: the sensitivity norm
 * that compares candidate positions (ALGORITHMS.md §3). Its type, decoder, name and range checks and test
 * data are derived from it.
 */
import { sub, union, type Infer } from './describe.js';
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
