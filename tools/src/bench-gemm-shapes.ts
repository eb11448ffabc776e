// The products of one training step of the wide MNIST MLP (784-512-512-10, batch 128) through
// @sprout/native's OpenBLAS gemm, at 1 and 2 threads: GFLOP/s of wall time per shape, to see where a second
// thread pays. Forward A·B, the weight gradient Aᵀ·Δ, the input gradient Δ·Bᵀ.
//
//   node --conditions=sprout-source --import tsx tools/src/bench-gemm-shapes.ts [--reps N]
import { nativeAddon } from '@sprout/native';
import { loadavg } from 'node:os';
import { arg, medianTiming } from './bench-lib.js';

const reps = Number(arg('--reps', '200'));
const addon = nativeAddon();
if (addon === null) {
  console.error('bench-gemm-shapes: the native addon is not built (OpenBLAS missing?)');
  process.exit(1);
}
const B = 128;
// [m, n, k, transA, transB, what]
const shapes: readonly [number, number, number, boolean, boolean, string][] = [
  [B, 512, 784, false, false, 'forward 1: x·W (128×784 · 784×512)'],
  [B, 512, 512, false, false, 'forward 2: h·W (128×512 · 512×512)'],
  [784, 512, B, true, false, 'weight grad 1: xᵀ·Δ (784×128 · 128×512)'],
  [512, 512, B, true, false, 'weight grad 2: hᵀ·Δ (512×128 · 128×512)'],
  [B, 512, 512, false, true, 'input grad 2: Δ·Wᵀ (128×512 · 512×512)'],
];
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log('| product | 1 thread GFLOP/s | 2 threads GFLOP/s | 2 / 1 |');
console.log('|---|---|---|---|');
for (const [m, n, k, ta, tb, what] of shapes) {
  const a = new Float32Array(m * k).map(() => Math.random() - 0.5);
  const b = new Float32Array(k * n).map(() => Math.random() - 0.5);
  const c = new Float32Array(m * n);
  const rate = (threads: number): number => {
    addon.setNumThreads(threads);
    const t = medianTiming(() => addon.gemm(a, b, c, m, n, k, ta, tb, 1, 0, 0, 0, null, 0, 0), reps, 10);
    return (2 * m * n * k) / (t.wall * 1e6);
  };
  const one = rate(1);
  const two = rate(2);
  console.log(`| ${what} | ${one.toFixed(1)} | ${two.toFixed(1)} | ${(two / one).toFixed(2)} |`);
}
