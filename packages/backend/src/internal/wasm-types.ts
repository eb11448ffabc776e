/**
 * The slice of the wasm backend's API that Sprout's kernels use (the class is exported by
 * @tensorflow/tfjs-backend-wasm; its methods are public but not part of tfjs' documented API).
 */
import type * as tf from '@tensorflow/tfjs-core';

export type TensorInfo = tf.TensorInfo;

export interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: object, force?: boolean): boolean;
}

export type KernelArgs<A> = {
  readonly inputs: Record<string, TensorInfo>;
  readonly backend: WasmBackendLike;
  readonly attrs: A;
};
