import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as E from 'fp-ts/lib/Either.js';
import { createNetFromLayers, disposeNet, forward, fromLayersModel, toLayersModel, type Net } from '@sprout/model';
import {
  candidatePositions,
  insertLayer,
  insertVirtualLayers,
  paramNameMap,
  addedParams,
  disposeAdded,
} from '../src/index.js';
import { cnn, fnn, inputs, maxAbsDiff, resnet } from '../src/testing.js';

const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(JSON.stringify(e.left));
  return e.right;
};

const cases: [string, (seed?: number) => Net, number][] = [
  ['fnn', fnn, 2],
  ['resnet', resnet, 2],
  ['cnn', cnn, 2],
];

describe('insertLayer keeps the function', () => {
  for (const [name, make, count] of cases) {
    it(`${name}: every single insertion and all at once give the same outputs (1e-6)`, () => {
      const net = make();
      const { positions } = right(candidatePositions(net));
      expect(positions).toHaveLength(count);
      const x = inputs(net, 32);
      const before = tf.tidy(() => forward(net, x));
      if (name !== 'resnet') {
        // Non-trivial ReLU nets: some hidden units active, some not.
        const h = tf.tidy(() => forward({ ...net, layers: net.layers.slice(0, 1) }, x));
        const frac = tf.tidy(() => tf.mean(tf.cast(tf.greater(h, 0), 'float32')).dataSync()[0]!);
        expect(frac).toBeGreaterThan(0.2);
        expect(frac).toBeLessThan(0.9);
        h.dispose();
      }
      for (let p = 0; p < positions.length; p++) {
        const grown = right(insertLayer(net, p));
        expect(grown.layers).toHaveLength(net.layers.length + 1);
        const after = tf.tidy(() => forward(grown, x));
        expect(maxAbsDiff(before, after)).toBeLessThan(1e-6);
        after.dispose();
        disposeAdded(grown, net);
      }
      const all = insertVirtualLayers(net, positions);
      expect(all.net.layers).toHaveLength(net.layers.length + positions.length);
      const after = tf.tidy(() => forward(all.net, x));
      expect(maxAbsDiff(before, after)).toBeLessThan(1e-6);
      after.dispose();
      disposeAdded(all.net, net);
      before.dispose();
      x.dispose();
      disposeNet(net);
    });
  }
});

describe('training continues after an insertion', () => {
  for (const [name, make] of cases) {
    it(`${name}: SGD steps on the grown net reduce the loss and move the new weights`, () => {
      const net = make(3);
      const last = positionsOf(net).length - 1;
      const grown = right(insertLayer(net, last));
      const x = inputs(net, 24, 11);
      const classes = grown.layers[grown.layers.length - 1]!;
      const units = classes._tag === 'dense' ? classes.units : 0;
      const y = tf.tidy(() =>
        tf.oneHot(
          tf.tensor1d(
            Array.from({ length: 24 }, (_, i) => i % units),
            'int32',
          ),
          units,
        ),
      );
      const loss = () => tf.losses.softmaxCrossEntropy(y, forward(grown, x)) as tf.Scalar;
      const start = tf.tidy(() => loss().dataSync()[0]!);
      const added = addedParams(net, grown);
      const addedBefore = added.map((p) => p.variable.dataSync().slice());
      const opt = tf.train.sgd(0.1);
      for (let k = 0; k < 5; k++) {
        tf.tidy(() => {
          opt.minimize(
            loss,
            false,
            grown.params.map((p) => p.variable),
          );
        });
      }
      const end = tf.tidy(() => loss().dataSync()[0]!);
      expect(end).toBeLessThan(start);
      // The new layer is trainable: the virtual weight (W, or W₂ for the ResNet block) moved.
      const moved = added.some((p, i) =>
        p.variable.dataSync().some((v, j) => Math.abs(v - addedBefore[i]![j]!) > 1e-7),
      );
      expect(moved).toBe(true);
      opt.dispose();
      tf.dispose([x, y]);
      disposeNet(grown);
    });
  }
});

const positionsOf = (net: Net) => right(candidatePositions(net)).positions;

