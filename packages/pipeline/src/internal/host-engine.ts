/**
 * The host engine of one training run (`RunOptions.engine` 'auto'): @sprout/model's host net of the run's
 * current net, stepping by plain SGD on the data set's host arrays, with no TensorFlow.js kernel per step.
 * While it steps, the host values are ahead of the net's variables; `sync` writes them back, and the
 * training loop calls it before anything reads the variables (a checkpoint, the sensitivity pass, the end
 * of the run). After an insertion the host net is rebuilt from the grown net.
 */
import type { Loss } from '@sprout/spec';
import { hostEvaluate, hostLossAndGradients, hostNetPays, hostSgdUpdate, toHostNet, writeHostNet, type HostNet, type Net } from '@sprout/model';
import type { DatasetTensors } from './deps.js';

/** Examples per forward pass when evaluating the test set. */
const EVAL_CHUNK = 1000;

export interface HostEngine {
  /** Whether the current net steps on the host (after `prepare`). */
  readonly active: () => boolean;
  /** Build the host net of `net` if there is none and it is allowed and pays (`hostNetPays`). */
  readonly prepare: (net: Net) => void;
  /**
   * The batch loss on the training examples at `indices` and, when it is finite, one SGD step
   * θ ← θ − lr ∇J with it. Only while `active()`.
   */
  readonly step: (indices: Int32Array, lr: number) => number;
  /** Summed loss and error count on the test set. Only while `active()`. */
  readonly evaluate: () => { readonly lossSum: number; readonly errors: number };
  /** Write the host values into `net`'s variables if they are ahead of them. */
  readonly sync: (net: Net) => void;
  /** Drop the host net (the net was replaced by a grown one). */
  readonly invalidate: () => void;
}

/** The host engine of a run; `allowed` says whether the run's optimizer and data allow one at all. */
export function hostEngine(options: { readonly allowed: boolean; readonly loss: Loss; readonly data: DatasetTensors }): HostEngine {
  const { allowed, loss, data } = options;
  const host = data.host;
  let h: HostNet | undefined;
  let ahead = false;
  let batchX = new Float32Array(0);
  let batchY = new Int32Array(0);

  /** The examples at `indices`: the stored arrays for all of them in stored order, else a gathered copy. */
  const examples = (indices: Int32Array, width: number): { xs: Float32Array; ys: Int32Array } => {
    const size = indices.length;
    if (size === data.trainCount && indices.every((v, i) => v === i)) return { xs: host!.trainX, ys: host!.trainY };
    if (batchX.length < size * width) batchX = new Float32Array(size * width);
    if (batchY.length < size) batchY = new Int32Array(size);
    const xs = batchX.subarray(0, size * width);
    const ys = batchY.subarray(0, size);
    // Row copies by index (a loop: subarray + set allocates an object per row).
    const src = host!.trainX;
    for (let r = 0; r < size; r++) {
      const i = indices[r]!;
      const from = i * width;
      const to = r * width;
      for (let k = 0; k < width; k++) xs[to + k] = src[from + k]!;
      ys[r] = host!.trainY[i]!;
    }
    return { xs, ys };
  };

  return {
    active: () => h !== undefined,
    prepare: (net) => {
      if (h !== undefined || !allowed || host === undefined) return;
      const made = toHostNet(net, { loss });
      h = made !== undefined && hostNetPays(made) ? made : undefined;
    },
    step: (indices, lr) => {
      const { xs, ys } = examples(indices, h!.inputSize);
      const value = hostLossAndGradients(h!, xs, ys, indices.length);
      if (Number.isFinite(value)) {
        hostSgdUpdate(h!, lr);
        ahead = true;
      }
      return value;
    },
    evaluate: () => hostEvaluate(h!, host!.testX, host!.testY, data.testCount, EVAL_CHUNK),
    sync: (net) => {
      if (h !== undefined && ahead) writeHostNet(h, net);
      ahead = false;
    },
    invalidate: () => {
      h = undefined;
      ahead = false;
    },
  };
}
