/** Mean, sample standard deviation (Bessel's n − 1; 0 for fewer than two values), least and greatest. */
import type { Spread } from '../Pipeline.js';

export const spread = (xs: readonly number[]): Spread => {
  const n = xs.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN, min: Number.NaN, max: Number.NaN };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const min = Math.min(...xs);
  const max = Math.max(...xs);
  if (n < 2) return { mean, std: 0, min, max };
  const ss = xs.reduce((a, b) => a + (b - mean) * (b - mean), 0);
  return { mean, std: Math.sqrt(ss / (n - 1)), min, max };
};