describe('names, sharing and memory', () => {
  it('maps old names to shifted new names and shares the variables', () => {
    const net = fnn();
    const grown = right(insertLayer(net, 0)); // after layer 0: new layer 1, old 1 → 2, old 2 → 3
    const map = paramNameMap(net, grown);
    expect(Object.fromEntries(map)).toEqual({
      '0.kernel': '0.kernel',
      '0.bias': '0.bias',
      '1.kernel': '2.kernel',
      '1.bias': '2.bias',
      '2.kernel': '3.kernel',
      '2.bias': '3.bias',
    });
    expect(addedParams(net, grown).map((p) => p.name)).toEqual(['1.kernel', '1.bias']);
    expect(grown.params.map((p) => p.name)).toEqual([
      '0.kernel',
      '0.bias',
      '1.kernel',
      '1.bias',
      '2.kernel',
      '2.bias',
      '3.kernel',
      '3.bias',
    ]);
    const byName = new Map(grown.params.map((p) => [p.name, p.variable]));
    for (const p of net.params) expect(byName.get(map.get(p.name)!)).toBe(p.variable);
    disposeNet(grown);
  });

  it('names the residual virtual block and its W₂', () => {
    const net = resnet();
    const ext = insertVirtualLayers(net, positionsOf(net));
    // positions at 1 (before the first block) and 2 (after it): new layers at 1 and 3.
    expect(ext.weights).toEqual(['1.body.1.kernel', '3.body.1.kernel']);
    expect(ext.added).toEqual([
      '1.body.0.kernel',
      '1.body.0.bias',
      '1.body.1.kernel',
      '3.body.0.kernel',
      '3.body.0.bias',
      '3.body.1.kernel',
    ]);
    const w1 = ext.net.params.find((p) => p.name === '1.body.0.kernel')!.variable.arraySync();
    expect(w1).toEqual(
      [
        [0.8, 0, 0],
        [0, 0.8, 0],
        [0, 0, 0.8],
      ].map((r) => r.map((v) => Math.fround(v))),
    );
    disposeAdded(ext.net, net);
    disposeNet(net);
  });

  it('the old net stays usable after disposeAdded, and no tensor leaks', () => {
    const net = cnn();
    const x = inputs(net, 4);
    const start = tf.memory().numTensors;
    for (let k = 0; k < 3; k++) {
      const ext = insertVirtualLayers(net, positionsOf(net));
      tf.tidy(() => {
        forward(ext.net, x);
      });
      disposeAdded(ext.net, net);
    }
    expect(tf.memory().numTensors).toBe(start);
    const y = tf.tidy(() => forward(net, x));
    expect(y.shape).toEqual([4, 3]);
    tf.dispose([x, y]);
    disposeNet(net);
  });
});

describe('nets with state and dropout', () => {
  it('an FNN with batchnorm and dropout keeps its function and shifts its state names', () => {
    const net = createNetFromLayers(
      [3],
      [
        { _tag: 'dense', units: 4, activation: 'relu', bias: true },
        { _tag: 'batchnorm' },
        { _tag: 'dropout', rate: 0.5 },
        { _tag: 'dense', units: 4, activation: 'relu', bias: true },
        { _tag: 'dense', units: 2, activation: 'linear', bias: true },
      ],
      { seed: 2 },
    );
    // Non-trivial moving statistics.
    for (const p of net.state) p.variable.assign(tf.fill(p.variable.shape, p.role === 'movingMean' ? 0.3 : 2));
    const { positions } = right(candidatePositions(net));
    expect(positions.map((p) => p.at)).toEqual([1, 4]);
    const x = inputs(net, 16);
    const before = tf.tidy(() => forward(net, x));
    for (let p = 0; p < positions.length; p++) {
      const grown = right(insertLayer(net, p));
      const after = tf.tidy(() => forward(grown, x));
      expect(maxAbsDiff(before, after)).toBeLessThan(1e-6);
      const map = paramNameMap(net, grown);
      expect(map.get('1.movingMean')).toBe(p === 0 ? '2.movingMean' : '1.movingMean');
      after.dispose();
      disposeAdded(grown, net);
    }
    tf.dispose([x, before]);
    disposeNet(net);
  });
});

describe('positions and errors', () => {
  it('describes positions in data-flow order', () => {
    const net = cnn();
    const c = right(candidatePositions(net));
    expect(c.architecture).toBe('cnn');
    expect(c.positions.map((p) => [p.index, p.at, p.width, p.inputShape, p.description])).toEqual([
      [0, 1, 3, [6, 6, 3], 'after layer 0 (conv 3 3×3 relu)'],
      [1, 3, 4, [3, 3, 4], 'after layer 2 (conv 4 3×3 relu)'],
    ]);
    const r = right(candidatePositions(resnet()));
    expect(r.architecture).toBe('resnet');
    expect(r.positions.map((p) => p.description)).toEqual([
      'before the first block, after layer 0 (dense 3 tanh)',
      'after layer 1 (residual block (dense 3 tanh, dense 3 linear))',
    ]);
    expect(right(candidatePositions(fnn())).positions.map((p) => p.description)).toEqual([
      'after layer 0 (dense 5 relu)',
      'after layer 1 (dense 4 relu)',
    ]);
  });

  it('rejects a tanh FNN, an FNN without hidden layers and a missing position', () => {
    const tanh = {
      input: [2],
      layers: [
        { _tag: 'dense', units: 3, activation: 'tanh', bias: true },
        { _tag: 'dense', units: 2, activation: 'linear', bias: true },
      ],
    } as const;
    const e = candidatePositions(tanh);
    expect(E.isLeft(e) && e.left._tag).toBe('unsupported-architecture');
    const none = candidatePositions({
      input: [2],
      layers: [{ _tag: 'dense', units: 2, activation: 'linear', bias: true }],
    });
    expect(E.isLeft(none) && none.left._tag).toBe('no-positions');
    const net = fnn();
    const bad = insertLayer(net, 2);
    expect(E.isLeft(bad) && bad.left._tag).toBe('position-out-of-range');
    disposeNet(net);
  });
});

