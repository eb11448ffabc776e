/**
 * Gram matrices of the reference (Float64) instance: the SPD matrix `M` that defines the inner product
 * `⟨u, v⟩ = uᵀ M v` on a layer's domain `X = Rⁿ` or codomain `Y = Rᵐ` (ALGORITHMS.md §1).
 *
 * Three representations: a multiple of the identity, a diagonal, and a dense SPD matrix given by a
 * matrix `S` and its Cholesky factor, with `M = S` or `M = S⁻¹` (`inverted`). Dense matrices are applied
 * by Cholesky solves, diagonal ones elementwise.
 */
import type { Mat } from './Mat.js';
import { choleskySolve, matmul, scale, scaleRows, transpose } from './linalg.js';

export type GramMatrix =
  | { readonly _tag: 'scalar'; readonly dim: number; readonly c: number }
  | { readonly _tag: 'diagonal'; readonly dim: number; readonly d: Float64Array }
  | {
      readonly _tag: 'dense';
      readonly dim: number;
      /** The SPD matrix `S`. */
      readonly s: Mat;
      /** Lower-triangular `L`, `S = L Lᵀ`. */
      readonly chol: Mat;
      /** `M = S⁻¹` when true, `M = S` when false. */
      readonly inverted: boolean;
    };

const checkDim = (g: GramMatrix, v: Mat, op: string): void => {
  if (v.rows !== g.dim) throw new Error(`${op}: Gram of size ${g.dim} applied to ${v.rows}×${v.cols}`);
};

/** `M V` (V has `dim` rows). */
export const gramMul = (g: GramMatrix, v: Mat): Mat => {
  checkDim(g, v, 'gramMul');
  switch (g._tag) {
    case 'scalar':
      return scale(g.c, v);
    case 'diagonal':
      return scaleRows(g.d, v);
    case 'dense':
      return g.inverted ? choleskySolve(g.chol, v) : matmul(g.s, v);
  }
};

/** `M⁻¹ V` (V has `dim` rows). */
export const gramSolve = (g: GramMatrix, v: Mat): Mat => {
  checkDim(g, v, 'gramSolve');
  switch (g._tag) {
    case 'scalar':
      return scale(1 / g.c, v);
    case 'diagonal':
      return scaleRows(
        g.d.map((x) => 1 / x),
        v,
      );
    case 'dense':
      return g.inverted ? matmul(g.s, v) : choleskySolve(g.chol, v);
  }
};

/** `V M` (V has `dim` columns; M is symmetric, so `V M = (M Vᵀ)ᵀ`). */
export const gramMulRight = (v: Mat, g: GramMatrix): Mat => transpose(gramMul(g, transpose(v)));

/** `V M⁻¹` (V has `dim` columns). */
export const gramSolveRight = (v: Mat, g: GramMatrix): Mat => transpose(gramSolve(g, transpose(v)));

/** `M` as a dense matrix (for tests and for handing to the tfjs instance). */
export const gramMatrix = (g: GramMatrix): Mat => {
  const id: Mat = { rows: g.dim, cols: g.dim, data: new Float64Array(g.dim * g.dim) };
  for (let i = 0; i < g.dim; i++) id.data[i * g.dim + i] = 1;
  return gramMul(g, id);
};
