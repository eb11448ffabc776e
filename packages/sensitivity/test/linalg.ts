// Float64 reference linear algebra for the tests: dense matrices as row-major arrays, and the largest
// eigenvalue of a symmetric matrix by the cyclic Jacobi method (an independent method from the power
// iteration under test).

/** Cᵀ C for a row-major r×c matrix. */
export function gram(a: Float64Array, r: number, c: number): Float64Array {
  const g = new Float64Array(c * c);
  for (let k = 0; k < r; k++) {
    for (let i = 0; i < c; i++) {
      const aki = a[k * c + i]!;
      if (aki === 0) continue;
      for (let j = 0; j < c; j++) g[i * c + j] = g[i * c + j]! + aki * a[k * c + j]!;
    }
  }
  return g;
}

/** Every eigenvalue of the symmetric n×n matrix `s` (cyclic Jacobi rotations until off-diagonal < 1e-22). */
export function symmetricEigenvalues(s: Float64Array, n: number): number[] {
  const a = Float64Array.from(s);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i * n + j]! ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const sn = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - sn * akq;
          a[k * n + q] = sn * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - sn * aqk;
          a[q * n + k] = sn * apk + c * aqk;
        }
      }
    }
  }
  return Array.from({ length: n }, (_, i) => a[i * n + i]!);
}

/** σ_max² of a row-major r×c matrix: the largest eigenvalue of its Gram matrix. */
export const sigmaMaxSquaredDense = (a: Float64Array, r: number, c: number): number =>
  Math.max(...symmetricEigenvalues(gram(a, r, c), c));