describe('export', () => {
  for (const [name, make] of cases) {
    it(`${name}: the grown net exports with toLayersModel and round-trips through fromLayersModel`, () => {
      const net = make(4);
      const grown = right(insertLayer(net, 0));
      const x = inputs(net, 8, 2);
      const model = toLayersModel(grown);
      const a = tf.tidy(() => forward(grown, x));
      const b = model.predict(x) as tf.Tensor;
      expect(maxAbsDiff(a, b)).toBeLessThan(1e-5);
      const back = right(fromLayersModel(model));
      expect(back.layers).toEqual(grown.layers);
      // The round-tripped net has the same candidate positions (plus the new layer's own).
      expect(right(candidatePositions(back)).positions.length).toBe(
        right(candidatePositions(net)).positions.length + 1,
      );
      tf.dispose([a, b, x]);
      model.dispose();
      disposeNet(back);
      disposeNet(grown);
    });
  }
});

describe('the virtual ResNet block follows the net and offers the reference’s second initialisation', () => {
  const reluResnet = (): Net =>
    createNetFromLayers(
      [2],
      [
        { _tag: 'dense', units: 3, activation: 'relu', bias: true },
        {
          _tag: 'residual',
          body: [
            { _tag: 'dense', units: 3, activation: 'relu', bias: true },
            { _tag: 'dense', units: 3, activation: 'linear', bias: false },
          ],
        },
        { _tag: 'dense', units: 2, activation: 'linear', bias: true },
      ],
      { seed: 3 },
    );

  it('a ReLU ResNet gets ReLU virtual blocks; every insertion keeps the function (1e-6)', () => {
    const net = reluResnet();
    const { positions } = right(candidatePositions(net));
    expect(positions.map((p) => p.activation)).toEqual(['relu', 'relu']);
    const x = inputs(net, 16);
    const before = tf.tidy(() => forward(net, x));
    for (const init of ['outer_zero', 'inner_zero'] as const) {
      const ext = insertVirtualLayers(net, positions, { residualInit: init });
      const block = ext.net.layers[1]!;
      expect(block._tag === 'residual' && block.body[0]!._tag === 'dense' && block.body[0]!.activation).toBe('relu');
      const after = tf.tidy(() => forward(ext.net, x));
      expect(maxAbsDiff(before, after)).toBeLessThan(1e-6);
      after.dispose();
      disposeAdded(ext.net, net);
    }
    before.dispose();
    x.dispose();
    disposeNet(net);
  });

  it('inner_zero: W₁ = 0, W₂ = 0.8 I, and the sensitivity is taken on W₁ (tanh net keeps its function)', () => {
    const net = resnet();
    const { positions } = right(candidatePositions(net));
    expect(positions.map((p) => p.activation)).toEqual(['tanh', 'tanh']);
    const ext = insertVirtualLayers(net, positions, { residualInit: 'inner_zero' });
    expect(ext.weights).toEqual(['1.body.0.kernel', '3.body.0.kernel']);
    const get = (name: string) => ext.net.params.find((p) => p.name === name)!.variable.arraySync() as number[][];
    expect(
      get('1.body.0.kernel')
        .flat()
        .every((v) => v === 0),
    ).toBe(true);
    expect(get('1.body.1.kernel')).toEqual(
      [
        [0.8, 0, 0],
        [0, 0.8, 0],
        [0, 0, 0.8],
      ].map((r) => r.map((v) => Math.fround(v))),
    );
    const x = inputs(net, 16);
    const d = tf.tidy(() => maxAbsDiff(forward(net, x), forward(ext.net, x)));
    expect(d).toBeLessThan(1e-6);
    x.dispose();
    disposeAdded(ext.net, net);
    disposeNet(net);
  });
});
