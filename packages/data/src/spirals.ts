/**
 * The two-spirals data set of the SensLI reference experiments (ALGORITHMS.md §3, arXiv 2311.15995;
 * `spirals()` in shared/peer/sensli_torch.py): for i = 0..N−1,
 *   φᵢ = 2π·turns·i/N,   rᵢ = r₀ + turns·i/N,   xᵢ = (s·rᵢ·cos φᵢ, s·rᵢ·sin φᵢ),
 * with class sign s = −1 for label 0 and s = +1 for label 1. Computed in float64, stored as float32, then
 * split by a seeded permutation. The permutation is Sprout's own (see internal/random.ts), not torch's.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Dataset } from './Dataset.js';
import type { DataError } from './DataError.js';
import { splitExamples, type Examples } from './examples.js';

export interface SpiralsOptions {
  /** Points per class N. @default 300 */
  readonly points?: number;
  /** Number of turns. @default 1 */
  readonly turns?: number;
  /** Start radius r₀. @default 0.5 */
  readonly radius?: number;
  /** Fraction of the 2N points used for training (⌊split·2N⌋ of them). @default 0.75 */
  readonly split?: number;
  /** Seed of the split permutation. @default 1 */
  readonly seed?: number;
}

/**
 * The 2N points in generation order, before any shuffle: label 0 (s = −1) for i = 0..N−1, then label 1
 * (s = +1) for i = 0..N−1. `x` holds (x₁, x₂) pairs.
 */
export const spiralPoints = (points: number, turns: number, radius: number): { x: Float32Array; y: Int32Array } => {
  const x = new Float32Array(4 * points);
  const y = new Int32Array(2 * points);
  const classes: readonly (readonly [label: number, s: number])[] = [
    [0, -1],
    [1, 1],
  ];
  let k = 0;
  for (const [label, s] of classes) {
    for (let i = 0; i < points; i++) {
      const phi = (2 * Math.PI * turns * i) / points;
      const r = radius + (turns * i) / points;
      x[2 * k] = s * r * Math.cos(phi);
      x[2 * k + 1] = s * r * Math.sin(phi);
      y[k] = label;
      k++;
    }
  }
  return { x, y };
};

/** The spirals data set, split seeded into training and test points. */
export const generateSpirals = (options: SpiralsOptions = {}): E.Either<DataError, Dataset> => {
  const points = options.points ?? 300;
  const turns = options.turns ?? 1;
  const radius = options.radius ?? 0.5;
  const split = options.split ?? 0.75;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(points) || points < 1) {
    return E.left({ _tag: 'InvalidOption', option: 'points', reason: `must be a positive integer, got ${points}` });
  }
  if (!Number.isFinite(turns) || !Number.isFinite(radius)) {
    return E.left({ _tag: 'InvalidOption', option: 'turns/radius', reason: 'must be finite numbers' });
  }
  const { x, y } = spiralPoints(points, turns, radius);
  const ex: Examples = { x, y, shape: [2], classes: 2 };
  return splitExamples(ex, 'spirals', split, seed);
};
