/**
 * Examples before the train/test split: all features in one Float32Array (row-major, one example after
 * another), labels as class indices, and the shape of one example.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Dataset } from './Dataset.js';
import { exampleSize } from './Dataset.js';
import type { DataError } from './DataError.js';
import { permutation, STREAM } from './random.js';

export interface Examples {
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly shape: readonly number[];
  readonly classes: number;
}

/** Copy the examples at `indices` (in that order) into new arrays. */
export const take = (ex: Examples, indices: ArrayLike<number>): { x: Float32Array; y: Int32Array } => {
  const size = exampleSize(ex.shape);
  const x = new Float32Array(indices.length * size);
  const y = new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    x.set(ex.x.subarray(i * size, (i + 1) * size), k * size);
    y[k] = ex.y[i]!;
  }
  return { x, y };
};

/**
 * Split seeded: a permutation of all N examples (stream `split`), the first ⌊split·N⌋ of it for training
 * and the rest for testing (as the reference does: n_train = int(train_fraction · N)).
 */
export const splitExamples = (
  ex: Examples,
  name: string,
  split: number,
  seed: number,
): E.Either<DataError, Dataset> => {
  const n = ex.y.length;
  if (!(split > 0 && split <= 1)) {
    return E.left({ _tag: 'InvalidOption', option: 'split', reason: `must be in (0, 1], got ${split}` });
  }
  const nTrain = Math.floor(split * n);
  if (nTrain < 1) {
    return E.left({
      _tag: 'InvalidOption',
      option: 'split',
      reason: `split ${split} of ${n} examples leaves no training example`,
    });
  }
  const perm = permutation(n, seed, STREAM.split);
  const train = take(ex, perm.subarray(0, nTrain));
  const test = take(ex, perm.subarray(nTrain));
  return E.right({
    name,
    shape: ex.shape,
    classes: ex.classes,
    trainX: train.x,
    trainY: train.y,
    testX: test.x,
    testY: test.y,
  });
};
