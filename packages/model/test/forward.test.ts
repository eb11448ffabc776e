// The forward pass: same predictions as the exported tf.LayersModel, gradients equal to finite differences,
// training-mode layers (dropout, batch norm), no tensor leaks, and the same gradients on wasm and cpu.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as E from 'fp-ts/lib/Either.js';
import type { Network } from '@sprout/spec';
import { initBackend } from '@sprout/backend';
import { createNet, disposeNet, forward, getWeights, setWeights, toLayersModel, type Net } from '../src/index.js';
import { cnn, maxAbsDiff, mlp, randomTensor, resnet, values } from './fixtures.js';

beforeAll(async () => {
  expect(E.isRight(await initBackend('wasm'))).toBe(true);
});

/** Non-trivial batch-norm statistics, so inference differs from the identity. */
function perturbState(net: Net): void {
  const w = getWeights(net).map((s, k) =>
    s.name.endsWith('movingVariance')
      ? { ...s, values: values(s.values.length, k).map((v) => 0.5 + Math.abs(v)) }
      : s.name.endsWith('movingMean') || s.name.endsWith('gamma') || s.name.endsWith('beta')
        ? { ...s, values: values(s.values.length, 50 + k) }
        : s,
  );
  expect(E.isRight(setWeights(net, w))).toBe(true);
}

const networks: Record<string, Network> = {
  'mlp relu': mlp('relu'),
  'mlp tanh': mlp('tanh'),
  'mlp sigmoid': mlp('sigmoid'),
  'mlp gelu': mlp('gelu'),
  'mlp linear': mlp('linear'),
  'mlp softmax': mlp('softmax'),
  'resnet + batchnorm + dropout': resnet,
  'cnn (conv same/valid, stride 2, batchnorm, max/avg pool, residual, flatten, dropout)': cnn,
};

