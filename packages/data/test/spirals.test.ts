import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { formatDataError, spiralPoints, generateSpirals, type Dataset } from '../src/index.js';

const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(`expected Right, got ${JSON.stringify(e.left)}`);
  return e.right;
};

/** (x₁, x₂) of generation index k. */
const point = (x: Float32Array, k: number): [number, number] => [x[2 * k]!, x[2 * k + 1]!];

describe('spiralPoints (ALGORITHMS.md §3: φ = 2π·turns·i/N, r = r₀ + turns·i/N, x = (s r cos φ, s r sin φ))', () => {
  // N = 300, turns = 1, r₀ = 0.5; label 0 has s = −1 at k = i, label 1 has s = +1 at k = N + i.
  const N = 300;
  const { x, y } = spiralPoints(N, 1, 0.5);

  it('has N points of each class, label 0 first', () => {
    expect(x.length).toBe(4 * N);
    expect(Array.from(y.subarray(0, N)).every((v) => v === 0)).toBe(true);
    expect(Array.from(y.subarray(N)).every((v) => v === 1)).toBe(true);
  });

  it('i = 0: φ = 0, r = 0.5, so (∓0.5, ∓0)', () => {
    expect(point(x, 0)).toEqual([-0.5, -0]);
    expect(point(x, N)).toEqual([0.5, 0]);
  });

  it('i = 50: φ = π/3, r = 2/3, so ±(1/3, √3/3)', () => {
    expect(point(x, N + 50)).toEqual([Math.fround(1 / 3), Math.fround(Math.sqrt(3) / 3)]);
    expect(point(x, 50)).toEqual([Math.fround(-1 / 3), Math.fround(-Math.sqrt(3) / 3)]);
  });

  it('i = 75: φ = π/2, r = 0.75, so ±(0, 0.75)', () => {
    const [a, b] = point(x, N + 75);
    expect(Math.abs(a)).toBeLessThan(1e-15);
    expect(b).toBe(0.75);
    expect(point(x, 75)[1]).toBe(-0.75);
  });

  it('i = 150: φ = π, r = 1, so ±(−1, 0)', () => {
    const [a, b] = point(x, 150);
    expect(a).toBe(1);
    expect(Math.abs(b)).toBeLessThan(1e-15);
    expect(point(x, N + 150)[0]).toBe(-1);
  });

  it('i = 225: φ = 3π/2, r = 1.25, so ±(0, −1.25)', () => {
    expect(point(x, N + 225)[1]).toBe(-1.25);
    expect(point(x, 225)[1]).toBe(1.25);
  });

  it('turns scale both the angle and the radius: N = 100, turns = 2, i = 25 gives φ = 2π·2·25/100 = π, r = 0.5 + 2·25/100 = 1', () => {
    const p = spiralPoints(100, 2, 0.5);
    expect(point(p.x, 100 + 25)[0]).toBe(-1);
    // i = 10: φ = 2π·0.2 (72°), r = 0.7
    expect(point(p.x, 100 + 10)).toEqual([
      Math.fround(0.7 * Math.cos(0.4 * Math.PI)),
      Math.fround(0.7 * Math.sin(0.4 * Math.PI)),
    ]);
  });
});

describe('spirals', () => {
  const sorted = (ds: Dataset): string[] => {
    const rows: string[] = [];
    const add = (x: Float32Array, y: Int32Array): void => {
      for (let i = 0; i < y.length; i++) rows.push(`${x[2 * i]},${x[2 * i + 1]},${y[i]}`);
    };
    add(ds.trainX, ds.trainY);
    add(ds.testX, ds.testY);
    return rows.sort();
  };

  it('splits the reference 600 points 450 / 150 (⌊0.75 · 600⌋), keeping every point once', () => {
    const ds = right(generateSpirals());
    expect(ds.name).toBe('spirals');
    expect(ds.shape).toEqual([2]);
    expect(ds.classes).toBe(2);
    expect(ds.trainY.length).toBe(450);
    expect(ds.testY.length).toBe(150);
    expect(ds.trainX.length).toBe(900);
    const { x, y } = spiralPoints(300, 1, 0.5);
    const all: string[] = [];
    for (let k = 0; k < 600; k++) all.push(`${x[2 * k]},${x[2 * k + 1]},${y[k]}`);
    expect(sorted(ds)).toEqual(all.sort());
  });

  it('is deterministic for a seed and shuffled differently for another', () => {
    const a = right(generateSpirals({ seed: 7 }));
    const b = right(generateSpirals({ seed: 7 }));
    const c = right(generateSpirals({ seed: 8 }));
    expect(Array.from(a.trainX)).toEqual(Array.from(b.trainX));
    expect(Array.from(a.trainY)).toEqual(Array.from(b.trainY));
    expect(Array.from(a.trainX)).not.toEqual(Array.from(c.trainX));
  });

  it('shuffles: the training set is not the points in generation order', () => {
    const ds = right(generateSpirals());
    const labels = Array.from(ds.trainY.subarray(0, 40));
    expect(new Set(labels).size).toBe(2);
  });

  it('rejects a split that leaves no training point', () => {
    const e = generateSpirals({ points: 1, split: 0.4 });
    expect(E.isLeft(e) && formatDataError(e.left)).toBe(
      'invalid split: split 0.4 of 2 examples leaves no training example',
    );
    const f = generateSpirals({ points: 0 });
    expect(E.isLeft(f) && f.left._tag).toBe('InvalidOption');
  });
});
