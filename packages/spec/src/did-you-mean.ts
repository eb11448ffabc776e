/**
 * "Did you mean …?": the closest known name to a misspelt one, by optimal-string-alignment distance
 * (Damerau–Levenshtein restricted to non-overlapping transpositions, so `rleu` is one edit from `relu`).
 * Suggests only when the name is close, relative to its length.
 */

/**
 * Edit distance between `a` and `b`: insertions, deletions, substitutions and transpositions of adjacent
 * characters each cost 1 (optimal string alignment).
 */
export const editDistance = (a: string, b: string): number => {
  const n = a.length;
  const m = b.length;
  // Three rolling rows: d[i-2], d[i-1], d[i].
  let prev2: number[] = new Array<number>(m + 1).fill(0);
  let prev: number[] = Array.from({ length: m + 1 }, (_, j) => j);
  for (let i = 1; i <= n; i++) {
    const cur: number[] = new Array<number>(m + 1).fill(0);
    cur[0] = i;
    for (let j = 1; j <= m; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, prev2[j - 2]! + 1);
      cur[j] = best;
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[m]!;
};

/** Largest distance still worth suggesting for a name of this length: 1 up to 4 characters, 2 up to 8, then 3. */
const maxDistance = (length: number): number => (length <= 4 ? 1 : length <= 8 ? 2 : 3);

/** Case and `-`/`_` are not meaningful differences for a suggestion. */
const normalise = (s: string): string => s.toLowerCase().replace(/-/g, '_');

/**
 * The candidate closest to `name`, or `undefined` when none is close enough (or `name` is itself a
 * candidate). Ties go to the earlier candidate. Names longer than 64 characters get no suggestion (the
 * distance costs O(n·m)).
 */
export const didYouMean = (name: string, candidates: readonly string[]): string | undefined => {
  if (name.length === 0 || name.length > 64 || candidates.includes(name)) return undefined;
  const wanted = normalise(name);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(wanted, normalise(candidate));
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= maxDistance(name.length) ? best : undefined;
};
