// Seeded initialisation: PyTorch's default bounds, deterministic per seed, on every backend.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as E from 'fp-ts/lib/Either.js';
import { initBackend } from '@sprout/backend';
import { createNet, disposeNet, getWeights, inferShapes, networkLayers, parameterCount } from '../src/index.js';
import { seedFor } from '@sprout/data';
import { cnn, mlp, resnet } from './fixtures.js';

beforeAll(async () => {
  expect(E.isRight(await initBackend('wasm'))).toBe(true);
});

describe('createNet', () => {
  it('names parameters by layer path and role, output layer last', () => {
    const net = createNet(resnet, { seed: 1 });
    expect(net.layers).toHaveLength(5);
    expect(net.layers[4]).toEqual({ _tag: 'dense', units: 2, activation: 'softmax', bias: true });
    expect(net.params.map((p) => p.name)).toEqual([
      '0.kernel',
      '0.bias',
      '1.body.0.kernel',
      '1.body.0.bias',
      '1.body.1.kernel',
      '1.body.1.bias',
      '2.gamma',
      '2.beta',
      '4.kernel',
      '4.bias',
    ]);
    expect(net.params[2]!.path).toEqual([1, 0]);
    expect(net.state.map((p) => p.name)).toEqual(['2.movingMean', '2.movingVariance']);
    expect(net.state.every((p) => !p.variable.trainable)).toBe(true);
    disposeNet(net);
  });

  it('uses the PyTorch default bound 1/sqrt(fan_in) for kernels and biases', () => {
    const net = createNet(cnn, { seed: 7 });
    for (const p of net.params.filter((q) => q.role === 'kernel' || q.role === 'bias')) {
      const kernel = net.params.find((q) => q.name === `${p.name.split('.').slice(0, -1).join('.')}.kernel`)!;
      const fanIn = kernel.variable.shape.slice(0, -1).reduce((a, b) => a * b, 1);
      const v = p.variable.dataSync();
      const bound = 1 / Math.sqrt(fanIn);
      const max = Math.max(...Array.from(v, Math.abs));
      expect(max).toBeLessThanOrEqual(bound);
      if (v.length >= 20) expect(max).toBeGreaterThan(0.7 * bound); // uniform, not a narrower law
    }
    const conv0 = net.params.find((p) => p.name === '0.kernel')!;
    expect(conv0.variable.shape).toEqual([3, 3, 2, 3]);
    disposeNet(net);
  });

  it('same seed gives identical weights, another seed different ones', () => {
    const a = createNet(cnn, { seed: 3 });
    const b = createNet(cnn, { seed: 3 });
    const c = createNet(cnn, { seed: 4 });
    expect(getWeights(b)).toEqual(getWeights(a));
    expect(getWeights(c)[0]!.values).not.toEqual(getWeights(a)[0]!.values);
    [a, b, c].forEach(disposeNet);
  });

  it('weights do not depend on the backend', async () => {
    const a = getWeights(createNet(mlp(), { seed: 11 }));
    await tf.setBackend('cpu');
    const b = getWeights(createNet(mlp(), { seed: 11 }));
    await tf.setBackend('wasm');
    expect(b).toEqual(a);
  });

  it('counts trainable parameters', () => {
    const net = createNet(mlp(), { seed: 1 });
    expect(parameterCount(net)).toBe(3 * 5 + 5 + 5 * 4 + 4 * 2 + 2);
    disposeNet(net);
  });

  it('seedFor separates names and run seeds', () => {
    expect(seedFor(1, '0.kernel')).not.toBe(seedFor(2, '0.kernel'));
    expect(seedFor(1, '0.kernel')).not.toBe(seedFor(1, '0.bias'));
    expect(seedFor(1, '0.kernel')).toBe(seedFor(1, '0.kernel'));
  });

  it('reports networks whose layers do not fit', () => {
    const r = inferShapes(
      [4, 4, 1],
      networkLayers({ input: [4, 4, 1], layers: [], output: { units: 2, activation: 'linear' } }),
    );
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'invalid-network', path: [0] });
    const bad = {
      input: [3],
      layers: [
        {
          _tag: 'residual' as const,
          body: [{ _tag: 'dense' as const, units: 4, activation: 'relu' as const, bias: true }],
        },
      ],
      output: { units: 2, activation: 'linear' as const },
    };
    expect(() => createNet(bad, { seed: 1 })).toThrow(/residual body maps \[3\] to \[4\]/);
  });
});
