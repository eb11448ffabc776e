/**
 * A validation set held out of the training examples: a seeded draw (its own random stream, so adding a
 * validation set changes neither the train/test split nor the batches of a seed) of ⌊fraction · N⌋ of
 * the N training examples. Both parts keep the examples' stored order.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Dataset } from './Dataset.js';
import type { DataError } from './DataError.js';
import { take } from './examples.js';
import { permutation, STREAM } from './random.js';

/** `ds` with ⌊fraction · N⌋ of its training examples moved into `validX`/`validY`, drawn with `seed`. */
export const holdOutValidation = (ds: Dataset, fraction: number, seed: number): E.Either<DataError, Dataset> => {
  const n = ds.trainY.length;
  if (!(fraction > 0 && fraction < 1))
    return E.left({ _tag: 'InvalidOption', option: 'validation', reason: `must be in (0, 1), got ${fraction}` });
  const nValid = Math.floor(fraction * n);
  if (nValid < 1 || nValid >= n)
    return E.left({
      _tag: 'InvalidOption',
      option: 'validation',
      reason: `validation ${fraction} of ${n} training examples leaves ${nValid < 1 ? 'no validation' : 'no training'} example`,
    });
  const held = new Uint8Array(n);
  const perm = permutation(n, seed, STREAM.validation);
  for (let k = 0; k < nValid; k++) held[perm[k]!] = 1;
  const validIdx = new Int32Array(nValid);
  const trainIdx = new Int32Array(n - nValid);
  for (let i = 0, v = 0, t = 0; i < n; i++) {
    if (held[i] === 1) validIdx[v++] = i;
    else trainIdx[t++] = i;
  }
  const all = { x: ds.trainX, y: ds.trainY, shape: ds.shape, classes: ds.classes };
  const train = take(all, trainIdx);
  const valid = take(all, validIdx);
  return E.right({ ...ds, trainX: train.x, trainY: train.y, validX: valid.x, validY: valid.y });
};
