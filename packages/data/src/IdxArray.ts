/**
 * The content of an IDX file (the format of the MNIST distribution): an n-dimensional array with its
 * element type. Header: two zero bytes, a type code, the rank r; then r big-endian uint32 dimensions;
 * then the values, big-endian, row-major.
 */

export type IdxDtype = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  readonly dtype: IdxDtype;
  readonly dims: readonly number[];
  /** The values in host byte order, row-major. */
  readonly data: IdxData;
}

/** Type codes of the IDX header (byte 2) and the byte size of one value. */
export const IDX_DTYPES: Readonly<Record<IdxDtype, { readonly code: number; readonly bytes: number }>> = {
  uint8: { code: 0x08, bytes: 1 },
  int8: { code: 0x09, bytes: 1 },
  int16: { code: 0x0b, bytes: 2 },
  int32: { code: 0x0c, bytes: 4 },
  float32: { code: 0x0d, bytes: 4 },
  float64: { code: 0x0e, bytes: 8 },
};
