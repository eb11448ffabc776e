/**
 * A dense real matrix in row-major Float64 storage: the element type of the reference instance.
 * Entry (i, j) is `data[i * cols + j]`. A layer weight is stored as in the papers: `W` is out×in (m×n).
 */
export interface Mat {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/** A matrix from nested rows (`[[a, b], [c, d]]`); throws when the rows are ragged. */
export const matFromRows = (rows: readonly (readonly number[])[]): Mat => {
  const r = rows.length;
  const c = rows[0]?.length ?? 0;
  const data = new Float64Array(r * c);
  rows.forEach((row, i) => {
    if (row.length !== c) throw new Error(`matFromRows: row ${i} has ${row.length} entries, expected ${c}`);
    row.forEach((v, j) => (data[i * c + j] = v));
  });
  return { rows: r, cols: c, data };
};

/** A rows×cols matrix over a copy of `values` (row-major); throws when the length is wrong. */
export const mat = (rows: number, cols: number, values: ArrayLike<number>): Mat => {
  if (values.length !== rows * cols) {
    throw new Error(`mat: ${values.length} values for a ${rows}×${cols} matrix; pass rows·cols values`);
  }
  return { rows, cols, data: Float64Array.from(values) };
};

/** The matrix as nested rows. */
export const matToRows = (a: Mat): number[][] =>
  Array.from({ length: a.rows }, (_, i) => Array.from(a.data.subarray(i * a.cols, (i + 1) * a.cols)));
