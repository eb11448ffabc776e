// Export to and import from TensorFlow.js's layers format.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as E from 'fp-ts/lib/Either.js';
import { initBackend } from '@sprout/backend';
import {
  createNet,
  disposeNet,
  forward,
  fromLayersModel,
  getWeights,
  parameterCount,
  toLayersModel,
  type Net,
} from '../src/index.js';
import { cnn, maxAbsDiff, randomTensor, resnet } from './fixtures.js';

beforeAll(async () => {
  expect(E.isRight(await initBackend('wasm'))).toBe(true);
});

const predictDiff = (net: Net, model: tf.LayersModel, x: tf.Tensor) =>
  tf.tidy(() => maxAbsDiff(forward(net, x).dataSync(), (model.predict(x) as tf.Tensor).dataSync()));

describe('toLayersModel', () => {
  it.each([
    ['cnn', cnn],
    ['resnet', resnet],
  ] as const)('saves through an IO handler and loads back with the same predictions (%s)', async (_, network) => {
    const net = createNet(network, { seed: 12 });
    const model = toLayersModel(net);
    expect(model.countParams()).toBe(parameterCount(net) + net.state.reduce((n, p) => n + p.variable.size, 0));
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    expect(artifacts?.modelTopology).toBeDefined();
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
    const x = randomTensor([5, ...network.input], 3);
    expect(predictDiff(net, loaded, x)).toBeLessThan(1e-5);
    // and the loaded model converts back to a net with the same function
    const back = fromLayersModel(loaded);
    expect(E.isRight(back)).toBe(true);
    if (E.isRight(back)) {
      expect(back.right.layers).toEqual(net.layers);
      expect(getWeights(back.right)).toEqual(getWeights(net));
      disposeNet(back.right);
    }
    [model, loaded].forEach((m) => m.dispose());
    x.dispose();
    disposeNet(net);
  });
});

describe('fromLayersModel', () => {
  it('reads a user tf.Sequential of conv, pool, flatten, activation, dropout and dense layers', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [9, 8, 1],
          filters: 4,
          kernelSize: 3,
          strides: 1,
          padding: 'same',
          activation: 'relu',
        }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.conv2d({ filters: 5, kernelSize: 2, strides: 2, useBias: false }),
        tf.layers.activation({ activation: 'tanh' }),
        tf.layers.averagePooling2d({ poolSize: 1 }),
        tf.layers.flatten(),
        tf.layers.dropout({ rate: 0.2 }),
        tf.layers.dense({ units: 7, activation: 'sigmoid' }),
        tf.layers.dense({ units: 3 }),
        tf.layers.activation({ activation: 'softmax' }),
      ],
    });
    const r = fromLayersModel(model);
    expect(E.isRight(r)).toBe(true);
    if (E.isLeft(r)) return;
    const net = r.right;
    expect(net.input).toEqual([9, 8, 1]);
    expect(net.layers.map((l) => l._tag)).toEqual([
      'conv',
      'pool',
      'conv',
      'pool',
      'flatten',
      'dropout',
      'dense',
      'dense',
    ]);
    expect(net.layers[2]).toEqual({
      _tag: 'conv',
      filters: 5,
      kernel: 2,
      stride: 2,
      padding: 'valid',
      activation: 'tanh',
    });
    expect(net.layers[7]).toEqual({ _tag: 'dense', units: 3, activation: 'softmax', bias: true });
    const x = randomTensor([3, 9, 8, 1], 4);
    expect(predictDiff(net, model, x)).toBeLessThan(1e-5);
    expect(parameterCount(net)).toBe(model.countParams() + 5); // plus the zero bias Sprout's conv always has
    model.dispose();
    x.dispose();
    disposeNet(net);
  });

  it('reads a functional model with a residual add', () => {
    const input = tf.input({ shape: [4] });
    const h = tf.layers.dense({ units: 6, activation: 'tanh' }).apply(input) as tf.SymbolicTensor;
    const f = tf.layers
      .dense({ units: 6 })
      .apply(tf.layers.dense({ units: 6, activation: 'relu' }).apply(h)) as tf.SymbolicTensor;
    const sum = tf.layers.add().apply([h, f]) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 2 }).apply(sum) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const r = fromLayersModel(model);
    expect(E.isRight(r) && r.right.layers.map((l) => l._tag)).toEqual(['dense', 'residual', 'dense']);
    if (E.isLeft(r)) return;
    const x = randomTensor([3, 4], 8);
    expect(predictDiff(r.right, model, x)).toBeLessThan(1e-5);
    model.dispose();
    x.dispose();
    disposeNet(r.right);
  });

  it('names the layer it cannot represent', () => {
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [3], units: 4, activation: 'elu' }), tf.layers.dense({ units: 2 })],
    });
    const r = fromLayersModel(model);
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'unsupported-layer', index: 0, className: 'Dense' });
    expect(E.isLeft(r) && r.left.message).toMatch(
      /activation 'elu' is not one of relu, tanh, sigmoid, gelu, linear, softmax/,
    );
    const noDense = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [2, 2] })] });
    expect(
      E.isLeft(fromLayersModel(noDense)) && (fromLayersModel(noDense) as E.Left<{ message: string }>).left.message,
    ).toMatch(/last layer must be a dense layer/);
    const rnn = tf.sequential({
      layers: [tf.layers.simpleRNN({ inputShape: [3, 2], units: 2 }), tf.layers.dense({ units: 1 })],
    });
    expect(
      E.isLeft(fromLayersModel(rnn)) && (fromLayersModel(rnn) as E.Left<{ className: string }>).left.className,
    ).toBe('SimpleRNN');
    [model, noDense, rnn].forEach((m) => m.dispose());
  });
});
