// Seeded crop-and-flip augmentation: every output is the source image shifted by an offset within the
// padding (padding pixels take the fill value), mirrored or not; every offset and both flips occur; the
// same (seed, counter) gives the same images.
import { describe, expect, it } from 'vitest';
import { augmentImages } from '../src/index.js';

const H = 5;
const W = 6;
const C = 2;
/** n images whose every value is distinct (image e, pixel (i, j), channel k → 1 + e·1000 + i·100 + j·10 + k). */
const images = (n: number): Float32Array =>
  Float32Array.from({ length: n * H * W * C }, (_, t) => {
    const e = Math.floor(t / (H * W * C));
    const r = t % (H * W * C);
    const i = Math.floor(r / (W * C));
    const j = Math.floor((r % (W * C)) / C);
    const k = r % C;
    return 1 + e * 1000 + i * 100 + j * 10 + k;
  });

/** The (dy, dx, mirrored) that explains augmented image e, or undefined when none does. */
const explain = (src: Float32Array, out: Float32Array, e: number, crop: number, fill: readonly number[]) => {
  const at = (x: Float32Array, i: number, j: number, k: number) => x[e * H * W * C + (i * W + j) * C + k]!;
  for (let dy = -crop; dy <= crop; dy++)
    for (let dx = -crop; dx <= crop; dx++)
      for (const mirrored of [false, true]) {
        let ok = true;
        for (let i = 0; i < H && ok; i++)
          for (let j = 0; j < W && ok; j++)
            for (let k = 0; k < C && ok; k++) {
              const si = i + dy;
              const sj = (mirrored ? W - 1 - j : j) + dx;
              const want = si < 0 || si >= H || sj < 0 || sj >= W ? fill[k]! : at(src, si, sj, k);
              ok = at(out, i, j, k) === want;
            }
        if (ok) return `${dy},${dx},${mirrored}`;
      }
  return undefined;
};

describe('augmentImages', () => {
  it('crops within the padding, fills the padding per channel, flips half the time; every case occurs', () => {
    const n = 400;
    const src = images(n);
    const x = src.slice();
    const fill = [-7, -9];
    augmentImages(x, n, [H, W, C], { crop: 1, flip: 'horizontal', fill }, 3, 0);
    const seen = new Map<string, number>();
    for (let e = 0; e < n; e++) {
      const why = explain(src, x, e, 1, fill);
      expect(why, `image ${e}`).toBeDefined();
      seen.set(why!, (seen.get(why!) ?? 0) + 1);
    }
    // 3 × 3 offsets × 2 flips, each about 400/18 ≈ 22 times.
    expect(seen.size).toBe(18);
    for (const count of seen.values()) expect(count).toBeGreaterThan(5);
  });

  it('flip alone mirrors or keeps each image; crop 0 and no flip keep every image', () => {
    const src = images(50);
    const x = src.slice();
    augmentImages(x, 50, [H, W, C], { crop: 0, flip: 'horizontal' }, 1, 4);
    const kinds = new Set(Array.from({ length: 50 }, (_, e) => explain(src, x, e, 0, [])));
    expect(kinds).toEqual(new Set(['0,0,false', '0,0,true']));
    const y = src.slice();
    augmentImages(y, 50, [H, W, C], { crop: 0, flip: 'none' }, 1, 4);
    expect(y).toEqual(src);
  });

  it('gives the same images for the same seed and counter, others for another counter or seed', () => {
    const run = (seed: number, counter: number) => {
      const x = images(20);
      augmentImages(x, 20, [H, W, C], { crop: 2, flip: 'horizontal' }, seed, counter);
      return Array.from(x);
    };
    expect(run(5, 12)).toEqual(run(5, 12));
    expect(run(5, 13)).not.toEqual(run(5, 12));
    expect(run(6, 12)).not.toEqual(run(5, 12));
  });
});
