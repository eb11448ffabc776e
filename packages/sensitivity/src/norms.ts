/**
 * Scores of weight gradients for comparing positions of different sizes (ALGORITHMS.md §3, "Norms"); every
 * score is a SQUARED norm, as the reference's (s_p = ‖ḡ_p‖²):
 *   - `fro`: ‖G‖_F² (reference default for FNN and ResNet);
 *   - `fro_numel`: ‖G‖_F² / numel(G) (reference CNN default `fro_squared_scaled`);
 *   - `metric`: the squared dual norm of a Frobenius-type inner product, ‖R‖² = tr(Gᵀ M_Y⁻¹ G M_X)
 *     (ALGORITHMS.md §1, arXiv 2311.15419), with G read as the map from n = fan-in (k_h·k_w·in for a conv)
 *     to m = out;
 *   - `spectral`: σ_max² of the PERIODIC convolution operator at the layer's input resolution (spatial FFT,
 *     see spectral.ts), or of the matrix for a dense weight;
 *   - `spectral_same`: σ_max² of the zero-padded ('same', stride 1) convolution operator at the layer's
 *     input resolution, the operator of the conv layer SensLI inserts (power iteration); matrix for dense;
 *   - `op22_reference`: the reference code's `op22` quantity, bug for bug (a DFT over the channel axes that
 *     sees only the first k×k channels; spectral.ts); conv weights only.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Gram, SensitivityNorm } from '@sprout/spec';
import type { SensitivityError } from './SensitivityError.js';
import {
  convSameSpectralNormSquared,
  convSpectralNormSquared,
  matrixSpectralNormSquared,
  op22ReferenceSquared,
} from './spectral.js';

/** A weight's gradient with what the norms need to know about its layer. */
export interface WeightGradient {
  /** Parameter name in the net the gradient was taken in. */
  readonly name: string;
  readonly kind: 'dense' | 'conv';
  /** tfjs layout: dense [in, out], conv [k_h, k_w, in, out]. */
  readonly shape: readonly number[];
  /** The layer's input shape for one example: [n] or [H, W, c]. */
  readonly inputShape: readonly number[];
  readonly values: Float32Array;
}

const fro2 = (v: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return s;
};

/** The scalar c of `M = c I` for the Gram families that do not need data, for a side of size `size`. */
const scalarGram = (g: Gram, size: number): number | undefined => {
  switch (g._tag) {
    case 'identity':
      return 1;
    case 'scaled':
      return g.c;
    case 'width':
      return 1 / size;
    case 'data':
      return undefined;
  }
};

/** The squared norm `norm` of one weight gradient. */
export function gradientScore(norm: SensitivityNorm, g: WeightGradient): E.Either<SensitivityError, number> {
  switch (norm._tag) {
    case 'fro':
      return E.right(fro2(g.values));
    case 'fro_numel':
      return E.right(fro2(g.values) / g.values.length);
    case 'metric': {
      // ‖R‖² = tr(Gᵀ M_Y⁻¹ G M_X); with M_X = c_X I, M_Y = c_Y I this is (c_X / c_Y) ‖G‖_F² (ALGORITHMS.md §1).
      const n = g.shape.slice(0, -1).reduce((a, b) => a * b, 1);
      const m = g.shape[g.shape.length - 1]!;
      const cX = scalarGram(norm.metric.domain, n);
      const cY = scalarGram(norm.metric.codomain, m);
      if (cX === undefined || cY === undefined) {
        return E.left({
          _tag: 'unsupported-norm',
          message:
            'a data-based Gram matrix needs layer statistics the sensitivity pass does not collect; use identity, scaled or width Gram matrices',
        });
      }
      return E.right((cX / cY) * fro2(g.values));
    }
    case 'spectral':
      if (g.kind === 'dense') return E.right(matrixSpectralNormSquared(g.values, [g.shape[0]!, g.shape[1]!]));
      return E.right(
        convSpectralNormSquared(
          g.values,
          [g.shape[0]!, g.shape[1]!, g.shape[2]!, g.shape[3]!],
          [g.inputShape[0]!, g.inputShape[1]!],
        ),
      );
    case 'spectral_same':
      if (g.kind === 'dense') return E.right(matrixSpectralNormSquared(g.values, [g.shape[0]!, g.shape[1]!]));
      return E.right(
        convSameSpectralNormSquared(
          g.values,
          [g.shape[0]!, g.shape[1]!, g.shape[2]!, g.shape[3]!],
          [g.inputShape[0]!, g.inputShape[1]!],
        ),
      );
    case 'op22_reference':
      if (g.kind === 'dense') {
        return E.left({
          _tag: 'unsupported-norm',
          message: `op22_reference is the reference's score of conv kernels; ${g.name} is a dense weight (use spectral_same or fro)`,
        });
      }
      return E.right(op22ReferenceSquared(g.values, [g.shape[0]!, g.shape[1]!, g.shape[2]!, g.shape[3]!]));
  }
}
