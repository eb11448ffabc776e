// Cross-check of the CNN sensitivity pass with the PyTorch peer of the speed bench (tools/peer/cnn_torch.py):
// writes the small MNIST CNN (conv 8 → pool → conv 16 → pool → dense 10, after 20 SGD steps on random
// 28×28 images), the data and Sprout's `fro_numel` sensitivities — on the backend given (wasm: with
// Sprout's wasm and native kernels, as the pipeline runs) — to a JSON file that compare-cnn.py loads into
// the peer's own net and `sensitivities` function.
// Run: node --conditions=sprout-source --import tsx packages/sensitivity/test/peer/export-cnn.ts /tmp/sprout-peer-cnn.json [wasm|cpu]
import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import * as E from 'fp-ts/lib/Either.js';
import type { Layer } from '@sprout/spec';
import { createNetFromLayers, forward } from '@sprout/model';
import { registerWasmKernels } from '@sprout/backend';
import { registerNativeKernels } from '@sprout/native';
import { computeSensitivities, lossFunction } from '../../src/index.js';

const backend = process.argv[3] ?? 'wasm';
if (backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
await tf.setBackend(backend);
if (backend === 'wasm') registerWasmKernels();
const native = registerNativeKernels({ backends: [backend as 'wasm' | 'cpu'], warn: false });

const n = 200;
const x = tf.randomUniform([n, 28, 28, 1], 0, 1, 'float32', 11);
const y = tf.tensor1d(
  Array.from({ length: n }, (_, i) => (i * 7) % 10),
  'int32',
);
const conv = (filters: number): Layer => ({
  _tag: 'conv',
  filters,
  kernel: 3,
  stride: 1,
  padding: 'same',
  activation: 'relu',
});
const pool: Layer = { _tag: 'pool', kind: 'max', size: 2, stride: 2 };
const layers: Layer[] = [
  conv(8),
  pool,
  conv(16),
  pool,
  { _tag: 'flatten' },
  { _tag: 'dense', units: 10, activation: 'linear', bias: true },
];
const net = createNetFromLayers([28, 28, 1], layers, { seed: 5 });
const J = lossFunction('cross_entropy');
const opt = tf.train.sgd(0.1);
for (let k = 0; k < 20; k++)
  tf.tidy(
    () =>
      void opt.minimize(
        () => J(forward(net, x), y),
        false,
        net.params.map((p) => p.variable),
      ),
  );
const s = computeSensitivities(net, { x, y }, { norm: { _tag: 'fro_numel' } });
if (E.isLeft(s)) throw new Error(s.left.message);
const file = process.argv[2] ?? '/tmp/sprout-peer-cnn.json';
writeFileSync(
  file,
  JSON.stringify({
    backend: tf.getBackend(),
    native: native.ok,
    x: Array.from(x.dataSync()),
    y: Array.from(y.dataSync()),
    weights: Object.fromEntries(
      net.params.map((p) => [p.name, { shape: p.variable.shape, values: Array.from(p.variable.dataSync()) }]),
    ),
    scores: s.right.scores,
    positions: s.right.positions.map((p) => p.description),
  }),
);
console.log('wrote', file, 'backend', tf.getBackend(), 'native', native.ok);
