/**
 * The adaptive step-size controller of ALGORITHMS.md §2 (arXiv 2311.16956) as pure functions on numbers:
 * the curvature estimate, its smoothing, the variance ratio ρ and the step size. `PreconditionedOptimizer`
 * runs it on tfjs variables; these functions hold the arithmetic so that it can be read and tested alone.
 *
 * One step k, with the search direction `d = −R` (R the Riesz representative of the batch gradient in the
 * chosen inner product) and `‖d‖²` in that inner product:
 *   1. a_k    = β a_{k−1} + (1 − β)/L_k                       (variance `none`, the reference; a_0 = a0)
 *      a_k    = min(ρ_k / L_k, growthCap · a_{k−1})            (variance modes; `none` is smoothed already
 *                                                               and runs uncapped, as the reference does)
 *   2. x⁺     = x + a_k d;  one extra forward pass gives f_B(x⁺) on the same batch
 *   3. L̂      = 2 (f_B(x⁺) − f_B(x) + a_k ‖d‖²) / (a_k² ‖d‖²),  L̂ ← max(L̂, L_min)
 *      L_{k+1} = β L_k + (1 − β) L̂                             (skipped when ‖d‖² ≈ 0, when the second-order
 *                                                               term is below the loss resolution, or when a
 *                                                               loss is not finite)
 * This is the reference code's "adaptive lr" (SensLI repository, train_and_test_.py: omega = L, discont = β,
 * omega_min = L_min; there the new lr is computed right after the L update, which is step 1 of the next k).
 */
import { DEFAULTS, type InitialL, type OnIncrease, type StepSize } from '@sprout/spec';

export type AdaptiveStep = Extract<StepSize, { readonly _tag: 'adaptive' }>;

/** The spec's default settings of the adaptive controller (`DEFAULTS.adaptive`; the reference rule is `adaptiveReference` of @sprout/spec). */
export const ADAPTIVE_DEFAULTS: AdaptiveStep = { _tag: 'adaptive', ...DEFAULTS.adaptive };

export interface AdaptiveOverrides {
  /** Initial step size a₀ (the reference code starts from the optimizer's learning rate). @default the spec's `a0` */
  readonly a0?: number;
  /** Decay γ of the `ema` variance estimator's moving averages. @default the spec's `emaDecay` (0.9) */
  readonly emaDecay?: number;
  /** `‖d‖²` at or below this counts as ≈ 0 and skips the L update. @default the spec's `minDirectionNorm2` (1e-30) */
  readonly minDirectionNorm2?: number;
  /**
   * [design] Skip the L update when the measured second-order term `|f_B(x⁺) − f_B(x) + a‖d‖²|` (the numerator
   * of L̂, which equals (a²/2)·H[d, d] for a quadratic) is at most `lossResolution · max(|f_B(x)|, |f_B(x⁺)|)`:
   * it is then float32 rounding noise (tiny steps, flat directions), and L̂ would be noise too. 0 turns the
   * check off (the reference). @default the spec's `lossResolution`
   */
  readonly lossResolution?: number;
  /**
   * [design] When `f_B(x⁺) > f_B(x)`: `keep` the step (the reference); `reject` it (restore x; L is still
   * smoothed with L̂); or `reset` (restore x, then `L ← max(L, L̂)` and `a ← min(a, 1/L̂)`, so the next step
   * uses the fresh curvature at once instead of after the ~1/(1−β) steps the smoothing needs). @default the
   * spec's `onIncrease`
   */
  readonly onIncrease?: OnIncrease;
  /**
   * [design] `L0`: start the smoothed L at the spec's L₀ (the reference). `first_estimate`: replace it by the
   * first L̂ that is computed, so that a metric whose curvature scale is far from L₀ does not wait the
   * ~1/(1−β) steps the smoothing needs (a₀ is still used for the first step). @default the spec's `initialL`
   */
  readonly initialL?: InitialL;
}

export type ResolvedAdaptiveOptions = Required<AdaptiveOverrides>;

export const resolveAdaptiveOptions = (spec: AdaptiveStep, o: AdaptiveOverrides = {}): ResolvedAdaptiveOptions => ({
  a0: o.a0 ?? spec.a0,
  emaDecay: o.emaDecay ?? spec.emaDecay,
  minDirectionNorm2: o.minDirectionNorm2 ?? spec.minDirectionNorm2,
  lossResolution: o.lossResolution ?? spec.lossResolution,
  onIncrease: o.onIncrease ?? spec.onIncrease,
  initialL: o.initialL ?? spec.initialL,
});

