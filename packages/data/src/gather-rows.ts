/**
 * Rows of a data set's host arrays by index: the mini-batch copy of every training path (tfjs batches in
 * gatherBatch, the pipeline's host engine, the sensitivity host pass). No TensorFlow.js.
 */

/** Whether `indices` is 0, 1, …, n − 1 (a full batch in stored order, which needs no copy). */
export function isIdentity(indices: Int32Array, n: number): boolean {
  if (indices.length !== n) return false;
  for (let i = 0; i < n; i++) if (indices[i] !== i) return false;
  return true;
}

/**
 * Copy example `indices[r]` (`width` values of `srcX`, its label in `srcY`) into row r of `outX` / `outY`,
 * for r < indices.length. The outputs must hold indices.length rows. A plain index loop: `subarray` + `set`
 * per row allocates an object per row.
 */
export function gatherRows(
  srcX: Float32Array,
  srcY: Int32Array,
  width: number,
  indices: Int32Array,
  outX: Float32Array,
  outY: Int32Array,
): void {
  for (let r = 0; r < indices.length; r++) {
    const i = indices[r]!;
    const from = i * width;
    const to = r * width;
    for (let k = 0; k < width; k++) outX[to + k] = srcX[from + k]!;
    outY[r] = srcY[i]!;
  }
}
