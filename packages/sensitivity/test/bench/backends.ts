// The same sensitivities and insertions on every installed backend: runs the sensitivity pass for a small
// FNN, ResNet and CNN (fixed seeds and data) and prints the scores and the largest output change of an
// insertion, for comparison across backends.
// Run: node --conditions=sprout-source --import tsx packages/sensitivity/test/bench/backends.ts wasm
import * as tf from '@tensorflow/tfjs';
import * as E from 'fp-ts/lib/Either.js';
import { initBackend } from '@sprout/backend';
import type { Layer } from '@sprout/spec';
import { createNetFromLayers, forward } from '@sprout/model';
import { insertLayer } from '@sprout/growth';
import { computeSensitivities } from '../../src/index.js';

const pref = (process.argv[2] ?? 'cpu') as 'cpu' | 'wasm';
const b = await initBackend(pref);
if (E.isLeft(b)) throw new Error(JSON.stringify(b.left));
const out = (u: number): Layer => ({ _tag: 'dense', units: u, activation: 'linear', bias: true });
const nets: Record<string, [number[], Layer[]]> = {
  fnn: [
    [2],
    [
      { _tag: 'dense', units: 5, activation: 'relu', bias: true },
      { _tag: 'dense', units: 4, activation: 'relu', bias: true },
      out(2),
    ],
  ],
  resnet: [
    [2],
    [
      { _tag: 'dense', units: 3, activation: 'tanh', bias: true },
      {
        _tag: 'residual',
        body: [
          { _tag: 'dense', units: 3, activation: 'tanh', bias: true },
          { _tag: 'dense', units: 3, activation: 'linear', bias: false },
        ],
      },
      out(2),
    ],
  ],
  cnn: [
    [6, 6, 2],
    [
      { _tag: 'conv', filters: 3, kernel: 3, stride: 1, padding: 'same', activation: 'relu' },
      { _tag: 'pool', kind: 'max', size: 2, stride: 2 },
      { _tag: 'conv', filters: 4, kernel: 3, stride: 1, padding: 'same', activation: 'relu' },
      { _tag: 'flatten' },
      out(2),
    ],
  ],
};
const result: Record<string, unknown> = { backend: tf.getBackend() };
for (const [name, [input, layers]] of Object.entries(nets)) {
  const net = createNetFromLayers(input, layers, { seed: 1 });
  const size = input.reduce((a, c) => a * c, 1);
  const x = tf.tensor(
    Array.from({ length: 16 * size }, (_, i) => 2 * Math.sin(i * 1.7)),
    [16, ...input],
  );
  const y = tf.tensor1d(
    Array.from({ length: 16 }, (_, i) => i % 2),
    'int32',
  );
  const s = computeSensitivities(net, { x, y }, { batchSize: 6 });
  if (E.isLeft(s)) throw new Error(s.left.message);
  const grown = insertLayer(net, s.right.positions.length - 1);
  if (E.isLeft(grown)) throw new Error(grown.left.message);
  const gap = tf.tidy(() => tf.max(tf.abs(tf.sub(forward(net, x), forward(grown.right, x)))).dataSync()[0]);
  result[name] = { scores: s.right.scores, insertionGap: gap };
}
console.log(JSON.stringify(result));
