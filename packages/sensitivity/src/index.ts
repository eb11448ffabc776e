// Public API of @sprout/sensitivity: the one-pass sensitivities of every candidate position (SensLI,
// ALGORITHMS.md §3), their norms (Frobenius, per-entry, Frobenius-type, spectral), selection rules,
// schedules, and the insertion event record.
export type { SensitivityError } from './SensitivityError.js';
export type { LossFn } from './loss.js';
export { lossFunction } from './loss.js';
export type { WeightGradient } from './norms.js';
export { gradientScore } from './norms.js';
export type { SpectralOptions } from './spectral.js';
export {
  convSpectralNormSquared,
  convSameSpectralNormSquared,
  matrixSpectralNormSquared,
  op22ReferenceSquared,
} from './spectral.js';
export type { TrainingData, SensitivityOptions, Sensitivities } from './compute.js';
export { computeSensitivities } from './compute.js';
export type { Choice, Scores } from './select.js';
export { selectPosition } from './select.js';
export { shouldGrowAt } from './schedule.js';
export type { InsertionEvent } from './event.js';
export { insertionEvent } from './event.js';
export type { GrowOptions, GrowStep } from './grow.js';
export { growBySensitivity } from './grow.js';
