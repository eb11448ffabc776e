// The validation set: a seeded draw from the training examples, disjoint from what is left to train on.
import * as E from 'fp-ts/lib/Either.js';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { spirals as spiralsSpec } from '@sprout/spec';
import {
  disposeDatasetTensors,
  holdOutValidation,
  loadData,
  generateSpirals,
  toTensors,
  type Dataset,
} from '../src/index.js';

const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(`expected Right, got ${JSON.stringify(e.left)}`);
  return e.right;
};

/** Each example as a string key `x₁,x₂|label`, to compare sets of examples. */
const rows = (x: Float32Array, y: Int32Array): string[] =>
  Array.from(y, (label, i) => `${x[2 * i]},${x[2 * i + 1]}|${label}`);

describe('holdOutValidation', () => {
  const ds: Dataset = right(generateSpirals({ points: 100, turns: 1, radius: 0.5, split: 0.75, seed: 3 }));

  it('moves ⌊f·N⌋ training examples into the validation set; the two parts are the training set, disjoint', () => {
    const v = right(holdOutValidation(ds, 0.2, 7));
    expect(v.validY!.length).toBe(Math.floor(0.2 * 150));
    expect(v.trainY.length).toBe(150 - 30);
    const before = rows(ds.trainX, ds.trainY).sort();
    const after = [...rows(v.trainX, v.trainY), ...rows(v.validX!, v.validY!)].sort();
    expect(after).toEqual(before);
    const valid = new Set(rows(v.validX!, v.validY!));
    expect(rows(v.trainX, v.trainY).some((r) => valid.has(r))).toBe(false);
    // The test set is untouched.
    expect(v.testX).toBe(ds.testX);
  });

  it('draws the same examples for the same seed and others for another seed', () => {
    const a = right(holdOutValidation(ds, 0.2, 7));
    const b = right(holdOutValidation(ds, 0.2, 7));
    const c = right(holdOutValidation(ds, 0.2, 8));
    expect(Array.from(b.validX!)).toEqual(Array.from(a.validX!));
    expect(Array.from(c.validX!)).not.toEqual(Array.from(a.validX!));
  });

  it('refuses a fraction outside (0, 1) or one that leaves a part empty', () => {
    const bad = (f: number) => {
      const r = holdOutValidation(ds, f, 1);
      return E.isLeft(r) ? r.left : undefined;
    };
    expect(bad(0)).toMatchObject({ _tag: 'InvalidOption', option: 'validation' });
    expect(bad(1)).toMatchObject({ _tag: 'InvalidOption', option: 'validation' });
    expect(bad(0.001)).toMatchObject({
      reason: 'validation 0.001 of 150 training examples leaves no validation example',
    });
  });
});

describe('toTensors with a validation set', () => {
  it('uploads it as `validation`', async () => {
    await tf.setBackend('cpu');
    const ds = right(holdOutValidation(right(await loadData(spiralsSpec({ points: 50 }), { seed: 2 })()), 0.2, 2));
    const t = right(toTensors(ds));
    expect(t.validation?.count).toBe(15);
    expect(t.validation!.x.shape).toEqual([15, 2]);
    expect(Array.from(t.validation!.x.dataSync())).toEqual(Array.from(ds.validX!));
    expect(Array.from(t.validation!.y.dataSync())).toEqual(Array.from(ds.validY!));
    disposeDatasetTensors(t);
  });
});
