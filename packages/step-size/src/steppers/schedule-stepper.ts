/**
 * Schedules (constant, step decay, cosine) for SGD, momentum and Adam on the Riesz representative R:
 *   sgd       x ← x − lr R;
 *   momentum  PyTorch SGD momentum (dampening 0): m ← β m + R (m₁ = R), x ← x − lr m;
 *   adam      Kingma & Ba 2015, as PyTorch: moments of R, bias-corrected, x ← x − lr m̂ / (√v̂ + ε).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Optimizer } from '@sprout/spec';
import * as E from 'fp-ts/lib/Either.js';
import { learningRateAt, type Schedule } from '../schedule.js';
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
          const r = rs.right[i]!;
          const v = p.g.variable;
          if (optimizer._tag === 'sgd') {
            tf.tidy(() => v.assign(tf.sub(v, tf.mul(r, lr))));
          } else if (optimizer._tag === 'momentum') {
            const m = p.m === undefined ? tf.clone(r) : tf.tidy(() => tf.add(tf.mul(p.m!, optimizer.beta), r));
            p.m?.dispose();
            p.m = tf.keep(m);
            tf.tidy(() => v.assign(tf.sub(v, tf.mul(m, lr))));
          } else {
            const { beta1, beta2, epsilon } = optimizer;
            const m = tf.tidy(() =>
              p.m === undefined ? tf.mul(r, 1 - beta1) : tf.add(tf.mul(p.m, beta1), tf.mul(r, 1 - beta1)),
            );
            const s = tf.tidy(() =>
              p.v === undefined
                ? tf.mul(tf.square(r), 1 - beta2)
                : tf.add(tf.mul(p.v, beta2), tf.mul(tf.square(r), 1 - beta2)),
            );
            tf.dispose([p.m, p.v]);
            p.m = tf.keep(m);
            p.v = tf.keep(s);
            p.t += 1;
            const c1 = 1 - Math.pow(beta1, p.t);
            const c2 = 1 - Math.pow(beta2, p.t);
            tf.tidy(() =>
              v.assign(tf.sub(v, tf.mul(tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(s, c2)), epsilon)), lr))),
            );
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
