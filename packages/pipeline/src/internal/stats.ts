/** Mean and sample standard deviation (Bessel's n − 1; 0 for fewer than two values). */
import type { Spread } from '../Pipeline.js';

export const spread = (xs: readonly number[]): Spread => {
  const n = xs.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, std: 0 };
  const ss = xs.reduce((a, b) => a + (b - mean) * (b - mean), 0);
  return { mean, std: Math.sqrt(ss / (n - 1)) };
};
