/**
 * The host engine of one training run (`RunOptions.engine` 'auto'): @sprout/model's host net of the run's
 * current net, stepping on the data set's host arrays with no TensorFlow.js kernel per step, by the
 * update rules of optimizer.ts (same formulas, in host arrays):
 *  - SGD:       θ ← θ − α g
 *  - momentum:  v ← β v + g;  θ ← θ − α v
 *  - Adam:      m ← β₁ m + (1 − β₁) g;  v ← β₂ v + (1 − β₂) g²;  θ ← θ − α m̂ / (√v̂ + ε),
 *               m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ), t per parameter (Kingma & Ba, arXiv 1412.6980, Alg. 1)
 * While it steps, the host values (parameters and optimizer slots) are ahead of the net's variables and
 * the update rule's state; `sync` writes both back, and the training loop calls it before anything reads
 * them (a checkpoint, the sensitivity pass and growth's state transfer, the end of the run). `prepare`
 * reads them again after an insertion.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Loss, Optimizer } from '@sprout/spec';
import {
  hostEvaluate,
  hostLossAndGradients,
  hostNetPays,
  hostSgdUpdate,
  toHostNet,
  writeHostNet,
  type HostNet,
  type Net,
} from '@sprout/model';
import { gatherRows, isIdentity } from '@sprout/data';
import type { DatasetTensors } from './deps.js';
import type { UpdateRule } from './optimizer.js';

export interface HostEngine {
  /** Whether the current net steps on the host (after `prepare`). */
  readonly active: () => boolean;
  /** The host net while active (for @sprout/sensitivity's host pass, after `sync`). */
  readonly hostNet: () => HostNet | undefined;
  /**
   * Build the host net of `net` if there is none and it is allowed and pays (`hostNetPays`). The decision
   * holds until `invalidate`: a net that does not pay is not copied to the host again at the next epoch.
   */
  readonly prepare: (net: Net) => void;
  /**
   * The batch loss on the training examples at `indices` and, when it is finite, one step of the run's
   * optimizer with it (SGD, momentum or Adam: the module comment's rules) at step size `lr`. Only while
   * `active()`.
   */
  readonly step: (indices: Int32Array, lr: number) => number;
  /** Summed loss and error count on the test set. Only while `active()`. */
  readonly evaluate: () => { readonly lossSum: number; readonly errors: number };
  /** Write the host values into `net`'s variables if they are ahead of them. */
  readonly sync: (net: Net) => void;
  /** Drop the host net and the `prepare` decision (the net was replaced by a grown one). */
  readonly invalidate: () => void;
}

/** A parameter's optimizer slots on the host (momentum: `velocity`; Adam: `m`, `v` and its step count). */
interface HostSlots {
  readonly slots: Float32Array[];
  t: number;
}

/**
 * The host engine of a run; `allowed` says whether the run's optimizer and data allow one at all, `rule`
 * is the run's update rule (its state is the slots' home outside the host).
 */
