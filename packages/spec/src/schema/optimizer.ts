/**
 * The optimizer section, described once (see describe.ts): the optimizer, its step-size rule and its
 * Frobenius-type metric with a Gram matrix on each side. A field added here is in the spec's types, its
 * decoder, defaults, builders, checks and test data, and in the language's settings and printer.
 */
import { error } from '../internal/diagnostic.js';
import {
  halfOpenUnit,
  nonNegative,
  nonNegativeInt,
  openUnit,
  positive,
  positiveInt,
  unitExcludingZero,
} from '../internal/range.js';
import { MAX_BACKTRACKS, MAX_CHUNKS, MAX_EPOCHS, MAX_GRAM_REFRESH } from '../limits.js';
import { name, num, sub, union, type Infer } from './describe.js';

export type VarianceMode = 'none' | 'per_example' | 'split' | 'ema';

/**
 * What the adaptive controller does when the trial step raised the batch loss ([design], ALGORITHMS.md §2
 * safeguards): `keep` the step (the reference code), `reject` it (undo), or `reset` (undo, then
 * L ← max(L, L̂) and a ← min(a, 1/L̂)).
 */
export type OnIncrease = 'keep' | 'reject' | 'reset';

/**
 * Where the adaptive controller's smoothed L starts ([design], ALGORITHMS.md §2): at `L0` (the reference
 * code), or at the first measured L̂ (`first_estimate`), so a curvature scale far from L₀ is used at once.
 */
export type InitialL = 'L0' | 'first_estimate';

/**
 * What happens to the adaptive controller's L (and its step count) after a layer insertion: `phase` starts
 * each training phase afresh from `initialL` (the reference code, whose `train` starts with ω = 10 on every
 * call), `never` carries L across the insertion. The step size a always continues (× `lrFactor`).
 */
export type Restart = 'phase' | 'never';

/** The learning rate of `constant`, `step` and `cosine`, and the adaptive a₀, when none is given. */
export const LEARNING_RATE = 0.1;

/** A Gram matrix family for one side (domain `X` or codomain `Y`) of a layer's weight (ALGORITHMS.md §1). */
export const GRAM_SCHEMA = union('gram', 'a Gram matrix', {
  identity: {},
  scaled: {
    c: num({
      range: positive,
      what: 'Gram scale c',
      sample: { min: 1e-3, max: 1e3 },
      positional: { mode: 'only', symbol: 'c', noun: 'factor' },
    }),
  },
  /** `I/n` on the domain (n = fan-in), `I/m` on the codomain (m = fan-out). */
  width: {},
  /**
   * From data statistics: domain `(E[x xᵀ] + εI)⁻¹`, codomain `E[δ δᵀ] + εI`; `estimate` per batch or as an
   * exponential moving average with `decay`.
   */
  data: {
    structure: name<'diagonal' | 'dense'>('structure', { default: 'diagonal' }),
    damping: num({ default: 1e-3, range: positive, what: 'Gram damping ε', sample: { min: 1e-8, max: 1 } }),
    estimate: name<'batch' | 'ema'>('estimate', { default: 'batch' }),
    decay: num({ default: 0.95, range: halfOpenUnit, what: 'Gram EMA decay' }),
    /** Refresh a dense Gram's Cholesky factorisation every k-th update (the moment is updated every time). */
    refreshEvery: num({
      default: 1,
      range: positiveInt(MAX_GRAM_REFRESH),
      what: 'Gram refreshEvery',
      sample: positiveInt(10),
    }),
    /** Lower bound of a diagonal Gram's entries, guarding against ε = 0 on a dead unit. */
    minDiagonal: num({ default: 1e-12, range: nonNegative, what: 'Gram minDiagonal', sample: { min: 0, max: 1e-6 } }),
  },
});

const IDENTITY = { _tag: 'identity' } as const;

/** A Frobenius-type inner product `⟨A, B⟩ = tr(M_X⁻¹ Aᵀ M_Y B)`; euclidean is identity on both sides. */
export const METRIC_SCHEMA = union('metric', 'a metric', {
  frobenius: { domain: sub(GRAM_SCHEMA, { default: IDENTITY }), codomain: sub(GRAM_SCHEMA, { default: IDENTITY }) },
});

/** The learning rate of a schedule, written after the rule's name (`step cosine 0.1`). */
const lr = () =>
  num({ default: LEARNING_RATE, range: 'rate', what: 'learning rate', positional: { mode: 'only', symbol: 'lr' } });

