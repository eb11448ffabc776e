/**
 * STAND-IN for @sprout/data until it lands: the reference spirals (ALGORITHMS.md §3) with a seeded
 * 75/25 split. Replaced by the real package.
 */
import type { Data } from '@sprout/spec';
import { mulberry32, permutation } from '../rng.js';

export interface Split {
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly n: number;
}
export interface Dataset {
  readonly inputShape: readonly number[];
  readonly classes: number;
  readonly train: Split;
  readonly test: Split;
}

export const loadData = (data: Data, options: { readonly seed: number }): Dataset => {
  if (data._tag !== 'spirals') throw new Error(`stand-in data: ${data._tag} not supported`);
  const N = data.points;
  const xs: number[][] = [];
  const ys: number[] = [];
  for (const [c, sign] of [[0, 1], [1, -1]] as const) {
    for (let i = 0; i < N; i++) {
      const phi = (2 * Math.PI * data.turns * i) / N;
      const r = data.radius + (data.turns * i) / N;
      xs.push([sign * r * Math.cos(phi), sign * r * Math.sin(phi)]);
      ys.push(c);
    }
  }
  const perm = permutation(xs.length, mulberry32(options.seed));
  const nTrain = Math.round(data.split * xs.length);
  const pick = (idx: readonly number[]): Split => ({
    x: Float32Array.from(idx.flatMap((i) => xs[i]!)),
    y: Int32Array.from(idx.map((i) => ys[i]!)),
    n: idx.length,
  });
  return { inputShape: [2], classes: 2, train: pick(perm.slice(0, nTrain)), test: pick(perm.slice(nTrain)) };
};
