// A user's own tf.Sequential (dense, conv and separate activation layers), without the Sprout language.
import { expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as E from 'fp-ts/lib/Either.js';
import { disposeNet, fromLayersModel, toLayersModel } from '@sprout/model';
import { insertLayer } from '@sprout/growth';
import { computeSensitivities, selectPosition } from '../src/index.js';

const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(JSON.stringify(e.left));
  return e.right;
};

it('conv stack with separate activation layers: sensitivities, insertion, same function as a LayersModel', () => {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [6, 6, 1],
        filters: 3,
        kernelSize: 3,
        padding: 'same',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
      }),
      tf.layers.activation({ activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({
        filters: 4,
        kernelSize: 3,
        padding: 'same',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
      }),
      tf.layers.activation({ activation: 'relu' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 8, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
      tf.layers.activation({ activation: 'relu' }),
      tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
    ],
  });
  const x = tf.randomNormal([12, 6, 6, 1], 0, 1, 'float32', 5);
  const y = tf.tensor1d(
    Array.from({ length: 12 }, (_, i) => i % 2),
    'int32',
  );
  const net = right(fromLayersModel(model));
  const s = right(computeSensitivities(net, { x, y }, { norm: { _tag: 'spectral' } }));
  expect(s.architecture).toBe('cnn');
  expect(s.positions.map((p) => p.description)).toEqual([
    'after layer 0 (conv 3 3×3 relu)',
    'after layer 2 (conv 4 3×3 relu)',
  ]);
  expect(s.scores.every((v) => v > 0)).toBe(true);
  const choice = right(selectPosition({ _tag: 'max' }, s));
  if (choice._tag !== 'insert') throw new Error('declined');
  const grown = right(insertLayer(net, choice.position));
  const bigger = toLayersModel(grown);
  const a = model.predict(x) as tf.Tensor;
  const b = bigger.predict(x) as tf.Tensor;
  expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(1e-5);
  tf.dispose([a, b, x, y]);
  bigger.dispose();
  model.dispose();
  disposeNet(grown);
});
