/**
 * The reference (Float64) Frobenius-type inner product of a layer weight `A: X → Y`, stored as in the
 * papers: `A` is m×n (out×in). Source: ALGORITHMS.md §1, arXiv 2311.15419.
 *
 *   ⟨A, B⟩   = tr(M_X⁻¹ Aᵀ M_Y B) = Σ_ij (M_Y A M_X⁻¹)_ij B_ij
 *   R        = M_Y⁻¹ G M_X                      (Riesz representative of the Euclidean gradient G)
 *   ‖R‖²     = tr(Gᵀ M_Y⁻¹ G M_X)               (= the dual norm of G)
 *   ‖R_b‖²   = (δ_bᵀ M_Y⁻¹ δ_b)(x_bᵀ M_X x_b)    (one example of a dense layer, G_b = δ_b x_bᵀ)
 *
 * A bias `b ∈ Y` is the map R¹ → Y with `M_X = 1`: its representative is `M_Y⁻¹ g_b` (`biasSpace`).
 */
import type { GramMatrix } from './Gram.js';
import { gramMul, gramSolve, gramSolveRight, gramMulRight } from './Gram.js';
import type { InnerProductSpace } from './InnerProductSpace.js';
import type { Mat } from './Mat.js';
import { add, frobeniusDot, scale } from './linalg.js';

/** A reference inner-product space on m×n matrices, with its Gram matrices exposed. */
export interface FrobeniusSpace extends InnerProductSpace<Mat, number> {
  /** `M_X`, n×n (domain, fan-in). */
  readonly mx: GramMatrix;
  /** `M_Y`, m×m (codomain, fan-out). */
  readonly my: GramMatrix;
}

/** The Frobenius-type inner product `tr(M_X⁻¹ Aᵀ M_Y B)` on m×n matrices (ALGORITHMS.md §1). */
export const frobeniusSpace = (mx: GramMatrix, my: GramMatrix): FrobeniusSpace => {
  const inner = (a: Mat, b: Mat): number => frobeniusDot(gramSolveRight(gramMul(my, a), mx), b);
  const riesz = (g: Mat): Mat => gramMulRight(gramSolve(my, g), mx);
  return {
    mx,
    my,
    inner,
    norm2: (a) => inner(a, a),
    pairing: frobeniusDot,
    riesz,
    flat: (r) => gramSolveRight(gramMul(my, r), mx),
    dualNorm2: (g) => frobeniusDot(g, riesz(g)),
    add,
    scale,
  };
};

/** The space of the layer's bias: `Y` with `M_Y` (elements are m×1 columns; Riesz map `M_Y⁻¹ g_b`). */
export const biasSpace = (space: FrobeniusSpace): FrobeniusSpace =>
  frobeniusSpace({ _tag: 'scalar', dim: 1, c: 1 }, space.my);

const rowQuadratic = (rows: Mat, apply: (v: Mat) => Mat): Float64Array => {
  // q_b = r_bᵀ (op r_b) for every row r_b: (op Rᵀ) has the transformed rows as columns.
  const out = new Float64Array(rows.rows);
  const t: Mat = { rows: rows.cols, cols: rows.rows, data: new Float64Array(rows.data.length) };
  for (let b = 0; b < rows.rows; b++)
    for (let j = 0; j < rows.cols; j++) t.data[j * rows.rows + b] = rows.data[b * rows.cols + j]!;
  const at = apply(t);
  for (let b = 0; b < rows.rows; b++) {
    let s = 0;
    for (let j = 0; j < rows.cols; j++) s += rows.data[b * rows.cols + j]! * at.data[j * rows.rows + b]!;
    out[b] = s;
  }
  return out;
};

/**
 * Squared norms of the per-example Riesz representatives of a dense layer's weight,
 * `‖R_b‖² = (δ_bᵀ M_Y⁻¹ δ_b)(x_bᵀ M_X x_b)` (ALGORITHMS.md §1: `G_b = δ_b x_bᵀ` is rank one).
 * `x` is B×n (layer inputs), `delta` B×m (per-example output gradients `∂J_b/∂y_b`).
 */
export const perExampleNorms2 = (space: FrobeniusSpace, x: Mat, delta: Mat): Float64Array => {
  const qy = rowQuadratic(delta, (v) => gramSolve(space.my, v));
  const qx = rowQuadratic(x, (v) => gramMul(space.mx, v));
  return qy.map((v, b) => v * qx[b]!);
};

/** Squared norms of the per-example bias representatives, `δ_bᵀ M_Y⁻¹ δ_b`. */
export const perExampleBiasNorms2 = (space: FrobeniusSpace, delta: Mat): Float64Array =>
  rowQuadratic(delta, (v) => gramSolve(space.my, v));
