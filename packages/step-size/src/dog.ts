/**
 * DoG, "Distance over Gradients" (Ivgi, Hinder & Carmon, "DoG is SGD's Best Friend: A Parameter-Free
 * Dynamic Step Size Schedule", ICML 2023, arXiv 2302.12022, Algorithm 1), as pure arithmetic on the
 * scalars one step needs. In a Frobenius-type inner product (ALGORITHMS.md §1) the gradient is its Riesz
 * representative R, `‖g‖ = ‖R‖` (the dual norm of G) and distances are measured in the primal norm:
 *
 *   r_ε   = rEps · (1 + ‖x₀‖)
 *   r̄_t   = max(r_ε, max_{i≤t} ‖x_i − x₀‖)
 *   η_t   = r̄_t / √(Σ_{i≤t} ‖g_i‖²)
 *   x_{t+1} = x_t − η_t R_t
 *
 * Scaling the metric by a constant c changes R by c and the norms by √c and 1/√c: η_t R_t is unchanged
 * (up to r_ε), so DoG does not depend on the metric's overall scale (a test checks it).
 */
import type { StepSize } from '@sprout/spec';

export type DogStep = Extract<StepSize, { readonly _tag: 'dog' }>;

export interface DogState {
  /** Steps taken. */
  readonly k: number;
  /** r̄ so far (the largest distance from x₀, at least r_ε). */
  readonly rBar: number;
  /** Σ ‖g_i‖² so far. */
  readonly gradSum: number;
}

/** The state before the first step: `r̄ = r_ε = rEps (1 + ‖x₀‖)`. */
export const initialDogState = (spec: DogStep, x0Norm: number): DogState => ({
  k: 0,
  rBar: spec.rEps * (1 + x0Norm),
  gradSum: 0,
});

/**
 * One DoG step from `‖x_t − x₀‖²` (`dist2`) and `‖g_t‖²` (`g2`): the step size η_t and the next state.
 * η_t = 0 when every gradient so far was zero (there is no direction to move in).
 */
export const dogStep = (s: DogState, dist2: number, g2: number): { readonly eta: number; readonly state: DogState } => {
  const rBar = Math.max(s.rBar, Math.sqrt(Math.max(dist2, 0)));
  const gradSum = s.gradSum + g2;
  const eta = gradSum > 0 ? rBar / Math.sqrt(gradSum) : 0;
  return { eta, state: { k: s.k + 1, rBar, gradSum } };
};
