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
import { createNet, disposeNet, forward, parameterCount, type Dataset } from './deps.js';
import { batchLoss, errorCount } from './loss.js';
import { updateRule } from './optimizer.js';
import { learningRate, isScheduled } from './schedule.js';
import { deriveSeed, mulberry32, permutation } from './rng.js';

/** Examples per forward pass when evaluating the test set. */
const EVAL_CHUNK = 1000;

export interface TrainContext {
  readonly id: RunId;
  readonly index: number;
  readonly arm: ArmPlan;
  readonly data: DataTensors;
  readonly stepEvery: number;
  readonly emit: (event: RunEvent) => void;
}

/** The data set as long-lived tensors, created once per data spec and disposed by the caller. */
export interface DataTensors {
  readonly dataset: Dataset;
  readonly xTrain: tf.Tensor;
  readonly yTrain: tf.Tensor1D;
  readonly xTest: tf.Tensor;
  readonly yTest: tf.Tensor1D;
}

export const toTensors = (dataset: Dataset): DataTensors => ({
  dataset,
  xTrain: tf.tensor(dataset.train.x, [dataset.train.n, ...dataset.inputShape], 'float32'),
  yTrain: tf.tensor1d(dataset.train.y, 'int32'),
  xTest: tf.tensor(dataset.test.x, [dataset.test.n, ...dataset.inputShape], 'float32'),
  yTest: tf.tensor1d(dataset.test.y, 'int32'),
});

export const disposeTensors = (d: DataTensors): void => tf.dispose([d.xTrain, d.yTrain, d.xTest, d.yTest]);

export interface TrainOutcome {
  readonly net: Net;
  readonly final: EpochMetrics;
}

/** Loss sum and error count over the test set, on the backend. */
const evaluate = (net: Net, arm: ArmPlan, d: DataTensors): [tf.Scalar, tf.Scalar] => {
  const n = d.dataset.test.n;
  let lossSum: tf.Scalar = tf.scalar(0);
  let errors: tf.Scalar = tf.scalar(0);
  for (let start = 0; start < n; start += EVAL_CHUNK) {
    const size = Math.min(EVAL_CHUNK, n - start);
    const [l, e] = tf.tidy(() => {
      const x = size === n ? d.xTest : tf.slice(d.xTest, start, size);
      const y = size === n ? d.yTest : tf.slice(d.yTest, start, size);
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
  const nTrain = d.dataset.train.n;
  const batchSize = arm.train.batch === 'full' ? nTrain : Math.min(arm.train.batch, nTrain);
  const stepsPerEpoch = Math.ceil(nTrain / batchSize);
  const epochs = arm.train.epochs;
  const net = createNet(arm.network, { seed: id.seed });
  const rule = updateRule(arm.optimizer);
  const shuffleRng = mulberry32(deriveSeed(id.seed, 1));
  const start = performance.now();
  const count = parameterCount(net);
  emit({ _tag: 'run-start', ...id, index: ctx.index, epochs, stepsPerEpoch, parameterCount: count });
  let last: EpochMetrics | undefined;
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      const lr = learningRate(step, epoch, epochs);
      const order =
        arm.train.shuffle && stepsPerEpoch > 1 ? tf.tensor1d(permutation(nTrain, shuffleRng), 'int32') : undefined;
      let lossSum: tf.Scalar = tf.scalar(0);
      let firstBad: tf.Scalar = tf.scalar(-1);
      for (let s = 0; s < stepsPerEpoch; s++) {
        const from = s * batchSize;
        const size = Math.min(batchSize, nTrain - from);
        const stepSeed = deriveSeed(id.seed, 2, epoch, s);
        const [nextSum, nextBad, lossValue] = tf.tidy(() => {
          let x: tf.Tensor = d.xTrain;
          let y: tf.Tensor1D = d.yTrain;
          if (order !== undefined) {
            const idx = tf.slice(order, from, size);
            x = tf.gather(d.xTrain, idx);
            y = tf.gather(d.yTrain, idx);
          } else if (size !== nTrain) {
            x = tf.slice(d.xTrain, from, size);
            y = tf.slice(d.yTrain, from, size);
          }
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
      order?.dispose();
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
        testLoss: values[2]! / d.dataset.test.n,
        testError: values[3]! / d.dataset.test.n,
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
