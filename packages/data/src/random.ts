/**
 * Every seeded random number of Sprout comes from here, so the same seed gives the same numbers on every
 * run, machine and backend (pure JavaScript integer arithmetic; no tensor op and no platform RNG):
 *  - seeds: one 32-bit seed from a run seed and the counters or name of a random stream, by two mixing
 *    primitives (MurmurHash3's finaliser `fmix32` and an FNV-1a step);
 *  - permutations (splits, batch order) and augmentation draws: pure-rand's xoroshiro128+;
 *  - initial weights: sfc32 (Chris Doty-Humphrey's PractRand "small fast counting" RNG).
 *
 * The three seed derivations below mix differently, and so do the two generators: each fixes numbers that
 * runs, checkpoints and bench protocols already hold, so a common recipe would change every split, batch
 * order, initialisation or dropout mask. sfc32 is written out because pure-rand has no sfc32; replacing it
 * by one of pure-rand's generators would change every initial weight.
 *
 * Permutations do NOT reproduce torch.randperm: the PyTorch peer's splits and batches differ from Sprout's.
 */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';

/** Independent random streams of the data; adding one never changes the others. */
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

/** FNV-1a's offset basis, and one step of it: h ← (h xor x) · FNV prime (mod 2³², as an int32). */
const FNV_OFFSET = 0x811c9dc5;
const fnv1a = (h: number, x: number): number => Math.imul(h ^ x, 0x01000193);

/**
 * The data's generator seed from the run seed (any safe integer; both 32-bit halves are used), a stream id
 * and an epoch (or another counter). Consecutive epochs and seeds give unrelated seeds.
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

/**
 * A 32-bit unsigned seed for the parameter (or dropout layer) `name` under the run seed: FNV-1a over the
 * seed's halves and the name's characters, then `fmix32`.
 */
export function seedFor(runSeed: number, name: string): number {
  let h = fnv1a(FNV_OFFSET ^ (runSeed >>> 0), Math.floor(runSeed / 2 ** 32));
  for (let i = 0; i < name.length; i++) h = fnv1a(h, name.charCodeAt(i));
  return fmix32(h);
}

/**
 * A 31-bit seed from a run seed and small integers (the pipeline's dropout masks take `mixSeeds(seed, 2,
 * epoch, step)`): per part an FNV-1a step and a MurmurHash2-style mix.
 */
export const mixSeeds = (...parts: readonly number[]): number => {
  let h = FNV_OFFSET;
  for (const part of parts) {
    h = fnv1a(h, part >>> 0) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0x5bd1e995) >>> 0;
    h ^= h >>> 15;
  }
  return h & 0x7fffffff;
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

/** A generator of uniform numbers in [0, 1) from a 32-bit seed (sfc32, warmed up by 12 draws). */
function uniformGenerator(seed: number): () => number {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

/** `n` numbers uniform on [low, high) from `seed` (sfc32), as float32: the initial weights. */
export function uniformArray(seed: number, n: number, low: number, high: number): Float32Array {
  const next = uniformGenerator(seed);
  const out = new Float32Array(n);
  const width = high - low;
  for (let i = 0; i < n; i++) out[i] = low + width * next();
  return out;
}
