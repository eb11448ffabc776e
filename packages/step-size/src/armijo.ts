/**
 * Armijo backtracking (Nocedal & Wright, Numerical Optimization, 2nd ed., Algorithm 3.1) in the chosen
 * inner product: along `d = −R` the directional derivative is `⟨∇f, d⟩ = tr(Gᵀ d) = −‖R‖² = −‖d‖²`, so a
 * step `a` is accepted when `f(x + a d) ≤ f(x) − c · a · ‖d‖²`; otherwise `a ← shrink · a`.
 */
import type { StepSize } from '@sprout/spec';

export type ArmijoStep = Extract<StepSize, { readonly _tag: 'armijo' }>;

/** The sufficient-decrease condition `f(x + a d) ≤ f(x) − c a ‖d‖²` (false for a non-finite trial loss). */
export const armijoAccepts = (c: number, f: number, fTrial: number, a: number, d2: number): boolean =>
  Number.isFinite(fTrial) && fTrial <= f - c * a * d2;

export const validateArmijo = (s: ArmijoStep): string[] => {
  const errors: string[] = [];
  if (!(s.initial > 0 && Number.isFinite(s.initial))) errors.push(`armijo initial must be positive, got ${s.initial}`);
  if (!(s.shrink > 0 && s.shrink < 1)) errors.push(`armijo shrink must lie in (0, 1), got ${s.shrink}`);
  if (!(s.c > 0 && s.c < 1)) errors.push(`armijo c must lie in (0, 1), got ${s.c}`);
  return errors;
};
