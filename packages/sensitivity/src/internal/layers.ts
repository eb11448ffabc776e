/** Small helpers over spec layer lists. */
import type { Layer } from '@sprout/spec';

/** The layer at an index path (`[2, 0]` is layers[2].body[0]). */
export const layerAt = (layers: readonly Layer[], path: readonly number[]): Layer => {
  let list = layers;
  let l: Layer | undefined;
  for (const i of path) {
    l = list[i];
    if (l === undefined) throw new Error(`layerAt: no layer at path [${path.join(', ')}]`);
    list = l._tag === 'residual' ? l.body : [];
  }
  if (l === undefined) throw new Error('layerAt: empty path');
  return l;
};

/** Whether `order` is a permutation of 0..n−1. */
export const isPermutation = (order: readonly number[], n: number): boolean => {
  if (order.length !== n) return false;
  const seen = new Uint8Array(n);
  for (const i of order) {
    if (!Number.isInteger(i) || i < 0 || i >= n || seen[i] === 1) return false;
    seen[i] = 1;
  }
  return true;
};
