/**
 * A small seeded random source for the fuzz harness: sfc32 (Chris Doty-Humphrey's Small Fast Counter, as in
 * PractRand), seeded from (run seed, input index) through a 32-bit mix, so input `i` of seed `s` is the
 * same on every machine and can be regenerated alone (`--only i`).
 */

/** Murmur3's 32-bit finaliser: spreads the bits of `h`. */
const mix32 = (h: number): number => {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
};

export interface Random {
  /** A uniform 32-bit unsigned integer. */
  readonly u32: () => number;
  /** A uniform float in [0, 1). */
  readonly float: () => number;
  /** A uniform integer in [0, n); 0 when n ≤ 0. */
  readonly int: (n: number) => number;
  /** A uniform integer in [lo, hi]. */
  readonly between: (lo: number, hi: number) => number;
  /** `true` with probability p. */
  readonly chance: (p: number) => boolean;
  /** A uniform element of a non-empty list. */
  readonly pick: <T>(xs: readonly T[]) => T;
  /** An element chosen with the given relative weights. */
  readonly weighted: <T>(xs: readonly (readonly [number, T])[]) => T;
}

/** The random source of input `index` of run `seed`. */
export const randomFor = (seed: number, index: number): Random => {
  let a = mix32(seed ^ 0x9e3779b9);
  let b = mix32(index + 0x6a09e667);
  let c = mix32((seed * 31 + index) ^ 0xbb67ae85);
  let d = 1;
  const u32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) u32();
  const float = (): number => u32() / 4_294_967_296;
  const int = (n: number): number => (n <= 0 ? 0 : Math.floor(float() * n));
  return {
    u32,
    float,
    int,
    between: (lo, hi) => lo + int(hi - lo + 1),
    chance: (p) => float() < p,
    pick: (xs) => xs[int(xs.length)]!,
    weighted: (xs) => {
      const total = xs.reduce((s, [w]) => s + w, 0);
      let r = float() * total;
      for (const [w, x] of xs) {
        r -= w;
        if (r < 0) return x;
      }
      return xs[xs.length - 1]![1];
    },
  };
};
