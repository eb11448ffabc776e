/**
 * Seeds derived from a run's seed for the pipeline's own random streams (the dropout masks of each step).
 * Initialisation, splits and batch order take their seeds from @sprout/model and @sprout/data.
 */

/** Mix a run seed with small integers into a new 31-bit seed (FNV-1a style mixing with a murmur finaliser). */
export const deriveSeed = (...parts: readonly number[]): number => {
  let h = 0x811c9dc5;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x01000193) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0x5bd1e995) >>> 0;
    h ^= h >>> 15;
  }
  return h & 0x7fffffff;
};
