// Weight snapshots, copies and disposal.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as E from 'fp-ts/lib/Either.js';
import { initBackend } from '@sprout/backend';
import { cloneNet, createNet, disposeNet, getWeights, setWeights } from '../src/index.js';
import { cnn, mlp } from './fixtures.js';

beforeAll(async () => {
  expect(E.isRight(await initBackend('wasm'))).toBe(true);
});

describe('weights', () => {
  it('setWeights(getWeights) restores a net; a clone is independent', () => {
    const a = createNet(cnn, { seed: 1 });
    const snapshot = getWeights(a);
    const b = cloneNet(a);
    a.params[0]!.variable.assign(tf.zerosLike(a.params[0]!.variable));
    expect(getWeights(b)).toEqual(snapshot);
    expect(getWeights(a)).not.toEqual(snapshot);
    expect(E.isRight(setWeights(a, snapshot))).toBe(true);
    expect(getWeights(a)).toEqual(snapshot);
    // "same initial weights" for another net of the same architecture
    const c = createNet(cnn, { seed: 99 });
    expect(E.isRight(setWeights(c, snapshot))).toBe(true);
    expect(getWeights(c)).toEqual(snapshot);
    [a, b, c].forEach(disposeNet);
  });

  it('rejects snapshots of another architecture, naming every mismatch', () => {
    const a = createNet(mlp(), { seed: 1 });
    const b = createNet(
      { ...mlp(), layers: [{ _tag: 'dense', units: 6, activation: 'relu', bias: true }] },
      { seed: 1 },
    );
    const r = setWeights(a, getWeights(b));
    expect(E.isLeft(r) && r.left._tag).toBe('weights-mismatch');
    expect(E.isLeft(r) && r.left.message).toMatch(/0.kernel has shape \[3, 6\], the net needs \[3, 5\]/);
    expect(E.isLeft(r) && r.left.message).toMatch(/1.bias is not a variable of this net/);
    [a, b].forEach(disposeNet);
  });

  it('disposeNet frees every variable', () => {
    const before = tf.memory().numTensors;
    const net = createNet(cnn, { seed: 1 });
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    disposeNet(net);
    expect(tf.memory().numTensors).toBe(before);
  });
});
