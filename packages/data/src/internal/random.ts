/**
 * Seeded randomness for data: permutations drawn with a xoroshiro128+ generator (pure-rand) whose 32-bit
 * seed is derived from (run seed, stream, epoch) by a MurmurHash3-style mix. Every shuffle and split in
 * this package comes from here, so the same seed gives the same order on every run, machine and backend
 * (pure JavaScript integer arithmetic; no tensor op and no platform RNG is involved).
 *
 * It does NOT reproduce torch.randperm: the PyTorch peer's splits and batches differ from Sprout's.
 */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';

/** Independent random streams; adding one never changes the others. */
export const STREAM = { split: 1, batches: 2, validation: 3, augment: 4 } as const;
export type Stream = (typeof STREAM)[keyof typeof STREAM];

/** MurmurHash3's 32-bit finaliser: a bijection on uint32 that spreads every input bit. */
const fmix32 = (h0: number): number => {
  let h = h0 >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
};

/**
 * A 32-bit generator seed from the run seed (any safe integer; both 32-bit halves are used), a stream id
 * and an epoch. Consecutive epochs and seeds give unrelated seeds.
 */
export const deriveSeed = (seed: number, stream: Stream, epoch: number): number => {
  if (!Number.isSafeInteger(seed) || !Number.isSafeInteger(epoch)) {
    throw new RangeError(`@sprout/data: seed and epoch must be safe integers (got seed ${seed}, epoch ${epoch})`);
  }
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 0x1_0000_0000) >>> 0;
  let h = fmix32(lo ^ 0x9e3779b9);
  h = fmix32(h ^ Math.imul(hi, 0x85ebca6b) ^ 0x27d4eb2f);
  h = fmix32(h ^ Math.imul(stream, 0xcc9e2d51));
  h = fmix32(h ^ (epoch >>> 0) ^ Math.imul(Math.floor(epoch / 0x1_0000_0000) >>> 0, 0x1b873593));
  return h | 0;
};

/** A uniformly random permutation of 0..n−1 (Fisher–Yates, drawing j uniformly in 0..i for i = n−1 … 1). */
export const permutation = (n: number, seed: number, stream: Stream, epoch = 0): Int32Array => {
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const rng = xoroshiro128plus(deriveSeed(seed, stream, epoch));
  for (let i = n - 1; i > 0; i--) {
    const j = uniformInt(rng, 0, i);
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  return perm;
};
