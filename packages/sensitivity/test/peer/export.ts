// Cross-check with the PyTorch peer (/work/shared/peer/sensli_torch.py): writes, for the spirals FNN [5], FNN
// [5, 5] and ResNet [3, 3] (after 50 full-batch SGD steps), the weights, the training data and Sprout's sensitivities to
// a JSON file that compare.py loads into the peer's own nets and `sensitivities` function.
// Run: node --conditions=sprout-source --import tsx packages/sensitivity/test/peer/export.ts /tmp/sprout-peer.json
import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import * as E from 'fp-ts/lib/Either.js';
import type { Layer } from '@sprout/spec';
import { createNetFromLayers, forward } from '@sprout/model';
import { computeSensitivities, lossFunction } from '../../src/index.js';
import { TRAIN, spiralsTrainingSet } from '../spirals-fixture.js';

const { x: xData, y: yData } = spiralsTrainingSet();
const train = TRAIN;
const x = tf.tensor2d(xData, [train, 2]);
const y = tf.tensor1d(yData, 'int32');

const arches: Record<string, { layers: Layer[]; lr: number }> = {
  fnn: {
    layers: [
      { _tag: 'dense', units: 5, activation: 'relu', bias: true },
      { _tag: 'dense', units: 2, activation: 'linear', bias: true },
    ],
    lr: 0.2,
  },
  fnn2: {
    layers: [
      { _tag: 'dense', units: 5, activation: 'relu', bias: true },
      { _tag: 'dense', units: 5, activation: 'relu', bias: true },
      { _tag: 'dense', units: 2, activation: 'linear', bias: true },
    ],
    lr: 0.2,
  },
  resnet: {
    layers: [
      { _tag: 'dense', units: 3, activation: 'tanh', bias: true },
      {
        _tag: 'residual',
        body: [
          { _tag: 'dense', units: 3, activation: 'tanh', bias: true },
          { _tag: 'dense', units: 3, activation: 'linear', bias: false },
        ],
      },
      { _tag: 'dense', units: 2, activation: 'linear', bias: true },
    ],
    lr: 0.1,
  },
};
const J = lossFunction('cross_entropy');
const out: Record<string, unknown> = { x: xData, y: yData };
for (const [arch, { layers, lr }] of Object.entries(arches)) {
  const net = createNetFromLayers([2], layers, { seed: 3 });
  const opt = tf.train.sgd(lr);
  for (let k = 0; k < 50; k++)
    tf.tidy(
      () =>
        void opt.minimize(
          () => J(forward(net, x), y),
          false,
          net.params.map((p) => p.variable),
        ),
    );
  const s = computeSensitivities(net, { x, y });
  if (E.isLeft(s)) throw new Error(s.left.message);
  out[arch] = {
    weights: Object.fromEntries(
      net.params.map((p) => [p.name, { shape: p.variable.shape, values: Array.from(p.variable.dataSync()) }]),
    ),
    scores: s.right.scores,
    positions: s.right.positions.map((p) => p.description),
  };
}
writeFileSync(process.argv[2] ?? '/tmp/sprout-peer.json', JSON.stringify(out));
console.log('wrote', process.argv[2] ?? '/tmp/sprout-peer.json');