export const STEP_SIZE_SCHEMA = union(
  'step',
  'a step size',
  {
    constant: { lr: lr() },
    /** Multiply the rate by `factor` every `every` epochs. */
    step: {
      lr: lr(),
      factor: num({ default: 0.1, range: unitExcludingZero, what: 'step decay factor' }),
      every: num({
        default: 30,
        range: positiveInt(MAX_EPOCHS),
        what: 'step decay period (epochs)',
        sample: positiveInt(100),
      }),
    },
    /** Cosine decay from `lr` to `minLr` over the run's epochs. */
    cosine: {
      lr: lr(),
      minLr: num({ default: 0, range: nonNegative, what: 'cosine minLr', sample: { fractionOf: 'lr' } }),
    },
    /** Armijo backtracking from `initial`, shrinking by `shrink` until sufficient decrease with constant `c`. */
    armijo: {
      initial: num({ default: 1, range: 'rate', what: 'Armijo initial step' }),
      shrink: num({ default: 0.5, range: openUnit, what: 'Armijo shrink factor' }),
      c: num({ default: 1e-4, range: openUnit, what: 'Armijo constant c' }),
      /** The largest number of shrinks per step. */
      maxBacktracks: num({
        default: 30,
        range: nonNegativeInt(MAX_BACKTRACKS),
        what: 'Armijo maxBacktracks',
        sample: nonNegativeInt(40),
      }),
      /** When no trial satisfies the condition: undo the step and go on (`skip`), or end the run with an error. */
      onLineSearchFailure: name<'skip' | 'error'>('onLineSearchFailure', { default: 'skip' }),
    },
    /** The adaptive controller of ALGORITHMS.md §2. */
    adaptive: {
      variance: name<VarianceMode>('variance', { default: 'none' }),
      /** Initial Lipschitz estimate L₀. */
      L0: num({
        default: 10,
        range: positive,
        what: 'initial Lipschitz estimate L0',
        sample: { min: 1e-3, max: 1e3 },
      }),
      /** Smoothing factor β of the L estimate. */
      beta: num({ default: 0.995, range: halfOpenUnit, what: 'adaptive smoothing beta' }),
      Lmin: num({ default: 1e-5, range: positive, what: 'Lmin', sample: { min: 1e-9, max: 1 } }),
      rhoMin: num({ default: 1e-3, range: unitExcludingZero, what: 'rhoMin' }),
      /** Growth cap: a_k ≤ growthCap · a_{k−1}. */
      growthCap: num({
        default: 2,
        range: { min: 1, max: Infinity, maxOpen: true },
        what: 'growthCap',
        sample: { min: 1, max: 10 },
      }),
      /** Number of chunks K for `split` variance. */
      chunks: num({
        default: 4,
        range: { min: 2, max: MAX_CHUNKS, integer: true },
        what: 'variance chunks K',
        sample: { min: 2, max: 16, integer: true },
      }),
      /** When the trial step raised the batch loss: keep it (the reference), reject it, or reset L and a. */
      onIncrease: name<OnIncrease>('onIncrease', { default: 'reset' }),
      /** The first step size a₀ (the reference code: the optimizer's learning rate). */
      a0: num({
        default: LEARNING_RATE,
        range: 'rate',
        what: 'adaptive initial step a0',
        positional: { mode: 'also', symbol: 'a₀' },
      }),
      /** Where the smoothed L starts: `L0` (the reference) or the first measured L̂. */
      initialL: name<InitialL>('initialL', { default: 'first_estimate' }),
      /** After a layer insertion: restart L at every training `phase` (the reference) or carry it (`never`). */
      restart: name<Restart>('restart', { default: 'phase' }),
      /**
       * Skip the L update when the second-order term of L̂ is below this relative loss resolution (float32
       * rounding noise); 0 never skips (the reference).
       */
      lossResolution: num({
        default: 1e-6,
        range: nonNegative,
        what: 'adaptive lossResolution',
        sample: { min: 0, max: 1e-3 },
      }),
      /** Decay γ of the `ema` variance estimator's moving averages of ⟨d_k, d_{k−1}⟩ and ‖d_k‖². */
      emaDecay: num({ default: 0.9, range: halfOpenUnit, what: 'adaptive emaDecay' }),
      /** `‖d‖²` at or below this counts as ≈ 0 and skips the L update. */
      minDirectionNorm2: num({
        default: 1e-30,
        range: nonNegative,
        what: 'adaptive minDirectionNorm2',
        sample: { min: 0, max: 1e-6 },
      }),
    },
    /**
     * DoG, "distance over gradients" (Ivgi, Hinder & Carmon, ICML 2023, arXiv 2302.12022): step
     * `η_t = r̄_t / √(Σ_{i≤t} ‖g_i‖²_*)` with `r̄_t = max(r_ε, max_{i≤t} ‖x_i − x_0‖)`, `r_ε = rEps (1 + ‖x_0‖)`,
     * norms in the optimizer's metric.
     */
    dog: { rEps: num({ default: 1e-6, range: positive, what: 'DoG r_eps', sample: { min: 1e-9, max: 1 } }) },
    /**
     * Prodigy in its gradient-descent form (Mishchenko & Defazio, ICML 2024, arXiv 2306.06101, Algorithm 1),
     * norms in the optimizer's metric; `d0` is the initial estimate of the distance to the solution.
     */
    prodigy: { d0: num({ default: 1e-6, range: positive, what: 'Prodigy d0', sample: { min: 1e-9, max: 1 } }) },
  },
  (step, path, valid) =>
    step._tag === 'cosine' && valid && (step['minLr'] as number) > (step['lr'] as number)
      ? [
          error(
            'out-of-range',
            `cosine minLr (${step['minLr']}) must not exceed lr (${step['lr']})`,
            [...path, 'minLr'],
            {
              expected: `≤ ${step['lr']}`,
              actual: String(step['minLr']),
            },
          ),
        ]
      : [],
);

