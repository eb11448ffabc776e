import { describe, expect, it } from 'vitest';
import { gatherRows, isIdentity } from '../src/index.js';

describe('gatherRows', () => {
  it('copies the rows and labels at the indices, in index order, repeats included', () => {
    const x = Float32Array.from([0, 1, 10, 11, 20, 21, 30, 31]);
    const y = Int32Array.from([5, 6, 7, 8]);
    const outX = new Float32Array(6).fill(-1);
    const outY = new Int32Array(3).fill(-1);
    gatherRows(x, y, 2, Int32Array.from([3, 0, 3]), outX, outY);
    expect([...outX]).toEqual([30, 31, 0, 1, 30, 31]);
    expect([...outY]).toEqual([8, 5, 8]);
  });

  it('writes only indices.length rows of a larger output', () => {
    const outX = new Float32Array(4).fill(-1);
    const outY = new Int32Array(2).fill(-1);
    gatherRows(Float32Array.from([1, 2, 3, 4]), Int32Array.from([0, 1]), 2, Int32Array.from([1]), outX, outY);
    expect([...outX]).toEqual([3, 4, -1, -1]);
    expect([...outY]).toEqual([1, -1]);
  });
});

describe('isIdentity', () => {
  it('is true only for 0..n−1 of length n', () => {
    expect(isIdentity(Int32Array.from([0, 1, 2]), 3)).toBe(true);
    expect(isIdentity(Int32Array.from([0, 2, 1]), 3)).toBe(false);
    expect(isIdentity(Int32Array.from([0, 1]), 3)).toBe(false);
    expect(isIdentity(new Int32Array(0), 0)).toBe(true);
  });
});
