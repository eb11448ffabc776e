// lossAndGradients: the closed-form back-propagation equals the gradient tape (tf.variableGrads through
// forward and batchLoss) for every supported layer, activation and loss, on cpu and wasm; unsupported nets
// take the tape path; no tensor outlives a call except the returned ones.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as E from 'fp-ts/lib/Either.js';
import type { Activation, Loss, Network } from '@sprout/spec';
import { initBackend } from '@sprout/backend';
import {
  createNet,
  disposeNet,
  gradientPath,
  lossAndGradients,
  type LossAndGradientsOptions,
  type Net,
} from '../src/index.js';
import { CLASSES, cnn, denseNet, leadingResidual, maxAbsDiff, mlp, randomTensor, resnet, tape } from './fixtures.js';

const B = 7;
const labels = () => tf.tensor1d([0, 1, 2, 2, 1, 0, 1], 'int32');

/** Max |a − b| over all gradients, relative to max(1, max |b|); and the same for the loss. */
function compare(net: Net, x: tf.Tensor, y: tf.Tensor, options: LossAndGradientsOptions) {
  const ref = tape(net, x, y, options);
  const got = lossAndGradients(net, x, y, { ...options, updateState: false });
  expect(Object.keys(got.grads).sort()).toEqual(net.params.map((p) => p.name).sort());
  let worst = 0;
  for (const [name, g] of ref.grads) {
    const scale = Math.max(1, ...Array.from(g, Math.abs));
    worst = Math.max(worst, maxAbsDiff(got.grads[name]!.dataSync(), g) / scale);
  }
  const lossGap = Math.abs(got.loss.dataSync()[0]! - ref.loss) / Math.max(1, Math.abs(ref.loss));
  tf.dispose([got.loss, ...Object.values(got.grads)]);
  return {
    path: got.path,
    worst,
    lossGap,
    refGradNorm: Math.max(...[...ref.grads.values()].map((g) => Math.max(...Array.from(g, Math.abs)))),
  };
}

const ACTIVATIONS = ['relu', 'tanh', 'sigmoid', 'linear'] as const;
const LOSSES: readonly Loss[] = ['cross_entropy', 'mse'];

