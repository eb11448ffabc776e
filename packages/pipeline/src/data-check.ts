/**
 * @sprout/pipeline/data-check: what `sprout check` can learn about an experiment's data before training,
 * where that is cheap: every file exists and parses (a CSV's header and column count, an IDX file's header),
 * the data has no more classes than the output layer has units, and one example fits the input layer. CSV
 * and IDX files over `maxBytes` are only looked up, not read; MNIST, Fashion-MNIST and CIFAR-10 read one
 * example of each split. Each problem is a diagnostic at the data section or the layer to change, with the
 * same words a run would print; a built-in data set that is not downloaded here is a warning.
 */
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { dataErrorToDiagnostic, exampleSize, formatDataError, loadData } from '@sprout/data/load';
import { planArms, type Data, type Diagnostic, type Experiment } from '@sprout/spec';
import { armSectionPath, dataProblem } from './internal/data-problem.js';

export interface DataCheckOptions {
  /** The folder relative data paths start from (the .sprout file's). */
  readonly baseDir: string;
  /** CSV and IDX files larger than this, together, are looked up but not read. @default 32 MiB */
  readonly maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;

/** The files a CSV or IDX data section reads, resolved. */
const ownFiles = (data: Data, baseDir: string): readonly string[] =>
  data._tag === 'csv'
    ? [path.resolve(baseDir, data.path)]
    : data._tag === 'idx'
      ? [path.resolve(baseDir, data.images), path.resolve(baseDir, data.labels)]
      : [];

/** Total size of `files`, or the first one that is missing. */
const sizeOf = async (files: readonly string[]): Promise<E.Either<string, number>> => {
  let total = 0;
  for (const file of files) {
    try {
      total += (await stat(file)).size;
    } catch {
      return E.left(file);
    }
  }
  return E.right(total);
};

/** The data as the check reads it: the built-in sets cut to one example per split. */
const cheap = (data: Data): Data =>
  data._tag === 'mnist' || data._tag === 'fashion_mnist' || data._tag === 'cifar10'
    ? { ...data, trainLimit: 1, testLimit: 1 }
    : data;

/** Problems with the data of every arm of `spec` (a checked experiment), each at the spec path to change. */
export const checkData = async (spec: Experiment, options: DataCheckOptions): Promise<Diagnostic[]> => {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const planned of planArms(spec)) {
    const { data, network } = planned.experiment;
    const dataPath = armSectionPath(spec, planned.arm, 'data');
    const networkPath = armSectionPath(spec, planned.arm, 'network');
    const key = JSON.stringify([data, network.input, network.output.units]);
    if (seen.has(key)) continue;
    seen.add(key);
    const files = ownFiles(data, options.baseDir);
    const size = await sizeOf(files);
    if (E.isLeft(size)) {
      out.push(dataErrorToDiagnostic({ _tag: 'FileNotFound', file: size.left }, dataPath));
      continue;
    }
    if (size.right > (options.maxBytes ?? DEFAULT_MAX_BYTES)) continue;
    const loaded = await loadData(cheap(data), {
      baseDir: options.baseDir,
      seed: spec.seed,
      classes: network.output.units,
    })();
    if (E.isLeft(loaded) && loaded.left._tag === 'DatasetUnavailable') {
      // A data set to download (CIFAR-10, Fashion-MNIST) is the machine's state, not the file's: an
      // experiment written here may run where the data is. `sprout run` fails on it; `check` warns.
      out.push({ ...dataErrorToDiagnostic(loaded.left, dataPath), severity: 'warning' });
      continue;
    }
    if (E.isLeft(loaded)) {
      const problem = dataProblem(loaded.left, formatDataError(loaded.left), network.output.units, dataPath, [
        ...networkPath,
        'output',
      ]);
      out.push({ ...dataErrorToDiagnostic(loaded.left, problem.path), message: problem.message });
      continue;
    }
    const ds = loaded.right;
    if (exampleSize(network.input) !== exampleSize(ds.shape))
      out.push(
        dataErrorToDiagnostic({ _tag: 'ShapeMismatch', dataset: ds.name, expected: network.input, actual: ds.shape }, [
          ...networkPath,
          'input',
        ]),
      );
  }
  return out;
};
