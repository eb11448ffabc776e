/**
 * `createPreconditionedOptimizer`: the implementation of PreconditionedOptimizer.ts. Sources: the Riesz
 * map and norms of ALGORITHMS.md §1 (arXiv 2311.15419), the adaptive controller of §2 (arXiv 2311.16956,
 * arithmetic in adaptive.ts), Armijo backtracking (armijo.ts), PyTorch's SGD-with-momentum and Adam
 * update rules applied to the Riesz representative.
 *
 * Host synchronisation per step: none for schedules (except one scalar for the finiteness check of a
 * tensor loss); for Armijo and adaptive one download of the stacked scalars (‖d‖², and the variance
 * statistics) plus the pipeline's extra forward pass(es) `lossAt`; dense data Grams download their moment.
 */
import * as tf from '@tensorflow/tfjs-core';
import { EUCLIDEAN, type InnerProductSpace } from '@sprout/inner-product';
import {
  extractPatches,
  layerMetricFor,
  leftMul,
  rightMul,
  layerShapeOf,
  tfEuclideanSpace,
  tfPerExampleBiasNorms2,
  tfPerExampleNorms2,
  type LayerMetric,
  type TfFrobeniusSpace,
} from '@sprout/inner-product/tfjs';
import type { Metric, Optimizer } from '@sprout/spec';
import * as E from 'fp-ts/lib/Either.js';
import {
  afterTrial,
  emaRatio,
  finitePopulationCorrection,
  initialAdaptiveState,
  resolveAdaptiveOptions,
  stepSizeFor,
  validateAdaptive,
  varianceRatio,
  type AdaptiveState,
  type AdaptiveStep,
  type ResolvedAdaptiveOptions,
} from './adaptive.js';
import { armijoAccepts, validateArmijo } from './armijo.js';
import { dogStep, initialDogState, type DogState } from './dog.js';
import { initialProdigyState, prodigyStep, type ProdigyState } from './prodigy.js';
import type {
  ControllerState,
  LayerTap,
  OptimizerSnapshot,
  ParamGroup,
  PreconditionedOptimizer,
  PreconditionedOptimizerOptions,
  StepContext,
  StepInfo,
} from './PreconditionedOptimizer.js';
import { isSchedule, learningRateAt } from './schedule.js';
import type { StepError } from './StepError.js';

type Space = InnerProductSpace<tf.Tensor, tf.Scalar>;

interface Group {
  readonly g: ParamGroup;
  readonly layer: string;
  readonly metric: LayerMetric | undefined;
  /** Slots of momentum (m) and Adam (m, v). */
  m: tf.Tensor | undefined;
  v: tf.Tensor | undefined;
  /** Adam steps taken by this parameter (bias correction). */
  t: number;
}

const spaceOf = (gr: Group): Space => {
  if (gr.metric === undefined) return tfEuclideanSpace;
  return gr.g.kind === 'bias' ? gr.metric.bias() : gr.metric.kernel();
};

const emptyInfo = (k: number, a: number): StepInfo => ({
  k,
  a,
  accepted: true,
  loss: undefined,
  trialLoss: undefined,
  d2: undefined,
  L: undefined,
  Lhat: undefined,
  skipped: undefined,
  rho: undefined,
  variance: undefined,
  backtracks: undefined,
});

const invalid = (message: string): E.Either<StepError, never> => E.left({ _tag: 'invalid-options', message });

/**
 * A preconditioned optimizer over `groups` for a spec `Optimizer` (its `metric` and `step`):
 *   sgd       with any step size: schedules, `armijo`, `adaptive`, `dog`, `prodigy`;
 *   momentum  (PyTorch rule on R: `m ← β m + R`, `x ← x − lr m`) with a schedule;
 *   adam      (PyTorch rule on R, bias-corrected moments) with a schedule.
 * Kernels (`dense`, `conv`) and biases use the metric of their layer; `other` parameters the Euclidean one.
 */
