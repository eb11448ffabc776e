// The host net: its loss and gradients equal the gradient tape's (tf.variableGrads through forward and
// batchLoss) for every supported layer, activation and loss, with plain loops and with the native gemm;
// finite differences confirm a gradient independently; the SGD step, evaluation and write-back agree with
// TensorFlow.js; nets outside the closed form are refused.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as E from 'fp-ts/lib/Either.js';
import type { Activation, Loss } from '@sprout/spec';
import { initBackend } from '@sprout/backend';
import { nativeAddon } from '@sprout/native';
import {
  batchLoss,
  createNet,
  createNetFromLayers,
  disposeNet,
  forward,
  hostEvaluate,
  hostLossAndGradients,
  hostMatMul,
  hostMultiplyAdds,
  lossAndGradients,
  hostNetPays,
  hostSgdUpdate,
  toHostNet,
  writeHostNet,
  type Net,
} from '../src/index.js';
import { CLASSES, cnn, denseNet, leadingResidual, maxAbsDiff, mlp, resnet, tape, values } from './fixtures.js';

const labelsOf = (n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => (i * 7 + 1) % CLASSES);

/** Worst gradient difference relative to max(1, max |reference|), and the loss difference. */
function gap(net: Net, batch: number, loss: Loss, native: boolean): { worst: number; lossGap: number; size: number } {
  const xs = values(batch * net.input[0]!, 5);
  const ys = labelsOf(batch);
  const x = tf.tensor2d(xs, [batch, net.input[0]!]);
  const y = tf.tensor1d(ys, 'int32');
  const ref = tape(net, x, y, { loss });
  const h = toHostNet(net, { loss, native })!;
  expect(h).toBeDefined();
  const value = hostLossAndGradients(h, xs, ys, batch);
  let worst = 0;
  let size = 0;
  for (const [name, g] of ref.grads) {
    size = Math.max(size, ...Array.from(g, Math.abs));
    worst = Math.max(worst, maxAbsDiff(h.grads.get(name)!, g) / Math.max(1, ...Array.from(g, Math.abs)));
  }
  tf.dispose([x, y]);
  return { worst, lossGap: Math.abs(value - ref.loss) / Math.max(1, Math.abs(ref.loss)), size };
}

