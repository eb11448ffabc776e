// Cost of one SensLI sensitivity pass relative to one training epoch (goal: at most 1.5), on the
// four bench nets, same backend, one process. An epoch = SGD steps over the training set in batches plus one
// loss read-back (as a training loop that logs it); the pass = computeSensitivities over the same batches
// (ALGORITHMS.md §3: one forward/backward per batch through the net with every virtual layer, no step).
// Timing only: the data are random tensors of the protocols' shapes (MNIST nets on a slice of N examples,
// which scales epoch and pass alike). Medians of interleaved repetitions; wall and process CPU time.
//
//   node --conditions=sprout-source --import tsx tools/src/bench-sensitivity.ts [wasm|cpu] [examples] [net]
import * as tf from '@tensorflow/tfjs';
import * as E from 'fp-ts/lib/Either.js';
import { registerWasmKernels } from '@sprout/backend';
import { registerNativeKernels } from '@sprout/native';
import { createNetFromLayers, forward, type Net } from '@sprout/model';
import { computeSensitivities, lossFunction } from '@sprout/sensitivity';
import type { Layer } from '@sprout/spec';
import { medianOf as median } from './bench-lib.js';

const backend = process.argv[2] ?? 'wasm';
const mnistExamples = Number(process.argv[3] ?? 2000);
if (backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
await tf.setBackend(backend);
await tf.ready();
if (backend === 'wasm') registerWasmKernels(); // the conv gradients stock wasm lacks, as the pipeline registers them
// The native kernels as the pipeline registers them (SPROUT_NATIVE=0: stock kernels only).
const native = registerNativeKernels({ backends: [backend as 'wasm' | 'cpu'], warn: false });
console.log(`native kernels: ${native.ok ? native.kernels.length : `none (${native.reason})`}`);

const dense = (units: number, activation: 'relu' | 'tanh' | 'linear', bias = true): Layer => ({
  _tag: 'dense',
  units,
  activation,
  bias,
});
const conv = (filters: number): Layer => ({
  _tag: 'conv',
  filters,
  kernel: 3,
  stride: 1,
  padding: 'same',
  activation: 'relu',
});
const pool: Layer = { _tag: 'pool', kind: 'max', size: 2, stride: 2 };
const cases: Array<{
  name: string;
  input: number[];
  layers: Layer[];
  n: number;
  batch: number;
  classes: number;
  norm: 'fro' | 'fro_numel';
}> = [
  {
    name: 'spirals-fnn',
    input: [2],
    layers: [dense(5, 'relu'), dense(2, 'linear')],
    n: 450,
    batch: 450,
    classes: 2,
    norm: 'fro',
  },
  {
    name: 'spirals-resnet',
    input: [2],
    layers: [
      dense(3, 'tanh'),
      { _tag: 'residual', body: [dense(3, 'tanh'), dense(3, 'linear', false)] },
      dense(2, 'linear'),
    ],
    n: 450,
    batch: 450,
    classes: 2,
    norm: 'fro',
  },
  {
    name: 'mnist-mlp',
    input: [784],
    layers: [dense(50, 'relu'), dense(50, 'relu'), dense(10, 'linear')],
    n: mnistExamples,
    batch: 100,
    classes: 10,
    norm: 'fro',
  },
  {
    name: 'mnist-cnn',
    input: [28, 28, 1],
    layers: [conv(8), pool, conv(16), pool, { _tag: 'flatten' }, dense(10, 'linear')],
    n: Math.min(mnistExamples, 1000),
    batch: 100,
    classes: 10,
    norm: 'fro_numel',
  },
];
const only = process.argv[4];
const J = lossFunction('cross_entropy');
const results: unknown[] = [];
for (const c of cases.filter((k) => only === undefined || k.name === only)) {
  const x = tf.randomUniform([c.n, ...c.input], 0, 1, 'float32', 7);
  const y = tf.tensor1d(
    Array.from({ length: c.n }, (_, i) => (i * 7) % c.classes),
    'int32',
  );
  const net: Net = createNetFromLayers(c.input, c.layers, { seed: 1 });
  const vars = net.params.map((p) => p.variable);
  const opt = tf.train.sgd(0.01);
  const epoch = (): void => {
    for (let s = 0; s < c.n; s += c.batch)
      tf.tidy(() => {
        const xb = c.batch >= c.n ? x : tf.slice(x, s, Math.min(c.batch, c.n - s));
        const yb = c.batch >= c.n ? y : tf.slice(y, s, Math.min(c.batch, c.n - s));
        opt.minimize(() => J(forward(net, xb), yb), false, vars);
      });
    tf.tidy(() => J(forward(net, x.slice(0, Math.min(c.n, 1000))), y.slice(0, Math.min(c.n, 1000))).dataSync());
  };
  const pass = (): void => {
    const r = computeSensitivities(
      net,
      { x, y },
      { batchSize: c.batch, norm: { _tag: c.norm }, loss: 'cross_entropy' },
    );
    if (E.isLeft(r)) throw new Error(JSON.stringify(r.left));
  };
  const time = (f: () => void): [number, number] => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    f();
    const cu = process.cpuUsage(c0);
    return [performance.now() - t0, (cu.user + cu.system) / 1000];
  };
  const reps = c.batch >= c.n ? 60 : 5;
  for (let k = 0; k < Math.max(3, reps / 5); k++) {
    time(epoch);
    time(pass);
  }
  const te: Array<[number, number]> = [];
  const tp: Array<[number, number]> = [];
  for (let k = 0; k < reps; k++) {
    te.push(time(epoch));
    tp.push(time(pass));
  }
  const r = {
    net: c.name,
    backend: tf.getBackend(),
    examples: c.n,
    batch: c.batch,
    reps,
    epochMs: +median(te.map((t) => t[0])).toFixed(2),
    passMs: +median(tp.map((t) => t[0])).toFixed(2),
    ratioWall: +(median(tp.map((t) => t[0])) / median(te.map((t) => t[0]))).toFixed(3),
    ratioCpu: +(median(tp.map((t) => t[1])) / median(te.map((t) => t[1]))).toFixed(3),
  };
  console.log(JSON.stringify(r));
  results.push(r);
  x.dispose();
  y.dispose();
}
