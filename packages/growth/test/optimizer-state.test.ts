import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as E from 'fp-ts/lib/Either.js';
import { disposeNet, type Net } from '@sprout/model';
import { insertLayer, paramNameMap, transferOptimizerState, stepAfterInsertion } from '../src/index.js';
import { fnn } from '../src/testing.js';

const grow = (net: Net): Net => {
  const g = insertLayer(net, 0);
  if (E.isLeft(g)) throw new Error(g.left.message);
  return g.right;
};

/** Adam-like state: first and second moments shaped like the parameter, a scalar step count. */
const adamState = (net: Net) =>
  new Map(
    net.params.map((p, i) => [
      p.name,
      { m: tf.fill(p.variable.shape, i + 1), v: tf.fill(p.variable.shape, 10 * (i + 1)), t: tf.scalar(7) },
    ]),
  );

describe('transferOptimizerState', () => {
  it('keep: old slots follow their parameters to the new names, new parameters get zeros', () => {
    const net = fnn();
    const grown = grow(net);
    const state = adamState(net);
    const names = paramNameMap(net, grown);
    const out = transferOptimizerState('keep', state, names, net, grown);
    expect([...out.keys()].sort()).toEqual(grown.params.map((p) => p.name).sort());
    // old '1.kernel' (5×4, moments filled with its index 2 + 1 = 3) is now '2.kernel'.
    expect(out.get('2.kernel')!.m!.shape).toEqual([5, 4]);
    expect(Array.from(out.get('2.kernel')!.m!.dataSync())).toEqual(new Array(20).fill(3));
    expect(out.get('2.kernel')!.v!.dataSync()[0]).toBe(30);
    // The new layer 1 (5×5 kernel, bias 5): zero moments of its own shape, scalar slot stays scalar.
    expect(out.get('1.kernel')!.m!.shape).toEqual([5, 5]);
    expect(out.get('1.bias')!.v!.shape).toEqual([5]);
    expect(out.get('1.kernel')!.t!.shape).toEqual([]);
    expect(tf.sum(tf.abs(out.get('1.kernel')!.m!)).dataSync()[0]).toBe(0);
    // Never disposes its input; the result owns its tensors.
    for (const slots of state.values()) for (const t of Object.values(slots)) expect(t.isDisposed).toBe(false);
    const before = tf.memory().numTensors;
    for (const slots of state.values()) tf.dispose(Object.values(slots));
    expect(Array.from(out.get('2.kernel')!.m!.dataSync())[0]).toBe(3);
    for (const slots of out.values()) tf.dispose(Object.values(slots));
    expect(tf.memory().numTensors).toBeLessThan(before);
    disposeNet(grown);
  });

  it('works for momentum (one slot) and reset gives an empty state', () => {
    const net = fnn();
    const grown = grow(net);
    const state = new Map(net.params.map((p) => [p.name, { velocity: tf.onesLike(p.variable) }]));
    const names = paramNameMap(net, grown);
    const kept = transferOptimizerState('keep', state, names, net, grown);
    expect(Object.keys(kept.get('1.kernel')!)).toEqual(['velocity']);
    expect(kept.get('3.bias')!.velocity!.dataSync()[0]).toBe(1);
    expect(kept.get('1.bias')!.velocity!.dataSync()[0]).toBe(0);
    expect(transferOptimizerState('reset', state, names, net, grown).size).toBe(0);
    for (const m of [state, kept]) for (const slots of m.values()) tf.dispose(Object.values(slots));
    disposeNet(grown);
  });
});

describe('stepAfterInsertion', () => {
  it('is factor × last step, factor 1 by default', () => {
    expect(stepAfterInsertion(0.2)).toBe(0.2);
    expect(stepAfterInsertion(0.2, 0.5)).toBeCloseTo(0.1, 15);
    expect(stepAfterInsertion(0.01, 3)).toBeCloseTo(0.03, 15);
    expect(() => stepAfterInsertion(0.1, 0)).toThrow(/factor/);
    expect(() => stepAfterInsertion(Number.NaN)).toThrow(/last step/);
  });
});
