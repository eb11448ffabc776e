import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeIdx, formatDataError, parseIdx, readIdx, type IdxArray } from '../src/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'sprout-idx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const err = (e: E.Either<Parameters<typeof formatDataError>[0], unknown>): string =>
  E.isLeft(e) ? formatDataError(e.left) : 'no error';

describe('parseIdx on hand-made bytes', () => {
  it('reads a 2×3 uint8 file byte by byte (magic 0 0 8 2, dims big-endian)', () => {
    const bytes = Uint8Array.from([0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 255]);
    const r = parseIdx(bytes, 'a.idx');
    expect(E.isRight(r)).toBe(true);
    if (E.isLeft(r)) return;
    expect(r.right.dtype).toBe('uint8');
    expect(r.right.dims).toEqual([2, 3]);
    expect(Array.from(r.right.data)).toEqual([1, 2, 3, 4, 5, 255]);
  });

  it('reads big-endian int32 and float32 values', () => {
    // int32 −2 = ff ff ff fe; 258 = 00 00 01 02; float32 1.5 = 3f c0 00 00
    const i = parseIdx(Uint8Array.from([0, 0, 0x0c, 1, 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xfe, 0, 0, 1, 2]), 'i');
    expect(E.isRight(i) && Array.from(i.right.data)).toEqual([-2, 258]);
    const f = parseIdx(Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 1, 0x3f, 0xc0, 0, 0]), 'f');
    expect(E.isRight(f) && Array.from(f.right.data)).toEqual([1.5]);
  });

  it('round-trips every type through encodeIdx, raw and gzipped', () => {
    const arrays: IdxArray[] = [
      { dtype: 'uint8', dims: [2, 2, 2], data: Uint8Array.from([0, 1, 2, 3, 250, 251, 252, 255]) },
      { dtype: 'int8', dims: [3], data: Int8Array.from([-128, 0, 127]) },
      { dtype: 'int16', dims: [2], data: Int16Array.from([-300, 300]) },
      { dtype: 'int32', dims: [1, 2], data: Int32Array.from([-70000, 70000]) },
      { dtype: 'float32', dims: [2], data: Float32Array.from([0.1, -2.5]) },
      { dtype: 'float64', dims: [2], data: Float64Array.from([0.1, -1e300]) },
    ];
    for (const a of arrays) {
      for (const bytes of [encodeIdx(a), gzipSync(encodeIdx(a))]) {
        const r = parseIdx(bytes, 'x');
        if (E.isLeft(r)) throw new Error(formatDataError(r.left));
        expect(r.right.dtype).toBe(a.dtype);
        expect(r.right.dims).toEqual(a.dims);
        expect(Array.from(r.right.data)).toEqual(Array.from(a.data));
      }
    }
  });

  it('names the file and byte offset of a bad magic number, type code or rank', () => {
    expect(err(parseIdx(Uint8Array.from([1, 0, 8, 1, 0, 0, 0, 0]), 'm.idx'))).toBe(
      'm.idx (byte 0): not a valid IDX file: magic number must start with two zero bytes, got 0x01 0x00',
    );
    expect(err(parseIdx(Uint8Array.from([0, 0, 7, 1, 0, 0, 0, 0]), 't.idx'))).toBe(
      't.idx (byte 2): not a valid IDX file: unknown type code 0x07 (expected 0x08, 0x09, 0x0b, 0x0c, 0x0d or 0x0e)',
    );
    expect(err(parseIdx(Uint8Array.from([0, 0, 8, 0]), 'r.idx'))).toBe(
      'r.idx (byte 3): not a valid IDX file: rank 0: an IDX file needs at least one dimension',
    );
    expect(err(parseIdx(Uint8Array.from([0, 0]), 's.idx'))).toBe(
      's.idx (byte 0): not a valid IDX file: file has 2 bytes, shorter than the 4-byte magic number',
    );
  });

  it('names the offset where a truncated file ends and where trailing bytes start', () => {
    expect(err(parseIdx(Uint8Array.from([0, 0, 8, 2, 0, 0, 0, 2]), 'h.idx'))).toBe(
      'h.idx (byte 8): not a valid IDX file: truncated header: rank 2 needs 12 header bytes, file has 8',
    );
    const full = encodeIdx({ dtype: 'int16', dims: [3], data: Int16Array.from([1, 2, 3]) });
    expect(err(parseIdx(full.subarray(0, full.length - 1), 'short.idx'))).toBe(
      'short.idx (byte 13): not a valid IDX file: truncated: dimensions [3] of int16 need 14 bytes, file has 13',
    );
    const long = new Uint8Array(full.length + 2);
    long.set(full);
    expect(err(parseIdx(long, 'long.idx'))).toBe(
      'long.idx (byte 14): not a valid IDX file: 2 unexpected bytes after the data: dimensions [3] of int16 end at byte 14',
    );
  });

  it('reports broken gzip data as an unreadable file', () => {
    const r = parseIdx(Uint8Array.from([0x1f, 0x8b, 1, 2, 3]), 'z.gz');
    expect(E.isLeft(r) && r.left._tag).toBe('FileUnreadable');
    expect(err(r)).toMatch(/^z\.gz: cannot read the file: bad gzip data/);
  });
});

describe('readIdx on files', () => {
  it('reads a small generated file from disk, raw and gzipped', async () => {
    const a: IdxArray = { dtype: 'uint8', dims: [2, 2], data: Uint8Array.from([9, 8, 7, 6]) };
    writeFileSync(path.join(dir, 'small'), encodeIdx(a));
    writeFileSync(path.join(dir, 'small.gz'), gzipSync(encodeIdx(a)));
    for (const name of ['small', 'small.gz']) {
      const r = await readIdx(path.join(dir, name))();
      expect(E.isRight(r) && Array.from(r.right.data)).toEqual([9, 8, 7, 6]);
    }
  });

  it('says which file is missing', async () => {
    const file = path.join(dir, 'nope-idx1-ubyte');
    const r = await readIdx(file)();
    expect(E.isLeft(r) && r.left).toEqual({ _tag: 'FileNotFound', file });
    expect(err(r)).toBe(`${file}: file not found`);
  });
});
