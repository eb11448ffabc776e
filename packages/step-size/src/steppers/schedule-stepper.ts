/**
 * Schedules (constant, step decay, cosine) for SGD, momentum and Adam on the Riesz representative R, by
 * update-rules.ts's `tensorUpdate` (the rules of the Euclidean path, with R for the gradient):
 *   sgd       x ← x − lr R;
 *   momentum  PyTorch SGD momentum (dampening 0): m ← β m + R (m₁ = R), x ← x − lr m;
 *   adam      Kingma & Ba 2015, as PyTorch: moments of R, bias-corrected, x ← x − lr m̂ / (√v̂ + ε).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Optimizer } from '@sprout/spec';
import * as E from 'fp-ts/lib/Either.js';
import { learningRateAt, type Schedule } from '../schedule.js';
import { tensorUpdate } from '../update-rules.js';
import type { StepError } from '../StepError.js';
import { emptyInfo, invalid, readLoss, type MakeStepper } from './stepper.js';

export const scheduleStepper = (optimizer: Optimizer, schedule: Schedule): E.Either<StepError, MakeStepper> => {
  if (!(schedule.lr >= 0 && Number.isFinite(schedule.lr)))
    return invalid(`lr must be a non-negative number, got ${schedule.lr}`);
  return E.right((params, options) => {
    const totalEpochs = options.totalEpochs ?? 1;
    const checkFinite = options.checkFinite ?? true;
    let lastA: number | undefined;
    return {
      step: (grads, ctx, k) => {
        let loss: number | undefined;
        if (typeof ctx.loss === 'number' || checkFinite) {
          loss = readLoss(ctx.loss);
          if (!Number.isFinite(loss))
            return E.left({ _tag: 'non-finite-loss', where: 'current', value: loss, step: k });
        }
        const upd = params.updateMetrics(ctx);
        if (E.isLeft(upd)) return upd;
        const rs = params.riesz(grads);
        if (E.isLeft(rs)) return rs;
        const lr = learningRateAt(schedule, ctx.epoch ?? 0, totalEpochs);
        params.list.forEach((p, i) => {
          const v = p.g.variable;
          if (optimizer._tag === 'adam') p.t += 1;
          const next = tf.tidy(() => tensorUpdate(optimizer, v, rs.right[i]!, [p.m, p.v], p.t, lr));
          v.assign(next.value);
          next.value.dispose();
          if (optimizer._tag !== 'sgd') {
            tf.dispose([p.m, p.v]);
            [p.m, p.v] = next.slots;
          }
        });
        tf.dispose(rs.right);
        lastA = lr;
        return E.right({ ...emptyInfo(k, lr), loss });
      },
      state: () => ({ a: lastA, L: undefined }),
      dispose: () => {},
    };
  });
};
