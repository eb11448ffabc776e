/**
 * Gram matrices on the TensorFlow.js side: `M = cI`, `M = diag(d)` (with `d⁻¹` kept), or a dense SPD `M`
 * with `M⁻¹` kept (ALGORITHMS.md §1). [design] Dense Grams are factored on the host in Float64 by
 * Cholesky (see `tfGramFromReference`), and the product with `M` or `M⁻¹` then runs as one tfjs matMul per
 * application: tfjs has no Cholesky or triangular solve, and a Gram changes at most once per step while it
 * is applied several times.
 *
 * A `TfGram` owns its tensors: dispose it with `disposeTfGram` when it is replaced.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GramMatrix } from '../Gram.js';
import { choleskyInverse } from '../linalg.js';

export type TfGram =
  | { readonly _tag: 'scalar'; readonly dim: number; readonly c: number }
  | { readonly _tag: 'diagonal'; readonly dim: number; readonly d: tf.Tensor1D; readonly dInv: tf.Tensor1D }
  | { readonly _tag: 'dense'; readonly dim: number; readonly m: tf.Tensor2D; readonly inv: tf.Tensor2D };

/** `M = cI` on R^dim. */
export const tfScalarGram = (dim: number, c = 1): TfGram => ({ _tag: 'scalar', dim, c });

/** Upload a reference Gram: scalars stay scalars, diagonals keep `d` and `1/d`, dense keeps `M` and `M⁻¹`. */
export const tfGramFromReference = (g: GramMatrix): TfGram => {
  switch (g._tag) {
    case 'scalar':
      return { _tag: 'scalar', dim: g.dim, c: g.c };
    case 'diagonal':
      return {
        _tag: 'diagonal',
        dim: g.dim,
        d: tf.tensor1d(Float32Array.from(g.d)),
        dInv: tf.tensor1d(Float32Array.from(g.d, (v) => 1 / v)),
      };
    case 'dense': {
      // One inverse from the Cholesky factor; M and M⁻¹ are S and S⁻¹ in some order.
      const sInv = choleskyInverse(g.chol);
      const [m, inv] = g.inverted ? [sInv, g.s] : [g.s, sInv];
      return {
        _tag: 'dense',
        dim: g.dim,
        m: tf.tensor2d(Float32Array.from(m.data), [g.dim, g.dim]),
        inv: tf.tensor2d(Float32Array.from(inv.data), [g.dim, g.dim]),
      };
    }
  }
};

export const disposeTfGram = (g: TfGram): void => {
  if (g._tag === 'diagonal') tf.dispose([g.d, g.dInv]);
  if (g._tag === 'dense') tf.dispose([g.m, g.inv]);
};

/** `M V` (`inverse`: `M⁻¹ V`) for V with `dim` rows. Call inside tf.tidy. */
export const leftMul = (g: TfGram, v: tf.Tensor2D, inverse = false): tf.Tensor2D => {
  switch (g._tag) {
    case 'scalar':
      return g.c === 1 ? v : tf.mul(v, inverse ? 1 / g.c : g.c);
    case 'diagonal':
      return tf.mul(v, tf.reshape(inverse ? g.dInv : g.d, [-1, 1]));
    case 'dense':
      return tf.matMul(inverse ? g.inv : g.m, v);
  }
};

/** `V M` (`inverse`: `V M⁻¹`) for V with `dim` columns. Call inside tf.tidy. */
export const rightMul = (v: tf.Tensor2D, g: TfGram, inverse = false): tf.Tensor2D => {
  switch (g._tag) {
    case 'scalar':
      return g.c === 1 ? v : tf.mul(v, inverse ? 1 / g.c : g.c);
    case 'diagonal':
      return tf.mul(v, tf.reshape(inverse ? g.dInv : g.d, [1, -1]));
    case 'dense':
      return tf.matMul(v, inverse ? g.inv : g.m);
  }
};
