// The fixed two-spirals training set of the sensitivity scripts (bench/cost.ts, peer/export.ts): 2 × 300
// points (ALGORITHMS.md §3), 75 % for training = 450, taken by a fixed permutation (397 is coprime to 600),
// so Sprout and the PyTorch peer see the same examples.
import { spiralPoints } from '@sprout/data';

const N = 300;
export const TRAIN = 450;

/** Row-major inputs [TRAIN × 2] and integer labels [TRAIN] (the points of @sprout/data's `spiralPoints`). */
export function spiralsTrainingSet(): { readonly x: number[]; readonly y: number[] } {
  const { x, y } = spiralPoints(N, 1, 0.5);
  const perm = Array.from({ length: 2 * N }, (_, i) => (i * 397) % (2 * N)).slice(0, TRAIN);
  return { x: perm.flatMap((k) => [x[2 * k]!, x[2 * k + 1]!]), y: perm.map((k) => y[k]!) };
}
