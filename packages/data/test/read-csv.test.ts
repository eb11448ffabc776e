import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDataError, parseCsv, readCsv, type CsvReadOptions, type DataError } from '../src/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'sprout-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const message = (text: string, options: CsvReadOptions = {}): string => {
  const r = parseCsv(text, 'data.csv', options);
  return E.isLeft(r) ? formatDataError(r.left) : 'no error';
};

describe('parseCsv', () => {
  it('takes the last column as the label by default, with a header', () => {
    const r = parseCsv('a,b,class\n0.5,-1,1\n2,3e-1,0\n', 'data.csv');
    if (E.isLeft(r)) throw new Error(formatDataError(r.left));
    expect(Array.from(r.right.x)).toEqual([0.5, -1, 2, Math.fround(0.3)]);
    expect(Array.from(r.right.y)).toEqual([1, 0]);
    expect(r.right.shape).toEqual([2]);
    expect(r.right.classes).toBe(2);
    expect(r.right.features).toEqual(['a', 'b']);
  });

  it('finds the label column by name or by index, and reads files without a header', () => {
    const byName = parseCsv('y,"f 1",f2\n2,1,2\n0,3,4\n', 'd.csv', { label: 'y' });
    expect(E.isRight(byName) && Array.from(byName.right.y)).toEqual([2, 0]);
    expect(E.isRight(byName) && Array.from(byName.right.x)).toEqual([1, 2, 3, 4]);
    expect(E.isRight(byName) && byName.right.classes).toBe(3);
    const byIndex = parseCsv('1,5,6\r\n0,7,8\r\n', 'd.csv', { header: false, label: 0 });
    expect(E.isRight(byIndex) && Array.from(byIndex.right.y)).toEqual([1, 0]);
    expect(E.isRight(byIndex) && Array.from(byIndex.right.x)).toEqual([5, 6, 7, 8]);
  });

  it('checks labels against a given class count', () => {
    expect(message('a,y\n1,0\n2,3\n', { classes: 3 })).toBe(
      'data.csv:3:2: label 3 is out of range: labels must be integers 0..2',
    );
    expect(E.isRight(parseCsv('a,y\n1,0\n2,2\n', 'data.csv', { classes: 3 }))).toBe(true);
  });

  it('names file, line and column of a label that is not an integer or is negative', () => {
    expect(message('a,y\n1,0\n\n2,1.5\n')).toBe('data.csv:4:2: label "1.5" is not an integer class index');
    expect(message('a,y\n1,cat\n')).toBe('data.csv:2:2: label "cat" is not an integer class index');
    expect(message('a,y\n1,\n')).toBe('data.csv:2:2: label "" is not an integer class index');
    expect(message('a,y\n1,0\n1,-1\n')).toBe(
      'data.csv:3:2: label -1 is out of range: labels must be non-negative integers',
    );
  });

  it('names file, line and column of a feature that is not a number', () => {
    expect(message('a,b,y\n1,2,0\n1,x,1\n')).toBe(
      'data.csv:3:2: malformed row: "x" in column "b" is not a finite number',
    );
    expect(message('1,,0\n', { header: false })).toBe('data.csv:1:2: malformed row: empty value in column "column 1"');
    expect(message('a,b,y\r\n1,2,0\r\n3,Infinity,1\r\n')).toMatch(/^data\.csv:3:2: malformed row/);
  });

  it('names file and line of a row with the wrong number of fields', () => {
    expect(message('a,b,y\n1,2,0\n1,2\n')).toBe(
      'data.csv:3: malformed row: expected 3 fields (as in the header), found 2',
    );
    expect(message('1,2,0\n1,2,0,4\n', { header: false })).toBe(
      'data.csv:2: malformed row: expected 3 fields (as in the first row), found 4',
    );
  });

  it('reports bad quoting with its line', () => {
    expect(message('a,y\n1,0\n2,"1\n')).toMatch(/^data\.csv:3: malformed row: Quote Not Closed/);
  });

  it('reports an unknown label column with the columns there are', () => {
    expect(message('a,b\n1,0\n', { label: 'class' })).toBe(
      'data.csv: no label column "class": the columns are "a", "b"',
    );
    expect(message('1,0\n', { header: false, label: 'class' })).toBe(
      'data.csv: no label column "class": the file has no header and 2 columns (use an index 0..1)',
    );
    expect(message('a,b\n1,0\n', { label: 2 })).toMatch(/no label column 2/);
  });

  it('reports a file without examples', () => {
    expect(message('')).toBe('data.csv: no examples in the file');
    expect(message('a,b,y\n\n')).toBe('data.csv: no examples in the file');
  });
});

describe('readCsv', () => {
  it('reads a file and names it in errors', async () => {
    const file = path.join(dir, 'bad.csv');
    writeFileSync(file, '\ufeffx1,x2,label\n0,1,0\n1,oops,1\n');
    const r = await readCsv(file)();
    expect(E.isLeft(r) && formatDataError(r.left)).toBe(
      `${file}:3:2: malformed row: "oops" in column "x2" is not a finite number`,
    );
  });

  it('says which file is missing', async () => {
    const file = path.join(dir, 'missing.csv');
    const r = await readCsv(file)();
    expect(E.isLeft(r) && r.left).toEqual<DataError>({ _tag: 'FileNotFound', file });
  });
});