/** Reasons the spec or the options cannot run; empty when they can. */
export const validateAdaptive = (spec: AdaptiveStep, o: ResolvedAdaptiveOptions): string[] => {
  const errors: string[] = [];
  const pos = (name: string, v: number) => {
    if (!(v > 0 && Number.isFinite(v))) errors.push(`${name} must be a positive number, got ${v}`);
  };
  pos('L0', spec.L0);
  pos('Lmin', spec.Lmin);
  pos('a0', o.a0);
  if (!(spec.beta >= 0 && spec.beta < 1)) errors.push(`beta must lie in [0, 1), got ${spec.beta}`);
  if (!(spec.rhoMin > 0 && spec.rhoMin <= 1)) errors.push(`rhoMin must lie in (0, 1], got ${spec.rhoMin}`);
  if (!(spec.growthCap >= 1)) errors.push(`growthCap must be ≥ 1 (Infinity disables it), got ${spec.growthCap}`);
  if (spec.variance === 'split' && !(Number.isInteger(spec.chunks) && spec.chunks >= 2)) {
    errors.push(`split variance needs an integer chunks ≥ 2, got ${spec.chunks}`);
  }
  if (!(o.lossResolution >= 0)) errors.push(`lossResolution must be ≥ 0, got ${o.lossResolution}`);
  if (!(o.emaDecay >= 0 && o.emaDecay < 1)) errors.push(`emaDecay must lie in [0, 1), got ${o.emaDecay}`);
  return errors;
};

/** The controller's state between steps. */
export interface AdaptiveState {
  /** Steps taken so far. */
  readonly k: number;
  /** The smoothed Lipschitz estimate L_k. */
  readonly L: number;
  /** The last step size a_{k−1} (a₀ before the first step). */
  readonly a: number;
  /** Whether L has been updated from an estimate yet (for `initialL: 'first_estimate'`). */
  readonly estimated: boolean;
  /** `ema` mode: EMA of ⟨d_k, d_{k−1}⟩ and of ‖d_k‖². */
  readonly emaInner: number;
  readonly emaNorm2: number;
}

export const initialAdaptiveState = (spec: AdaptiveStep, o: ResolvedAdaptiveOptions): AdaptiveState => ({
  k: 0,
  L: spec.L0,
  a: o.a0,
  estimated: false,
  emaInner: 0,
  emaNorm2: 0,
});

/**
 * Curvature of f_B along d from two losses (ALGORITHMS.md §2): `L̂ = 2 (f⁺ − f + a‖d‖²) / (a²‖d‖²)`.
 * Exact for a quadratic: f⁺ = f − a‖d‖² + (a²/2) H[d, d], so L̂ = H[d, d]/‖d‖².
 */
export const lipschitzEstimate = (f: number, fPlus: number, a: number, d2: number): number =>
  (2 * (fPlus - f + a * d2)) / (a * a * d2);

/**
 * The step size a_k (step 1 above). `none`: `β a_{k−1} + (1 − β)/L_k`, a₀ at k = 0 (the reference code,
 * train_and_test_.py: `lr = discont * lr + (1 - discont) / omega`, uncapped); other modes: `ρ_k / L_k`, capped
 * at `growthCap · a_{k−1}` (ALGORITHMS.md §2 safeguards).
 */
export const stepSizeFor = (spec: AdaptiveStep, s: AdaptiveState, rho: number): number => {
  if (spec.variance === 'none') {
    if (s.k === 0) return s.a;
    return spec.beta * s.a + (1 - spec.beta) / s.L;
  }
  return Math.min(rho / s.L, spec.growthCap * s.a);
};

export interface TrialResult {
  readonly state: AdaptiveState;
  /** L̂ after the floor, when the L update ran. */
  readonly Lhat: number | undefined;
  /** Why the L update was skipped. */
  readonly skipped: 'non-finite-loss' | 'direction-zero' | 'below-resolution' | undefined;
}

