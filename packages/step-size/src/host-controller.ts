/**
 * The step-size controllers on host arrays (no TensorFlow.js): the same arithmetic as
 * `createPreconditionedOptimizer` (adaptive.ts, dog.ts, prodigy.ts, schedule.ts) for metrics whose Gram
 * matrices are scaled identities (`identity`, `scaled c`, `width`), where the Riesz map of ALGORITHMS.md §1
 * is one factor per parameter: `M_X = c_X I`, `M_Y = c_Y I` give `R = (c_X / c_Y) G` for a kernel and
 * `R = g / c_Y` for a bias, and `‖R‖² = ⟨G, R⟩ = f ‖G‖²`, `‖A‖² = ‖A‖_F² / f` for a primal element A.
 * The pipeline's host engine calls it with the host net's parameters and gradients, so an adaptive,
 * DoG or Prodigy step costs the host step plus (adaptive) one forward pass of the host net.
 *
 * Covered: optimizer sgd with a schedule, `adaptive` with variance `none` or `ema`, `dog`, `prodigy`.
 * Data-based metrics, `per_example` and `split` variance need layer statistics or chunk gradients and stay
 * with the TensorFlow.js optimizer (`hostControllerFor` returns undefined).
 */
import type { Gram, Metric, Optimizer } from '@sprout/spec';
import * as E from 'fp-ts/lib/Either.js';
import {
  afterTrial,
  emaRatio,
  initialAdaptiveState,
  resolveAdaptiveOptions,
  stepSizeFor,
  validateAdaptive,
  type AdaptiveOverrides,
  type AdaptiveState,
} from './adaptive.js';
import { dogStep, initialDogState, type DogState } from './dog.js';
import type { ControllerState, StepInfo } from './PreconditionedOptimizer.js';
import { initialProdigyState, prodigyStep, type ProdigyState } from './prodigy.js';
import { isSchedule, learningRateAt } from './schedule.js';
import type { StepError } from './StepError.js';
import { emptyInfo } from './steppers/stepper.js';

/** A parameter on the host: its values and gradient (same length) and its place in a layer. */
export interface HostParam {
  readonly name: string;
  /** `kernel`: a dense kernel, n inputs × m units; `bias`: length m. */
  readonly kind: 'kernel' | 'bias';
  readonly n: number;
  readonly m: number;
  readonly values: Float32Array;
  readonly grad: Float32Array;
}

export interface HostController {
  /**
   * One step from the gradients in `params` (`loss` = f_B at the current values; `lossAt` = f_B at the
   * values as they are when called, on the same batch). On `Left` the values are as before.
   */
  readonly step: (
    params: readonly HostParam[],
    loss: number,
    lossAt: () => number,
    epoch: number,
  ) => E.Either<StepError, StepInfo>;
  readonly state: () => ControllerState;
}

export interface HostControllerOptions extends AdaptiveOverrides {
  /** Epochs of the run (cosine schedules). @default 1 */
  readonly totalEpochs?: number;
  /** Continue an adaptive controller (see `PreconditionedOptimizerOptions.resume`). */
  readonly resume?: { readonly L?: number; readonly a?: number; readonly k?: number };
}

const scalarOf = (g: Gram, dim: number): number | undefined => {
  switch (g._tag) {
    case 'identity':
      return 1;
    case 'scaled':
      return g.c;
    case 'width':
      return 1 / dim;
    default:
      return undefined;
  }
};

/**
 * The Riesz factor f of a parameter (R = f G) in `metric`, or undefined for data-based Grams:
 * kernel `c_X / c_Y`, bias `1 / c_Y` (ALGORITHMS.md §1, scaled identities).
 */
export const rieszFactor = (metric: Metric, kind: 'kernel' | 'bias', n: number, m: number): number | undefined => {
  const cY = scalarOf(metric.codomain, m);
  if (cY === undefined) return undefined;
  if (kind === 'bias') return 1 / cY;
  const cX = scalarOf(metric.domain, n);
  return cX === undefined ? undefined : cX / cY;
};

