import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CIFAR10,
  loadCifar10,
  encodeCifar10,
  formatDataError,
  loadData,
  parseCifar10,
  syntheticCifar10,
  writeCifar10,
  type DataError,
  type Dataset,
} from '../src/index.js';

const root = mkdtempSync(path.join(tmpdir(), 'sprout-cifar-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const ok = <A>(e: E.Either<DataError, A>): A => {
  if (E.isLeft(e)) throw new Error(formatDataError(e.left));
  return e.right;
};
const fail = (e: E.Either<DataError, unknown>): string => {
  if (E.isRight(e)) throw new Error('expected an error');
  return formatDataError(e.left);
};

describe('CIFAR-10 binary format', () => {
  it('writes records as label byte, then the red, green and blue planes (CHW) of an HWC image', () => {
    const pixels = new Uint8Array(2 * CIFAR10.imageBytes);
    // Image 1, row 2, column 5: (r, g, b) = (10, 20, 30).
    const at = CIFAR10.imageBytes + (2 * 32 + 5) * 3;
    pixels.set([10, 20, 30], at);
    const bytes = encodeCifar10({ pixels, labels: Uint8Array.from([7, 3]) });
    expect(bytes.length).toBe(2 * 3073);
    expect(bytes[0]).toBe(7);
    expect(bytes[3073]).toBe(3);
    const p = 2 * 32 + 5;
    expect([bytes[3073 + 1 + p], bytes[3073 + 1 + 1024 + p], bytes[3073 + 1 + 2048 + p]]).toEqual([10, 20, 30]);
    expect(bytes.reduce((a, b) => a + b, 0)).toBe(7 + 3 + 60);
  });

  it('reads back what it writes, and only the first `limit` records when asked', () => {
    const images = syntheticCifar10(12, 5);
    const back = ok(parseCifar10(encodeCifar10(images), 'x.bin'));
    // Byte comparison through Buffer (vitest's deep equality walks typed arrays element by element).
    expect(Buffer.compare(back.pixels, images.pixels)).toBe(0);
    expect(Buffer.compare(back.labels, images.labels)).toBe(0);
    const first = ok(parseCifar10(encodeCifar10(images), 'x.bin', 4));
    expect(Array.from(first.labels)).toEqual(Array.from(images.labels.subarray(0, 4)));
  });

  it('refuses a file that is not whole records and a label above 9, naming the byte', () => {
    const bytes = encodeCifar10(syntheticCifar10(2));
    expect(fail(parseCifar10(bytes.subarray(0, 3073 + 100), 'b.bin'))).toBe(
      'b.bin (byte 3073): not a valid IDX file: not a CIFAR-10 binary batch: 3173 bytes is not a whole number of 3073-byte records',
    );
    const badLabel = Uint8Array.from(bytes);
    badLabel[3073] = 12;
    expect(fail(parseCifar10(badLabel, 'b.bin'))).toBe(
      'b.bin (example 1, byte 3073): label 12 is out of range: labels must be integers 0..9',
    );
  });

  it('synthetic images are seeded and every class occurs', () => {
    const a = syntheticCifar10(50, 3);
    expect(Buffer.compare(syntheticCifar10(50, 3).pixels, a.pixels)).toBe(0);
    expect(Buffer.compare(syntheticCifar10(50, 4).pixels, a.pixels)).not.toBe(0);
    expect(new Set(a.labels).size).toBe(10);
  });

  it('synthetic sets of different seeds share their class templates (a test set drawn apart is learnable)', () => {
    const a = syntheticCifar10(200, 1);
    const b = syntheticCifar10(200, 2);
    // Mean of the first pixel's red value per class: the template plus zero-mean noise, so close across seeds.
    const meanOf = (s: typeof a, k: number): number => {
      let sum = 0;
      let n = 0;
      s.labels.forEach((l, i) => {
        if (l === k) {
          sum += s.pixels[i * 3072]!;
          n++;
        }
      });
      return sum / n;
    };
    for (let k = 0; k < 10; k++) expect(Math.abs(meanOf(a, k) - meanOf(b, k))).toBeLessThan(30);
    const spread = Array.from({ length: 10 }, (_, k) => meanOf(a, k));
    expect(Math.max(...spread) - Math.min(...spread)).toBeGreaterThan(60);
  });
});

describe('cifar10 (reading a folder of batch files)', () => {
  const dir = path.join(root, 'cifar-10-batches-bin');
  const train = syntheticCifar10(23, 1);
  const test = syntheticCifar10(7, 2);

  it('writes five training files and a test file, and reads them back in HWC order, normalised as the reference', async () => {
    const files = await writeCifar10(dir, { train, test });
    expect(files.map((f) => path.basename(f))).toEqual([...CIFAR10.trainFiles, CIFAR10.testFile]);
    // 23 images over 5 files: 5, 5, 5, 4, 4.
    expect((await readFile(files[0]!)).length).toBe(5 * 3073);
    expect((await readFile(files[4]!)).length).toBe(4 * 3073);
    const ds: Dataset = ok(await loadCifar10(dir)());
    expect(ds.shape).toEqual([32, 32, 3]);
    expect(ds.classes).toBe(10);
    expect(Array.from(ds.trainY)).toEqual(Array.from(train.labels));
    expect(Array.from(ds.testY)).toEqual(Array.from(test.labels));
    // Pixel (row 3, col 4) of training image 17 (in the fourth file), every channel.
    for (let c = 0; c < 3; c++) {
      const i = 17 * 3072 + (3 * 32 + 4) * 3 + c;
      expect(ds.trainX[i]).toBeCloseTo((train.pixels[i]! / 255 - CIFAR10.mean[c]!) / CIFAR10.std[c]!, 6);
    }
    const raw = ok(await loadCifar10(dir, { normalize: false, trainLimit: 7, testLimit: 2 })());
    expect(raw.trainY.length).toBe(7);
    expect(raw.testY.length).toBe(2);
    expect(raw.trainX[6 * 3072 + 1]).toBe(Math.fround(train.pixels[6 * 3072 + 1]! / 255));
  });

  it('through loadData, relative to the .sprout folder', async () => {
    const ds = ok(
      await loadData(
        { _tag: 'cifar10', dir: 'cifar-10-batches-bin', normalize: true, trainLimit: 10 },
        { baseDir: root },
      )(),
    );
    expect(ds.name).toBe('cifar10');
    expect(ds.trainY.length).toBe(10);
  });

  it('a missing folder or batch file says where to get the data', async () => {
    const nowhere = path.join(root, 'nowhere');
    const msg = fail(await loadCifar10(nowhere)());
    expect(msg).toContain(`the folder ${nowhere} does not exist`);
    expect(msg).toContain(CIFAR10.url);
    expect(msg).toContain('tar xzf cifar-10-binary.tar.gz');
    const partial = path.join(root, 'partial');
    await writeCifar10(partial, { train, test });
    unlinkSync(path.join(partial, 'data_batch_3.bin'));
    expect(ok(await loadCifar10(partial, { trainLimit: 10 })()).trainY.length).toBe(10);
    const missing = fail(await loadCifar10(partial)());
    expect(missing).toContain(`${path.join(partial, 'data_batch_3.bin')} is missing`);
    expect(missing).toContain(CIFAR10.url);
    writeFileSync(path.join(partial, 'data_batch_3.bin'), new Uint8Array(0));
    expect(fail(await loadCifar10(partial)())).toBe(
      `${path.join(partial, 'data_batch_3.bin')}: no examples in the file`,
    );
  });
});
