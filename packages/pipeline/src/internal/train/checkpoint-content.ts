/** What a run's checkpoint holds at a point of its training (checkpoint.ts writes it to disk). */
import * as tf from '@tensorflow/tfjs-core';
import type { Net } from '@sprout/model';
import type { EpochMetrics, RunId } from '../../Pipeline.js';
import { finiteOrNull, type CheckpointContent, type StoredTensor } from '../checkpoint.js';
import type { StepTrace } from './restore.js';
import { updaterCheckpoint, type Updater } from './updater.js';

/** Where the run stands: after `epoch` epochs and `step` steps of the next one (with their batch losses). */
interface RunPosition {
  readonly epoch: number;
  readonly step: number;
  readonly partialLosses: readonly number[];
  readonly partialSizes: readonly number[];
  /** Wall time of the run so far. */
  readonly seconds: number;
}

/** The growth and metrics of the run so far. */
interface RunSoFar {
  readonly net: Net;
  readonly lrScale: number;
  readonly insertions: number;
  readonly trace: StepTrace;
  readonly history: readonly EpochMetrics[];
}

/**
 * The checkpoint of a run: counters, architecture, optimizer scalars and metrics, and the tensors (the
 * parameters `param:<name>`, batch-norm state `state:<name>`, optimizer slots `opt:<name>:<slot>`). The
 * net's variables must be current (the host engine synced). `onHost`: the run steps on the host engine.
 */
export const checkpointContent = (
  id: RunId,
  at: RunPosition,
  run: RunSoFar,
  updater: Updater,
  onHost: boolean,
): { readonly content: CheckpointContent; readonly tensors: readonly StoredTensor[] } => {
  const { net, trace } = run;
  const tensors: StoredTensor[] = [];
  const store = (name: string, t: tf.Tensor): string => {
    tensors.push({ name, shape: [...t.shape], values: Float32Array.from(t.dataSync() as Float32Array) });
    return name;
  };
  for (const p of net.params) store(`param:${p.name}`, p.variable);
  for (const p of net.state) store(`state:${p.name}`, p.variable);
  const { rule, pre } = updaterCheckpoint(updater, onHost, store);
  const content: CheckpointContent = {
    arm: id.arm,
    repeat: id.repeat,
    seed: id.seed,
    epoch: at.epoch,
    step: at.step,
    partialLosses: at.partialLosses.map(finiteOrNull),
    partialSizes: [...at.partialSizes],
    seconds: at.seconds,
    input: net.input,
    layers: net.layers,
    lrScale: run.lrScale,
    insertions: run.insertions,
    lastStep: finiteOrNull(trace.lastStep),
    lastInfo:
      trace.lastInfo === undefined
        ? null
        : { a: trace.lastInfo.a, L: finiteOrNull(trace.lastInfo.L), rho: finiteOrNull(trace.lastInfo.rho) },
    rule,
    pre,
    metrics: run.history,
  };
  return { content, tensors };
};
