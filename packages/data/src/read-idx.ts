/**
 * A small reader and writer for IDX files (http://yann.lecun.com/exdb/mnist/ describes the format):
 * magic number (0, 0, type code, rank), big-endian uint32 dimensions, big-endian values. Gzipped files
 * (first bytes 1f 8b) are decompressed first with node:zlib; byte offsets in errors then count in the
 * decompressed stream.
 */
import { gunzipSync } from 'node:zlib';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { DataError } from './DataError.js';
import { IDX_DTYPES, type IdxArray, type IdxData, type IdxDtype } from './IdxArray.js';
import { describeReadFileProblem, readRegularFile } from './read-regular-file.js';

const hex = (b: number): string => `0x${b.toString(16).padStart(2, '0')}`;

const dtypeOfCode = (code: number): IdxDtype | undefined =>
  (Object.keys(IDX_DTYPES) as IdxDtype[]).find((d) => IDX_DTYPES[d].code === code);

const isGzip = (bytes: Uint8Array): boolean => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

const bad = (file: string, offset: number, reason: string): E.Either<DataError, never> =>
  E.left({ _tag: 'BadIdx', file, offset, reason });

/**
 * Decode the bytes of an IDX file (raw or gzipped). `file` only names the file in errors. Single-byte
 * data is returned as a view on the input bytes (no copy); wider types are converted to host order.
 */
export const parseIdx = (input: Uint8Array, file: string): E.Either<DataError, IdxArray> => {
  let bytes = input;
  if (isGzip(bytes)) {
    try {
      bytes = gunzipSync(bytes);
    } catch (err) {
      return E.left({ _tag: 'FileUnreadable', file, reason: `bad gzip data: ${(err as Error).message}` });
    }
  }
  if (bytes.length < 4) return bad(file, 0, `file has ${bytes.length} bytes, shorter than the 4-byte magic number`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    return bad(file, 0, `magic number must start with two zero bytes, got ${hex(bytes[0]!)} ${hex(bytes[1]!)}`);
  }
  const dtype = dtypeOfCode(bytes[2]!);
  if (dtype === undefined) {
    return bad(file, 2, `unknown type code ${hex(bytes[2]!)} (expected 0x08, 0x09, 0x0b, 0x0c, 0x0d or 0x0e)`);
  }
  const rank = bytes[3]!;
  if (rank === 0) return bad(file, 3, 'rank 0: an IDX file needs at least one dimension');
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    return bad(
      file,
      bytes.length,
      `truncated header: rank ${rank} needs ${headerBytes} header bytes, file has ${bytes.length}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let k = 0; k < rank; k++) dims.push(view.getUint32(4 + 4 * k, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const size = IDX_DTYPES[dtype].bytes;
  const expected = headerBytes + count * size;
  if (bytes.length < expected) {
    return bad(
      file,
      bytes.length,
      `truncated: dimensions [${dims.join(', ')}] of ${dtype} need ${expected} bytes, file has ${bytes.length}`,
    );
  }
  if (bytes.length > expected) {
    return bad(
      file,
      expected,
      `${bytes.length - expected} unexpected bytes after the data: dimensions [${dims.join(', ')}] of ${dtype} end at byte ${expected}`,
    );
  }
  return E.right({ dtype, dims, data: decodeValues(bytes, view, headerBytes, count, dtype) });
};

const decodeValues = (bytes: Uint8Array, view: DataView, at: number, count: number, dtype: IdxDtype): IdxData => {
  switch (dtype) {
    case 'uint8':
      return bytes.subarray(at, at + count);
    case 'int8':
      return new Int8Array(bytes.buffer, bytes.byteOffset + at, count);
    case 'int16': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(at + 2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(at + 4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(at + 4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(at + 8 * i, false);
      return out;
    }
  }
};

/** Largest data file read (2 GiB): CIFAR-10's six batches are 180 MB, MNIST's IDX files 55 MB. */
const MAX_DATA_FILE_BYTES = 2 * 1024 ** 3;

/**
 * Read a data file as bytes: a regular file only (a FIFO, a device, a directory or a symlink loop is an
 * error at once, not a hang or an endless read), at most `MAX_DATA_FILE_BYTES`.
 */
export const readBytes =
  (file: string): TE.TaskEither<DataError, Uint8Array> =>
  async () => {
    const r = await readRegularFile(file, MAX_DATA_FILE_BYTES);
    if (r.ok) return E.right(r.bytes);
    return E.left(
      r.problem._tag === 'not-found'
        ? { _tag: 'FileNotFound', file }
        : {
            _tag: 'FileUnreadable',
            file,
            reason: describeReadFileProblem(file, r.problem).replace(/^cannot read '.*?': /, ''),
          },
    );
  };

/** Read and decode an IDX file (raw or gzipped). */
export const readIdx = (file: string): TE.TaskEither<DataError, IdxArray> =>
  TE.flatMapEither(readBytes(file), (bytes) => parseIdx(bytes, file));

/**
 * Encode an array as IDX bytes (uncompressed). `data.length` must equal the product of `dims`; this is
 * an invariant of the caller and throws otherwise.
 */
export const encodeIdx = (array: IdxArray): Uint8Array => {
  const { dtype, dims, data } = array;
  const count = dims.reduce((a, b) => a * b, 1);
  if (data.length !== count) {
    throw new RangeError(`encodeIdx: ${data.length} values do not fill dimensions [${dims.join(', ')}]`);
  }
  const size = IDX_DTYPES[dtype].bytes;
  const header = 4 + 4 * dims.length;
  const out = new Uint8Array(header + count * size);
  const view = new DataView(out.buffer);
  out[2] = IDX_DTYPES[dtype].code;
  out[3] = dims.length;
  dims.forEach((d, k) => view.setUint32(4 + 4 * k, d, false));
  for (let i = 0; i < count; i++) {
    const v = data[i]!;
    const at = header + i * size;
    switch (dtype) {
      case 'uint8':
        view.setUint8(at, v);
        break;
      case 'int8':
        view.setInt8(at, v);
        break;
      case 'int16':
        view.setInt16(at, v, false);
        break;
      case 'int32':
        view.setInt32(at, v, false);
        break;
      case 'float32':
        view.setFloat32(at, v, false);
        break;
      case 'float64':
        view.setFloat64(at, v, false);
        break;
    }
  }
  return out;
};
