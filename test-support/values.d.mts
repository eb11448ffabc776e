/** `n` deterministic values in [-1, 1) from `seed` (a linear congruential sequence; not for statistics). */
export function testValues(n: number, seed: number): Float64Array;
/** `testValues(n, seed)` as float32, the type tensors and kernels take. */
export function testFloats(n: number, seed: number): Float32Array;