/** The step rules that are learning-rate schedules, the only ones momentum and Adam run with. */
const SCHEDULES = ['constant', 'step', 'cosine'] as const;

const step = (options: { readonly sample?: readonly (typeof SCHEDULES)[number][] } = {}) =>
  sub(STEP_SIZE_SCHEMA, { default: { _tag: 'constant', lr: LEARNING_RATE }, ...options });
const metric = () => sub(METRIC_SCHEMA, { default: { _tag: 'frobenius', domain: IDENTITY, codomain: IDENTITY } });

export const OPTIMIZER_SCHEMA = union(
  'optimizer',
  'an optimizer',
  {
    /** Plain (preconditioned) SGD. */
    sgd: { step: step(), metric: metric() },
    /** Heavy-ball momentum. */
    momentum: {
      beta: num({
        default: 0.9,
        range: halfOpenUnit,
        what: 'momentum beta',
        positional: { mode: 'preferred', symbol: 'β' },
      }),
      step: step({ sample: SCHEDULES }),
      metric: metric(),
    },
    adam: {
      beta1: num({ default: 0.9, range: halfOpenUnit, what: 'Adam beta1' }),
      beta2: num({ default: 0.999, range: halfOpenUnit, what: 'Adam beta2' }),
      epsilon: num({ default: 1e-8, range: positive, what: 'Adam epsilon', sample: { min: 1e-12, max: 1 } }),
      step: step({ sample: SCHEDULES }),
      metric: metric(),
    },
  },
  (opt, path) => {
    const rule = (opt['step'] as { readonly _tag?: unknown } | undefined)?._tag;
    // The controllers pick a step length for the direction −R of the current gradient (ALGORITHMS.md §2;
    // DoG and Prodigy are analysed for plain (sub)gradient steps): a momentum or Adam direction is not it.
    return opt._tag === 'sgd' || SCHEDULES.some((s) => s === rule)
      ? []
      : [
          error(
            'unsupported-combination',
            `${opt._tag} runs with a learning-rate schedule; step '${String(rule)}' needs optimizer sgd`,
            [...path, 'step'],
            {
              expected: 'optimizer sgd, or step constant/step/cosine',
              actual: `${opt._tag} with step ${String(rule)}`,
            },
          ),
        ];
  },
);

/** A Gram matrix family for one side (domain `X` or codomain `Y`) of a layer's weight (ALGORITHMS.md §1). */
export type Gram = Infer<typeof GRAM_SCHEMA>;
/** A Frobenius-type inner product `⟨A, B⟩ = tr(M_X⁻¹ Aᵀ M_Y B)`; euclidean is identity on both sides. */
export type Metric = Infer<typeof METRIC_SCHEMA>;
/** How the step size is chosen: a schedule, Armijo backtracking, the adaptive controller, DoG or Prodigy. */
export type StepSize = Infer<typeof STEP_SIZE_SCHEMA>;
/** SGD, heavy-ball momentum or Adam, with a step-size rule and a metric. */
export type Optimizer = Infer<typeof OPTIMIZER_SCHEMA>;
