/**
 * A data set moved onto the TensorFlow.js backend once, kept there for the whole run. Batches are
 * assembled from the host arrays by index (see `gatherBatch` in to-tensors.ts for the cost per step).
 */
import type * as tf from '@tensorflow/tfjs-core';

export type LabelEncoding = 'index' | 'onehot';

export interface DatasetTensors {
  readonly name: string;
  /** Shape of one example as the network takes it. */
  readonly inputShape: readonly number[];
  readonly classes: number;
  /** `index`: labels are int32 `[N]`; `onehot`: float32 `[N, classes]`. */
  readonly labels: LabelEncoding;
  readonly trainCount: number;
  readonly testCount: number;
  /** float32 `[trainCount, ...inputShape]`. */
  readonly trainX: tf.Tensor;
  readonly trainY: tf.Tensor;
  /** float32 `[testCount, ...inputShape]`. */
  readonly testX: tf.Tensor;
  readonly testY: tf.Tensor;
  /** The validation set held out of the training examples (`Dataset.validX`), when there is one. */
  readonly validation?: {
    readonly count: number;
    /** float32 `[count, ...inputShape]`. */
    readonly x: tf.Tensor;
    readonly y: tf.Tensor;
  };
  /**
   * The data set's host arrays (the data set's own, not copies), from which `gatherBatch` assembles
   * batches: on wasm, copying batch rows on the host and uploading them is ~20× faster than `tf.gather`.
   */
  readonly host?: {
    readonly trainX: Float32Array;
    readonly trainY: Int32Array;
    /** The test set's host arrays (for evaluation on the host, e.g. @sprout/model's host net). */
    readonly testX: Float32Array;
    readonly testY: Int32Array;
    readonly validX?: Float32Array;
    readonly validY?: Int32Array;
  };
}