/** Whether the host controller runs `optimizer` (see the module comment). */
export const hostControls = (optimizer: Optimizer): boolean => {
  const m = optimizer.metric;
  if (scalarOf(m.domain, 1) === undefined || scalarOf(m.codomain, 1) === undefined) return false;
  const s = optimizer.step;
  if (s._tag === 'adaptive') return optimizer._tag === 'sgd' && (s.variance === 'none' || s.variance === 'ema');
  if (s._tag === 'dog' || s._tag === 'prodigy') return optimizer._tag === 'sgd';
  return optimizer._tag === 'sgd' && isSchedule(s);
};

// The loops of a step, as small monomorphic functions on Float32Array (float64 accumulators): written
// inline as closures over HostParam they ran ~5× slower than the host net's products (a profile of the
// MNIST MLP showed the controller's loops above the native gemm).
/** Σ g_j² in float64. */
function sumSquares(g: Float32Array): number {
  let s = 0;
  for (let j = 0; j < g.length; j++) s += g[j]! * g[j]!;
  return s;
}
/** Σ a_j b_j in float64. */
function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j]! * b[j]!;
  return s;
}
/** y ← y + c x. */
function axpy(y: Float32Array, c: number, x: Float32Array): void {
  for (let j = 0; j < y.length; j++) y[j] = y[j]! + c * x[j]!;
}
/** y ← c x. */
function scaleInto(y: Float32Array, c: number, x: Float32Array): void {
  for (let j = 0; j < y.length; j++) y[j] = c * x[j]!;
}

/** ‖x − x₀‖², ⟨g, x₀ − x⟩ and ‖x₀‖² (Euclidean, float64) for DoG and Prodigy. */
function distanceTerms(
  x: Float32Array,
  x0: Float32Array,
  g: Float32Array,
): { readonly dist2: number; readonly slope: number; readonly x0Norm2: number } {
  let dist2 = 0;
  let slope = 0;
  let x0Norm2 = 0;
  for (let j = 0; j < x0.length; j++) {
    const diff = x[j]! - x0[j]!;
    dist2 += diff * diff;
    slope -= g[j]! * diff;
    x0Norm2 += x0[j]! * x0[j]!;
  }
  return { dist2, slope, x0Norm2 };
}