export function hostEngine(options: {
  readonly allowed: boolean;
  readonly loss: Loss;
  readonly data: DatasetTensors;
  readonly optimizer: Optimizer;
  readonly rule: UpdateRule | undefined;
}): HostEngine {
  const { allowed, loss, data, optimizer, rule } = options;
  const host = data.host;
  let h: HostNet | undefined;
  /** `prepare` found that the current net cannot or should not step on the host (until `invalidate`). */
  let declined = false;
  let state = new Map<string, HostSlots>();
  let ahead = false;
  let batchX = new Float32Array(0);
  let batchY = new Int32Array(0);

  /** The examples at `indices`: the stored arrays for all of them in stored order, else a gathered copy. */
  const examples = (indices: Int32Array, width: number): { xs: Float32Array; ys: Int32Array } => {
    const size = indices.length;
    if (isIdentity(indices, data.trainCount)) return { xs: host!.trainX, ys: host!.trainY };
    if (batchX.length < size * width) batchX = new Float32Array(size * width);
    if (batchY.length < size) batchY = new Int32Array(size);
    const xs = batchX.subarray(0, size * width);
    const ys = batchY.subarray(0, size);
    gatherRows(host!.trainX, host!.trainY, width, indices, xs, ys);
    return { xs, ys };
  };

  return {
    active: () => h !== undefined,
    hostNet: () => h,
    prepare: (net) => {
      if (h !== undefined || declined || !allowed || host === undefined || rule === undefined) return;
      // Whether it pays is known only from the host net (hostNetPays reads its layers and the addon), so
      // the parameters are copied once to decide; a net that does not pay is remembered, not copied again.
      const made = toHostNet(net, { loss });
      h = made !== undefined && hostNetPays(made) ? made : undefined;
      if (h === undefined) {
        declined = true;
        return;
      }
      // The update rule's slots (restored from a checkpoint, or moved across an insertion), zeros where none.
      state = new Map();
      for (const [name, theta] of h.params) {
        const saved = rule.state.get(name);
        state.set(name, {
          t: saved?.t ?? 0,
          slots: rule.slotNames.map((_, i) =>
            saved === undefined
              ? new Float32Array(theta.length)
              : Float32Array.from(saved.slots[i]!.dataSync() as Float32Array),
          ),
        });
      }
    },
    step: (indices, lr) => {
      const { xs, ys } = examples(indices, h!.inputSize);
      const value = hostLossAndGradients(h!, xs, ys, indices.length);
      if (Number.isFinite(value)) {
        update(h!, state, optimizer, lr);
        ahead = true;
      }
      return value;
    },
    evaluate: () => hostEvaluate(h!, host!.testX, host!.testY, data.testCount),
    sync: (net) => {
      if (h !== undefined && ahead) {
        writeHostNet(h, net);
        if (rule !== undefined && rule.slotNames.length > 0) {
          const moved = new Map<string, Record<string, tf.Tensor>>();
          const shapes = new Map(net.params.map((p) => [p.name, p.variable.shape]));
          for (const [name, s] of state) {
            const shape = shapes.get(name)!;
            const slots: Record<string, tf.Tensor> = {};
            rule.slotNames.forEach((slot, i) => (slots[slot] = tf.tensor(s.slots[i]!, shape, 'float32')));
            if (optimizer._tag === 'adam') slots['t'] = tf.scalar(s.t);
            moved.set(name, slots);
          }
          rule.importState(moved);
        }
      }
      ahead = false;
    },
    invalidate: () => {
      h = undefined;
      declined = false;
      ahead = false;
    },
  };
}

/** One update of every parameter with its gradient in `h.grads` (the module comment's rules). */
function update(h: HostNet, state: ReadonlyMap<string, HostSlots>, optimizer: Optimizer, lr: number): void {
  if (optimizer._tag === 'sgd') {
    hostSgdUpdate(h, lr);
    return;
  }
  for (const [name, theta] of h.params) {
    const g = h.grads.get(name)!;
    const n = theta.length;
    switch (optimizer._tag) {
      case 'momentum': {
        const v = state.get(name)!.slots[0]!;
        const beta = optimizer.beta;
        for (let i = 0; i < n; i++) {
          v[i] = beta * v[i]! + g[i]!;
          theta[i] = theta[i]! - lr * v[i]!;
        }
        break;
      }
      case 'adam': {
        const s = state.get(name)!;
        const [m, v] = s.slots as [Float32Array, Float32Array];
        s.t += 1;
        const { beta1, beta2, epsilon } = optimizer;
        const c1 = 1 - Math.pow(beta1, s.t);
        const c2 = 1 - Math.pow(beta2, s.t);
        for (let i = 0; i < n; i++) {
          const gi = g[i]!;
          m[i] = beta1 * m[i]! + (1 - beta1) * gi;
          v[i] = beta2 * v[i]! + (1 - beta2) * gi * gi;
          theta[i] = theta[i]! - (lr * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + epsilon);
        }
        break;
      }
    }
  }
}
