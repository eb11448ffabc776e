/**
 * The host engine of one training run (`RunOptions.engine` 'auto'): @sprout/model's host net of the run's
 * current net, stepping on the data set's host arrays with no TensorFlow.js kernel per step, by the
 * update rules of @sprout/step-size's update-rules.ts (`hostUpdate`, the same formulas as its `updateRule`):
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
  toHostNet,
  writeHostNet,
  type HostNet,
  type Net,
} from '@sprout/model';
import { gatherRows, isIdentity } from '@sprout/data';
import type { DatasetTensors } from './deps.js';
import {
  hostUpdate,
  type HostController,
  type HostParam,
  type HostSlots,
  type StepInfo,
  type UpdateRule,
} from '@sprout/step-size';
import * as E from 'fp-ts/lib/Either.js';

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
  readonly step: (indices: Int32Array, lr: number, epoch: number) => number;
  /** With a step-size controller: what its last step did (undefined before the first). */
  readonly lastInfo: () => StepInfo | undefined;
  /** Summed loss and error count on the test set. Only while `active()`. */
  readonly evaluate: () => { readonly lossSum: number; readonly errors: number };
  /** Summed loss and error count on the validation set (zeros without one). Only while `active()`. */
  readonly evaluateValidation: () => { readonly lossSum: number; readonly errors: number };
  /** Write the host values into `net`'s variables if they are ahead of them. */
  readonly sync: (net: Net) => void;
  /** Drop the host net and the `prepare` decision (the net was replaced by a grown one). */
  readonly invalidate: () => void;
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
  /**
   * A step-size controller on host arrays (@sprout/step-size's `hostControllerFor`: adaptive, DoG, Prodigy,
   * or a schedule in a scaled-identity metric), used instead of `rule`; a getter, as growth rebuilds it.
   */
  readonly controller?: () => HostController | undefined;
}): HostEngine {
  const { allowed, loss, data, optimizer, rule, controller } = options;
  let info: StepInfo | undefined;
  let params: HostParam[] = [];
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
      if (
        h !== undefined ||
        declined ||
        !allowed ||
        host === undefined ||
        (rule === undefined && controller === undefined)
      )
        return;
      // Whether it pays is known only from the host net (hostNetPays reads its layers and the addon), so
      // the parameters are copied once to decide; a net that does not pay is remembered, not copied again.
      const made = toHostNet(net, { loss });
      h = made !== undefined && hostNetPays(made) ? made : undefined;
      if (h === undefined) {
        declined = true;
        return;
      }
      params = hostParams(h);
      if (rule === undefined) return;
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
    step: (indices, lr, epoch) => {
      const { xs, ys } = examples(indices, h!.inputSize);
      const size = indices.length;
      const value = hostLossAndGradients(h!, xs, ys, size);
      if (!Number.isFinite(value)) return value;
      const ctl = controller?.();
      if (ctl === undefined) {
        hostUpdate(h!.params, h!.grads, state, optimizer, lr, h!.addon);
        ahead = true;
        return value;
      }
      // The controller's extra forward pass: f_B at the values it set, same batch.
      const lossAt = (): number => hostEvaluate(h!, xs, ys, size, size).lossSum / size;
      const r = ctl.step(params, value, lossAt, epoch);
      ahead = true;
      if (E.isLeft(r)) return Number.NaN; // a non-finite trial loss or gradient: the run stops there
      info = r.right;
      return value;
    },
    lastInfo: () => info,
    evaluate: () => hostEvaluate(h!, host!.testX, host!.testY, data.testCount),
    evaluateValidation: () =>
      host?.validX === undefined || host.validY === undefined || data.validation === undefined
        ? { lossSum: 0, errors: 0 }
        : hostEvaluate(h!, host.validX, host.validY, data.validation.count),
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

/** The host net's dense kernels and biases as the controller's parameters (their live arrays). */
function hostParams(h: HostNet): HostParam[] {
  const out: HostParam[] = [];
  const walk = (layers: HostNet['layers']): void => {
    for (const l of layers) {
      if (l._tag === 'residual') {
        walk(l.body);
        continue;
      }
      out.push({
        name: l.kernelName,
        kind: 'kernel',
        n: l.inputs,
        m: l.units,
        values: l.kernel,
        grad: h.grads.get(l.kernelName)!,
      });
      if (l.bias !== undefined && l.biasName !== undefined)
        out.push({ name: l.biasName, kind: 'bias', n: 1, m: l.units, values: l.bias, grad: h.grads.get(l.biasName)! });
    }
  };
  walk(h.layers);
  return out;
}
