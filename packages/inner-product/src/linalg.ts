/**
 * The small dense linear algebra the reference instance needs, in Float64: products, transposes,
 * Cholesky factorisation `S = L Lᵀ` of an SPD matrix and solves with it. Textbook algorithms
 * (Golub & Van Loan, Matrix Computations, §4.2 for Cholesky); sizes are layer widths, so O(n³) is fine.
 */
import type { Mat } from './Mat.js';

const zeros = (rows: number, cols: number): Mat => ({ rows, cols, data: new Float64Array(rows * cols) });

export const identity = (n: number, c = 1): Mat => {
  const out = zeros(n, n);
  for (let i = 0; i < n; i++) out.data[i * n + i] = c;
  return out;
};

const sameShape = (a: Mat, b: Mat, op: string): void => {
  if (a.rows !== b.rows || a.cols !== b.cols) {
    throw new Error(`${op}: shapes ${a.rows}×${a.cols} and ${b.rows}×${b.cols} differ`);
  }
};

export const transpose = (a: Mat): Mat => {
  const out = zeros(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) out.data[j * a.rows + i] = a.data[i * a.cols + j]!;
  return out;
};

export const matmul = (a: Mat, b: Mat): Mat => {
  if (a.cols !== b.rows) throw new Error(`matmul: ${a.rows}×${a.cols} times ${b.rows}×${b.cols}`);
  const out = zeros(a.rows, b.cols);
  for (let i = 0; i < a.rows; i++) {
    for (let k = 0; k < a.cols; k++) {
      const aik = a.data[i * a.cols + k]!;
      if (aik === 0) continue;
      for (let j = 0; j < b.cols; j++)
        out.data[i * b.cols + j] = out.data[i * b.cols + j]! + aik * b.data[k * b.cols + j]!;
    }
  }
  return out;
};

export const add = (a: Mat, b: Mat): Mat => {
  sameShape(a, b, 'add');
  return { rows: a.rows, cols: a.cols, data: a.data.map((v, i) => v + b.data[i]!) };
};

export const scale = (alpha: number, a: Mat): Mat => ({
  rows: a.rows,
  cols: a.cols,
  data: a.data.map((v) => alpha * v),
});

/** `Σ_ij a_ij b_ij = tr(aᵀ b)`. */
export const frobeniusDot = (a: Mat, b: Mat): number => {
  sameShape(a, b, 'frobeniusDot');
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += a.data[i]! * b.data[i]!;
  return s;
};

/** Multiply row i of `a` by `d[i]` (`diag(d) a`). */
export const scaleRows = (d: Float64Array, a: Mat): Mat => ({
  rows: a.rows,
  cols: a.cols,
  data: a.data.map((v, k) => v * d[Math.floor(k / a.cols)]!),
});

/**
 * Lower-triangular `L` with `S = L Lᵀ` (Cholesky–Banachiewicz). Returns `undefined` when `S` is not
 * (numerically) positive definite.
 */
export const cholesky = (s: Mat): Mat | undefined => {
  if (s.rows !== s.cols) throw new Error(`cholesky: ${s.rows}×${s.cols} is not square`);
  const n = s.rows;
  const l = zeros(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = s.data[i * n + j]!;
      for (let k = 0; k < j; k++) sum -= l.data[i * n + k]! * l.data[j * n + k]!;
      if (i === j) {
        if (!(sum > 0) || !Number.isFinite(sum)) return undefined;
        l.data[i * n + i] = Math.sqrt(sum);
      } else {
        l.data[i * n + j] = sum / l.data[j * n + j]!;
      }
    }
  }
  return l;
};

/** Solve `S X = B` given the Cholesky factor `L` of `S` (forward then backward substitution, per column). */
export const choleskySolve = (l: Mat, b: Mat): Mat => {
  const n = l.rows;
  if (b.rows !== n) throw new Error(`choleskySolve: factor ${n}×${n}, right-hand side ${b.rows}×${b.cols}`);
  const x = { rows: b.rows, cols: b.cols, data: Float64Array.from(b.data) };
  for (let c = 0; c < b.cols; c++) {
    // L y = b
    for (let i = 0; i < n; i++) {
      let sum = x.data[i * b.cols + c]!;
      for (let k = 0; k < i; k++) sum -= l.data[i * n + k]! * x.data[k * b.cols + c]!;
      x.data[i * b.cols + c] = sum / l.data[i * n + i]!;
    }
    // Lᵀ x = y
    for (let i = n - 1; i >= 0; i--) {
      let sum = x.data[i * b.cols + c]!;
      for (let k = i + 1; k < n; k++) sum -= l.data[k * n + i]! * x.data[k * b.cols + c]!;
      x.data[i * b.cols + c] = sum / l.data[i * n + i]!;
    }
  }
  return x;
};

/**
 * `S⁻¹ = L⁻ᵀ L⁻¹` from the Cholesky factor `L` of `S`: the rows of `X = L⁻¹` by forward substitution
 * (`X_i = (e_i − Σ_{k<i} L_ik X_k) / L_ii`), then `Xᵀ X` accumulated row by row; about (2/3)n³ flops, with
 * contiguous inner loops.
 */
export const choleskyInverse = (l: Mat): Mat => {
  const n = l.rows;
  const L = l.data;
  const X = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const xi = i * n;
    for (let k = 0; k < i; k++) {
      const lik = L[i * n + k]!;
      if (lik === 0) continue;
      const xk = k * n;
      for (let j = 0; j <= k; j++) X[xi + j] = X[xi + j]! - lik * X[xk + j]!;
    }
    const inv = 1 / L[i * n + i]!;
    for (let j = 0; j < i; j++) X[xi + j] = X[xi + j]! * inv;
    X[xi + i] = inv;
  }
  const out = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const xk = k * n;
    for (let a = 0; a <= k; a++) {
      const xa = X[xk + a]!;
      if (xa === 0) continue;
      const oa = a * n;
      for (let b = 0; b <= a; b++) out[oa + b] = out[oa + b]! + xa * X[xk + b]!;
    }
  }
  for (let a = 0; a < n; a++) for (let b = 0; b < a; b++) out[b * n + a] = out[a * n + b]!;
  return { rows: n, cols: n, data: out };
};
