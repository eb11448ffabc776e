/**
 * A data set as plain typed arrays, split into training and test examples, with no tensors and no
 * backend: examples are stored row-major one after another (`trainX` holds `trainCount × size(shape)`
 * floats), labels are class indices 0..classes−1.
 */

export interface Dataset {
  /** `spirals`, `mnist`, or the file name for CSV and IDX data. */
  readonly name: string;
  /** Shape of one example: `[features]` for vectors, `[height, width, channels]` for images. */
  readonly shape: readonly number[];
  /** Number of classes C; every label is an integer in 0..C−1. */
  readonly classes: number;
  readonly trainX: Float32Array;
  readonly trainY: Int32Array;
  readonly testX: Float32Array;
  readonly testY: Int32Array;
  /** Examples held out of the training set for validation (`holdOutValidation`); absent without one. */
  readonly validX?: Float32Array;
  readonly validY?: Int32Array;
}

/** Number of values in one example: the product of `shape`. */
export const exampleSize = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Number of training examples. */
export const trainCount = (ds: Dataset): number => ds.trainY.length;

/** Number of test examples. */
export const testCount = (ds: Dataset): number => ds.testY.length;

/** Number of validation examples (0 without a validation set). */
export const validationCount = (ds: Dataset): number => ds.validY?.length ?? 0;