const TOL = 2e-5;

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`lossAndGradients on ${backend}`, () => {
    beforeAll(async () => {
      expect(E.isRight(await initBackend(backend))).toBe(true);
      expect(tf.getBackend()).toBe(backend);
    });

    for (const loss of LOSSES) {
      for (const activation of ACTIVATIONS) {
        const outputs: Activation[] =
          loss === 'mse' ? ['linear', activation] : activation === 'linear' ? ['linear'] : ['linear', activation];
        for (const output of [...new Set(outputs)]) {
          it(`closed form = tape: ${loss}, hidden ${activation}, output ${output}`, () => {
            const net = createNet(denseNet(activation, output), { seed: 11 });
            const x = randomTensor([B, 3], 5);
            const y = labels();
            expect(gradientPath(net, { loss })).toBe('closed-form');
            for (const training of [false, true]) {
              const r = compare(net, x, y, { loss, training, seed: 3 });
              expect(r.path).toBe('closed-form');
              expect(r.refGradNorm).toBeGreaterThan(1e-3);
              expect(r.worst).toBeLessThan(TOL);
              expect(r.lossGap).toBeLessThan(TOL);
            }
            disposeNet(net);
            tf.dispose([x, y]);
          });
        }
      }
    }

    it('closed form = tape with a leading residual block, a bias-free output and one-hot targets', () => {
      for (const activation of ACTIVATIONS) {
        const { input, layers } = leadingResidual(activation);
        const net = createNet(
          { input, layers: layers.slice(0, -1), output: { units: CLASSES, activation: 'linear' } },
          { seed: 2 },
        );
        const x = randomTensor([B, 4], 9);
        const y = tf.tidy(() => tf.cast(tf.oneHot(labels(), CLASSES), 'float32'));
        for (const loss of LOSSES) {
          const r = compare(net, x, y, { loss });
          expect(r.path).toBe('closed-form');
          expect(r.worst).toBeLessThan(TOL);
          expect(r.lossGap).toBeLessThan(TOL);
        }
        disposeNet(net);
        tf.dispose([x, y]);
      }
    });

    it('takes the tape for conv, batch norm, dropout in training, gelu, softmax output and taps, and equals the tape', () => {
      const cases: Array<{ name: string; network: Network; x: number[]; options: LossAndGradientsOptions }> = [
        { name: 'cnn', network: cnn, x: [B, 8, 7, 2], options: { loss: 'cross_entropy' } },
        {
          name: 'resnet with batch norm and softmax output',
          network: resnet,
          x: [B, 2],
          options: { loss: 'cross_entropy' },
        },
        { name: 'resnet, mse', network: resnet, x: [B, 2], options: { loss: 'mse' } },
        {
          name: 'gelu',
          network: { ...mlp('gelu'), output: { units: CLASSES, activation: 'linear' } },
          x: [B, 3],
          options: { loss: 'mse' },
        },
        {
          name: 'softmax hidden',
          network: { ...mlp('softmax'), output: { units: CLASSES, activation: 'linear' } },
          x: [B, 3],
          options: { loss: 'cross_entropy' },
        },
        {
          name: 'softmax output',
          network: { ...mlp('relu'), output: { units: CLASSES, activation: 'softmax' } },
          x: [B, 3],
          options: { loss: 'cross_entropy' },
        },
        {
          name: 'dropout in training',
          network: {
            input: [3],
            layers: [
              { _tag: 'dense', units: 6, activation: 'relu', bias: true },
              { _tag: 'dropout', rate: 0.5 },
            ],
            output: { units: CLASSES, activation: 'linear' },
          },
          x: [B, 3],
          options: { loss: 'cross_entropy', training: true, seed: 4 },
        },
      ];
      for (const c of cases) {
        const net = createNet(c.network, { seed: 1 });
        const x = randomTensor(c.x, 6);
        const y = labels();
        expect(gradientPath(net, c.options), c.name).toBe('tape');
        const r = compare(net, x, y, c.options);
        expect(r.path, c.name).toBe('tape');
        expect(r.worst, c.name).toBeLessThan(1e-6);
        expect(r.lossGap, c.name).toBeLessThan(1e-6);
        disposeNet(net);
        tf.dispose([x, y]);
      }
      // The same dropout net outside training takes the closed form.
      const net = createNet(
        { input: [3], layers: [{ _tag: 'dropout', rate: 0.5 }], output: { units: CLASSES, activation: 'linear' } },
        { seed: 1 },
      );
      expect(gradientPath(net, { loss: 'mse' })).toBe('closed-form');
      expect(gradientPath(net, { loss: 'mse', training: true })).toBe('tape');
      expect(gradientPath(net, { loss: 'mse', taps: { inputs: new Map() } })).toBe('tape');
      expect(gradientPath(net, { loss: 'mse', forceTape: true })).toBe('tape');
      disposeNet(net);
    });

    it('with taps: records inputs and returns δ of variable probes, with Σ_b x_b δ_bᵀ the kernel gradient', () => {
      const net = createNet(mlp('tanh'), { seed: 8 });
      const x = randomTensor([B, 3], 2);
      const y = labels();
      const kernels = net.params.filter((p) => p.role === 'kernel');
      const keys = kernels.map((p) => p.name.slice(0, -'.kernel'.length));
      const widths = kernels.map((p) => p.variable.shape[1]!);
      const probes = new Map(keys.map((k, i) => [k, tf.variable(tf.zeros([B, widths[i]!]), true)] as const));
      const inputs = new Map<string, tf.Tensor>();
      const r = lossAndGradients(net, x, y, { loss: 'cross_entropy', taps: { inputs, probes } });
      expect(r.path).toBe('tape');
      expect([...(r.deltas?.keys() ?? [])].sort()).toEqual([...keys].sort());
      for (const [i, k] of keys.entries()) {
        const fromTaps = tf.tidy(() => tf.matMul(inputs.get(k)!, r.deltas!.get(k)!, true, false).dataSync());
        expect(maxAbsDiff(fromTaps, r.grads[kernels[i]!.name]!.dataSync())).toBeLessThan(1e-6);
      }
      tf.dispose([
        r.loss,
        ...Object.values(r.grads),
        ...r.deltas!.values(),
        ...inputs.values(),
        ...probes.values(),
        x,
        y,
      ]);
      disposeNet(net);
    });

    it('the closed form matches a central finite difference of the loss along a random direction', () => {
      for (const loss of LOSSES) {
        const net = createNet(denseNet('tanh', 'linear'), { seed: 21 });
        const x = randomTensor([B, 3], 4);
        const y = labels();
        const r = lossAndGradients(net, x, y, { loss });
        expect(r.path).toBe('closed-form');
        const dirs = net.params.map((p, i) => randomTensor(p.variable.shape, 100 + i));
        const slope = net.params.reduce(
          (acc, p, i) => acc + tf.tidy(() => tf.sum(tf.mul(r.grads[p.name]!, dirs[i]!)).dataSync()[0]!),
          0,
        );
        const h = 1e-2;
        const at = (sign: number): number => {
          const saved = net.params.map((p) => tf.clone(p.variable));
          net.params.forEach((p, i) =>
            p.variable.assign(tf.tidy(() => tf.add(p.variable, tf.mul(dirs[i]!, sign * h)))),
          );
          const l = lossAndGradients(net, x, y, { loss });
          const v = l.loss.dataSync()[0]!;
          tf.dispose([l.loss, ...Object.values(l.grads)]);
          net.params.forEach((p, i) => p.variable.assign(saved[i]!));
          tf.dispose(saved);
          return v;
        };
        const fd = (at(1) - at(-1)) / (2 * h);
        expect(Math.abs(slope)).toBeGreaterThan(1e-2);
        expect(Math.abs(fd - slope)).toBeLessThan(2e-3 * Math.max(1, Math.abs(slope)));
        tf.dispose([r.loss, ...Object.values(r.grads), ...dirs, x, y]);
        disposeNet(net);
      }
    });

    it('gradScale multiplies the gradients, not the loss, on both paths', () => {
      const net = createNet(denseNet('tanh', 'linear'), { seed: 4 });
      const x = randomTensor([B, 3], 3);
      const y = labels();
      for (const forceTape of [false, true]) {
        for (const loss of LOSSES) {
          const plain = lossAndGradients(net, x, y, { loss, forceTape });
          const scaled = lossAndGradients(net, x, y, { loss, forceTape, gradScale: 0.25 });
          expect(scaled.path).toBe(forceTape ? 'tape' : 'closed-form');
          expect(scaled.loss.dataSync()[0]).toBeCloseTo(plain.loss.dataSync()[0]!, 6);
          for (const p of net.params) {
            const want = Array.from(plain.grads[p.name]!.dataSync(), (v) => v * 0.25);
            expect(maxAbsDiff(scaled.grads[p.name]!.dataSync(), want)).toBeLessThan(1e-7);
          }
          tf.dispose([plain.loss, scaled.loss, ...Object.values(plain.grads), ...Object.values(scaled.grads)]);
        }
      }
      disposeNet(net);
      tf.dispose([x, y]);
    });

    it('leaves no tensor behind but the returned ones, on both paths', () => {
      for (const network of [denseNet('relu', 'linear'), resnet]) {
        const net = createNet(network, { seed: 1 });
        const x = randomTensor([B, network.input[0]!], 6);
        const y = labels();
        for (const loss of LOSSES) {
          const once = () => {
            const r = lossAndGradients(net, x, y, { loss, training: true, seed: 1 });
            tf.dispose([r.loss, ...Object.values(r.grads)]);
          };
          once();
          const before = tf.memory().numTensors;
          for (let i = 0; i < 3; i++) once();
          expect(tf.memory().numTensors).toBe(before);
        }
        disposeNet(net);
        tf.dispose([x, y]);
      }
    });
  });
}
