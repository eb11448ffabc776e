/**
 * DoG and Prodigy (dog.ts, prodigy.ts): the step size from distances to the parameters at the start x₀ and
 * gradient norms in the layers' inner products; one download of [‖R‖², ‖x − x₀‖², ⟨G, x₀ − x⟩, ‖x₀‖²]. A
 * rebuilt optimizer (e.g. after an insertion) starts a new phase from the current parameters.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { dogStep, initialDogState, type DogState, type DogStep } from '../dog.js';
import { initialProdigyState, prodigyStep, type ProdigyState, type ProdigyStep } from '../prodigy.js';
import type { StepInfo } from '../PreconditionedOptimizer.js';
import type { StepError } from '../StepError.js';
import type { Params } from './parameters.js';
import { emptyInfo, invalid, readLoss, type MakeStepper, type Stepper } from './stepper.js';

/**
 * The step shared by DoG and Prodigy: `eta` turns the four distances into the step size (and advances the
 * controller's own state); x ← x − η R.
 */
const distanceStepper = (
  params: Params,
  eta: (scalars: { g2: number; dist2: number; slope: number; x0Norm2: number }) => number,
): Stepper => {
  const { list } = params;
  const x0: tf.Tensor[] = list.map((p) => tf.keep(tf.clone(p.g.variable)));
  let lastA: number | undefined;
  return {
    step: (grads, ctx, k) => {
      const f = readLoss(ctx.loss);
      if (!Number.isFinite(f)) return E.left({ _tag: 'non-finite-loss', where: 'current', value: f, step: k });
      const upd = params.updateMetrics(ctx);
      if (E.isLeft(upd)) return upd;
      const rs = params.riesz(grads);
      if (E.isLeft(rs)) return rs;
      const R = rs.right;
      try {
        const scalars = tf.tidy(() => {
          const diffs = list.map((p, i) => tf.sub(p.g.variable, x0[i]!));
          return tf.stack([
            params.dualNorm2Sum(grads, R),
            tf.addN(list.map((p, i) => params.spaceOf(p).norm2(diffs[i]!))),
            tf.neg(tf.addN(list.map((p, i) => params.spaceOf(p).pairing(grads[p.g.name]!, diffs[i]!)))),
            tf.addN(list.map((p, i) => params.spaceOf(p).norm2(x0[i]!))),
          ]);
        });
        const [g2, dist2, slope, x0Norm2] = Array.from(scalars.dataSync());
        scalars.dispose();
        if (!Number.isFinite(g2!)) return E.left({ _tag: 'non-finite-gradient', step: k });
        const size = eta({ g2: g2!, dist2: dist2!, slope: slope!, x0Norm2: x0Norm2! });
        list.forEach((p, i) => tf.tidy(() => p.g.variable.assign(tf.sub(p.g.variable, tf.mul(R[i]!, size)))));
        const info: StepInfo = { ...emptyInfo(k, size), loss: f, d2: g2 };
        lastA = size;
        return E.right(info);
      } finally {
        tf.dispose(R);
      }
    },
    state: () => ({ a: lastA, L: undefined }),
    dispose: () => {
      tf.dispose(x0);
      x0.length = 0;
    },
  };
};

/** DoG (Ivgi, Hinder & Carmon 2023): η = max distance from x₀ so far / √(Σ ‖g‖²). */
export const dogStepper = (spec: DogStep): E.Either<StepError, MakeStepper> => {
  if (!(spec.rEps > 0 && Number.isFinite(spec.rEps)))
    return invalid(`DoG rEps must be a positive number, got ${spec.rEps}`);
  return E.right((params) => {
    let dog: DogState | undefined;
    return distanceStepper(params, ({ g2, dist2, x0Norm2 }) => {
      const r = dogStep(dog ?? initialDogState(spec, Math.sqrt(Math.max(x0Norm2, 0))), dist2, g2);
      dog = r.state;
      return r.eta;
    });
  });
};

/** Prodigy (Mishchenko & Defazio 2023): the distance estimate d grows from d₀ by the slope ⟨G, x₀ − x⟩. */
export const prodigyStepper = (spec: ProdigyStep): E.Either<StepError, MakeStepper> => {
  if (!(spec.d0 > 0 && Number.isFinite(spec.d0)))
    return invalid(`Prodigy d0 must be a positive number, got ${spec.d0}`);
  return E.right((params) => {
    let prodigy: ProdigyState = initialProdigyState(spec);
    return distanceStepper(params, ({ g2, dist2, slope }) => {
      const r = prodigyStep(prodigy, dist2, slope, g2);
      prodigy = r.state;
      return r.eta;
    });
  });
};
