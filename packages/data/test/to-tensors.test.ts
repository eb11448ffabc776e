import * as tf from '@tensorflow/tfjs';
import * as E from 'fp-ts/lib/Either.js';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  batches,
  disposeDatasetTensors,
  formatDataError,
  gatherBatch,
  toTensors,
  type Dataset,
  type DatasetTensors,
} from '../src/index.js';

// Four 2×2 "images": example k holds the values 10k, 10k+1, 10k+2, 10k+3; label k mod 3. Two test images.
const ds: Dataset = {
  name: 'tiny',
  shape: [2, 2, 1],
  classes: 3,
  trainX: Float32Array.from({ length: 16 }, (_, i) => 10 * Math.floor(i / 4) + (i % 4)),
  trainY: Int32Array.from([0, 1, 2, 0]),
  testX: new Float32Array(8).fill(1),
  testY: Int32Array.from([2, 1]),
};

const ok = (e: E.Either<Parameters<typeof formatDataError>[0], DatasetTensors>): DatasetTensors => {
  if (E.isLeft(e)) throw new Error(formatDataError(e.left));
  return e.right;
};

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('toTensors', () => {
  it('uploads the data set in the network input shape', () => {
    const t = ok(toTensors(ds, { inputShape: [4] }));
    expect(t.trainX.shape).toEqual([4, 4]);
    expect(t.testX.shape).toEqual([2, 4]);
    expect(t.trainY.dtype).toBe('int32');
    expect(Array.from(t.trainY.dataSync())).toEqual([0, 1, 2, 0]);
    disposeDatasetTensors(t);
    const img = ok(toTensors(ds));
    expect(img.trainX.shape).toEqual([4, 2, 2, 1]);
    disposeDatasetTensors(img);
  });

  it('uploads each tensor when it is first read, once, and frees only what was uploaded', () => {
    const before = tf.memory().numTensors;
    const t = ok(toTensors(ds, { inputShape: [4] }));
    expect(tf.memory().numTensors).toBe(before); // nothing on the backend yet
    expect(t.trainCount).toBe(4);
    expect(t.host?.testY).toBe(ds.testY);
    const x = t.trainX;
    expect(t.trainX).toBe(x); // the same tensor on every read
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.tidy(() => t.testY); // read inside a tidy scope: kept
    expect(t.testY.isDisposed).toBe(false);
    disposeDatasetTensors(t);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects an input shape of another size', () => {
    const r = toTensors(ds, { inputShape: [5] });
    expect(E.isLeft(r) && formatDataError(r.left)).toBe(
      'the network input [5] does not fit one example of tiny, [2, 2, 1] (sizes must match)',
    );
  });

  it('gathers a batch by index on the backend', () => {
    const t = ok(toTensors(ds, { inputShape: [4] }));
    const { x, y } = gatherBatch(t, Int32Array.from([3, 1]));
    expect(x.shape).toEqual([2, 4]);
    expect(Array.from(x.dataSync())).toEqual([30, 31, 32, 33, 10, 11, 12, 13]);
    expect(Array.from(y.dataSync())).toEqual([0, 1]);
    tf.dispose([x, y]);
    disposeDatasetTensors(t);
  });

  it('assembles batches on the host exactly as tf.gather on the backend would (index and one-hot labels)', () => {
    for (const labels of ['index', 'onehot'] as const) {
      const t = ok(toTensors(ds, { inputShape: [2, 2, 1], labels }));
      expect(t.host).toBeDefined();
      const idx = Int32Array.from([2, 0, 2, 3]);
      const host = gatherBatch(t, idx);
      const backend = gatherBatch({ ...t, host: undefined }, idx);
      expect(host.x.shape).toEqual(backend.x.shape);
      expect(Array.from(host.x.dataSync())).toEqual(Array.from(backend.x.dataSync()));
      expect(host.y.dtype).toBe(backend.y.dtype);
      expect(Array.from(host.y.dataSync())).toEqual(Array.from(backend.y.dataSync()));
      tf.dispose([host.x, host.y, backend.x, backend.y]);
      disposeDatasetTensors(t);
    }
  });

  it('stores one-hot labels when asked', () => {
    const t = ok(toTensors(ds, { labels: 'onehot' }));
    expect(t.trainY.shape).toEqual([4, 3]);
    expect(Array.from(t.testY.dataSync())).toEqual([0, 0, 1, 0, 1, 0]);
    const { y } = gatherBatch(t, Int32Array.from([2]));
    expect(Array.from(y.dataSync())).toEqual([0, 0, 1]);
    y.dispose();
    disposeDatasetTensors(t);
  });

  it('gives a full batch without copying, and the stored tensors survive disposing it', () => {
    const t = ok(toTensors(ds));
    const [full] = batches(4, 'full', 1, 0);
    const { x, y } = gatherBatch(t, full!);
    expect(x.shape).toEqual([4, 2, 2, 1]);
    tf.dispose([x, y]);
    expect(t.trainX.isDisposed).toBe(false);
    expect(t.trainX.dataSync()[4]).toBe(10);
    disposeDatasetTensors(t);
  });

  it('does not grow tf.memory().numTensors over epochs of batches, and frees everything', () => {
    const before = tf.memory().numTensors;
    let t!: DatasetTensors;
    tf.tidy(() => {
      t = ok(toTensors(ds, { inputShape: [4] }));
      void [t.trainX, t.trainY, t.testX, t.testY]; // uploaded inside the tidy, tf.keep-ed: they survive it
    });
    expect(tf.memory().numTensors).toBe(before + 4);
    const counts: number[] = [];
    for (let epoch = 0; epoch < 3; epoch++) {
      for (const idx of batches(t.trainCount, 3, 1, epoch)) {
        tf.tidy(() => {
          const { x } = gatherBatch(t, idx);
          return x.sum();
        }).dispose();
      }
      counts.push(tf.memory().numTensors);
    }
    expect(counts).toEqual([before + 4, before + 4, before + 4]);
    disposeDatasetTensors(t);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('on the wasm backend', () => {
  it('gathers the same batches as on cpu', async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    const values: number[][][] = [];
    for (const backend of ['cpu', 'wasm']) {
      expect(await tf.setBackend(backend)).toBe(true);
      const t = ok(toTensors(ds, { inputShape: [4], labels: 'onehot' }));
      const run: number[][] = [];
      for (const idx of batches(t.trainCount, 3, 7, 0)) {
        const { x, y } = gatherBatch(t, idx);
        run.push([...x.dataSync(), ...y.dataSync()]);
        tf.dispose([x, y]);
      }
      disposeDatasetTensors(t);
      values.push(run);
    }
    expect(values[1]).toEqual(values[0]);
    await tf.setBackend('cpu');
  });
});
