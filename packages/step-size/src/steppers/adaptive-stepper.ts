/**
 * The adaptive step size of ALGORITHMS.md §2 (arXiv 2311.16956; arithmetic in adaptive.ts): a = ρ/L from a
 * smoothed estimate of the gradient's Lipschitz constant L and the ratio ρ of the squared mean direction to
 * its variance, estimated per example (rank-one norms from layer taps), from chunk gradients (`split`), or
 * from consecutive directions (`ema`); one trial step with the extra forward pass `lossAt` updates L.
 */
import * as tf from '@tensorflow/tfjs-core';
import { tfPerExampleBiasNorms2, tfPerExampleNorms2, type TfFrobeniusSpace } from '@sprout/inner-product/tfjs';
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
} from '../adaptive.js';
import type { PreconditionedOptimizerOptions, StepInfo } from '../PreconditionedOptimizer.js';
import type { StepError } from '../StepError.js';
import { emptyInfo, invalid, readLoss, type MakeStepper } from './stepper.js';

/** The adaptive controller's starting state (`options.resume` continues L, a and k), checked first. */
export const adaptiveStart = (
  spec: AdaptiveStep,
  options: PreconditionedOptimizerOptions,
): E.Either<StepError, { readonly state: AdaptiveState; readonly make: MakeStepper }> => {
  const opts = resolveAdaptiveOptions(spec, options);
  const errs = validateAdaptive(spec, opts);
  if (errs.length > 0) return invalid(errs.join('; '));
  const init = initialAdaptiveState(spec, opts);
  const start: AdaptiveState = {
    ...init,
    L: options.resume?.L ?? init.L,
    a: options.resume?.a ?? init.a,
    k: options.resume?.k ?? init.k,
    estimated: options.resume?.L !== undefined,
  };
  const make: MakeStepper = (params) => {
    let adaptive = start;
    let lastA: number | undefined = start.a;
    let prevDirection: tf.Tensor[] | undefined; // ema variance: d_{k−1} as R_{k−1} per parameter
    const { list } = params;
    return {
      step: (grads, ctx, k) => {
        if (spec.variance === 'per_example') {
          const tapped = list.some(
            (p) =>
              (p.g.kind === 'dense' || p.g.kind === 'conv') &&
              params.tapOf(ctx, p.layer)?.x !== undefined &&
              params.tapOf(ctx, p.layer)?.delta !== undefined,
          );
          if (!tapped)
            return E.left({
              _tag: 'missing-statistics',
              message: 'per_example variance needs ctx.taps (x and delta) for at least one dense or conv layer',
            });
        }
        if (ctx.lossAt === undefined)
          return E.left({
            _tag: 'missing-statistics',
            message: 'adaptive steps need ctx.lossAt (one extra forward pass)',
          });
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
            const lacking = list.find((p) => cg[p.g.name] === undefined);
            if (lacking !== undefined)
              return E.left({ _tag: 'missing-statistics', message: `chunk gradient ${c} lacks ${lacking.g.name}` });
          }
        }
        const upd = params.updateMetrics(ctx);
        if (E.isLeft(upd)) return upd;
        const rs = params.riesz(grads);
        if (E.isLeft(rs)) return rs;
        const R = rs.right;
        const extra: tf.Tensor[] = [];
        try {
          // Every scalar the step needs, downloaded together: [‖d‖², …mode statistics].
          let b = 0;
          const scalars = tf.tidy(() => {
            const parts: tf.Tensor[] = [tf.reshape(params.dualNorm2Sum(grads, R), [1])];
            if (spec.variance === 'per_example') {
              // Rank-one per-example norms over the dense layers with taps (ALGORITHMS.md §1–2).
              let q: tf.Tensor | undefined;
              const tapped: tf.Scalar[] = [];
              list.forEach((p, i) => {
                const lm = p.metric;
                if (lm === undefined || p.g.kind === 'other') return;
                const kernel = params.kernels.get(p.layer);
                const tap = params.tapOf(ctx, p.layer);
                if (tap?.delta === undefined) return;
                const convLayer = kernel?.kind === 'conv';
                let qb: tf.Tensor1D | undefined;
                if (!convLayer && tap.delta.rank === 2) {
                  const delta = params.perExampleDelta(tap.delta, lm.shape.m);
                  if (p.g.kind === 'dense' && tap.x?.rank === 2)
                    qb = tfPerExampleNorms2(params.spaceOf(p) as TfFrobeniusSpace, tap.x as tf.Tensor2D, delta);
                  if (p.g.kind === 'bias') qb = tfPerExampleBiasNorms2(params.spaceOf(p) as TfFrobeniusSpace, delta);
                } else if (convLayer && tap.delta.rank === 4) {
                  qb = params.perExampleConvNorms2(p, kernel!, tap);
                }
                if (qb === undefined) return;
                b = qb.shape[0];
                q = q === undefined ? qb : tf.add(q, qb);
                tapped.push(params.spaceOf(p).pairing(grads[p.g.name]!, R[i]!));
              });
              if (q !== undefined) parts.push(tf.reshape(tf.addN(tapped), [1]), tf.reshape(tf.mean(q), [1]));
            } else if (spec.variance === 'split') {
              const chunks = ctx.chunkGrads!;
              b = chunks.length;
              const chunkNorms = chunks.map((cg) =>
                tf.addN(list.map((p) => params.spaceOf(p).dualNorm2(cg[p.g.name]!))),
              );
              const meanNorm2 = tf.addN(
                list.map((p) =>
                  params.spaceOf(p).dualNorm2(tf.div(tf.addN(chunks.map((cg) => cg[p.g.name]!)), chunks.length)),
                ),
              );
              parts.push(tf.reshape(meanNorm2, [1]), tf.reshape(tf.mean(tf.stack(chunkNorms)), [1]));
            } else if (spec.variance === 'ema' && prevDirection !== undefined) {
              parts.push(
                tf.reshape(tf.addN(list.map((p, i) => params.spaceOf(p).inner(R[i]!, prevDirection![i]!))), [1]),
              );
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
            const e = emaRatio(adaptive, values.length > 1 ? values[1] : undefined, d2, opts.emaDecay, spec.rhoMin);
            rho = e.rho;
            ema = { emaInner: e.emaInner, emaNorm2: e.emaNorm2 };
          }
          const a = stepSizeFor(spec, adaptive, rho);
          const olds = list.map((p) => tf.clone(p.g.variable));
          extra.push(...olds);
          params.assignStep(olds, R, a);
          const fPlus = ctx.lossAt();
          if (!Number.isFinite(fPlus)) {
            params.restore(olds);
            return E.left({ _tag: 'non-finite-loss', where: 'trial', value: fPlus, step: k });
          }
          const trial = afterTrial(spec, adaptive, opts, { f, fPlus, a, d2 });
          const reject = opts.onIncrease !== 'keep' && fPlus > f;
          if (reject) params.restore(olds);
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
          lastA = a;
          return E.right(info);
        } finally {
          tf.dispose([...R, ...extra]);
        }
      },
      state: () => ({ a: lastA, L: adaptive.L }),
      dispose: () => {
        tf.dispose(prevDirection ?? []);
        prevDirection = undefined;
      },
    };
  };
  return E.right({ state: start, make });
};
