/**
 * Seeded image augmentation of a mini-batch, on the host rows before they are uploaded: a random crop
 * after zero padding (torchvision's `RandomCrop(size, padding=crop)`: pad every side by `crop` pixels, take
 * the original size at an offset drawn uniformly in 0..2·crop per axis) and a horizontal flip with
 * probability ½ (`RandomHorizontalFlip`), the SensLI CNN reference's CIFAR-10 transforms. The draws come
 * from (seed, step counter) alone, so a resumed run augments exactly as an uninterrupted one.
 */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { deriveSeed, STREAM } from './random.js';

export interface AugmentOptions {
  /** Padding (pixels per side) of the random crop; 0: no crop. */
  readonly crop: number;
  /** Flip horizontally with probability ½. */
  readonly flip: 'none' | 'horizontal';
  /**
   * The value a padded pixel takes, per channel: 0 in pixel space, which is −mean/std after a per-channel
   * normalisation (the reference pads before it normalises). @default zeros
   */
  readonly fill?: readonly number[];
}

/**
 * Augment `n` images of shape `[height, width, channels]` stored row-major one after another in `x`, in
 * place. `counter` numbers the batch within the run (e.g. epoch · stepsPerEpoch + step): each batch gets
 * draws of its own.
 */
export const augmentImages = (
  x: Float32Array,
  n: number,
  shape: readonly number[],
  options: AugmentOptions,
  seed: number,
  counter: number,
): void => {
  const [h, w, c] = shape as [number, number, number];
  const { crop } = options;
  const flip = options.flip === 'horizontal';
  if (crop === 0 && !flip) return;
  const size = h * w * c;
  const fill = options.fill ?? [];
  const rng = xoroshiro128plus(deriveSeed(seed, STREAM.augment, counter));
  const src = new Float32Array(size);
  for (let e = 0; e < n; e++) {
    // Draws in a fixed order per image: the crop's row and column offsets, then the flip.
    const dy = crop > 0 ? uniformInt(rng, 0, 2 * crop) - crop : 0;
    const dx = crop > 0 ? uniformInt(rng, 0, 2 * crop) - crop : 0;
    const mirrored = flip && uniformInt(rng, 0, 1) === 1;
    if (dy === 0 && dx === 0 && !mirrored) continue;
    const base = e * size;
    src.set(x.subarray(base, base + size));
    for (let i = 0; i < h; i++) {
      const si = i + dy;
      for (let j = 0; j < w; j++) {
        // Output column j shows (after the flip) cropped column j' = w−1−j, which is source column j' + dx.
        const sj = (mirrored ? w - 1 - j : j) + dx;
        const out = base + (i * w + j) * c;
        if (si < 0 || si >= h || sj < 0 || sj >= w) for (let k = 0; k < c; k++) x[out + k] = fill[k] ?? 0;
        else {
          const from = (si * w + sj) * c;
          for (let k = 0; k < c; k++) x[out + k] = src[from + k]!;
        }
      }
    }
  }
};
