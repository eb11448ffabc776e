// Conv + batch norm + ReLU insertion (the CNN reference's BN=True): function preservation with the norm
// started from the data (inference mode; training mode on the statistics' own batch), the reference's fresh
// norm in closed form, the sensitivity of the plain virtual conv as the inserted block's kernel gradient, the
// positions of the grown net, and its layers-format export.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as E from 'fp-ts/lib/Either.js';
import { BATCHNORM, disposeNet, forward, fromLayersModel, getWeights, toLayersModel, type Net } from '@sprout/model';
import {
  activationMoments,
  candidatePositions,
  disposeAdded,
  insertLayer,
  insertVirtualLayers,
  type Position,
} from '../src/index.js';
import { cnn, fnn, inputs, maxAbsDiff } from '../src/testing.js';

const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(JSON.stringify(e.left));
  return e.right;
};

const upTo = (net: Net, at: number): Net => ({ ...net, layers: net.layers.slice(0, at) });
const maxAbs = (t: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(t)).dataSync()[0]!);

/** The net with position p's conv + BN + ReLU block, its norm started from the statistics of x. */
const grownPreserve = (net: Net, p: Position, x: tf.Tensor, batchSize = 8): Net => {
  const moments = activationMoments(net, p.at, x, batchSize);
  return right(insertLayer(net, p.index, { batchnorm: { _tag: 'preserve', ...moments } }));
};

