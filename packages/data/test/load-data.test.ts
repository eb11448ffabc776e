import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Data } from '@sprout/spec';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeIdx, formatDataError, loadData, generateSpirals, type Dataset } from '../src/index.js';

// A project folder as a user has it: the .sprout file's directory with data files beside it.
const baseDir = mkdtempSync(path.join(tmpdir(), 'sprout-load-'));
mkdirSync(path.join(baseDir, 'data'));
afterAll(() => rmSync(baseDir, { recursive: true, force: true }));

const rows = Array.from({ length: 20 }, (_, i) => `${i},${i / 10},${i % 3}`);
writeFileSync(path.join(baseDir, 'data', 'points.csv'), ['u,v,kind', ...rows].join('\n'));
writeFileSync(
  path.join(baseDir, 'data', 'img'),
  encodeIdx({ dtype: 'uint8', dims: [10, 2, 3], data: Uint8Array.from({ length: 60 }, (_, i) => i * 4) }),
);
writeFileSync(
  path.join(baseDir, 'data', 'lab'),
  encodeIdx({ dtype: 'uint8', dims: [10], data: Uint8Array.from([0, 1, 0, 1, 0, 1, 0, 1, 0, 4]) }),
);
writeFileSync(path.join(baseDir, 'data', 'lab9'), encodeIdx({ dtype: 'uint8', dims: [9], data: new Uint8Array(9) }));

const ok = (e: E.Either<Parameters<typeof formatDataError>[0], Dataset>): Dataset => {
  if (E.isLeft(e)) throw new Error(formatDataError(e.left));
  return e.right;
};

const csv: Data = { _tag: 'csv', path: 'data/points.csv', header: true, split: 0.75 };
const idx: Data = { _tag: 'idx', images: 'data/img', labels: 'data/lab', split: 0.8 };

describe('loadData', () => {
  it('loads spirals exactly as spirals() with the run seed', async () => {
    const data: Data = { _tag: 'spirals', points: 50, turns: 2, radius: 0.3, split: 0.5 };
    const a = ok(await loadData(data, { seed: 3 })());
    const b = ok(generateSpirals({ points: 50, turns: 2, radius: 0.3, split: 0.5, seed: 3 }));
    expect(a).toEqual(b);
    expect(a.trainY.length).toBe(50);
  });

  it('rejects a built-in data set with more classes than asked for', async () => {
    const data: Data = { _tag: 'spirals', points: 10, turns: 1, radius: 0.5, split: 0.5 };
    const r = await loadData(data, { classes: 1 })();
    expect(E.isLeft(r) && formatDataError(r.left)).toBe(
      "invalid classes: spirals has 2 classes but only 1 were asked for (the network's output units)",
    );
    expect(E.isRight(await loadData(data, { classes: 2 })())).toBe(true);
  });

  it('loads MNIST with its limits', async () => {
    const ds = ok(await loadData({ _tag: 'mnist', trainLimit: 30, testLimit: 20 })());
    expect([ds.trainY.length, ds.testY.length, ds.classes]).toEqual([30, 20, 10]);
  });

  it('reports fashion_mnist as unavailable', async () => {
    const r = await loadData({ _tag: 'fashion_mnist' })();
    expect(E.isLeft(r) && r.left._tag).toBe('DatasetUnavailable');
  });

  it('reads a CSV path relative to baseDir and splits it seeded', async () => {
    const ds = ok(await loadData(csv, { baseDir, seed: 1 })());
    expect(ds.name).toBe('data/points.csv');
    expect([ds.trainY.length, ds.testY.length, ds.classes]).toEqual([15, 5, 3]);
    expect(ds.shape).toEqual([2]);
    // each training example still matches its label: u = i, kind = i mod 3
    for (let k = 0; k < ds.trainY.length; k++) expect(ds.trainY[k]).toBe(ds.trainX[2 * k]! % 3);
    const again = ok(await loadData(csv, { baseDir, seed: 1 })());
    expect(again).toEqual(ds);
    const other = ok(await loadData(csv, { baseDir, seed: 2 })());
    expect(Array.from(other.trainY)).not.toEqual(Array.from(ds.trainY));
  });

  it('checks CSV labels against the given class count', async () => {
    const r = await loadData(csv, { baseDir, classes: 2 })();
    expect(E.isLeft(r) && formatDataError(r.left)).toBe(
      `${path.join(baseDir, 'data', 'points.csv')}:4:3: label 2 is out of range: labels must be integers 0..1`,
    );
  });

  it('names the resolved file when a CSV is missing', async () => {
    const r = await loadData({ ...csv, path: 'data/none.csv' }, { baseDir })();
    expect(E.isLeft(r) && formatDataError(r.left)).toBe(`${path.join(baseDir, 'data', 'none.csv')}: file not found`);
  });

  it('reads IDX images and labels relative to baseDir: [N, H, W] images get one channel', async () => {
    const ds = ok(await loadData(idx, { baseDir })());
    expect(ds.shape).toEqual([2, 3, 1]);
    expect(ds.classes).toBe(5);
    expect([ds.trainY.length, ds.testY.length]).toEqual([8, 2]);
    // example k has pixels 24k, 24k+4, … scaled by 1/255; label 1 at odd k < 9, 4 at k = 9
    for (let e = 0; e < ds.trainY.length; e++) {
      const k = Math.round((ds.trainX[6 * e]! * 255) / 24);
      expect(ds.trainY[e]).toBe(k === 9 ? 4 : k % 2);
    }
  });

  it('reports IDX files that disagree on the example count, and labels out of range', async () => {
    const r = await loadData({ ...idx, labels: 'data/lab9' }, { baseDir })();
    expect(E.isLeft(r) && formatDataError(r.left)).toBe(
      `${path.join(baseDir, 'data', 'img')} has 10 examples but ${path.join(baseDir, 'data', 'lab9')} has 9 labels`,
    );
    const s = await loadData(idx, { baseDir, classes: 2 })();
    expect(E.isLeft(s) && formatDataError(s.left)).toBe(
      `${path.join(baseDir, 'data', 'lab')} (example 9, byte 17): label 4 is out of range: labels must be integers 0..1`,
    );
  });
});
