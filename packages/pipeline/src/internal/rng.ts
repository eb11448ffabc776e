/**
 * Seeded pseudo-random numbers for the pipeline's own choices (batch order, per-step dropout seeds).
 * mulberry32 (Tommy Ettinger, public domain): a 32-bit state, fast, and identical on every platform.
 */

/** A generator of uniform floats in [0, 1). */
export type Rng = () => number;

export const mulberry32 = (seed: number): Rng => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/** A uniformly random permutation of 0..n−1 (Fisher–Yates). */
export const permutation = (n: number, rng: Rng): number[] => {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
};

/** Mix a run seed with small integers into a new 31-bit seed (for per-epoch and per-step streams). */
export const deriveSeed = (...parts: readonly number[]): number => {
  let h = 0x811c9dc5;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x01000193) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0x5bd1e995) >>> 0;
    h ^= h >>> 15;
  }
  return h & 0x7fffffff;
};
