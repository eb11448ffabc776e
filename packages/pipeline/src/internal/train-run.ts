/**
 * One training run: one arm of the experiment with one seed. Seeded batches, forward pass, loss,
 * gradients over the net's variables (tf.variableGrads), the update rule, and the metrics of every
 * epoch. Nothing is read back from the backend inside the step loop unless step events are asked for:
 * the epoch's loss sum and the index of the first non-finite step stay on the backend and are read once
 * at the epoch's end, with the test metrics.
 */
import * as tf from '@tensorflow/tfjs';
import * as E from 'fp-ts/Either';
import type { Net } from '@sprout/model';
import type { ArmPlan } from './plan.js';
import type { EpochMetrics, RunError, RunEvent, RunId } from '../Pipeline.js';
import { batches, createNet, disposeNet, forward, gatherBatch, parameterCount, type DatasetTensors } from './deps.js';
import { batchLoss, errorCount } from './loss.js';
import { updateRule } from './optimizer.js';
import { learningRate, isScheduled } from './schedule.js';
import { deriveSeed } from './rng.js';

/** Examples per forward pass when evaluating the test set. */
const EVAL_CHUNK = 1000;

export interface TrainContext {
  readonly id: RunId;
  readonly index: number;
  readonly arm: ArmPlan;
  readonly data: DatasetTensors;
  readonly stepEvery: number;
  readonly emit: (event: RunEvent) => void;
}

export interface TrainOutcome {
  readonly net: Net;
  readonly final: EpochMetrics;
}

/** Loss sum and error count over the test set, on the backend. */
const evaluate = (net: Net, arm: ArmPlan, d: DatasetTensors): [tf.Scalar, tf.Scalar] => {
  const n = d.testCount;
  let lossSum: tf.Scalar = tf.scalar(0);
  let errors: tf.Scalar = tf.scalar(0);
  for (let start = 0; start < n; start += EVAL_CHUNK) {
    const size = Math.min(EVAL_CHUNK, n - start);
    const [l, e] = tf.tidy(() => {
      const x = size === n ? d.testX : tf.slice(d.testX, start, size);
      const y = (size === n ? d.testY : tf.slice(d.testY, start, size)) as tf.Tensor1D;
      const out = forward(net, x, { training: false });
      const l = tf.add(lossSum, tf.mul(batchLoss(arm.loss, arm.network.output.activation, out, y), size)) as tf.Scalar;
      const e = tf.add(errors, errorCount(out, y)) as tf.Scalar;
      return [l, e];
    });
    tf.dispose([lossSum, errors]);
    lossSum = l;
    errors = e;
  }
  return [lossSum, errors];
};

/** Train one run. On a non-finite loss, the net is disposed and the error names the epoch and step. */
export const trainRun = async (ctx: TrainContext): Promise<E.Either<RunError, TrainOutcome>> => {
  const { id, arm, data: d, emit } = ctx;
  const step = arm.optimizer.step;
  if (!isScheduled(step)) throw new Error(`trainRun: step size '${step._tag}' reached the loop; compile should have rejected it`);
  const nTrain = d.trainCount;
  const stepsPerEpoch = batches(nTrain, arm.train.batch, id.seed, 0, { shuffle: false }).length;
  const epochs = arm.train.epochs;
  // Inside tf.tidy, so no temporary tensor of the initialisation outlives it (variables are kept).
  let created: Net | undefined;
  tf.tidy(() => {
    created = createNet(arm.network, { seed: id.seed });
  });
  const net = created!;
  const rule = updateRule(arm.optimizer);
  const start = performance.now();
  const count = parameterCount(net);
  emit({ _tag: 'run-start', ...id, index: ctx.index, epochs, stepsPerEpoch, parameterCount: count });
  let last: EpochMetrics | undefined;
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      const lr = learningRate(step, epoch, epochs);
      const order = batches(nTrain, arm.train.batch, id.seed, epoch, { shuffle: arm.train.shuffle });
      let lossSum: tf.Scalar = tf.scalar(0);
      let firstBad: tf.Scalar = tf.scalar(-1);
      for (let s = 0; s < stepsPerEpoch; s++) {
        const indices = order[s]!;
        const size = indices.length;
        const stepSeed = deriveSeed(id.seed, 2, epoch, s);
        const [nextSum, nextBad, lossValue] = tf.tidy(() => {
          const batch = gatherBatch(d, indices);
          const x = batch.x;
          const y = batch.y as tf.Tensor1D;
          const vars = net.params.map((p) => p.variable);
          const { value, grads } = tf.variableGrads(
            () => batchLoss(arm.loss, arm.network.output.activation, forward(net, x, { training: true, seed: stepSeed }), y),
            vars,
          );
          const byName = new Map<string, tf.Tensor>();
          for (const p of net.params) {
            const g = grads[p.variable.name];
            if (g !== undefined) byName.set(p.name, g);
          }
          rule.apply(net.params, byName, lr);
          const bad = tf.logicalAnd(tf.logicalNot(tf.isFinite(value)), tf.less(firstBad, 0));
          return [
            tf.add(lossSum, tf.mul(value, size)) as tf.Scalar,
            tf.where(bad, tf.scalar(s + 1), firstBad) as tf.Scalar,
            tf.keep(value),
          ] as const;
        });
        tf.dispose([lossSum, firstBad]);
        lossSum = nextSum;
        firstBad = nextBad;
        if (ctx.stepEvery > 0 && (epoch * stepsPerEpoch + s + 1) % ctx.stepEvery === 0) {
          emit({ _tag: 'step', ...id, epoch: epoch + 1, step: s + 1, loss: (await lossValue.data())[0]! });
        }
        lossValue.dispose();
      }
      const [testLoss, testErrors] = evaluate(net, arm, d);
      const packed = tf.stack([lossSum, firstBad, testLoss, testErrors]);
      const values = await packed.data();
      tf.dispose([packed, lossSum, firstBad, testLoss, testErrors]);
      const badStep = values[1]!;
      if (badStep >= 0) {
        const message = `the training loss became non-finite in epoch ${epoch + 1}, step ${badStep} (arm '${id.arm}', seed ${id.seed})`;
        disposeNet(net);
        return E.left({ _tag: 'non-finite-loss', ...id, epoch: epoch + 1, step: badStep, message });
      }
      last = {
        epoch: epoch + 1,
        trainLoss: values[0]! / nTrain,
        testLoss: values[2]! / d.testCount,
        testError: values[3]! / d.testCount,
        stepSize: lr,
        parameterCount: count,
        seconds: (performance.now() - start) / 1000,
      };
      emit({ _tag: 'epoch-end', ...id, ...last });
      // Let timers (progress display) and I/O run between epochs.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } finally {
    rule.dispose();
  }
  if (last === undefined) throw new Error('trainRun: a run needs at least one epoch; the spec check should have rejected 0');
  return E.right({ net, final: last });
};
