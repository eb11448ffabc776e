/**
 * CSV files of the user's own: one example per row, numeric feature columns and one label column (by
 * header name or 0-based index; the last column by default), an optional header row. Parsing (quotes,
 * CRLF, byte-order mark) is csv-parse's; every value is then checked here, and a bad one is reported
 * with its file, line (1-based, the line where the record ends) and column (1-based field number).
 */
import { parse } from 'csv-parse/sync';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { DataError } from './DataError.js';
import type { Examples } from './examples.js';
import { readBytes } from './read-idx.js';

export interface CsvReadOptions {
  /** Whether the first row names the columns. @default true */
  readonly header?: boolean;
  /** Label column: a header name, or a 0-based index. @default the last column */
  readonly label?: string | number;
  /** Number of classes C; labels must be in 0..C−1. @default inferred as the largest label + 1 */
  readonly classes?: number;
}

/** The examples of a CSV file, unsplit. */
export interface CsvExamples extends Examples {
  /** Names of the feature columns (from the header, or `column <k>`). */
  readonly features: readonly string[];
}

interface Row {
  readonly record: string[];
  readonly info: { readonly lines: number };
}

/** Parse CSV text; `file` only names the file in errors. */
export const parseCsv = (
  text: string,
  file: string,
  options: CsvReadOptions = {},
): E.Either<DataError, CsvExamples> => {
  const header = options.header ?? true;
  let rows: Row[];
  try {
    rows = parse(text, {
      info: true,
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      record_delimiter: ['\r\n', '\n', '\r'],
    }) as unknown as Row[];
  } catch (err) {
    const e = err as Error & { lines?: number };
    return E.left({ _tag: 'MalformedRow', file, line: e.lines ?? 1, reason: e.message });
  }
  const first = rows[0];
  if (first === undefined) return E.left({ _tag: 'EmptyData', file });
  const width = first.record.length;
  const names = header ? first.record : first.record.map((_, k) => `column ${k}`);
  const data = header ? rows.slice(1) : rows;
  if (data.length === 0) return E.left({ _tag: 'EmptyData', file });
  if (width < 2) {
    return E.left({
      _tag: 'MalformedRow',
      file,
      line: first.info.lines,
      reason: `found ${width} column; a CSV data file needs at least one feature column and a label column`,
    });
  }

  // The label column.
  const wanted = options.label ?? width - 1;
  let labelCol: number;
  if (typeof wanted === 'number') {
    if (!Number.isInteger(wanted) || wanted < 0 || wanted >= width) {
      return E.left({ _tag: 'UnknownLabelColumn', file, label: wanted, columns: header ? names : width });
    }
    labelCol = wanted;
  } else {
    labelCol = header ? names.indexOf(wanted) : -1;
    if (labelCol < 0)
      return E.left({ _tag: 'UnknownLabelColumn', file, label: wanted, columns: header ? names : width });
  }

  const nf = width - 1;
  const x = new Float32Array(data.length * nf);
  const y = new Int32Array(data.length);
  const classes = options.classes;
  let max = -1;
  for (let r = 0; r < data.length; r++) {
    const { record, info } = data[r]!;
    const line = info.lines;
    if (record.length !== width) {
      return E.left({
        _tag: 'MalformedRow',
        file,
        line,
        reason: `expected ${width} fields${header ? ' (as in the header)' : ' (as in the first row)'}, found ${record.length}`,
      });
    }
    let f = 0;
    for (let c = 0; c < width; c++) {
      const raw = record[c]!;
      if (c === labelCol) {
        const v = raw === '' ? Number.NaN : Number(raw);
        const at = { _tag: 'BadLabel' as const, file, line, column: c + 1, value: raw };
        if (!Number.isInteger(v)) return E.left({ ...at, problem: 'not-an-integer' });
        if (v < 0 || (classes !== undefined && v >= classes)) {
          return E.left({ ...at, problem: 'out-of-range', ...(classes !== undefined ? { classes } : {}) });
        }
        y[r] = v;
        if (v > max) max = v;
      } else {
        const v = raw === '' ? Number.NaN : Number(raw);
        if (!Number.isFinite(v)) {
          return E.left({
            _tag: 'MalformedRow',
            file,
            line,
            column: c + 1,
            reason:
              raw === ''
                ? `empty value in column "${names[c]}"`
                : `"${raw}" in column "${names[c]}" is not a finite number`,
          });
        }
        x[r * nf + f] = v;
        f++;
      }
    }
  }
  return E.right({
    x,
    y,
    shape: [nf],
    classes: classes ?? max + 1,
    features: names.filter((_, c) => c !== labelCol),
  });
};

/** Read and parse a CSV file (UTF-8). */
export const readCsv = (file: string, options: CsvReadOptions = {}): TE.TaskEither<DataError, CsvExamples> =>
  TE.flatMapEither(readBytes(file), (bytes) => parseCsv(Buffer.from(bytes).toString('utf8'), file, options));