export const createPreconditionedOptimizer = (
  groups: readonly ParamGroup[],
  optimizer: Optimizer,
  options: PreconditionedOptimizerOptions = {},
): E.Either<StepError, PreconditionedOptimizer> => {
  const stepSpec = optimizer.step;
  if (optimizer._tag !== 'sgd' && !isSchedule(stepSpec)) {
    return E.left({
      _tag: 'unsupported',
      message: `${optimizer._tag} runs with constant, step or cosine schedules; ${stepSpec._tag} steps need optimizer sgd`,
    });
  }
  const totalEpochs = options.totalEpochs ?? 1;
  const deltaScaleIsMean = (options.deltaIs ?? 'batch-mean') === 'batch-mean';
  const maxBacktracks = options.maxBacktracks ?? 30;
  const onLineSearchFailure = options.onLineSearchFailure ?? 'skip';
  const checkFinite = options.checkFinite ?? true;
  if (!(Number.isInteger(maxBacktracks) && maxBacktracks >= 0))
    return invalid(`maxBacktracks must be a non-negative integer, got ${maxBacktracks}`);
  if (stepSpec._tag === 'armijo') {
    const errs = validateArmijo(stepSpec);
    if (errs.length > 0) return invalid(errs.join('; '));
  }
  if (isSchedule(stepSpec) && !(stepSpec.lr >= 0 && Number.isFinite(stepSpec.lr)))
    return invalid(`lr must be a non-negative number, got ${stepSpec.lr}`);
  if (stepSpec._tag === 'dog' && !(stepSpec.rEps > 0 && Number.isFinite(stepSpec.rEps)))
    return invalid(`DoG rEps must be a positive number, got ${stepSpec.rEps}`);
  if (stepSpec._tag === 'prodigy' && !(stepSpec.d0 > 0 && Number.isFinite(stepSpec.d0)))
    return invalid(`Prodigy d0 must be a positive number, got ${stepSpec.d0}`);
  let adaptiveOpts: ResolvedAdaptiveOptions | undefined;
  let adaptive: AdaptiveState | undefined;
  if (stepSpec._tag === 'adaptive') {
    adaptiveOpts = resolveAdaptiveOptions(stepSpec, options);
    const errs = validateAdaptive(stepSpec, adaptiveOpts);
    if (errs.length > 0) return invalid(errs.join('; '));
    const init = initialAdaptiveState(stepSpec, adaptiveOpts);
    adaptive = {
      ...init,
      L: options.resume?.L ?? init.L,
      a: options.resume?.a ?? init.a,
      k: options.resume?.k ?? init.k,
      estimated: options.resume?.L !== undefined,
    };
  }

  // One LayerMetric per layer that has a kernel or a bias; the layer's shape comes from its kernel.
  const metric: Metric = optimizer.metric ?? EUCLIDEAN;
  const names = new Set<string>();
  const kernels = new Map<string, ParamGroup>();
  for (const g of groups) {
    if (names.has(g.name)) return invalid(`two parameter groups are named ${g.name}`);
    names.add(g.name);
    if (g.kind === 'dense' || g.kind === 'conv') {
      const layer = g.layer ?? g.name;
      if (kernels.has(layer)) return invalid(`layer ${layer} has two kernels (${kernels.get(layer)!.name}, ${g.name})`);
      if (g.variable.rank < 2)
        return invalid(
          `${g.kind} kernel ${g.name} has shape [${g.variable.shape}]; expected rank ≥ 2 (tfjs layout, last axis = out)`,
        );
      kernels.set(layer, g);
    }
  }
  const metrics = new Map<string, LayerMetric>();
  const built: Group[] = [];
  const disposeMetrics = () => metrics.forEach((m) => m.dispose());
  for (const g of groups) {
    const layer = g.layer ?? g.name;
    let lm: LayerMetric | undefined;
    if (g.kind !== 'other') {
      lm = metrics.get(layer);
      if (lm === undefined) {
        const kernel = kernels.get(layer);
        const shape = kernel !== undefined ? layerShapeOf(kernel.variable.shape) : { n: 1, m: g.variable.size };
        const made = layerMetricFor(metric, shape, options);
        if (E.isLeft(made)) {
          disposeMetrics();
          return E.left({ _tag: 'inner-product', error: made.left });
        }
        lm = made.right;
        metrics.set(layer, lm);
      }
      if (g.kind === 'bias' && g.variable.size !== lm.shape.m) {
        disposeMetrics();
        return invalid(`bias ${g.name} has ${g.variable.size} entries but layer ${layer} has ${lm.shape.m} outputs`);
      }
    }
    const slot = options.resume?.slots?.get(g.name);
    const fits = (t: tf.Tensor | undefined) => t !== undefined && t.size === g.variable.size;
    built.push({
      g,
      layer,
      metric: lm,
      m: fits(slot?.m) ? tf.keep(tf.reshape(tf.clone(slot!.m!), g.variable.shape)) : undefined,
      v: fits(slot?.v) ? tf.keep(tf.reshape(tf.clone(slot!.v!), g.variable.shape)) : undefined,
      t: slot?.t ?? 0,
    });
  }

  let k = adaptive?.k ?? 0;
  let lastA: number | undefined = adaptive?.a;
  // DoG and Prodigy measure distances from the parameters at their start x₀ (a rebuilt optimizer, e.g.
  // after an insertion, starts a new phase from the current parameters).
  const distanceBased = stepSpec._tag === 'dog' || stepSpec._tag === 'prodigy';
  const x0: tf.Tensor[] = distanceBased ? built.map((gr) => tf.keep(tf.clone(gr.g.variable))) : [];
  let dog: DogState | undefined;
  let prodigy: ProdigyState | undefined = stepSpec._tag === 'prodigy' ? initialProdigyState(stepSpec) : undefined;
  let prevDirection: tf.Tensor[] | undefined; // ema variance: d_{k−1} as R_{k−1} per group

  const readLoss = (loss: number | tf.Scalar): number => (typeof loss === 'number' ? loss : loss.dataSync()[0]!);

  /** Per-example δ_b from a tap's delta (ALGORITHMS.md §1 rank-one norms use ∂J_b/∂z_b). */
  const perExampleDelta = (delta: tf.Tensor, m: number): tf.Tensor2D =>
    tf.tidy(() => {
      const rows = tf.reshape(delta, [delta.shape[0]!, -1]);
      const d = deltaScaleIsMean ? tf.mul(rows, delta.shape[0]!) : rows;
      return tf.reshape(d, [-1, m]) as tf.Tensor2D;
    });

  const tapOf = (ctx: StepContext, layer: string): LayerTap | undefined => ctx.taps?.get(layer);

  /**
   * Per-example squared norms ‖R_b‖² of a conv layer's kernel or bias (call inside tf.tidy). A conv kernel's
   * per-example gradient is not rank one: with the example's input patches P_b (positions × n, n = kh·kw·in)
   * and per-example output gradients Δ_b (positions × m), G_b = P_bᵀ Δ_b (tfjs layout n×m) and
   * ‖R_b‖² = tr(G_bᵀ M_X G_b M_Y⁻¹) in that layout (ALGORITHMS.md §1); the bias gradient is Σ_positions Δ_b.
   * Undefined when the kernel has no conv geometry (its patches cannot be formed).
   */
  const perExampleConvNorms2 = (gr: Group, kernel: ParamGroup, tap: LayerTap): tf.Tensor1D | undefined => {
    const delta4 = tap.delta!;
    const B = delta4.shape[0]!;
    const m = gr.metric!.shape.m;
    const space = spaceOf(gr) as TfFrobeniusSpace;
    const deltaRows = perExampleDelta(delta4, m); // [B·positions, m], per-example scale
    const positions = deltaRows.shape[0] / B;
    if (gr.g.kind === 'bias')
      return tfPerExampleBiasNorms2(space, tf.sum(tf.reshape(deltaRows, [B, positions, m]), 1) as tf.Tensor2D);
    if (kernel.conv === undefined || tap.x === undefined || tap.x.rank !== 4) return undefined;
    const [kh, kw] = kernel.variable.shape as [number, number, number, number];
    const patches = extractPatches(tap.x as tf.Tensor4D, {
      kh,
      kw,
      stride: kernel.conv.stride,
      padding: kernel.conv.padding,
    });
    const n = patches.shape[1];
    if (patches.shape[0] !== B * positions) return undefined;
    const G = tf.matMul(tf.reshape(patches, [B, positions, n]), tf.reshape(deltaRows, [B, positions, m]), true, false); // [B, n, m]
    // M_X G_b M_Y⁻¹ for every b: M_Y⁻¹ on the right of all rows at once, M_X on the left of the n-axis.
    const right = tf.reshape(rightMul(tf.reshape(G, [B * n, m]) as tf.Tensor2D, space.my, true), [B, n, m]);
    const both = tf.transpose(
      tf.reshape(leftMul(space.mx, tf.reshape(tf.transpose(right, [1, 0, 2]), [n, B * m]) as tf.Tensor2D), [n, B, m]),
      [1, 0, 2],
    );
    return tf.sum(tf.reshape(tf.mul(both, G), [B, n * m]), 1) as tf.Tensor1D;
  };

  /** Feed data-based metrics with this batch's taps (before the Riesz maps of this step). */
  const updateMetrics = (ctx: StepContext): E.Either<StepError, void> => {
    for (const [layer, lm] of metrics) {
      if (!lm.needsStatistics.domain && !lm.needsStatistics.codomain) continue;
      const tap = tapOf(ctx, layer);
      if (tap === undefined) {
        // A data-based metric with no statistics would silently be Euclidean: say so instead.
        return E.left({
          _tag: 'missing-statistics',
          message: `the metric of layer ${layer} is data-based; pass ctx.taps.get('${layer}') = { x, delta } (layer input and ∂f_B/∂z)`,
        });
      }
      const kernel = kernels.get(layer);
      let x: tf.Tensor2D | undefined;
      let patches: tf.Tensor2D | undefined;
      if (lm.needsStatistics.domain && tap.x !== undefined) {
        if (kernel?.kind === 'dense' && tap.x.rank === 2) x = tap.x as tf.Tensor2D;
        if (kernel?.kind === 'conv' && kernel.conv !== undefined && tap.x.rank === 4) {
          // Conv: the domain samples are the input patches (n = kh·kw·in), one per output position.
          const [kh, kw] = kernel.variable.shape as [number, number, number, number];
          patches = extractPatches(tap.x as tf.Tensor4D, {
            kh,
            kw,
            stride: kernel.conv.stride,
            padding: kernel.conv.padding,
          });
          x = patches;
        }
      }
      // Conv deltas: each output position is a sample of the codomain statistics.
      const delta =
        lm.needsStatistics.codomain && tap.delta !== undefined ? perExampleDelta(tap.delta, lm.shape.m) : undefined;
      const r = lm.update({ x, delta });
      tf.dispose([delta, patches].filter((t): t is tf.Tensor2D => t !== undefined));
      if (E.isLeft(r)) return E.left({ _tag: 'inner-product', error: r.left });
    }
    return E.right(undefined);
  };

  const riesz = (grads: tf.NamedTensorMap): E.Either<StepError, tf.Tensor[]> => {
    for (const gr of built)
      if (grads[gr.g.name] === undefined) return E.left({ _tag: 'missing-gradient', name: gr.g.name });
    return E.right(built.map((gr) => spaceOf(gr).riesz(grads[gr.g.name]!)));
  };

  /** ‖d‖² = Σ_p ⟨G_p, R_p⟩ (= Σ_p ‖R_p‖² in the layer's inner product). Call inside tf.tidy. */
  const dualNorm2Sum = (grads: tf.NamedTensorMap, rs: readonly tf.Tensor[]): tf.Scalar =>
    tf.addN(built.map((gr, i) => spaceOf(gr).pairing(grads[gr.g.name]!, rs[i]!))) as tf.Scalar;

  const assignStep = (olds: readonly tf.Tensor[], rs: readonly tf.Tensor[], a: number) => {
    built.forEach((gr, i) => tf.tidy(() => gr.g.variable.assign(tf.sub(olds[i]!, tf.mul(rs[i]!, a)))));
  };
  const restore = (olds: readonly tf.Tensor[]) => built.forEach((gr, i) => gr.g.variable.assign(olds[i]!));

  const scheduleStep = (grads: tf.NamedTensorMap, ctx: StepContext): E.Either<StepError, StepInfo> => {
    if (!isSchedule(stepSpec)) throw new Error('scheduleStep: not a schedule');
    let loss: number | undefined;
    if (typeof ctx.loss === 'number' || checkFinite) {
      loss = readLoss(ctx.loss);
      if (!Number.isFinite(loss)) return E.left({ _tag: 'non-finite-loss', where: 'current', value: loss, step: k });
    }
    const upd = updateMetrics(ctx);
    if (E.isLeft(upd)) return upd;
    const rs = riesz(grads);
    if (E.isLeft(rs)) return rs;
    const lr = learningRateAt(stepSpec, ctx.epoch ?? 0, totalEpochs);
    built.forEach((gr, i) => {
      const r = rs.right[i]!;
      const v = gr.g.variable;
      if (optimizer._tag === 'sgd') {
        tf.tidy(() => v.assign(tf.sub(v, tf.mul(r, lr))));
      } else if (optimizer._tag === 'momentum') {
        // PyTorch SGD momentum (dampening 0): m ← β m + R (m₁ = R), x ← x − lr m.
        const m = gr.m === undefined ? tf.clone(r) : tf.tidy(() => tf.add(tf.mul(gr.m!, optimizer.beta), r));
        gr.m?.dispose();
        gr.m = tf.keep(m);
        tf.tidy(() => v.assign(tf.sub(v, tf.mul(m, lr))));
      } else {
        // Adam (Kingma & Ba 2015, as PyTorch): moments of R, bias-corrected, x ← x − lr m̂ / (√v̂ + ε).
        const { beta1, beta2, epsilon } = optimizer;
        const m = tf.tidy(() =>
          gr.m === undefined ? tf.mul(r, 1 - beta1) : tf.add(tf.mul(gr.m, beta1), tf.mul(r, 1 - beta1)),
        );
        const s = tf.tidy(() =>
          gr.v === undefined
            ? tf.mul(tf.square(r), 1 - beta2)
            : tf.add(tf.mul(gr.v, beta2), tf.mul(tf.square(r), 1 - beta2)),
        );
        tf.dispose([gr.m, gr.v]);
        gr.m = tf.keep(m);
        gr.v = tf.keep(s);
        gr.t += 1;
        const c1 = 1 - Math.pow(beta1, gr.t);
        const c2 = 1 - Math.pow(beta2, gr.t);
        tf.tidy(() => v.assign(tf.sub(v, tf.mul(tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(s, c2)), epsilon)), lr))));
      }
    });
    tf.dispose(rs.right);
    const info = { ...emptyInfo(k, lr), loss };
    k += 1;
    lastA = lr;
    return E.right(info);
  };

  const armijoStep = (grads: tf.NamedTensorMap, ctx: StepContext): E.Either<StepError, StepInfo> => {
    if (stepSpec._tag !== 'armijo') throw new Error('armijoStep: not armijo');
    if (ctx.lossAt === undefined)
      return E.left({ _tag: 'missing-statistics', message: 'armijo steps need ctx.lossAt' });
    const f = readLoss(ctx.loss);
    if (!Number.isFinite(f)) return E.left({ _tag: 'non-finite-loss', where: 'current', value: f, step: k });
    const upd = updateMetrics(ctx);
    if (E.isLeft(upd)) return upd;
    const rs = riesz(grads);
    if (E.isLeft(rs)) return rs;
    const olds = built.map((gr) => tf.clone(gr.g.variable));
    try {
      const d2t = tf.tidy(() => dualNorm2Sum(grads, rs.right));
      const d2 = d2t.dataSync()[0]!;
      d2t.dispose();
      if (!Number.isFinite(d2)) return E.left({ _tag: 'non-finite-gradient', step: k });
      let a = stepSpec.initial;
      let fTrial = Number.NaN;
      for (let tries = 0; tries <= maxBacktracks; tries++) {
        assignStep(olds, rs.right, a);
        fTrial = ctx.lossAt();
        if (armijoAccepts(stepSpec.c, f, fTrial, a, d2)) {
          const info: StepInfo = { ...emptyInfo(k, a), loss: f, trialLoss: fTrial, d2, backtracks: tries };
          k += 1;
          lastA = a;
          return E.right(info);
        }
        if (tries < maxBacktracks) a *= stepSpec.shrink;
      }
      restore(olds);
      if (onLineSearchFailure === 'error')
        return E.left({ _tag: 'line-search-failed', step: k, tries: maxBacktracks + 1 });
      const info: StepInfo = {
        ...emptyInfo(k, a),
        accepted: false,
        loss: f,
        trialLoss: fTrial,
        d2,
        backtracks: maxBacktracks,
      };
      k += 1;
      return E.right(info);
    } finally {
      tf.dispose([...olds, ...rs.right]);
    }
  };

  const adaptiveStep = (grads: tf.NamedTensorMap, ctx: StepContext): E.Either<StepError, StepInfo> => {
    if (stepSpec._tag !== 'adaptive' || adaptive === undefined || adaptiveOpts === undefined)
      throw new Error('adaptiveStep: not adaptive');
    const spec: AdaptiveStep = stepSpec;
    if (ctx.lossAt === undefined)
      return E.left({ _tag: 'missing-statistics', message: 'adaptive steps need ctx.lossAt (one extra forward pass)' });
    const f = readLoss(ctx.loss);
    if (!Number.isFinite(f)) return E.left({ _tag: 'non-finite-loss', where: 'current', value: f, step: k });
    if (spec.variance === 'split' && (ctx.chunkGrads === undefined || ctx.chunkGrads.length < 2)) {
      return E.left({
        _tag: 'missing-statistics',
        message: `split variance needs ctx.chunkGrads with K ≥ 2 chunk gradients (spec chunks = ${spec.chunks})`,
      });
    }
    if (spec.variance === 'split') {
      for (const [c, cg] of ctx.chunkGrads!.entries()) {
        const lacking = built.find((gr) => cg[gr.g.name] === undefined);
        if (lacking !== undefined)
          return E.left({ _tag: 'missing-statistics', message: `chunk gradient ${c} lacks ${lacking.g.name}` });
      }
    }
    const upd = updateMetrics(ctx);
    if (E.isLeft(upd)) return upd;
    const rs = riesz(grads);
    if (E.isLeft(rs)) return rs;
    const R = rs.right;
    const extra: tf.Tensor[] = [];
    try {
      // Every scalar the step needs, downloaded together: [‖d‖², …mode statistics].
      let b = 0;
      const scalars = tf.tidy(() => {
        const parts: tf.Tensor[] = [tf.reshape(dualNorm2Sum(grads, R), [1])];
        if (spec.variance === 'per_example') {
          // Rank-one per-example norms over the dense layers with taps (ALGORITHMS.md §1–2).
          let q: tf.Tensor | undefined;
          const tapped: tf.Scalar[] = [];
          built.forEach((gr, i) => {
            const lm = gr.metric;
            if (lm === undefined || gr.g.kind === 'other') return;
            const kernel = kernels.get(gr.layer);
            const tap = tapOf(ctx, gr.layer);
            if (tap?.delta === undefined) return;
            const convLayer = kernel?.kind === 'conv';
            let qb: tf.Tensor1D | undefined;
            if (!convLayer && tap.delta.rank === 2) {
              const delta = perExampleDelta(tap.delta, lm.shape.m);
              if (gr.g.kind === 'dense' && tap.x?.rank === 2)
                qb = tfPerExampleNorms2(spaceOf(gr) as TfFrobeniusSpace, tap.x as tf.Tensor2D, delta);
              if (gr.g.kind === 'bias') qb = tfPerExampleBiasNorms2(spaceOf(gr) as TfFrobeniusSpace, delta);
            } else if (convLayer && tap.delta.rank === 4) {
              qb = perExampleConvNorms2(gr, kernel!, tap);
            }
            if (qb === undefined) return;
            b = qb.shape[0];
            q = q === undefined ? qb : tf.add(q, qb);
            tapped.push(spaceOf(gr).pairing(grads[gr.g.name]!, R[i]!));
          });
          if (q !== undefined) parts.push(tf.reshape(tf.addN(tapped), [1]), tf.reshape(tf.mean(q), [1]));
        } else if (spec.variance === 'split') {
          const chunks = ctx.chunkGrads!;
          b = chunks.length;
          const chunkNorms = chunks.map((cg) => tf.addN(built.map((gr) => spaceOf(gr).dualNorm2(cg[gr.g.name]!))));
          const meanNorm2 = tf.addN(
            built.map((gr) =>
              spaceOf(gr).dualNorm2(tf.div(tf.addN(chunks.map((cg) => cg[gr.g.name]!)), chunks.length)),
            ),
          );
          parts.push(tf.reshape(meanNorm2, [1]), tf.reshape(tf.mean(tf.stack(chunkNorms)), [1]));
        } else if (spec.variance === 'ema' && prevDirection !== undefined) {
          parts.push(tf.reshape(tf.addN(built.map((gr, i) => spaceOf(gr).inner(R[i]!, prevDirection![i]!))), [1]));
        }
        return tf.concat(parts);
      });
      const values = scalars.dataSync();
      scalars.dispose();
      const d2 = values[0]!;
      if (!Number.isFinite(d2)) return E.left({ _tag: 'non-finite-gradient', step: k });
      let rho = 1;
      let variance: number | undefined;
      let ema: { emaInner: number; emaNorm2: number } | undefined;
      if (spec.variance === 'per_example' || spec.variance === 'split') {
        if (values.length < 3)
          return E.left({
            _tag: 'missing-statistics',
            message:
              'per_example variance needs ctx.taps (x and delta) for at least one dense or conv layer (conv kernels with their conv geometry)',
          });
        // b is the number of examples (per_example) or chunks (split); the correction needs the examples.
        const examples = spec.variance === 'per_example' ? b : ctx.batchSize;
        const fpc = examples === undefined ? 1 : finitePopulationCorrection(examples, options.datasetSize);
        const est = varianceRatio(values[1]!, values[2]!, b, spec.rhoMin, fpc);
        rho = est.rho;
        variance = est.VB;
      } else if (spec.variance === 'ema') {
        // ⟨d_k, d_{k−1}⟩ = ⟨R_k, R_{k−1}⟩ (both signs flip together).
        const e = emaRatio(adaptive, values.length > 1 ? values[1] : undefined, d2, adaptiveOpts.emaDecay, spec.rhoMin);
        rho = e.rho;
        ema = { emaInner: e.emaInner, emaNorm2: e.emaNorm2 };
      }
      const a = stepSizeFor(spec, adaptive, rho);
      const olds = built.map((gr) => tf.clone(gr.g.variable));
      extra.push(...olds);
      assignStep(olds, R, a);
      const fPlus = ctx.lossAt();
      if (!Number.isFinite(fPlus)) {
        restore(olds);
        return E.left({ _tag: 'non-finite-loss', where: 'trial', value: fPlus, step: k });
      }
      const trial = afterTrial(spec, adaptive, adaptiveOpts, { f, fPlus, a, d2 });
      const reject = adaptiveOpts.onIncrease !== 'keep' && fPlus > f;
      if (reject) restore(olds);
      adaptive = { ...trial.state, ...(ema ?? {}) };
      if (spec.variance === 'ema') {
        tf.dispose(prevDirection ?? []);
        prevDirection = R.map((r) => tf.keep(tf.clone(r)));
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
        variance,
      };
      k += 1;
      lastA = a;
      return E.right(info);
    } finally {
      tf.dispose([...R, ...extra]);
    }
  };

  /**
   * DoG and Prodigy (dog.ts, prodigy.ts): the step size from distances to x₀ and gradient norms in the
   * layers' inner products; one download of [‖R‖², ‖x − x₀‖², ⟨G, x₀ − x⟩, ‖x₀‖²].
   */
  const distanceStep = (grads: tf.NamedTensorMap, ctx: StepContext): E.Either<StepError, StepInfo> => {
    const f = readLoss(ctx.loss);
    if (!Number.isFinite(f)) return E.left({ _tag: 'non-finite-loss', where: 'current', value: f, step: k });
    const upd = updateMetrics(ctx);
    if (E.isLeft(upd)) return upd;
    const rs = riesz(grads);
    if (E.isLeft(rs)) return rs;
    const R = rs.right;
    try {
      const scalars = tf.tidy(() => {
        const diffs = built.map((gr, i) => tf.sub(gr.g.variable, x0[i]!));
        return tf.stack([
          dualNorm2Sum(grads, R),
          tf.addN(built.map((gr, i) => spaceOf(gr).norm2(diffs[i]!))),
          tf.neg(tf.addN(built.map((gr, i) => spaceOf(gr).pairing(grads[gr.g.name]!, diffs[i]!)))),
          tf.addN(built.map((gr, i) => spaceOf(gr).norm2(x0[i]!))),
        ]);
      });
      const [g2, dist2, slope, x0Norm2] = Array.from(scalars.dataSync());
      scalars.dispose();
      if (!Number.isFinite(g2!)) return E.left({ _tag: 'non-finite-gradient', step: k });
      let eta: number;
      if (stepSpec._tag === 'dog') {
        const r = dogStep(dog ?? initialDogState(stepSpec, Math.sqrt(Math.max(x0Norm2!, 0))), dist2!, g2!);
        eta = r.eta;
        dog = r.state;
      } else {
        const r = prodigyStep(prodigy!, dist2!, slope!, g2!);
        eta = r.eta;
        prodigy = r.state;
      }
      built.forEach((gr, i) => tf.tidy(() => gr.g.variable.assign(tf.sub(gr.g.variable, tf.mul(R[i]!, eta)))));
      const info: StepInfo = { ...emptyInfo(k, eta), loss: f, d2: g2 };
      k += 1;
      lastA = eta;
      return E.right(info);
    } finally {
      tf.dispose(R);
    }
  };

  const step = (grads: tf.NamedTensorMap, ctx: StepContext): E.Either<StepError, StepInfo> => {
    // Checks that need no computation come first, so that a Left leaves even the metric statistics alone.
    const lacking = built.find((gr) => grads[gr.g.name] === undefined);
    if (lacking !== undefined) return E.left({ _tag: 'missing-gradient', name: lacking.g.name });
    if (stepSpec._tag === 'adaptive' && stepSpec.variance === 'per_example') {
      const tapped = built.some(
        (gr) =>
          (gr.g.kind === 'dense' || gr.g.kind === 'conv') &&
          tapOf(ctx, gr.layer)?.x !== undefined &&
          tapOf(ctx, gr.layer)?.delta !== undefined,
      );
      if (!tapped)
        return E.left({
          _tag: 'missing-statistics',
          message: 'per_example variance needs ctx.taps (x and delta) for at least one dense or conv layer',
        });
    }
    switch (stepSpec._tag) {
      case 'armijo':
        return armijoStep(grads, ctx);
      case 'adaptive':
        return adaptiveStep(grads, ctx);
      case 'dog':
      case 'prodigy':
        return distanceStep(grads, ctx);
      default:
        return scheduleStep(grads, ctx);
    }
  };

  const state = (): ControllerState => ({ k, a: lastA, L: adaptive?.L });

  const snapshot = (): OptimizerSnapshot => ({
    ...state(),
    slots: new Map(
      built.map((gr) => [
        gr.g.name,
        {
          ...(gr.m === undefined ? {} : { m: tf.clone(gr.m) }),
          ...(gr.v === undefined ? {} : { v: tf.clone(gr.v) }),
          t: gr.t,
        },
      ]),
    ),
  });

  const dispose = () => {
    disposeMetrics();
    built.forEach((gr) => tf.dispose([gr.m, gr.v].filter((t): t is tf.Tensor => t !== undefined)));
    tf.dispose(prevDirection ?? []);
    prevDirection = undefined;
    tf.dispose(x0);
    x0.length = 0;
  };

  return E.right({ step, state, snapshot, dispose });
};
