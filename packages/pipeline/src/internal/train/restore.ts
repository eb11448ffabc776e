/**
 * Where a run starts: the seeded initialisation of the arm's network, a warm start's weights, or the net
 * and counters of a checkpoint.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import type { Net, WeightSnapshot } from '@sprout/model';
import type { StepInfo } from '@sprout/step-size';
import type { RunError, RunId } from '../../Pipeline.js';
import type { ArmPlan } from '../plan.js';
import { orNaN, type CheckpointManifest, type StoredTensor } from '../checkpoint.js';
import { createNet, createNetFromLayers, disposeNet, setWeights } from '../deps.js';

/** A checkpoint to continue from: its manifest and its tensors by name. */
export interface Resume {
  readonly manifest: CheckpointManifest;
  readonly tensors: ReadonlyMap<string, StoredTensor>;
}

/** The step size of the last step and, with a step-size controller, what it did (for the metrics). */
export interface StepTrace {
  readonly lastStep: number;
  readonly lastInfo:
    (Pick<StepInfo, 'a'> & { readonly L?: number | undefined; readonly rho?: number | undefined }) | undefined;
}

/**
 * The net a run starts from: the arm's network initialised from the run's seed, with a warm start's weights
 * (`initialWeights`) when given, or the checkpoint's architecture (grown layers included) and weights.
 * On failure nothing is left allocated.
 */
export const startingNet = (
  id: RunId,
  arm: ArmPlan,
  start: { readonly resume?: Resume | undefined; readonly initialWeights?: readonly WeightSnapshot[] | undefined },
): E.Either<RunError, Net> => {
  const { resume, initialWeights } = start;
  // Inside tf.tidy, so no temporary tensor of the initialisation outlives it (variables are kept).
  let created: Net | undefined;
  tf.tidy(() => {
    created =
      resume === undefined
        ? createNet(arm.network, { seed: id.seed })
        : createNetFromLayers(resume.manifest.input, resume.manifest.layers, { seed: id.seed });
  });
  const net = created!;
  if (resume === undefined && initialWeights !== undefined) {
    const set = setWeights(net, initialWeights);
    if (E.isLeft(set)) {
      disposeNet(net);
      return E.left({
        _tag: 'internal-error',
        message: `the warm start's weights do not fit arm '${id.arm}': ${set.left.message}`,
      });
    }
  }
  if (resume !== undefined) {
    const weights = [
      ...net.params.map((p) => ['param', p] as const),
      ...net.state.map((p) => ['state', p] as const),
    ].map(([kind, p]) => {
      const t = resume.tensors.get(`${kind}:${p.name}`);
      return { name: p.name, shape: t?.shape ?? [], values: t?.values ?? new Float32Array(0) };
    });
    const set = setWeights(net, weights);
    if (E.isLeft(set)) {
      disposeNet(net);
      return E.left({
        _tag: 'internal-error',
        message: `the checkpoint of arm '${id.arm}', seed ${id.seed} does not fit its architecture: ${set.left.message}`,
      });
    }
  }
  return E.right(net);
};

/** The step trace a run starts with: the schedule's first rate (`firstRate`), or the checkpoint's. */
export const startingTrace = (resume: Resume | undefined, firstRate: number): StepTrace => ({
  lastStep: resume !== undefined ? orNaN(resume.manifest.lastStep) : firstRate,
  lastInfo:
    resume?.manifest.lastInfo === null || resume === undefined
      ? undefined
      : {
          a: resume.manifest.lastInfo.a,
          L: orNaN(resume.manifest.lastInfo.L),
          rho: orNaN(resume.manifest.lastInfo.rho),
        },
});
