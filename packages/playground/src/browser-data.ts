/**
 * The memory host's data loader in the page: spirals made here, CSV and IDX files from the bytes the user
 * gave (matched by file name), MNIST from the user's four IDX files or the small subset the page ships.
 * The parsing and splitting are @sprout/data's, as in the CLI; only reading the files differs.
 */
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import {
  idxExamples,
  parseCsv,
  parseIdx,
  generateSpirals,
  splitExamples,
  type DataError,
  type Dataset,
  type Examples,
} from '@sprout/data';
import type { RunHost } from '@sprout/pipeline/core';

/** The user's files by name, plain bytes (gzipped IDX files are inflated before they get here). */
export type UserFiles = ReadonlyMap<string, Uint8Array>;

const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

const fileOf = (files: UserFiles, path: string): E.Either<DataError, Uint8Array> => {
  const bytes = files.get(baseName(path)) ?? files.get(`${baseName(path)}.gz`);
  return bytes === undefined
    ? E.left({
        _tag: 'FileUnreadable',
        file: path,
        reason: `no file named ${baseName(path)} was given to the page: drop it on the page or choose it with "choose files"`,
      })
    : E.right(bytes);
};

const MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

const idxPart = (files: UserFiles, images: string, labels: string, limit: number): E.Either<DataError, Examples> => {
  const i = fileOf(files, images);
  const l = fileOf(files, labels);
  if (E.isLeft(i)) return i;
  if (E.isLeft(l)) return l;
  const ii = parseIdx(i.right, images);
  const ll = parseIdx(l.right, labels);
  if (E.isLeft(ii)) return ii;
  if (E.isLeft(ll)) return ll;
  return idxExamples(ii.right, images, ll.right, labels, limit, 10);
};

/** A loader over `files()` (read when a run loads its data, so files dropped later count). */
export const browserLoadData =
  (files: () => UserFiles): RunHost['loadData'] =>
  (data, options) => {
    const seed = options.seed;
    switch (data._tag) {
      case 'spirals':
        return TE.fromEither(
          generateSpirals({ points: data.points, turns: data.turns, radius: data.radius, split: data.split, seed }),
        );
      case 'csv':
        return TE.fromEither(
          E.flatMap(fileOf(files(), data.path), (bytes) =>
            E.flatMap(
              parseCsv(new TextDecoder().decode(bytes), data.path, {
                header: data.header,
                ...(data.label !== undefined ? { label: data.label } : {}),
                classes: options.classes,
              }),
              (ex) => splitExamples(ex, data.path, data.split, seed),
            ),
          ),
        );
      case 'idx':
        return TE.fromEither(
          E.flatMap(idxPart(files(), data.images, data.labels, Number.POSITIVE_INFINITY), (ex) =>
            splitExamples(ex, data.images, data.split, seed),
          ),
        );
      case 'mnist': {
        const f = files();
        const train = idxPart(f, MNIST_FILES.trainImages, MNIST_FILES.trainLabels, data.trainLimit ?? Infinity);
        const test = idxPart(f, MNIST_FILES.testImages, MNIST_FILES.testLabels, data.testLimit ?? Infinity);
        if (E.isLeft(train)) return TE.left(train.left);
        if (E.isLeft(test)) return TE.left(test.left);
        const dataset: Dataset = {
          name: 'mnist',
          shape: [28, 28, 1],
          classes: 10,
          trainX: train.right.x,
          trainY: train.right.y,
          testX: test.right.x,
          testY: test.right.y,
        };
        return TE.right(dataset);
      }
      default:
        return TE.left({
          _tag: 'InvalidOption',
          option: 'data',
          reason: `${data._tag} data cannot be loaded in the browser playground; use spirals, csv, idx or mnist`,
        });
    }
  };

/** Gzipped bytes (magic 1f 8b) inflated with the browser's DecompressionStream; others as they are. */
export const inflate = async (bytes: Uint8Array): Promise<Uint8Array> => {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
};