describe('host net', () => {
  beforeAll(async () => {
    expect(E.isRight(await initBackend('cpu'))).toBe(true);
  });

  for (const loss of ['cross_entropy', 'mse'] as const)
    for (const activation of ['relu', 'tanh', 'sigmoid', 'linear'] as const)
      it(`gradients = tape: ${loss}, hidden ${activation}, outputs linear and ${activation}`, () => {
        for (const output of new Set<Activation>(['linear', activation])) {
          const net = createNet(denseNet(activation, output), { seed: 11 });
          for (const native of nativeAddon() === null ? [false] : [false, true]) {
            const r = gap(net, 7, loss, native);
            expect(r.size).toBeGreaterThan(1e-3);
            expect(r.worst).toBeLessThan(2e-6);
            expect(r.lossGap).toBeLessThan(2e-6);
          }
          disposeNet(net);
        }
      });

  it("the trace of the last call (a_j, ∂J/∂a_j, δ_j of the top-level layers) equals the tape's", () => {
    // denseNet: host layers 0 (dense, key 0), 1 (residual, key 1), 2 (dense, key 3: the dropout is no
    // host layer), 3 (output, key 4). References from the tape's taps: inputs of the next dense layers,
    // probe gradients δ = ∂J/∂z, and ∂J/∂a by the chain rule: a dense layer k after a passes δ_k W_kᵀ, a
    // residual block passes its output gradient plus its first body layer's δ W ᵀ.
    const batch = 6;
    const xs = values(batch * 3, 31);
    const ys = labelsOf(batch);
    for (const activation of ['relu', 'tanh'] as const) {
      const net = createNet(denseNet(activation, 'linear'), { seed: 9 });
      const units: Record<string, number> = { '0': 4, '1.body.0': 5, '1.body.1': 4, '3': 4, '4': CLASSES };
      const probes = new Map(Object.entries(units).map(([k, n]) => [k, tf.variable(tf.zeros([batch, n]), true)]));
      const inputs = new Map<string, tf.Tensor>();
      const r = lossAndGradients(net, tf.tensor2d(xs, [batch, 3]), tf.tensor1d(ys, 'int32'), {
        loss: 'cross_entropy',
        taps: { inputs, probes },
        forceTape: true,
      });
      const ref = tf.tidy(() => {
        const delta = (k: string) => r.deltas!.get(k)!;
        const kernel = (k: string) => net.params.find((p) => p.name === `${k}.kernel`)!.variable;
        const back = (k: string) => tf.matMul(delta(k), kernel(k), false, true);
        const g1 = back('3');
        const read = (t: tf.Tensor) => Float32Array.from(t.dataSync());
        return {
          outputs: [inputs.get('1.body.0')!, inputs.get('3')!, inputs.get('4')!].map(read),
          gradients: [tf.add(g1, back('1.body.0')), g1, back('4'), delta('4')].map(read),
          deltas: [delta('0'), undefined, delta('3'), delta('4')].map((t) => (t === undefined ? undefined : read(t))),
        };
      });
      for (const native of nativeAddon() === null ? [false] : [false, true]) {
        const h = toHostNet(net, { loss: 'cross_entropy', native })!;
        hostLossAndGradients(h, xs, ys, batch);
        const where = `${activation}, native ${native}`;
        ref.outputs.forEach((a, j) =>
          expect(maxAbsDiff(h.trace.outputs[j]!, a), `a_${j} (${where})`).toBeLessThan(1e-6),
        );
        ref.gradients.forEach((g, j) => {
          expect(Math.max(...Array.from(g, Math.abs))).toBeGreaterThan(1e-4);
          expect(maxAbsDiff(h.trace.gradients[j]!, g), `∂J/∂a_${j} (${where})`).toBeLessThan(1e-6);
        });
        ref.deltas.forEach((d, j) => {
          if (d === undefined) expect(h.trace.deltas[j]).toBeUndefined();
          else expect(maxAbsDiff(h.trace.deltas[j]!, d), `δ_${j} (${where})`).toBeLessThan(1e-6);
        });
      }
      tf.dispose([r.loss, ...Object.values(r.grads), ...r.deltas!.values(), ...inputs.values(), ...probes.values()]);
      disposeNet(net);
    }
  });

  it('computes only the wanted weight gradients, with the same trace and the same bits for those', () => {
    const batch = 6;
    const xs = values(batch * 3, 47);
    const ys = labelsOf(batch);
    const net = createNet(denseNet('relu', 'linear'), { seed: 4 });
    for (const native of nativeAddon() === null ? [false] : [false, true]) {
      const full = toHostNet(net, { loss: 'cross_entropy', native })!;
      const part = toHostNet(net, { loss: 'cross_entropy', native })!;
      const lossFull = hostLossAndGradients(full, xs, ys, batch);
      const sentinel = -12345;
      for (const g of part.grads.values()) g.fill(sentinel);
      const wanted = new Set(['1.body.0.kernel', '4.bias']);
      expect(hostLossAndGradients(part, xs, ys, batch, { wanted })).toBe(lossFull);
      for (const [name, g] of part.grads) {
        if (wanted.has(name)) expect(Array.from(g), name).toEqual(Array.from(full.grads.get(name)!));
        else
          expect(
            g.every((v) => v === sentinel),
            `${name} left alone`,
          ).toBe(true);
      }
      for (const key of ['outputs', 'gradients', 'deltas'] as const)
        full.trace[key].forEach((a, j) =>
          expect(a === undefined ? undefined : Array.from(a), `${key}[${j}], native ${native}`).toEqual(
            part.trace[key][j] === undefined ? undefined : Array.from(part.trace[key][j]!),
          ),
        );
      // Nothing wanted: the trace alone, as the sensitivity pass reads it.
      for (const g of part.grads.values()) g.fill(sentinel);
      hostLossAndGradients(part, xs, ys, batch, { wanted: new Set() });
      for (const g of part.grads.values()) expect(g.every((v) => v === sentinel)).toBe(true);
      expect(Array.from(part.trace.deltas[0]!)).toEqual(Array.from(full.trace.deltas[0]!));
    }
    disposeNet(net);
  });

  it('hostMatMul applies its activation after the product, natively and in the loops', () => {
    const a = values(7 * 3, 41);
    const b = values(4 * 3, 42);
    const net = createNet(denseNet('relu', 'linear'), { seed: 1 });
    for (const activation of ['linear', 'relu', 'tanh', 'sigmoid'] as const) {
      const expected = tf.tidy(() => {
        const z = tf.matMul(tf.tensor2d(a, [7, 3]), tf.tensor2d(b, [4, 3]), false, true);
        const act = { linear: (t: tf.Tensor) => t, relu: tf.relu, tanh: tf.tanh, sigmoid: tf.sigmoid }[activation];
        return act(z).dataSync();
      });
      for (const native of nativeAddon() === null ? [false] : [false, true]) {
        const h = toHostNet(net, { loss: 'cross_entropy', native })!;
        const c = new Float32Array(7 * 4);
        hostMatMul(h, a, b, c, 7, 4, 3, false, true, activation);
        expect(maxAbsDiff(c, expected), `${activation}, native ${native}`).toBeLessThan(1e-6);
      }
    }
    disposeNet(net);
  });

  it('a leading residual block and a bias-free output layer', () => {
    const { input, layers } = leadingResidual('tanh');
    const net = createNetFromLayers(input, layers, { seed: 2 });
    const xs = values(6 * 4, 9);
    const x = tf.tensor2d(xs, [6, 4]);
    const y = tf.tensor1d(labelsOf(6), 'int32');
    const ref = tape(net, x, y, { loss: 'cross_entropy' });
    const h = toHostNet(net, { loss: 'cross_entropy', native: false })!;
    hostLossAndGradients(h, xs, labelsOf(6), 6);
    for (const [name, g] of ref.grads) expect(maxAbsDiff(h.grads.get(name)!, g)).toBeLessThan(2e-6);
    tf.dispose([x, y]);
    disposeNet(net);
  });

  it.runIf(nativeAddon() !== null)('the native gemm on wider layers gives the gradients of the tape', () => {
    const net = createNet(
      {
        input: [3],
        layers: [
          { _tag: 'dense', units: 64, activation: 'relu', bias: true },
          { _tag: 'dense', units: 64, activation: 'tanh', bias: true },
        ],
        output: { units: CLASSES, activation: 'linear' },
      },
      { seed: 4 },
    );
    const withNative = gap(net, 40, 'cross_entropy', true);
    expect(withNative.size).toBeGreaterThan(1e-3);
    expect(withNative.worst).toBeLessThan(5e-6);
    disposeNet(net);
  });

  it('a finite-difference check of a kernel and a bias entry (float64 central differences of the host loss)', () => {
    const net = createNet(denseNet('tanh', 'linear'), { seed: 3 });
    const batch = 5;
    const xs = values(batch * 3, 8);
    const ys = labelsOf(batch);
    const h = toHostNet(net, { loss: 'cross_entropy', native: false })!;
    for (const [name, index] of [
      ['1.body.0.kernel', 3],
      ['0.bias', 1],
      ['4.kernel', 5],
    ] as const) {
      hostLossAndGradients(h, xs, ys, batch);
      const theta = h.params.get(name)!;
      const analytic = h.grads.get(name)![index]!;
      const original = theta[index]!;
      // The steps actually taken in float32 storage.
      theta[index] = original + 1e-2;
      const hi = theta[index]!;
      const up = hostLossAndGradients(h, xs, ys, batch);
      theta[index] = original - 1e-2;
      const lo = theta[index]!;
      const down = hostLossAndGradients(h, xs, ys, batch);
      theta[index] = original;
      const fd = (up - down) / (hi - lo);
      expect(Math.abs(analytic)).toBeGreaterThan(1e-3);
      expect(Math.abs(fd - analytic) / Math.abs(analytic)).toBeLessThan(1e-2);
    }
    disposeNet(net);
  });

  it('an SGD step, the evaluation and the write-back agree with TensorFlow.js', () => {
    const net = createNet(denseNet('relu', 'linear'), { seed: 5 });
    const n = 9;
    const xs = values(n * 3, 12);
    const ys = labelsOf(n);
    const h = toHostNet(net, { loss: 'cross_entropy', native: false })!;
    const before = new Map([...h.params].map(([name, v]) => [name, v.slice()]));
    const [x, y] = [tf.tensor2d(xs, [n, 3]), tf.tensor1d(ys, 'int32')];
    const ref = tape(net, x, y, { loss: 'cross_entropy' });
    tf.dispose([x, y]);
    hostLossAndGradients(h, xs, ys, n);
    hostSgdUpdate(h, 0.5);
    writeHostNet(h, net);
    for (const p of net.params) {
      const expected = before.get(p.name)!.map((v, i) => v - 0.5 * ref.grads.get(p.name)![i]!);
      expect(maxAbsDiff(p.variable.dataSync(), expected)).toBeLessThan(1e-6);
    }
    // Evaluation in chunks of 4 = forward + batchLoss + argmax on the updated net.
    const { lossSum, errors } = hostEvaluate(h, xs, ys, n, 4);
    tf.tidy(() => {
      const out = forward(net, tf.tensor2d(xs, [n, 3]));
      const l = batchLoss('cross_entropy', 'linear', out, tf.tensor1d(ys, 'int32')).dataSync()[0]! * n;
      const wrong = Array.from(tf.argMax(out, 1).dataSync()).filter((c, i) => c !== ys[i]).length;
      expect(Math.abs(lossSum - l)).toBeLessThan(1e-5 * Math.max(1, l));
      expect(errors).toBe(wrong);
    });
    disposeNet(net);
  });

  it('propagates NaN as TensorFlow.js does (relu keeps NaN), with and without the native gemm', () => {
    const net = createNet(denseNet('relu', 'linear'), { seed: 5 });
    const xs = values(4 * 3, 1);
    xs[4] = Number.NaN;
    for (const native of [false, true]) {
      const h = toHostNet(net, { loss: 'cross_entropy', native })!;
      expect(hostLossAndGradients(h, xs, labelsOf(4), 4)).toBeNaN();
    }
    disposeNet(net);
  });

  it('pays with the native gemm always, with plain loops only for small nets', () => {
    const small = createNet(denseNet('relu', 'linear'), { seed: 1 });
    const wide = createNet(
      {
        input: [784],
        layers: [{ _tag: 'dense', units: 50, activation: 'relu', bias: true }],
        output: { units: 10, activation: 'linear' },
      },
      { seed: 1 },
    );
    const loops = (net: Net) => toHostNet(net, { loss: 'cross_entropy', native: false })!;
    expect(hostMultiplyAdds(loops(small))).toBe(3 * 4 + 4 * 5 + 5 * 4 + 4 * 4 + 4 * CLASSES);
    expect(hostMultiplyAdds(loops(wide))).toBe(784 * 50 + 50 * 10);
    expect(hostNetPays(loops(small))).toBe(true);
    expect(hostNetPays(loops(wide))).toBe(false);
    if (nativeAddon() !== null) expect(hostNetPays(toHostNet(wide, { loss: 'cross_entropy' })!)).toBe(true);
    disposeNet(small);
    disposeNet(wide);
  });

  it('refuses nets outside the closed form', () => {
    for (const network of [mlp('gelu'), mlp('softmax'), resnet, cnn]) {
      const net = createNet(network, { seed: 1 });
      expect(toHostNet(net, { loss: 'cross_entropy' })).toBeUndefined();
      disposeNet(net);
    }
  });
});
