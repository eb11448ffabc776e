// Cost of a sensitivity pass relative to one training epoch, on the same net, same backend, in one process.
// Spirals (ALGORITHMS.md §3: 2 × 300 points, 75 % for training = 450), FNN [5] ReLU, cross-entropy, SGD.
// Run: node --conditions=sprout-source --import tsx packages/sensitivity/test/bench/cost.ts [cpu|wasm] [batch]
import * as tf from '@tensorflow/tfjs';
import * as E from 'fp-ts/lib/Either.js';
import { createNetFromLayers, forward } from '@sprout/model';
import { computeSensitivities, lossFunction } from '../../src/index.js';
import { TRAIN, spiralsTrainingSet } from '../spirals-fixture.js';

const backend = process.argv[2] ?? 'cpu';
const batch = process.argv[3] === undefined ? 450 : Number(process.argv[3]);
if (backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
await tf.setBackend(backend);
await tf.ready();

const { x: xData, y: yData } = spiralsTrainingSet();
const train = TRAIN;
const x = tf.tensor2d(xData, [train, 2]);
const y = tf.tensor1d(yData, 'int32');

const net = createNetFromLayers(
  [2],
  [
    { _tag: 'dense', units: 5, activation: 'relu', bias: true },
    { _tag: 'dense', units: 2, activation: 'linear', bias: true },
  ],
  { seed: 1 },
);
const J = lossFunction('cross_entropy');
const vars = net.params.map((p) => p.variable);
const opt = tf.train.sgd(0.2);

/** One epoch of SGD in batches of `batch` (in order; the sensitivity pass batches the same way). */
const steps = (): void => {
  for (let s = 0; s < train; s += batch) {
    tf.tidy(() => {
      const e = Math.min(train, s + batch);
      const xb = batch >= train ? x : tf.slice(x, s, e - s);
      const yb = batch >= train ? y : tf.slice(y, s, e - s);
      opt.minimize(() => J(forward(net, xb), yb), false, vars);
    });
  }
};
/** The same epoch, then the epoch's loss read back once, as a training loop that logs it does. */
const epoch = (): void => {
  steps();
  tf.tidy(() => J(forward(net, x), y).dataSync());
};
const pass = (): void => {
  const r = computeSensitivities(net, { x, y }, { batchSize: batch });
  if (E.isLeft(r)) throw new Error(r.left.message);
};

const time = (f: () => void, reps: number): number[] => {
  const out: number[] = [];
  for (let k = 0; k < reps; k++) {
    const t0 = performance.now();
    f();
    out.push(performance.now() - t0);
  }
  return out;
};
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

time(epoch, 30);
time(pass, 30);
const reps = 200;
const te: number[] = [];
const ts: number[] = [];
const tp: number[] = [];
for (let k = 0; k < 5; k++) {
  te.push(...time(epoch, reps / 5));
  ts.push(...time(steps, reps / 5));
  tp.push(...time(pass, reps / 5));
}
console.log(
  JSON.stringify({
    backend: tf.getBackend(),
    batch,
    reps,
    epochMs: +median(te).toFixed(3),
    epochWithoutLossReadMs: +median(ts).toFixed(3),
    sensitivityPassMs: +median(tp).toFixed(3),
    ratio: +(median(tp) / median(te)).toFixed(3),
    ratioWithoutLossRead: +(median(tp) / median(ts)).toFixed(3),
  }),
);