/** The host controller of `optimizer`, or undefined when `hostControls` says no. */
export const hostControllerFor = (
  optimizer: Optimizer,
  options: HostControllerOptions = {},
): E.Either<StepError, HostController> | undefined => {
  if (!hostControls(optimizer)) return undefined;
  const spec = optimizer.step;
  const metric = optimizer.metric;
  const totalEpochs = options.totalEpochs ?? 1;
  let k = options.resume?.k ?? 0;
  let lastA: number | undefined;
  const factorOf = (p: HostParam): number => rieszFactor(metric, p.kind, p.n, p.m)!;

  let adaptive: AdaptiveState | undefined;
  const adaptiveOpts = spec._tag === 'adaptive' ? resolveAdaptiveOptions(spec, options) : undefined;
  if (spec._tag === 'adaptive') {
    const errs = validateAdaptive(spec, adaptiveOpts!);
    if (errs.length > 0) return E.left({ _tag: 'invalid-options', message: errs.join('; ') });
    const init = initialAdaptiveState(spec, adaptiveOpts!);
    adaptive = {
      ...init,
      L: options.resume?.L ?? init.L,
      a: options.resume?.a ?? init.a,
      k,
      estimated: options.resume?.L !== undefined,
    };
    lastA = adaptive.a;
  }
  let previous: Float32Array[] | undefined; // ema: R_{k−1} per parameter
  let x0: Float32Array[] | undefined; // dog/prodigy: the parameters at the start
  let dog: DogState | undefined;
  let prodigy: ProdigyState | undefined = spec._tag === 'prodigy' ? initialProdigyState(spec) : undefined;

  const move = (params: readonly HostParam[], factors: readonly number[], a: number) => {
    for (let i = 0; i < params.length; i++) axpy(params[i]!.values, -a * factors[i]!, params[i]!.grad);
  };
  // onIncrease reject/reset: the values before the trial step, in buffers kept across steps.
  let saved: Float32Array[] = [];
  const save = (params: readonly HostParam[]): void => {
    if (saved.length !== params.length || saved.some((b, i) => b.length !== params[i]!.values.length))
      saved = params.map((p) => new Float32Array(p.values.length));
    for (let i = 0; i < params.length; i++) saved[i]!.set(params[i]!.values);
  };

  const step: HostController['step'] = (params, f, lossAt, epoch) => {
    if (!Number.isFinite(f)) return E.left({ _tag: 'non-finite-loss', where: 'current', value: f, step: k });
    const factors = params.map(factorOf);
    // ‖d‖² = Σ_p f_p ‖G_p‖² (float64 sums).
    let d2 = 0;
    for (let i = 0; i < params.length; i++) d2 += factors[i]! * sumSquares(params[i]!.grad);
    if (!Number.isFinite(d2)) return E.left({ _tag: 'non-finite-gradient', step: k });

    if (isSchedule(spec)) {
      const lr = learningRateAt(spec, epoch, totalEpochs);
      move(params, factors, lr);
      const info = { ...emptyInfo(k, lr), loss: f };
      k += 1;
      lastA = lr;
      return E.right(info);
    }

    if (spec._tag === 'dog' || spec._tag === 'prodigy') {
      x0 ??= params.map((p) => Float32Array.from(p.values));
      let dist2 = 0;
      let slope = 0;
      let x0Norm2 = 0;
      for (let i = 0; i < params.length; i++) {
        const t = distanceTerms(params[i]!.values, x0[i]!, params[i]!.grad);
        dist2 += t.dist2 / factors[i]!;
        slope += t.slope;
        x0Norm2 += t.x0Norm2 / factors[i]!;
      }
      let eta: number;
      if (spec._tag === 'dog') {
        const r = dogStep(dog ?? initialDogState(spec, Math.sqrt(x0Norm2)), dist2, d2);
        eta = r.eta;
        dog = r.state;
      } else {
        const r = prodigyStep(prodigy!, dist2, slope, d2);
        eta = r.eta;
        prodigy = r.state;
      }
      move(params, factors, eta);
      const info = { ...emptyInfo(k, eta), loss: f, d2 };
      k += 1;
      lastA = eta;
      return E.right(info);
    }

    // Adaptive, variance none or ema (ALGORITHMS.md §2; adaptive.ts).
    const s = adaptive!;
    const o = adaptiveOpts!;
    let rho = 1;
    let ema: { emaInner: number; emaNorm2: number } | undefined;
    if (spec._tag === 'adaptive' && spec.variance === 'ema') {
      let inner: number | undefined;
      if (previous !== undefined) {
        // ⟨R_k, R_{k−1}⟩ = ⟨G_k, R_{k−1}⟩ (the pairing), R_{k−1} = f G_{k−1}.
        inner = 0;
        for (let i = 0; i < params.length; i++) inner += dot(params[i]!.grad, previous[i]!);
      }
      const e = emaRatio(s, inner, d2, o.emaDecay, spec.rhoMin);
      rho = e.rho;
      ema = { emaInner: e.emaInner, emaNorm2: e.emaNorm2 };
    }
    if (spec._tag !== 'adaptive') throw new Error('hostController: not adaptive');
    const a = stepSizeFor(spec, s, rho);
    const keep = o.onIncrease === 'keep';
    if (!keep) save(params);
    move(params, factors, a);
    const fPlus = lossAt();
    const restore = () => {
      for (let i = 0; i < params.length; i++) params[i]!.values.set(saved[i]!);
    };
    if (!Number.isFinite(fPlus)) {
      if (!keep) restore();
      else move(params, factors, -a);
      return E.left({ _tag: 'non-finite-loss', where: 'trial', value: fPlus, step: k });
    }
    const trial = afterTrial(spec, s, o, { f, fPlus, a, d2 });
    const reject = o.onIncrease !== 'keep' && fPlus > f;
    if (reject) restore();
    adaptive = { ...trial.state, ...(ema ?? {}) };
    if (spec.variance === 'ema') {
      if (previous === undefined || previous.some((q, i) => q.length !== params[i]!.grad.length))
        previous = params.map((p) => new Float32Array(p.grad.length));
      for (let i = 0; i < params.length; i++) scaleInto(previous[i]!, factors[i]!, params[i]!.grad);
    }
    const info: StepInfo = {
      ...emptyInfo(k, a),
      accepted: !reject,
      loss: f,
      trialLoss: fPlus,
      d2,
      L: adaptive.L,
      Lhat: trial.Lhat,
      skipped: trial.skipped,
      rho,
    };
    k += 1;
    lastA = a;
    return E.right(info);
  };

  return E.right({ step, state: () => ({ k, a: lastA, L: adaptive?.L }) });
};
