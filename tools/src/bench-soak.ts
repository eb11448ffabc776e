// Soak benchmark: trains 10,000 steps through the pipeline — the spirals FNN [5] ReLU with
// batch 45 on 450 training points (300 points per spiral, split 0.75) = 10 steps per epoch × 1000 epochs, SGD
// lr 0.01, one SensLI insertion after epoch 20, a checkpoint written every epoch — on wasm (default), and
// reports tf.memory().numTensors and the process's resident set size (RSS) after the warm-up (epoch 100,
// after the insertion) and at the end (epoch 1000), each after a full GC. Neither may grow: the tensor
// count at the end may not exceed the warm-up's, and the RSS may exceed it by at most RSS_TOLERANCE
// (allocator noise).
//
//   npm run soak -w @sprout/tools [-- --epochs 1000 --backend wasm]
//
// Exits 1 when either grows.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as E from 'fp-ts/lib/Either.js';
import { compile } from '@sprout/pipeline';
import { atEpochs, dense, experiment, network, sensli, sgd, constant, spirals } from '@sprout/spec';
import { arg } from './bench-lib.js';

const epochs = Number(arg('--epochs', '1000'));
const backend = arg('--backend', 'wasm') as 'wasm' | 'cpu' | 'node';
const WARMUP_EPOCH = Math.min(100, Math.floor(epochs / 10));
/** RSS growth allowed between the warm-up and the end: 8 MiB plus 5 % of the warm-up RSS. */
const RSS_TOLERANCE = (start: number): number => 8 * 1024 * 1024 + 0.05 * start;

const gc = (globalThis as { gc?: () => void }).gc;
const sample = () => {
  gc?.();
  return {
    numTensors: tf.memory().numTensors,
    numBytes: tf.memory().numBytes,
    rss: process.memoryUsage().rss,
    heapUsed: process.memoryUsage().heapUsed,
  };
};
const mib = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;

const spec = experiment('soak', {
  seed: 1,
  data: spirals({ points: 300 }),
  network: network(2, [dense(5, 'relu')], 2),
  optimizer: sgd({ step: constant(0.01) }),
  train: { epochs, batch: 45, shuffle: true },
  growth: sensli({ schedule: atEpochs(20) }),
});
const pipeline = compile(spec);
if (E.isLeft(pipeline)) throw new Error(JSON.stringify(pipeline.left));
const dir = mkdtempSync(join(tmpdir(), 'sprout-soak-'));
const out = join(dir, 'run');
let start: ReturnType<typeof sample> | undefined;
let end: ReturnType<typeof sample> | undefined;
let steps = 0;
let stepsPerEpoch = 0;
const t0 = performance.now();
const result = await pipeline.right.run({
  out,
  backend,
  saveModel: false,
  onEvent: (e) => {
    if (e._tag === 'run-start') stepsPerEpoch = e.stepsPerEpoch;
    if (e._tag === 'epoch-end') {
      steps += stepsPerEpoch;
      if (e.epoch === WARMUP_EPOCH) start = sample();
      if (e.epoch === epochs) end = sample();
    }
  },
})();
const seconds = (performance.now() - t0) / 1000;
if (E.isLeft(result)) throw new Error(result.left.message);
const ckpt = statSync(join(out, 'checkpoints', 'base', 'seed-1.ckpt')).size;
rmSync(dir, { recursive: true, force: true });
if (start === undefined || end === undefined) throw new Error('no samples');
const tol = RSS_TOLERANCE(start.rss);
const tensorsOk = end.numTensors <= start.numTensors;
const rssOk = end.rss - start.rss <= tol;
console.log(
  `soak: ${steps} steps (${epochs} epochs × ${stepsPerEpoch}) on ${tf.getBackend()} in ${seconds.toFixed(1)} s, a checkpoint per epoch (${ckpt} bytes)${gc === undefined ? ' [no --expose-gc: samples without a full GC]' : ''}`,
);
console.log(
  `  epoch ${WARMUP_EPOCH}: numTensors ${start.numTensors}, tensor bytes ${start.numBytes}, RSS ${mib(start.rss)}, heap ${mib(start.heapUsed)}`,
);
console.log(
  `  epoch ${epochs}: numTensors ${end.numTensors}, tensor bytes ${end.numBytes}, RSS ${mib(end.rss)}, heap ${mib(end.heapUsed)}`,
);
console.log(
  `  tensors ${tensorsOk ? 'OK' : 'GREW'} (${end.numTensors - start.numTensors}); RSS ${rssOk ? 'OK' : 'GREW'} (${mib(end.rss - start.rss)}, tolerance ${mib(tol)} = 8 MiB + 5 %)`,
);
process.exit(tensorsOk && rssOk ? 0 : 1);
