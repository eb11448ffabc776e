/** The step size after an insertion (ALGORITHMS.md §3, [code]): `lr = factor × last lr`, factor 1 by default. */

/**
 * `factor × lastStep`. Throws when either is not a finite positive number (the spec checker rejects such
 * factors first).
 */
export function stepAfterInsertion(lastStep: number, factor = 1): number {
  if (!(Number.isFinite(lastStep) && lastStep > 0)) {
    throw new Error(`stepAfterInsertion: the last step size ${lastStep} must be finite and positive`);
  }
  if (!(Number.isFinite(factor) && factor > 0)) {
    throw new Error(`stepAfterInsertion: factor ${factor} must be finite and positive`);
  }
  return factor * lastStep;
}
