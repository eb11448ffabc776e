// Taps: recorded layer inputs x and probe gradients δ = ∂J/∂z give the kernel gradient as Σ_b x_b δ_bᵀ,
// and the probe gradient equals a finite difference of the loss along the probe.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as E from 'fp-ts/lib/Either.js';
import type { Network } from '@sprout/spec';
import { initBackend } from '@sprout/backend';
import { createNet, disposeNet, forward, inferShapes, layerKey, type Net } from '../src/index.js';
import { maxAbsDiff, randomTensor } from './fixtures.js';

beforeAll(async () => {
  expect(E.isRight(await initBackend('wasm'))).toBe(true);
});

const network: Network = {
  input: [6, 5, 2],
  layers: [
    { _tag: 'conv', filters: 3, kernel: 3, stride: 2, padding: 'same', activation: 'relu' },
    { _tag: 'flatten' },
    { _tag: 'residual', body: [{ _tag: 'dense', units: 27, activation: 'tanh', bias: true }] },
    { _tag: 'dense', units: 4, activation: 'relu', bias: false },
  ],
  output: { units: 3, activation: 'linear' },
};

/** Zero probes for every dense and conv layer, shaped like their pre-activation outputs for batch b. */
function zeroProbes(net: Net, b: number): Map<string, tf.Tensor> {
  const shapes = inferShapes(net.input, net.layers);
  if (E.isLeft(shapes)) throw new Error(shapes.left.message);
  const probes = new Map<string, tf.Tensor>();
  for (const p of net.params.filter((q) => q.role === 'kernel')) {
    const key = layerKey(p.path);
    probes.set(key, tf.zeros([b, ...shapes.right.get(key)!.output]));
  }
  return probes;
}

describe('taps', () => {
  const b = 4;
  const loss = (
    net: Net,
    x: tf.Tensor,
    y: tf.Tensor,
    probes?: ReadonlyMap<string, tf.Tensor>,
    inputs?: Map<string, tf.Tensor>,
  ) => tf.losses.softmaxCrossEntropy(y, forward(net, x, { taps: { probes, inputs } })) as tf.Scalar;

  it('records inputs, leaves the output unchanged with zero probes, and Σ_b x_b δ_bᵀ is the kernel gradient', () => {
    const net = createNet(network, { seed: 3 });
    const x = randomTensor([b, 6, 5, 2], 1);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3);
    const probes = zeroProbes(net, b);
    const inputs = new Map<string, tf.Tensor>();
    const keys = [...probes.keys()];
    const before = tf.memory().numTensors;
    const { deltas, kernelGrads, plain, tapped } = tf.tidy(() => {
      const plain = tf.keep(forward(net, x));
      const tapped = tf.keep(forward(net, x, { taps: { probes } }));
      const deltas = tf.grads((...ps: tf.Tensor[]) =>
        loss(net, x, y, new Map(keys.map((k, i) => [k, ps[i]!])), inputs),
      )(keys.map((k) => probes.get(k)!));
      const kernels = net.params.filter((p) => p.role === 'kernel');
      const g = tf.variableGrads(
        () => loss(net, x, y),
        kernels.map((p) => p.variable),
      ).grads;
      return {
        deltas: deltas.map((d) => tf.keep(d)),
        kernelGrads: kernels.map((p) => tf.keep(g[p.variable.name]!)),
        plain,
        tapped,
      };
    });
    expect(maxAbsDiff(tapped.dataSync(), plain.dataSync())).toBe(0);
    expect([...inputs.keys()].sort()).toEqual([...keys].sort());
    expect(inputs.get('0')!.shape).toEqual([b, 6, 5, 2]);
    expect(inputs.get('2.body.0')!.shape).toEqual([b, 27]);
    keys.forEach((key, i) => {
      const xIn = inputs.get(key)!;
      const delta = deltas[i]!;
      const fromTaps = tf.tidy(() =>
        xIn.rank === 2
          ? tf.matMul(xIn as tf.Tensor2D, delta as tf.Tensor2D, true, false) // Σ_b x_b δ_bᵀ
          : // conv: ∂/∂W Σ conv2d(x, W) ⊙ δ, the same sum over batch and positions of patch ⊗ δ
            tf.grad((w: tf.Tensor) =>
              tf.sum(tf.mul(tf.conv2d(xIn as tf.Tensor4D, w as tf.Tensor4D, 2, 'same'), delta)),
            )(tf.zeros([3, 3, 2, 3])),
      );
      const g = kernelGrads[i]!;
      const scale = Math.max(...Array.from(g.dataSync(), Math.abs));
      expect(scale).toBeGreaterThan(0);
      expect(maxAbsDiff(fromTaps.dataSync(), g.dataSync()), key).toBeLessThan(1e-5 * Math.max(1, scale));
      fromTaps.dispose();
    });
    tf.dispose([...deltas, ...kernelGrads, plain, tapped, ...inputs.values()]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y, ...probes.values()]);
    disposeNet(net);
  });

  it('the probe gradient δ equals a central finite difference of the loss along the probe', () => {
    const net = createNet(network, { seed: 4 });
    const x = randomTensor([b, 6, 5, 2], 2);
    const y = tf.oneHot(tf.tensor1d([2, 1, 0, 0], 'int32'), 3);
    const probes = zeroProbes(net, b);
    for (const [key, zero] of probes) {
      const delta = tf.grad((p: tf.Tensor) => loss(net, x, y, new Map([...probes, [key, p]])))(zero);
      const v = randomTensor(zero.shape, 7);
      const eps = 1e-2;
      const at = (s: number) =>
        tf.tidy(() => loss(net, x, y, new Map([...probes, [key, tf.mul(s, v)]])).dataSync()[0]!);
      const fd = (at(eps) - at(-eps)) / (2 * eps);
      const analytic = tf.tidy(() => tf.sum(tf.mul(delta, v)).dataSync()[0]!);
      expect(Math.abs(analytic)).toBeGreaterThan(1e-4);
      expect(Math.abs(fd - analytic), `${key}: fd ${fd} vs ${analytic}`).toBeLessThan(2e-2 * Math.abs(analytic) + 1e-4);
      tf.dispose([delta, v]);
    }
    tf.dispose([x, y, ...probes.values()]);
    disposeNet(net);
  });
});