describe('forward', () => {
  it.each(Object.keys(networks))('equals toLayersModel(net).predict: %s', (name) => {
    const network = networks[name]!;
    const net = createNet(network, { seed: 5 });
    perturbState(net);
    const model = toLayersModel(net);
    const x = randomTensor([4, ...network.input], 9);
    const ours = tf.tidy(() => forward(net, x).dataSync());
    const theirs = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());
    expect(maxAbsDiff(ours, theirs)).toBeLessThan(1e-5);
    expect(ours.length).toBe(4 * network.output.units);
    model.dispose();
    x.dispose();
    disposeNet(net);
  });

  it('does not grow the tensor count over repeated forward and gradient calls', () => {
    const net = createNet(cnn, { seed: 1 });
    const x = randomTensor([3, 8, 7, 2], 2);
    const vars = net.params.map((p) => p.variable);
    const step = (k: number) =>
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(
          () => tf.mean(tf.square(forward(net, x, { training: true, seed: k }))) as tf.Scalar,
          vars,
        );
        value.dataSync();
        tf.dispose(grads);
      });
    step(0);
    const before = tf.memory().numTensors;
    for (let k = 1; k < 6; k++) step(k);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    disposeNet(net);
  });

  it('dropout is seeded: same seed same mask, other seed other mask, identity at inference', () => {
    const net = createNet(
      { input: [50], layers: [{ _tag: 'dropout', rate: 0.5 }], output: { units: 50, activation: 'linear' } },
      { seed: 1 },
    );
    const x = randomTensor([2, 50], 3);
    const run = (o: { training?: boolean; seed?: number }) => tf.tidy(() => forward(net, x, o).dataSync());
    expect(run({ training: true, seed: 1 })).toEqual(run({ training: true, seed: 1 }));
    expect(run({ training: true, seed: 1 })).not.toEqual(run({ training: true, seed: 2 }));
    expect(run({ training: true, seed: 1 })).not.toEqual(run({}));
    x.dispose();
    disposeNet(net);
  });

  it('batch norm uses batch statistics in training and updates the moving averages (PyTorch momentum 0.1)', () => {
    const net = createNet(
      { input: [3], layers: [{ _tag: 'batchnorm' }], output: { units: 1, activation: 'linear' } },
      { seed: 1 },
    );
    const x = tf.tensor2d([
      [1, 2, 3],
      [3, 6, 9],
    ]);
    tf.tidy(() => forward(net, x, { training: true }));
    const mean = net.state.find((p) => p.role === 'movingMean')!.variable.dataSync();
    const variance = net.state.find((p) => p.role === 'movingVariance')!.variable.dataSync();
    // batch mean (2, 4, 6), unbiased batch variance (2, 8, 18)
    expect(Array.from(mean)).toEqual([0.2, 0.4, 0.6].map((v) => expect.closeTo(v, 6)));
    expect(Array.from(variance)).toEqual([0.9 + 0.2, 0.9 + 0.8, 0.9 + 1.8].map((v) => expect.closeTo(v, 5)));
    tf.tidy(() => forward(net, x, { training: true, updateState: false }));
    tf.tidy(() => forward(net, x));
    expect(net.state.find((p) => p.role === 'movingMean')!.variable.dataSync()).toEqual(mean);
    x.dispose();
    disposeNet(net);
  });

  /**
   * Central finite differences along a random direction V of each parameter tensor:
   * (J(θ + εV) − J(θ − εV)) / 2ε = ⟨∇J, V⟩ + O(ε²). J is smooth (tanh/gelu/sigmoid nets, squared loss).
   */
  it.each([
    ['dense', mlp('tanh')],
    [
      'conv',
      {
        input: [5, 4, 2],
        layers: [
          { _tag: 'conv', filters: 3, kernel: 3, stride: 2, padding: 'same', activation: 'tanh' },
          { _tag: 'conv', filters: 2, kernel: 2, stride: 1, padding: 'valid', activation: 'gelu' },
          { _tag: 'flatten' },
        ],
        output: { units: 2, activation: 'linear' },
      } satisfies Network,
    ],
  ] as const)('%s gradients equal central finite differences', (_, network) => {
    const net = createNet(network, { seed: 2 });
    const x = randomTensor([3, ...network.input], 4);
    const target = randomTensor([3, 2], 5);
    const loss = () => tf.sum(tf.square(tf.sub(forward(net, x), target))) as tf.Scalar;
    const vars = net.params.map((p) => p.variable);
    const grads = tf.tidy(() => tf.variableGrads(loss, vars).grads);
    const eps = 1e-2;
    for (const [k, p] of net.params.entries()) {
      const v = randomTensor(p.variable.shape, 100 + k);
      const w0 = tf.clone(p.variable);
      const at = (s: number) => {
        p.variable.assign(tf.tidy(() => tf.add(w0, tf.mul(s, v))));
        return tf.tidy(() => loss().dataSync()[0]!);
      };
      const fd = (at(eps) - at(-eps)) / (2 * eps);
      p.variable.assign(w0);
      const analytic = tf.tidy(() => tf.sum(tf.mul(grads[p.variable.name]!, v)).dataSync()[0]!);
      expect(Math.abs(fd - analytic), `${p.name}: fd ${fd}, grad ${analytic}`).toBeLessThan(
        1e-2 * Math.max(1, Math.abs(analytic)),
      );
      tf.dispose([v, w0]);
    }
    tf.dispose([x, target, ...Object.values(grads)]);
    disposeNet(net);
  });

  it('training from the same seed is bit-for-bit reproducible on wasm (every layer type, dropout, batch norm)', () => {
    const train = () => {
      const net = createNet(cnn, { seed: 21 });
      const x = randomTensor([4, 8, 7, 2], 1);
      const labels = tf.oneHot(tf.tensor1d([0, 2, 1, 1], 'int32'), 3);
      const opt = tf.train.sgd(0.1);
      const losses: number[] = [];
      for (let k = 0; k < 3; k++) {
        const loss = opt.minimize(
          () => tf.losses.softmaxCrossEntropy(labels, forward(net, x, { training: true, seed: k })) as tf.Scalar,
          true,
          net.params.map((p) => p.variable),
        )!;
        losses.push(loss.dataSync()[0]!);
        loss.dispose();
      }
      const weights = getWeights(net);
      tf.dispose([x, labels]);
      opt.dispose();
      disposeNet(net);
      return { losses, weights };
    };
    const a = train();
    const b = train();
    expect(b.losses).toEqual(a.losses);
    expect(b.weights).toEqual(a.weights);
    expect(a.losses[2]).not.toBe(a.losses[0]);
  });

  it('gives the same loss and gradients on wasm and cpu for a net with every layer type', async () => {
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      const net = createNet(cnn, { seed: 8 });
      perturbState(net);
      const x = randomTensor([3, 8, 7, 2], 6);
      const labels = tf.oneHot(tf.tensor1d([0, 2, 1], 'int32'), 3);
      const { value, grads } = tf.variableGrads(
        () => tf.losses.softmaxCrossEntropy(labels, forward(net, x, { training: true, seed: 3 })) as tf.Scalar,
        net.params.map((p) => p.variable),
      );
      const out = [value.dataSync(), ...net.params.map((p) => grads[p.variable.name]!.dataSync())];
      tf.dispose([value, x, labels, ...Object.values(grads)]);
      disposeNet(net);
      return out.map((a) => Float32Array.from(a));
    };
    const cpu = await run('cpu');
    const wasm = await run('wasm');
    for (let k = 0; k < cpu.length; k++) {
      const scale = Math.max(1e-3, ...Array.from(cpu[k]!, Math.abs));
      expect(maxAbsDiff(wasm[k]!, cpu[k]!), `tensor ${k}`).toBeLessThan(1e-4 * scale + 1e-6);
    }
  });
});
