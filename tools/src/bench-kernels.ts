// Kernel microbenchmarks for issue 6, all measured in one run: 512×512 matrix-product GFLOP/s on cpu,
// wasm and native (OpenBLAS through @sprout/native, 1 and 2 threads), and training-step times for a
// spirals-sized MLP (2-5-5-2, batch 450) and an MNIST-sized MLP (784-256-256-10, batch 128) on wasm
// with and without the native kernels. Prints a table and the ratios.
//
//   node --conditions=sprout-source --import tsx tools/src/bench-kernels.ts [--quick]
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { nativeAddon, nativeInfo, registerNativeKernels, unregisterNativeKernels } from '@sprout/native';
import { registerWasmKernels } from '@sprout/backend';
import { cpus, loadavg } from 'node:os';

const quick = process.argv.includes('--quick');
const now = (): number => performance.now();

/** Median of `reps` timings (ms) of f, after `warm` untimed calls. */
function timeMs(f: () => void, reps: number, warm = 2): number {
  for (let i = 0; i < warm; i++) f();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = now();
    f();
    ts.push(now() - t);
  }
  ts.sort((a, b) => a - b);
  return ts[Math.floor(ts.length / 2)]!;
}

/** Mean ms per call over `n` calls (for fast, steady loops), after `warm` calls. */
function meanMs(f: () => void, n: number, warm: number): number {
  for (let i = 0; i < warm; i++) f();
  const t = now();
  for (let i = 0; i < n; i++) f();
  return (now() - t) / n;
}

