// Schedules (learningRateAt) and Armijo backtracking: values of the schedules, and the sufficient
// decrease f(x + a d) ≤ f(x) − c a ‖d‖² on every accepted step.
import * as tf from '@tensorflow/tfjs';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { armijoAccepts, createPreconditionedOptimizer, learningRateAt } from '../src/index.js';
import { logistic, right, rosenbrock, runFullBatch, runLogistic, sgd, WIDTH } from './problems.js';

describe('learningRateAt', () => {
  it('constant, step (lr·factor^⌊e/every⌋) and cosine (minLr + (lr − minLr)(1 + cos(πe/T))/2)', () => {
    expect(learningRateAt({ _tag: 'constant', lr: 0.3 }, 17, 20)).toBe(0.3);
    const step = { _tag: 'step', lr: 1, factor: 0.1, every: 10 } as const;
    expect([0, 9, 10, 25].map((e) => learningRateAt(step, e, 30))).toEqual([1, 1, 0.1, 0.1 * 0.1]);
    const cos = { _tag: 'cosine', lr: 1, minLr: 0.1 } as const;
    expect(learningRateAt(cos, 0, 10)).toBe(1);
    expect(learningRateAt(cos, 5, 10)).toBeCloseTo(0.55, 12);
    expect(learningRateAt(cos, 10, 10)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(cos, 12, 10)).toBeCloseTo(0.1, 12);
  });
});

describe('Armijo', () => {
  it('armijoAccepts is the sufficient-decrease condition and rejects non-finite trials', () => {
    expect(armijoAccepts(0.5, 1, 0.5, 1, 1)).toBe(true);
    expect(armijoAccepts(0.5, 1, 0.51, 1, 1)).toBe(false);
    expect(armijoAccepts(0.5, 1, Number.NaN, 1, 1)).toBe(false);
  });

  it('every accepted step satisfies f(x⁺) ≤ f(x) − c a ‖d‖² (Rosenbrock, logistic regression in the width metric)', () => {
    const c = 0.3;
    const p = rosenbrock();
    const r1 = runFullBatch(
      p.groups,
      p.f,
      sgd({ _tag: 'armijo', initial: 1, shrink: 0.5, c, maxBacktracks: 30, onLineSearchFailure: 'skip' }),
      200,
    );
    p.x.dispose();
    const q = logistic(5);
    const r2 = runLogistic(
      q,
      sgd({ _tag: 'armijo', initial: 100, shrink: 0.5, c, maxBacktracks: 30, onLineSearchFailure: 'skip' }, WIDTH),
      60,
    );
    q.dispose();
    for (const r of [r1, r2]) {
      expect(r.errors).toEqual([]);
      const accepted = r.infos.filter((i) => i.accepted);
      expect(accepted.length).toBeGreaterThan(0.9 * r.infos.length);
      for (const i of accepted) expect(i.trialLoss!).toBeLessThanOrEqual(i.loss! - c * i.a * i.d2!);
      expect(r.infos.some((i) => (i.backtracks ?? 0) > 0)).toBe(true);
    }
  });

  it('no sufficient decrease within maxBacktracks: skip (restore, accepted false) or error', () => {
    const p = rosenbrock();
    const before = Array.from(p.x.dataSync());
    for (const mode of ['skip', 'error'] as const) {
      const opt = right(
        createPreconditionedOptimizer(
          p.groups,
          sgd({ _tag: 'armijo', initial: 1, shrink: 0.5, c: 1e-4, maxBacktracks: 30, onLineSearchFailure: 'skip' }),
          {
            maxBacktracks: 3,
            onLineSearchFailure: mode,
          },
        ),
      );
      const { value, grads } = tf.variableGrads(p.f, [p.x]);
      const r = opt.step(grads, { loss: value, lossAt: () => 1e9 });
      if (mode === 'skip') expect(E.isRight(r) && r.right).toMatchObject({ accepted: false, backtracks: 3 });
      else expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'line-search-failed', tries: 4 });
      expect(Array.from(p.x.dataSync())).toEqual(before);
      tf.dispose([value, ...Object.values(grads)]);
      opt.dispose();
    }
    p.x.dispose();
  });
});
