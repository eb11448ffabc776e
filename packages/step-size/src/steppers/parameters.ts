/**
 * The parameters a preconditioned optimizer steps, with the inner products of their layers (ALGORITHMS.md
 * §1, arXiv 2311.15419): the Riesz map of the gradients, ‖d‖², the data-based metrics' statistics, and the
 * momentum/Adam slots of each parameter. Every controller's stepper works on them.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { InnerProductSpace } from '@sprout/inner-product';
import {
  extractPatches,
  layerMetricFor,
  leftMul,
  rightMul,
  layerShapeOf,
  tfEuclideanSpace,
  tfPerExampleBiasNorms2,
  type LayerMetric,
  type TfFrobeniusSpace,
} from '@sprout/inner-product/tfjs';
import type { Metric } from '@sprout/spec';
import * as E from 'fp-ts/lib/Either.js';
import type { LayerTap, ParamGroup, PreconditionedOptimizerOptions, StepContext } from '../PreconditionedOptimizer.js';
import type { StepError } from '../StepError.js';

type Space = InnerProductSpace<tf.Tensor, tf.Scalar>;

/** One parameter: its group, its layer's metric, and its momentum (m) and Adam (m, v, t) slots. */
interface Param {
  readonly g: ParamGroup;
  readonly layer: string;
  readonly metric: LayerMetric | undefined;
  m: tf.Tensor | undefined;
  v: tf.Tensor | undefined;
  /** Adam steps taken by this parameter (bias correction). */
  t: number;
}

/** The parameters and what every stepper computes with them. */
export interface Params {
  readonly list: readonly Param[];
  /** The kernel of each layer, by layer key. */
  readonly kernels: ReadonlyMap<string, ParamGroup>;
  /** The inner product of a parameter: its layer's kernel or bias space, Euclidean for `other`. */
  readonly spaceOf: (p: Param) => Space;
  readonly tapOf: (ctx: StepContext, layer: string) => LayerTap | undefined;
  /** Per-example δ_b from a tap's delta (ALGORITHMS.md §1 rank-one norms use ∂J_b/∂z_b). */
  readonly perExampleDelta: (delta: tf.Tensor, m: number) => tf.Tensor2D;
  /** Per-example squared norms ‖R_b‖² of a conv layer's kernel or bias (see below). Call inside tf.tidy. */
  readonly perExampleConvNorms2: (p: Param, kernel: ParamGroup, tap: LayerTap) => tf.Tensor1D | undefined;
  /** Feed data-based metrics with this batch's taps (before the Riesz maps of this step). */
  readonly updateMetrics: (ctx: StepContext) => E.Either<StepError, void>;
  /** The Riesz representatives R_p of the gradients, in `list` order. */
  readonly riesz: (grads: tf.NamedTensorMap) => E.Either<StepError, tf.Tensor[]>;
  /** ‖d‖² = Σ_p ⟨G_p, R_p⟩ (= Σ_p ‖R_p‖² in the layer's inner product). Call inside tf.tidy. */
  readonly dualNorm2Sum: (grads: tf.NamedTensorMap, rs: readonly tf.Tensor[]) => tf.Scalar;
  /** x_p ← old_p − a R_p. */
  readonly assignStep: (olds: readonly tf.Tensor[], rs: readonly tf.Tensor[], a: number) => void;
  /** x_p ← old_p. */
  readonly restore: (olds: readonly tf.Tensor[]) => void;
  readonly dispose: () => void;
}

const invalid = (message: string): E.Either<StepError, never> => E.left({ _tag: 'invalid-options', message });

/**
 * The parameters of `groups` with one LayerMetric per layer that has a kernel or a bias (the layer's shape
 * comes from its kernel) and the slots of `options.resume` where they fit.
 */
export const buildParams = (
  groups: readonly ParamGroup[],
  metric: Metric,
  options: PreconditionedOptimizerOptions,
): E.Either<StepError, Params> => {
  const deltaScaleIsMean = (options.deltaIs ?? 'batch-mean') === 'batch-mean';
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
  const built: Param[] = [];
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

  const spaceOf = (p: Param): Space => {
    if (p.metric === undefined) return tfEuclideanSpace;
    return p.g.kind === 'bias' ? p.metric.bias() : p.metric.kernel();
  };

  const perExampleDelta = (delta: tf.Tensor, m: number): tf.Tensor2D =>
    tf.tidy(() => {
      const rows = tf.reshape(delta, [delta.shape[0]!, -1]);
      const d = deltaScaleIsMean ? tf.mul(rows, delta.shape[0]!) : rows;
      return tf.reshape(d, [-1, m]) as tf.Tensor2D;
    });

  const tapOf = (ctx: StepContext, layer: string): LayerTap | undefined => ctx.taps?.get(layer);

  /**
   * A conv kernel's per-example gradient is not rank one: with the example's input patches P_b (positions × n,
   * n = kh·kw·in) and per-example output gradients Δ_b (positions × m), G_b = P_bᵀ Δ_b (tfjs layout n×m) and
   * ‖R_b‖² = tr(G_bᵀ M_X G_b M_Y⁻¹) in that layout (ALGORITHMS.md §1); the bias gradient is Σ_positions Δ_b.
   * Undefined when the kernel has no conv geometry (its patches cannot be formed).
   */
  const perExampleConvNorms2 = (p: Param, kernel: ParamGroup, tap: LayerTap): tf.Tensor1D | undefined => {
    const delta4 = tap.delta!;
    const B = delta4.shape[0]!;
    const m = p.metric!.shape.m;
    const space = spaceOf(p) as TfFrobeniusSpace;
    const deltaRows = perExampleDelta(delta4, m); // [B·positions, m], per-example scale
    const positions = deltaRows.shape[0] / B;
    if (p.g.kind === 'bias')
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
    for (const p of built)
      if (grads[p.g.name] === undefined) return E.left({ _tag: 'missing-gradient', name: p.g.name });
    return E.right(built.map((p) => spaceOf(p).riesz(grads[p.g.name]!)));
  };

  const dualNorm2Sum = (grads: tf.NamedTensorMap, rs: readonly tf.Tensor[]): tf.Scalar =>
    tf.addN(built.map((p, i) => spaceOf(p).pairing(grads[p.g.name]!, rs[i]!))) as tf.Scalar;

  const assignStep = (olds: readonly tf.Tensor[], rs: readonly tf.Tensor[], a: number) => {
    built.forEach((p, i) => tf.tidy(() => p.g.variable.assign(tf.sub(olds[i]!, tf.mul(rs[i]!, a)))));
  };
  const restore = (olds: readonly tf.Tensor[]) => built.forEach((p, i) => p.g.variable.assign(olds[i]!));

  const dispose = () => {
    disposeMetrics();
    built.forEach((p) => tf.dispose([p.m, p.v].filter((t): t is tf.Tensor => t !== undefined)));
  };

  return E.right({
    list: built,
    kernels,
    spaceOf,
    tapOf,
    perExampleDelta,
    perExampleConvNorms2,
    updateMetrics,
    riesz,
    dualNorm2Sum,
    assignStep,
    restore,
    dispose,
  });
};
