// Where a backend keeps tensor values, as the native kernels see it: allocate a float32 output, and a
// Float32Array over a tensor's values with no copy. wasm: views on the module's linear memory (valid
// until the next allocation, which may grow and so detach the memory); cpu: the stored typed arrays.
import type * as tf from '@tensorflow/tfjs-core';

export interface Storage {
  /** A new float32 tensor of the given shape on the backend (contents unspecified). */
  alloc(shape: number[]): tf.TensorInfo;
  /** The tensor's values, or null if they are not float32 storage the addon can use. */
  f32(t: tf.TensorInfo): Float32Array | null;
  /** Releases an output allocated by `alloc` that is not returned. */
  free(t: tf.TensorInfo): void;
}

/** The members of tfjs-backend-wasm's BackendWasm that are used here. */
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): ArrayBufferView;
  disposeData(dataId: object): boolean;
}

/** The members of tfjs-backend-cpu's MathBackendCPU that are used here. */
interface CpuBackendLike {
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo;
  data: { get(dataId: object): { values?: unknown } | undefined };
  disposeData(dataId: object): boolean;
}

const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function wasmStorage(backend: unknown): Storage {
  const be = backend as WasmBackendLike;
  return {
    alloc: (shape) => be.makeOutput(shape, 'float32'),
    f32: (t) => {
      if (t.dtype !== 'float32') return null;
      const v = be.typedArrayFromHeap(t);
      return v instanceof Float32Array ? v : null;
    },
    free: (t) => {
      be.disposeData(t.dataId);
    },
  };
}

export function cpuStorage(backend: unknown): Storage {
  const be = backend as CpuBackendLike;
  return {
    alloc: (shape) => be.makeTensorInfo(shape, 'float32', new Float32Array(sizeOf(shape))),
    f32: (t) => {
      if (t.dtype !== 'float32') return null;
      const v = be.data.get(t.dataId)?.values;
      return v instanceof Float32Array ? v : null;
    },
    free: (t) => {
      be.disposeData(t.dataId);
    },
  };
}
