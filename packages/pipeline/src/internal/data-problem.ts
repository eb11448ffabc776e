/**
 * The data error a network with too few output units causes, told as the network's problem: the run and
 * `sprout check` both point at the output layer and say what to change, instead of at a label in the data.
 * Type-only imports: `sprout check` uses this without loading TensorFlow.js.
 */
import type { DataError } from '@sprout/data';
import type { Experiment } from '@sprout/spec';

/**
 * Where an arm's `section` is written in the spec: in its own `compare` entry when it sets one, else in the
 * base experiment's, so that a diagnostic points at the line the user has to change.
 */
export const armSectionPath = (
  spec: Experiment,
  arm: string,
  section: 'data' | 'network',
): readonly (string | number)[] => {
  const i = spec.compare.findIndex((a) => a.name === arm);
  return i >= 0 && spec.compare[i]![section] !== undefined ? ['compare', i, section] : [section];
};

/** Whether `e` is the loader's complaint that the data has more classes than `units` output units. */
const isClassCountError = (e: DataError, units: number): boolean =>
  (e._tag === 'BadLabel' && e.problem === 'out-of-range' && e.classes === units) ||
  (e._tag === 'InvalidOption' && e.option === 'classes');

/**
 * The message (`message`: `e` as formatDataError writes it) and spec path of a data error, moved to the
 * output layer (`outputPath`) when it is one of class count.
 */
export const dataProblem = (
  e: DataError,
  message: string,
  units: number,
  dataPath: readonly (string | number)[],
  outputPath: readonly (string | number)[],
): { readonly message: string; readonly path: readonly (string | number)[] } =>
  isClassCountError(e, units)
    ? {
        message: `${message}; the output layer has ${units} ${units === 1 ? 'unit' : 'units'}, one per class: give it as many units as the data has classes`,
        path: outputPath,
      }
    : { message, path: dataPath };