async function use(backend: 'cpu' | 'wasm'): Promise<void> {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} failed`);
}

function matmulGflops(n: number, reps: number): number {
  const a = tf.randomUniform([n, n], -1, 1, 'float32', 1);
  const b = tf.randomUniform([n, n], -1, 1, 'float32', 2);
  const ms = timeMs(() => {
    const c = tf.matMul(a, b);
    c.dataSync();
    c.dispose();
  }, reps, 1);
  tf.dispose([a, b]);
  return (2 * n ** 3) / (ms * 1e6);
}

function rawGflops(n: number, threads: number): number | null {
  const addon = nativeAddon();
  if (addon === null) return null;
  addon.setNumThreads(threads);
  const a = new Float32Array(n * n).map(() => Math.random());
  const b = new Float32Array(n * n).map(() => Math.random());
  const c = new Float32Array(n * n);
  const ms = timeMs(() => addon.gemm(a, b, c, n, n, n, false, false, 1, 0, 0, 0, null, 0, 0), quick ? 20 : 60, 5);
  return (2 * n ** 3) / (ms * 1e6);
}

interface Mlp {
  readonly step: () => void;
  readonly dispose: () => void;
}

/** An MLP with ReLU hidden layers, softmax cross-entropy and plain SGD, as the PyTorch peer trains it. */
function makeMlp(widths: readonly number[], batch: number): Mlp {
  const vars: tf.Variable[] = [];
  for (let i = 0; i + 1 < widths.length; i++) {
    const fanIn = widths[i]!;
    const lim = 1 / Math.sqrt(fanIn);
    vars.push(tf.variable(tf.randomUniform([fanIn, widths[i + 1]!], -lim, lim, 'float32', 10 + i)));
    vars.push(tf.variable(tf.randomUniform([widths[i + 1]!], -lim, lim, 'float32', 20 + i)));
  }
  const x = tf.randomNormal([batch, widths[0]!], 0, 1, 'float32', 3);
  const classes = widths[widths.length - 1]!;
  const labels = tf.oneHot(tf.randomUniform([batch], 0, classes, 'int32', 4), classes);
  const opt = tf.train.sgd(0.1);
  const forward = (): tf.Scalar => {
    let h: tf.Tensor2D = x as tf.Tensor2D;
    for (let i = 0; i < vars.length; i += 2) {
      const last = i + 2 === vars.length;
      h = tf.fused.matMul({ a: h, b: vars[i] as tf.Tensor2D, bias: vars[i + 1]!, activation: last ? 'linear' : 'relu' });
    }
    return tf.losses.softmaxCrossEntropy(labels, h) as tf.Scalar;
  };
  return {
    step: () => {
      tf.tidy(() => {
        opt.minimize(forward, false, vars);
      });
    },
    dispose: () => {
      tf.dispose([...vars, x, labels]);
      opt.dispose();
    },
  };
}

/** conv8-pool-conv16-pool-dense10 on 28×28×1, ReLU, softmax cross-entropy, SGD. */
function makeCnn(batch: number): Mlp {
  const vars = [
    tf.variable(tf.randomUniform([3, 3, 1, 8], -0.3, 0.3, 'float32', 30)),
    tf.variable(tf.zeros([8])),
    tf.variable(tf.randomUniform([3, 3, 8, 16], -0.1, 0.1, 'float32', 31)),
    tf.variable(tf.zeros([16])),
    tf.variable(tf.randomUniform([7 * 7 * 16, 10], -0.05, 0.05, 'float32', 32)),
    tf.variable(tf.zeros([10])),
  ];
  const x = tf.randomUniform([batch, 28, 28, 1], 0, 1, 'float32', 33);
  const labels = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 34), 10);
  const opt = tf.train.sgd(0.05);
  const forward = (): tf.Scalar => {
    let h = tf.fused.conv2d({ x: x as tf.Tensor4D, filter: vars[0] as tf.Tensor4D, strides: 1, pad: 'same', bias: vars[1]!, activation: 'relu' });
    h = tf.maxPool(h, 2, 2, 'valid');
    h = tf.fused.conv2d({ x: h, filter: vars[2] as tf.Tensor4D, strides: 1, pad: 'same', bias: vars[3]!, activation: 'relu' });
    h = tf.maxPool(h, 2, 2, 'valid');
    const z = tf.fused.matMul({ a: tf.reshape(h, [batch, 7 * 7 * 16]), b: vars[4] as tf.Tensor2D, bias: vars[5]! });
    return tf.losses.softmaxCrossEntropy(labels, z) as tf.Scalar;
  };
  return {
    step: () => {
      tf.tidy(() => {
        opt.minimize(forward, false, vars);
      });
    },
    dispose: () => {
      tf.dispose([...vars, x, labels]);
      opt.dispose();
    },
  };
}

function stepMs(widths: readonly number[] | 'cnn', batch: number, steps: number): number {
  const mlp = widths === 'cnn' ? makeCnn(batch) : makeMlp(widths, batch);
  const ms = meanMs(mlp.step, steps, Math.max(3, Math.floor(steps / 10)));
  mlp.dispose();
  return ms;
}

const fmt = (x: number | null, d = 2): string => (x === null ? 'n/a' : x.toFixed(d));

async function main(): Promise<void> {
  const info = nativeInfo();
  console.log(`native: ${info.available ? info.blas : `unavailable (${info.reason})`}`);
  console.log(`node ${process.version}, ${cpus().length}× ${cpus()[0]?.model ?? '?'}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}, ${quick ? 'quick' : 'full'} run\n`);
  const rows: Array<[string, string]> = [];
  const n = 512;

  unregisterNativeKernels();
  await use('cpu');
  const cpu = matmulGflops(n, quick ? 1 : 3);
  await use('wasm');
  const wasm = matmulGflops(n, quick ? 5 : 15);
  const reps = quick ? 10 : 40;
  let native1: number | null = null;
  let native2: number | null = null;
  if (info.available) {
    registerNativeKernels({ threads: 1 });
    native1 = matmulGflops(n, reps);
    registerNativeKernels({ threads: 2 });
    native2 = matmulGflops(n, reps);
  }
  const raw1 = rawGflops(n, 1);
  const raw2 = rawGflops(n, 2);
  rows.push(['512² matMul, tfjs cpu (GFLOP/s)', fmt(cpu)]);
  rows.push(['512² matMul, tfjs wasm (GFLOP/s)', fmt(wasm)]);
  rows.push(['512² matMul, wasm + native, 1 thread (GFLOP/s)', fmt(native1)]);
  rows.push(['512² matMul, wasm + native, 2 threads (GFLOP/s)', fmt(native2)]);
  rows.push(['512² sgemm, raw addon, 1 thread (GFLOP/s)', fmt(raw1)]);
  rows.push(['512² sgemm, raw addon, 2 threads (GFLOP/s)', fmt(raw2)]);

  // Crossover: µs per square product (no sync) on wasm, stock vs native, for the default threshold.
  const crossover: string[] = [];
  if (info.available) {
    for (const m of [8, 16, 24, 32, 48, 64, 96, 128]) {
      const a = tf.randomUniform([m, m], -1, 1, 'float32', 5);
      const b = tf.randomUniform([m, m], -1, 1, 'float32', 6);
      const run = (): void => tf.dispose(tf.matMul(a, b));
      const count = quick ? 300 : 2000;
      unregisterNativeKernels();
      const stockUs = 1000 * meanMs(run, count, 50);
      registerNativeKernels({ threads: 1, minMatMulFlops: 0 });
      const nativeUs = 1000 * meanMs(run, count, 50);
      crossover.push(`${String(m).padStart(4)}³ (${(2 * m ** 3).toExponential(1)} flop): wasm ${stockUs.toFixed(1)} µs, native ${nativeUs.toFixed(1)} µs`);
      tf.dispose([a, b]);
    }
    unregisterNativeKernels();
  }

  registerWasmKernels(); // Sprout's wasm Conv2DBackpropFilter (stock wasm cannot train convolutions)
  const nets: Array<[string, number[] | 'cnn', number, number]> = [
    ['spirals step 2-5-5-2, batch 450', [2, 5, 5, 2], 450, quick ? 200 : 1000],
    ['MNIST step 784-256-256-10, batch 128', [784, 256, 256, 10], 128, quick ? 15 : 60],
    ['CNN step conv8-pool-conv16-pool-dense10, batch 64', 'cnn', 64, quick ? 5 : 20],
  ];
  const stepRatios: string[] = [];
  for (const [label, widths, batch, steps] of nets) {
    unregisterNativeKernels();
    await use('wasm');
    const stock = stepMs(widths, batch, steps);
    rows.push([`${label}, wasm (ms)`, fmt(stock, 3)]);
    if (info.available) {
      registerNativeKernels({ threads: 1 });
      const nat1 = stepMs(widths, batch, steps);
      registerNativeKernels({ threads: 2 });
      const nat2 = stepMs(widths, batch, steps);
      rows.push([`${label}, wasm + native 1 thread (ms)`, fmt(nat1, 3)]);
      rows.push([`${label}, wasm + native 2 threads (ms)`, fmt(nat2, 3)]);
      stepRatios.push(`${label}: wasm / (wasm + native) = ${fmt(stock / nat1)}× (1 thread), ${fmt(stock / nat2)}× (2 threads)`);
    }
  }
  unregisterNativeKernels();
  console.log(`load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (figures are wall-clock; other processes on the 2 cores inflate them)\n`);

  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v.padStart(9)}`);
  console.log('\nratios (this run):');
  console.log(`  512² matMul: wasm / cpu = ${fmt(wasm / cpu, 1)}×`);
  if (native1 !== null && native2 !== null) {
    console.log(`  512² matMul: native(1t) / wasm = ${fmt(native1 / wasm, 1)}×, native(2t) / wasm = ${fmt(native2 / wasm, 1)}×`);
    console.log(`  512² matMul: native(1t) = ${fmt((100 * native1) / 96, 0)}% of the 96 GFLOP/s per-core peak (goal ≥ 50%)`);
  }
  for (const r of stepRatios) console.log(`  ${r}`);
  if (crossover.length > 0) console.log(`\nsquare products on wasm, stock vs native (1 thread):\n  ${crossover.join('\n  ')}`);
}

await main();
