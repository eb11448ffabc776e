/**
 * The TensorFlow.js Frobenius-type inner product of a layer weight, in TFJS STORAGE LAYOUT.
 *
 * tfjs stores a dense kernel as in×out (n×m), which is `Wᵀ` for the papers' out×in `W`; a conv kernel
 * kh×kw×in×out is reshaped to (kh·kw·in)×out, the map from input patches to output channels. All
 * functions here take and return tensors in that layout, so tfjs kernels and their gradients pass in
 * directly. Transposing the formulas of ALGORITHMS.md §1 (`M_X`, `M_Y` symmetric), with `K = Aᵀ`:
 *
 *   ⟨A, B⟩  = tr(M_X⁻¹ Aᵀ M_Y B) = Σ_ij (M_X⁻¹ K_A M_Y)_ij (K_B)_ij
 *   riesz   : Gᵀ ↦ Rᵀ = M_X Gᵀ M_Y⁻¹      (paper: R = M_Y⁻¹ G M_X)
 *   flat    : Rᵀ ↦ Gᵀ = M_X⁻¹ Rᵀ M_Y
 *   ‖G‖²_*  = Σ_ij (Gᵀ)_ij (M_X Gᵀ M_Y⁻¹)_ij = tr(Gᵀ M_Y⁻¹ G M_X)
 *
 * A bias (shape [m]) is the map R¹ → Y: use `tfBiasSpace(my)`, whose Riesz map is `M_Y⁻¹ g_b`.
 * Elements of any rank whose last axis has length m are accepted and reshaped to [n, m]; outputs keep
 * the input's shape. Every function runs in tf.tidy; inputs are not disposed.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { InnerProductSpace } from '../InnerProductSpace.js';
import { leftMul, rightMul, tfScalarGram, type TfGram } from './TfGram.js';

export interface TfFrobeniusSpace extends InnerProductSpace<tf.Tensor, tf.Scalar> {
  readonly mx: TfGram;
  readonly my: TfGram;
}

const as2d = (t: tf.Tensor, n: number, m: number, op: string): tf.Tensor2D => {
  const last = t.shape[t.shape.length - 1] ?? 1;
  if (last !== m || t.size !== n * m) {
    throw new Error(
      `${op}: tensor of shape [${t.shape}] is not a layer weight with n=${n}, m=${m} (tfjs layout: last axis = out)`,
    );
  }
  return tf.reshape(t, [n, m]);
};

/** The Frobenius-type inner product for tfjs-layout weights (n×m, `K = Wᵀ`) with Grams `M_X` (n) and `M_Y` (m). */
export const tfFrobeniusSpace = (mx: TfGram, my: TfGram): TfFrobeniusSpace => {
  const n = mx.dim;
  const m = my.dim;
  const pairing = (g: tf.Tensor, v: tf.Tensor): tf.Scalar => tf.tidy(() => tf.sum(tf.mul(g, v)));
  const riesz = (g: tf.Tensor): tf.Tensor =>
    tf.tidy(() => tf.reshape(rightMul(leftMul(mx, as2d(g, n, m, 'riesz')), my, true), g.shape));
  const inner = (a: tf.Tensor, b: tf.Tensor): tf.Scalar =>
    tf.tidy(() => tf.sum(tf.mul(rightMul(leftMul(mx, as2d(a, n, m, 'inner'), true), my), as2d(b, n, m, 'inner'))));
  return {
    mx,
    my,
    inner,
    norm2: (a) => inner(a, a),
    pairing,
    riesz,
    flat: (r) => tf.tidy(() => tf.reshape(rightMul(leftMul(mx, as2d(r, n, m, 'flat'), true), my), r.shape)),
    dualNorm2: (g) => tf.tidy(() => tf.sum(tf.mul(g, riesz(g)))),
    add: (a, b) => tf.add(a, b),
    scale: (alpha, a) => tf.mul(a, alpha),
  };
};

/** The space of a bias `b ∈ Y` (shape [m]): `⟨a, b⟩ = aᵀ M_Y b`, Riesz map `M_Y⁻¹ g_b`. */
export const tfBiasSpace = (my: TfGram): TfFrobeniusSpace => tfFrobeniusSpace(tfScalarGram(1), my);

/** The Euclidean space on tensors of any shape (parameters of kind `other`). */
export const tfEuclideanSpace: InnerProductSpace<tf.Tensor, tf.Scalar> = {
  inner: (a, b) => tf.tidy(() => tf.sum(tf.mul(a, b))),
  norm2: (a) => tf.tidy(() => tf.sum(tf.square(a))),
  pairing: (g, v) => tf.tidy(() => tf.sum(tf.mul(g, v))),
  riesz: (g) => tf.clone(g),
  flat: (r) => tf.clone(r),
  dualNorm2: (g) => tf.tidy(() => tf.sum(tf.square(g))),
  add: (a, b) => tf.add(a, b),
  scale: (alpha, a) => tf.mul(a, alpha),
};

const rowQuadratic = (rows: tf.Tensor2D, g: TfGram, inverse: boolean): tf.Tensor1D =>
  tf.sum(tf.mul(rightMul(rows, g, inverse), rows), 1);

/**
 * Per-example squared norms of a dense layer's weight representatives,
 * `‖R_b‖² = (δ_bᵀ M_Y⁻¹ δ_b)(x_bᵀ M_X x_b)` (ALGORITHMS.md §1, rank one: `G_b = δ_b x_bᵀ`).
 * `x`: B×n layer inputs; `delta`: B×m per-example output gradients `∂J_b/∂y_b`. Returns shape [B].
 */
export const tfPerExampleNorms2 = (space: TfFrobeniusSpace, x: tf.Tensor2D, delta: tf.Tensor2D): tf.Tensor1D =>
  tf.tidy(() => tf.mul(rowQuadratic(delta, space.my, true), rowQuadratic(x, space.mx, false)));

/** Per-example squared norms of the bias representatives, `δ_bᵀ M_Y⁻¹ δ_b`. Returns shape [B]. */
export const tfPerExampleBiasNorms2 = (space: TfFrobeniusSpace, delta: tf.Tensor2D): tf.Tensor1D =>
  tf.tidy(() => rowQuadratic(delta, space.my, true));
