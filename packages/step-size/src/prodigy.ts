/**
 * Prodigy in its gradient-descent form (Mishchenko & Defazio, "Prodigy: An Expeditiously Adaptive
 * Parameter-Free Learner", ICML 2024, arXiv 2306.06101, Algorithm 1 "Prodigy (GD version)"), as pure
 * arithmetic on the scalars one step needs. In a Frobenius-type inner product the gradient is its Riesz
 * representative R with `‖g‖ = ‖R‖`, and `⟨g, x₀ − x⟩` is the pairing of G with x₀ − x:
 *
 *   η_k     = d_k² / √(d_k² G² + Σ_{i≤k} d_i² ‖g_i‖²)
 *   x_{k+1} = x_k − η_k R_k
 *   d̂_{k+1} = Σ_{i≤k} η_i ⟨g_i, x₀ − x_i⟩ / ‖x_{k+1} − x₀‖
 *   d_{k+1} = max(d_k, d̂_{k+1})
 *
 * G is the Lipschitz bound of f, which a user does not know: [design] the running maximum of ‖g_i‖ stands
 * in for it (G_k = max_{i≤k} ‖g_i‖). ‖x_{k+1} − x₀‖² is computed before the step from
 * ‖x_k − x₀‖² + 2η_k⟨g_k, x₀ − x_k⟩ + η_k²‖g_k‖², since x_{k+1} − x₀ = (x_k − x₀) − η_k R_k and
 * ⟨x_k − x₀, R_k⟩ = ⟨g_k, x_k − x₀⟩.
 */
import type { StepSize } from '@sprout/spec';

export type ProdigyStep = Extract<StepSize, { readonly _tag: 'prodigy' }>;

export interface ProdigyState {
  readonly k: number;
  /** d_k, the estimate of the distance to the solution. */
  readonly d: number;
  /** G_k² = max ‖g_i‖². */
  readonly G2: number;
  /** Σ d_i² ‖g_i‖². */
  readonly weightedGradSum: number;
  /** Σ η_i ⟨g_i, x₀ − x_i⟩ (the numerator of d̂). */
  readonly numerator: number;
}

export const initialProdigyState = (spec: ProdigyStep): ProdigyState => ({
  k: 0,
  d: spec.d0,
  G2: 0,
  weightedGradSum: 0,
  numerator: 0,
});

/**
 * One Prodigy step from `‖x_k − x₀‖²` (`dist2`), `⟨g_k, x₀ − x_k⟩` (`slope`) and `‖g_k‖²` (`g2`): the step
 * size η_k and the next state. η_k = 0 while every gradient was zero.
 */
export const prodigyStep = (
  s: ProdigyState,
  dist2: number,
  slope: number,
  g2: number,
): { readonly eta: number; readonly state: ProdigyState } => {
  const d = s.d;
  const G2 = Math.max(s.G2, g2);
  const weightedGradSum = s.weightedGradSum + d * d * g2;
  const denominator = Math.sqrt(d * d * G2 + weightedGradSum);
  const eta = denominator > 0 ? (d * d) / denominator : 0;
  const numerator = s.numerator + eta * slope;
  const nextDist = Math.sqrt(Math.max(dist2 + 2 * eta * slope + eta * eta * g2, 0));
  const dHat = nextDist > 0 ? numerator / nextDist : 0;
  return { eta, state: { k: s.k + 1, d: Math.max(d, dHat), G2, weightedGradSum, numerator } };
};