/** Steps 2–3 above: update L from the trial loss, or skip with a reason (ALGORITHMS.md §2 safeguards). */
export const afterTrial = (
  spec: AdaptiveStep,
  s: AdaptiveState,
  o: ResolvedAdaptiveOptions,
  t: { readonly f: number; readonly fPlus: number; readonly a: number; readonly d2: number },
): TrialResult => {
  const next = { ...s, k: s.k + 1, a: t.a };
  if (!Number.isFinite(t.f) || !Number.isFinite(t.fPlus))
    return { state: next, Lhat: undefined, skipped: 'non-finite-loss' };
  if (!(t.d2 > o.minDirectionNorm2)) return { state: next, Lhat: undefined, skipped: 'direction-zero' };
  const second = t.fPlus - t.f + t.a * t.d2;
  if (Math.abs(second) <= o.lossResolution * Math.max(Math.abs(t.f), Math.abs(t.fPlus))) {
    return { state: next, Lhat: undefined, skipped: 'below-resolution' };
  }
  const raw = (2 * second) / (t.a * t.a * t.d2); // lipschitzEstimate(f, fPlus, a, d2)
  const Lhat = Math.max(raw, spec.Lmin);
  const L = o.initialL === 'first_estimate' && !s.estimated ? Lhat : spec.beta * s.L + (1 - spec.beta) * Lhat;
  if (o.onIncrease === 'reset' && t.fPlus > t.f) {
    return {
      state: { ...next, estimated: true, L: Math.max(L, Lhat), a: Math.min(t.a, 1 / Lhat) },
      Lhat,
      skipped: undefined,
    };
  }
  return { state: { ...next, estimated: true, L }, Lhat, skipped: undefined };
};

export interface VarianceEstimate {
  readonly rho: number;
  /** V₁: variance of one sample direction (an example's or a chunk's). */
  readonly V1: number | undefined;
  /** V_B = V₁ / b: variance of the batch direction. */
  readonly VB: number | undefined;
}

/**
 * ρ from b sample directions d_1 … d_b (examples or chunks) with mean d̄ (ALGORITHMS.md §2):
 * `q = mean ‖d_i‖²`, `V₁ = b/(b−1) (q − ‖d̄‖²)`, `V_B = V₁/b`, `ρ = clip(1 − V_B/‖d̄‖², ρ_min, 1)`.
 * With b < 2 there is no variance estimate and ρ = 1; with ‖d̄‖² = 0, ρ = ρ_min.
 * `fpc` multiplies V_B: the finite-population correction `(N − B)/(N − 1)` of `finitePopulationCorrection`
 * ([design]; 1, the default, is the formula above).
 */
export const varianceRatio = (meanNorm2: number, q: number, b: number, rhoMin: number, fpc = 1): VarianceEstimate => {
  if (b < 2 || !Number.isFinite(q) || !Number.isFinite(meanNorm2)) return { rho: 1, V1: undefined, VB: undefined };
  const V1 = (b / (b - 1)) * (q - meanNorm2);
  const VB = (V1 / b) * fpc;
  if (!(meanNorm2 > 0)) return { rho: rhoMin, V1, VB };
  return { rho: Math.min(Math.max(1 - VB / meanNorm2, rhoMin), 1), V1, VB };
};

/**
 * The `ema` estimator: `ρ = EMA⟨d_k, d_{k−1}⟩ / EMA‖d_k‖²`, clipped to [ρ_min, 1] (ALGORITHMS.md §2; biased but
 * free). `inner` is undefined at the first step (no previous direction): ρ = 1 and the averages stay.
 */
export const emaRatio = (
  s: AdaptiveState,
  inner: number | undefined,
  d2: number,
  decay: number,
  rhoMin: number,
): { readonly rho: number; readonly emaInner: number; readonly emaNorm2: number } => {
  if (inner === undefined || !Number.isFinite(inner) || !Number.isFinite(d2))
    return { rho: 1, emaInner: s.emaInner, emaNorm2: s.emaNorm2 };
  const emaInner = decay * s.emaInner + (1 - decay) * inner;
  const emaNorm2 = decay * s.emaNorm2 + (1 - decay) * d2;
  const rho = emaNorm2 > 0 ? Math.min(Math.max(emaInner / emaNorm2, rhoMin), 1) : 1;
  return { rho, emaInner, emaNorm2 };
};

/**
 * [design] Finite-population correction of the batch variance when B examples are drawn without
 * replacement from N: `Var(batch mean) = (σ²/B)·(N − B)/(N − 1)` (Cochran, Sampling Techniques, §2.5).
 * It is 0 for full-batch training (no sampling noise, ρ = 1) and ≈ 1 for B ≪ N. Without N it is 1.
 */
export const finitePopulationCorrection = (batch: number, population: number | undefined): number =>
  population === undefined || !(population > 1) || !(batch >= 1)
    ? 1
    : Math.max(0, (population - batch) / (population - 1));
