// Deterministic test inputs shared by the packages' tests: a linear congruential sequence mapped to
// [-1, 1) (the same numbers on every run and machine; not for statistics).

/** `n` values in [-1, 1) from `seed`. */
export function testValues(n, seed) {
  const out = new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** `testValues` as float32, the type tensors and kernels take. */
export function testFloats(n, seed) {
  return Float32Array.from(testValues(n, seed));
}
