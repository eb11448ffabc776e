/**
 * Seeded pseudo-random numbers that do not depend on the backend: a 32-bit string hash to derive
 * per-parameter seeds and the sfc32 generator (Chris Doty-Humphrey's PractRand "small fast counting" RNG).
 */

/** A 32-bit unsigned seed for `name` under the run seed (murmur3 finaliser over an FNV-1a hash). */
export function seedFor(runSeed: number, name: string): number {
  let h = 0x811c9dc5 ^ (runSeed >>> 0);
  h = Math.imul(h ^ Math.floor(runSeed / 2 ** 32), 0x01000193);
  for (let i = 0; i < name.length; i++) {
    h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

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

/** `n` numbers uniform on [low, high) from `seed`, as float32. */
export function uniformArray(seed: number, n: number, low: number, high: number): Float32Array {
  const next = uniformGenerator(seed);
  const out = new Float32Array(n);
  const width = high - low;
  for (let i = 0; i < n; i++) out[i] = low + width * next();
  return out;
}