describe('conv + batch norm + ReLU insertion', () => {
  it('activationMoments gives the per-channel mean and biased variance of the activations at the position', () => {
    const net = cnn(3, 'avg');
    const x = inputs(net, 20);
    for (const p of right(candidatePositions(net)).positions) {
      // Batches of 7 (the last one short) against one tf.moments over all examples and pixels.
      const ours = activationMoments(net, p.at, x, 7);
      const [mean, variance] = tf.tidy(() => {
        const h = forward(upTo(net, p.at), x);
        const m = tf.moments(tf.reshape(h, [-1, p.width]), 0);
        return [Array.from(m.mean.dataSync()), Array.from(m.variance.dataSync())];
      });
      expect(ours.mean).toHaveLength(p.width);
      for (let c = 0; c < p.width; c++) {
        expect(ours.mean[c]).toBeCloseTo(mean![c]!, 5);
        expect(Math.abs(ours.variance[c]! - variance![c]!)).toBeLessThan(1e-5 * Math.max(1, variance![c]!));
      }
      // Not a degenerate case: some channel has a non-zero mean and variance.
      expect(Math.max(...ours.variance)).toBeGreaterThan(0.01);
    }
    x.dispose();
    disposeNet(net);
  });

  it('preserve: inference mode and training mode on the whole set give the same outputs at every position', () => {
    const net = cnn(2);
    const x = inputs(net, 32);
    const before = tf.tidy(() => forward(net, x));
    const scale = Math.max(1, maxAbs(before));
    const { positions } = right(candidatePositions(net));
    expect(positions).toHaveLength(2);
    for (const p of positions) {
      const grown = grownPreserve(net, p, x);
      expect(grown.layers).toHaveLength(net.layers.length + 2);
      expect(grown.layers[p.at]).toMatchObject({ _tag: 'conv', filters: p.width, kernel: 3, activation: 'linear' });
      expect(grown.layers[p.at + 1]).toEqual({ _tag: 'batchnorm', activation: 'relu' });
      expect(grown.state.map((s) => s.name)).toEqual([`${p.at + 1}.movingMean`, `${p.at + 1}.movingVariance`]);
      const inference = tf.tidy(() => forward(grown, x));
      expect(maxAbsDiff(before, inference)).toBeLessThan(1e-5 * scale);
      // Training mode normalises with the batch's statistics: on the batch the statistics came from, the same.
      const training = tf.tidy(() => forward(grown, x, { training: true, updateState: false }));
      expect(maxAbsDiff(before, training)).toBeLessThan(1e-5 * scale);
      // On another batch the block is live (the norm uses that batch's statistics), so outputs move.
      const few = tf.tidy(() => tf.slice(x, 0, 4));
      const moved = tf.tidy(() =>
        maxAbsDiff(forward(net, few), forward(grown, few, { training: true, updateState: false })),
      );
      expect(moved).toBeGreaterThan(1e-3);
      tf.dispose([inference, training, few]);
      disposeAdded(grown, net);
    }
    before.dispose();
    x.dispose();
    disposeNet(net);
  });

  it('reference: the fresh norm (γ 1, β 0, mean 0, variance 1) scales the activations by 1/√(1 + ε) in inference mode', () => {
    const net = cnn(4);
    const x = inputs(net, 16);
    const p = right(candidatePositions(net)).positions[1]!;
    const grown = right(insertLayer(net, p.index, { batchnorm: { _tag: 'reference' } }));
    const values = new Map(getWeights(grown).map((w) => [w.name, Array.from(w.values)]));
    const ones = Array.from({ length: p.width }, () => 1);
    const zeros = Array.from({ length: p.width }, () => 0);
    expect(values.get(`${p.at + 1}.gamma`)).toEqual(ones);
    expect(values.get(`${p.at + 1}.beta`)).toEqual(zeros);
    expect(values.get(`${p.at + 1}.movingMean`)).toEqual(zeros);
    expect(values.get(`${p.at + 1}.movingVariance`)).toEqual(ones);
    const h = tf.tidy(() => forward(upTo(net, p.at), x));
    const block = tf.tidy(() => forward(upTo(grown, p.at + 2), x));
    const expected = tf.tidy(() => tf.div(h, Math.sqrt(1 + BATCHNORM.epsilon)));
    expect(maxAbsDiff(block, expected)).toBeLessThan(1e-6 * Math.max(1, maxAbs(h)));
    // ... which is not the identity, and the net's outputs change by that relative amount only.
    expect(maxAbsDiff(block, h)).toBeGreaterThan(0);
    const before = tf.tidy(() => forward(net, x));
    const after = tf.tidy(() => forward(grown, x));
    expect(maxAbsDiff(before, after)).toBeLessThan(1e-4 * Math.max(1, maxAbs(before)));
    tf.dispose([h, block, expected, before, after]);
    disposeAdded(grown, net);
    x.dispose();
    disposeNet(net);
  });

  it("the plain virtual conv's sensitivity is the gradient of the inserted block's conv kernel (preserve, inference mode)", () => {
    // The norm started by `preserve` is the identity map in inference mode, with the identity as its
    // derivative; so ∂J/∂W of the block's conv equals ∂J/∂W of the plain virtual conv+ReLU at the same place,
    // away from the ReLU's kink: where the position's activation is exactly 0, the norm's output is ±(rounding),
    // and autodiff's one-sided choice (ReLU′(0) = 0) can differ. So the first conv's bias is raised by 10,
    // which makes every activation at position 0 positive.
    const net = cnn(5, 'avg');
    const bias = net.params.find((q) => q.name === '0.bias')!.variable;
    bias.assign(tf.tidy(() => tf.add(bias, 10)));
    const x = inputs(net, 24);
    const p = right(candidatePositions(net)).positions[0]!;
    const h = tf.tidy(() => forward(upTo(net, p.at), x));
    expect(tf.tidy(() => tf.min(h).dataSync()[0]!)).toBeGreaterThan(0);
    const labels = tf.oneHot(
      tf.tensor1d(
        Array.from({ length: 24 }, (_, i) => (i * 7) % 3),
        'int32',
      ),
      3,
    );
    const J = (n: Net) => () => tf.losses.softmaxCrossEntropy(labels, forward(n, x)) as tf.Scalar;
    const plain = insertVirtualLayers(net, [p]);
    const block = grownPreserve(net, p, x);
    const plainW = plain.net.params.find((q) => q.name === plain.weights[0])!.variable;
    const blockW = block.params.find((q) => q.name === `${p.at}.kernel`)!.variable;
    const g1 = tf.tidy(() => tf.variableGrads(J(plain.net), [plainW]).grads[plainW.name]!);
    const g2 = tf.tidy(() => tf.variableGrads(J(block), [blockW]).grads[blockW.name]!);
    const size = maxAbs(g1);
    expect(size).toBeGreaterThan(1e-4);
    expect(maxAbsDiff(g1, g2)).toBeLessThan(1e-4 * size);
    tf.dispose([g1, g2, h, x, labels]);
    disposeAdded(plain.net, net);
    disposeAdded(block, net);
    disposeNet(net);
  });

  it('the grown net has a conv position after its batchnorm relu, where a further insertion keeps the function', () => {
    const net = cnn(6);
    const x = inputs(net, 16);
    const p = right(candidatePositions(net)).positions[0]!;
    const grown = grownPreserve(net, p, x);
    const again = right(candidatePositions(grown));
    expect(again.architecture).toBe('cnn');
    expect(again.positions.map((q) => q.description)).toEqual([
      'after layer 0 (conv 3 3×3 relu)',
      'after layer 2 (batchnorm relu)',
      'after layer 4 (conv 4 3×3 relu)',
    ]);
    const before = tf.tidy(() => forward(grown, x));
    for (const q of again.positions) {
      const twice = right(insertLayer(grown, q.index));
      const after = tf.tidy(() => forward(twice, x));
      expect(maxAbsDiff(before, after)).toBeLessThan(1e-5 * Math.max(1, maxAbs(before)));
      after.dispose();
      disposeAdded(twice, grown);
    }
    before.dispose();
    disposeAdded(grown, net);
    x.dispose();
    disposeNet(net);
  });

  it('exports to the layers format (conv, BatchNormalization, Activation) and reads back as the same net', async () => {
    const net = cnn(7);
    const x = inputs(net, 12);
    const grown = grownPreserve(net, right(candidatePositions(net)).positions[1]!, x);
    const model = toLayersModel(grown);
    expect(model.layers.map((l) => l.getClassName())).toContain('BatchNormalization');
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
    const ours = tf.tidy(() => forward(grown, x));
    const theirs = tf.tidy(() => loaded.predict(x) as tf.Tensor);
    expect(maxAbsDiff(ours, theirs)).toBeLessThan(1e-5 * Math.max(1, maxAbs(ours)));
    const back = right(fromLayersModel(loaded));
    expect(back.layers).toEqual(grown.layers);
    expect(getWeights(back)).toEqual(getWeights(grown));
    tf.dispose([ours, theirs]);
    [model, loaded].forEach((m) => m.dispose());
    disposeNet(back);
    disposeAdded(grown, net);
    x.dispose();
    disposeNet(net);
  });

  it('is refused at a dense position', () => {
    const net = fnn();
    const r = insertLayer(net, 0, { batchnorm: { _tag: 'reference' } });
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'unsupported-architecture' });
    disposeNet(net);
  });
});
