/**
 * Everything that can go wrong while loading data, as values: one tagged union, each case naming the
 * file and, where it applies, the line (1-based) and column (1-based field) or byte offset (0-based, in
 * the decompressed stream for gzipped IDX files). `formatDataError` renders a case as one line of text.
 */
import type { Diagnostic } from '@sprout/spec';

export type DataError =
  /** The file does not exist. */
  | { readonly _tag: 'FileNotFound'; readonly file: string }
  /** The file exists but could not be read or decompressed. */
  | { readonly _tag: 'FileUnreadable'; readonly file: string; readonly reason: string }
  /** A CSV row that cannot be parsed: wrong number of fields, a value that is not a number, bad quoting. */
  | {
      readonly _tag: 'MalformedRow';
      readonly file: string;
      readonly line: number;
      /** 1-based field number, when one field is at fault. */
      readonly column?: number;
      readonly reason: string;
    }
  /**
   * A label that is not an integer, or outside 0..classes−1. CSV labels name the `line`; IDX labels the
   * `example` index and the byte `offset` of the value.
   */
  | {
      readonly _tag: 'BadLabel';
      readonly file: string;
      readonly line?: number;
      readonly column?: number;
      readonly example?: number;
      readonly offset?: number;
      readonly value: string;
      readonly problem: 'not-an-integer' | 'out-of-range';
      /** The class count the label was checked against (given, or inferred when absent). */
      readonly classes?: number;
    }
  /** An IDX file whose header or size is wrong. */
  | { readonly _tag: 'BadIdx'; readonly file: string; readonly offset: number; readonly reason: string }
  /** An IDX images file and labels file that disagree on the number of examples. */
  | {
      readonly _tag: 'CountMismatch';
      readonly images: string;
      readonly labels: string;
      readonly imageCount: number;
      readonly labelCount: number;
    }
  /** The CSV label column named in the spec does not exist. */
  | {
      readonly _tag: 'UnknownLabelColumn';
      readonly file: string;
      readonly label: string | number;
      /** The header's names, or the number of columns when the file has no header. */
      readonly columns: readonly string[] | number;
    }
  /** A file with no examples in it. */
  | { readonly _tag: 'EmptyData'; readonly file: string }
  /** An option out of its range (a split that leaves no training example, a bad limit, …). */
  | { readonly _tag: 'InvalidOption'; readonly option: string; readonly reason: string }
  /** A built-in data set that no installed package ships. */
  | { readonly _tag: 'DatasetUnavailable'; readonly dataset: string; readonly reason: string }
  /** The network's input shape does not hold one example of the data set. */
  | {
      readonly _tag: 'ShapeMismatch';
      readonly dataset: string;
      readonly expected: readonly number[];
      readonly actual: readonly number[];
    };

export type DataErrorTag = DataError['_tag'];

const where = (file: string, line?: number, column?: number): string =>
  line === undefined ? file : column === undefined ? `${file}:${line}` : `${file}:${line}:${column}`;

const shape = (s: readonly number[]): string => `[${s.join(', ')}]`;

/** One line of text: `file:line:column: message`, `file (byte N): message`, or a plain message. */
export const formatDataError = (e: DataError): string => {
  switch (e._tag) {
    case 'FileNotFound':
      return `${e.file}: file not found`;
    case 'FileUnreadable':
      return `${e.file}: cannot read the file: ${e.reason}`;
    case 'MalformedRow':
      return `${where(e.file, e.line, e.column)}: malformed row: ${e.reason}`;
    case 'BadLabel': {
      const at =
        e.line !== undefined
          ? where(e.file, e.line, e.column)
          : `${e.file} (example ${e.example ?? '?'}, byte ${e.offset ?? '?'})`;
      return e.problem === 'not-an-integer'
        ? `${at}: label "${e.value}" is not an integer class index`
        : `${at}: label ${e.value} is out of range: labels must be ${
            e.classes === undefined ? 'non-negative integers' : `integers 0..${e.classes - 1}`
          }`;
    }
    case 'BadIdx':
      return `${e.file} (byte ${e.offset}): not a valid IDX file: ${e.reason}`;
    case 'CountMismatch':
      return `${e.images} has ${e.imageCount} examples but ${e.labels} has ${e.labelCount} labels`;
    case 'UnknownLabelColumn':
      return typeof e.columns === 'number'
        ? `${e.file}: no label column ${JSON.stringify(e.label)}: the file has no header and ${e.columns} columns (use an index 0..${e.columns - 1})`
        : `${e.file}: no label column ${JSON.stringify(e.label)}: the columns are ${e.columns.map((c) => JSON.stringify(c)).join(', ')}`;
    case 'EmptyData':
      return `${e.file}: no examples in the file`;
    case 'InvalidOption':
      return `invalid ${e.option}: ${e.reason}`;
    case 'DatasetUnavailable':
      return `data set ${e.dataset} is not available: ${e.reason}`;
    case 'ShapeMismatch':
      return `the network input ${shape(e.expected)} does not fit one example of ${e.dataset}, ${shape(e.actual)} (sizes must match)`;
  }
};

const CODES: Record<DataErrorTag, string> = {
  FileNotFound: 'data-file-not-found',
  FileUnreadable: 'data-file-unreadable',
  MalformedRow: 'data-malformed-row',
  BadLabel: 'data-bad-label',
  BadIdx: 'data-bad-idx',
  CountMismatch: 'data-count-mismatch',
  UnknownLabelColumn: 'data-unknown-label-column',
  EmptyData: 'data-empty',
  InvalidOption: 'data-invalid-option',
  DatasetUnavailable: 'data-unavailable',
  ShapeMismatch: 'data-shape-mismatch',
};

/** The error as a Sprout diagnostic (stable kebab-case code, severity error), located at `path` in the spec. */
export const dataErrorToDiagnostic = (e: DataError, path: readonly (string | number)[] = ['data']): Diagnostic => ({
  code: CODES[e._tag],
  severity: 'error',
  message: formatDataError(e),
  path,
});
