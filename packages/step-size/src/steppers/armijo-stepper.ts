/**
 * Armijo backtracking (armijo.ts): from the initial step, shrink until f_B(x − a R) ≤ f_B(x) − c a ‖d‖²,
 * at most `maxBacktracks` times; when no trial is accepted, undo the step and report it (`skip`) or fail.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { armijoAccepts, validateArmijo, type ArmijoStep } from '../armijo.js';
import type { StepInfo } from '../PreconditionedOptimizer.js';
import type { StepError } from '../StepError.js';
import { emptyInfo, invalid, readLoss, type MakeStepper } from './stepper.js';

export const armijoStepper = (spec: ArmijoStep): E.Either<StepError, MakeStepper> => {
  const errs = validateArmijo(spec);
  if (errs.length > 0) return invalid(errs.join('; '));
  return E.right((params, options) => {
    const maxBacktracks = options.maxBacktracks ?? spec.maxBacktracks;
    const onLineSearchFailure = options.onLineSearchFailure ?? spec.onLineSearchFailure;
    let lastA: number | undefined;
    return {
      step: (grads, ctx, k) => {
        if (ctx.lossAt === undefined)
          return E.left({ _tag: 'missing-statistics', message: 'armijo steps need ctx.lossAt' });
        const f = readLoss(ctx.loss);
        if (!Number.isFinite(f)) return E.left({ _tag: 'non-finite-loss', where: 'current', value: f, step: k });
        const upd = params.updateMetrics(ctx);
        if (E.isLeft(upd)) return upd;
        const rs = params.riesz(grads);
        if (E.isLeft(rs)) return rs;
        const olds = params.list.map((p) => tf.clone(p.g.variable));
        try {
          const d2t = tf.tidy(() => params.dualNorm2Sum(grads, rs.right));
          const d2 = d2t.dataSync()[0]!;
          d2t.dispose();
          if (!Number.isFinite(d2)) return E.left({ _tag: 'non-finite-gradient', step: k });
          let a = spec.initial;
          let fTrial = Number.NaN;
          for (let tries = 0; tries <= maxBacktracks; tries++) {
            params.assignStep(olds, rs.right, a);
            fTrial = ctx.lossAt();
            if (armijoAccepts(spec.c, f, fTrial, a, d2)) {
              lastA = a;
              return E.right({ ...emptyInfo(k, a), loss: f, trialLoss: fTrial, d2, backtracks: tries });
            }
            if (tries < maxBacktracks) a *= spec.shrink;
          }
          params.restore(olds);
          if (onLineSearchFailure === 'error')
            return E.left({ _tag: 'line-search-failed', step: k, tries: maxBacktracks + 1, smallest: a });
          const info: StepInfo = {
            ...emptyInfo(k, a),
            accepted: false,
            loss: f,
            trialLoss: fTrial,
            d2,
            backtracks: maxBacktracks,
          };
          return E.right(info);
        } finally {
          tf.dispose([...olds, ...rs.right]);
        }
      },
      state: () => ({ a: lastA, L: undefined }),
      dispose: () => {},
    };
  });
};
