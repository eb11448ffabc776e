// Kernel microbenchmarks, all measured in one run: 512×512 matrix-product GFLOP/s on cpu,
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
import { meanTiming, medianTiming, type Timing } from './bench-lib.js';
import { smallCnn } from './bench-nets.js';

const quick = process.argv.includes('--quick');

async function use(backend: 'cpu' | 'wasm'): Promise<void> {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} failed`);
}

const gflops = (flop: number, t: Timing): Timing => ({ wall: flop / (t.wall * 1e6), cpu: flop / (t.cpu * 1e6) });

function matmulGflops(n: number, reps: number): Timing {
  const a = tf.randomUniform([n, n], -1, 1, 'float32', 1);
  const b = tf.randomUniform([n, n], -1, 1, 'float32', 2);
  const ms = medianTiming(
    () => {
      const c = tf.matMul(a, b);
      c.dataSync();
      c.dispose();
    },
    reps,
    1,
  );
  tf.dispose([a, b]);
  return gflops(2 * n ** 3, ms);
}

function rawGflops(n: number, threads: number): Timing | null {
  const addon = nativeAddon();
  if (addon === null) return null;
  addon.setNumThreads(threads);
  const a = new Float32Array(n * n).map(() => Math.random());
  const b = new Float32Array(n * n).map(() => Math.random());
  const c = new Float32Array(n * n);
  const ms = medianTiming(() => addon.gemm(a, b, c, n, n, n, false, false, 1, 0, 0, 0, null, 0, 0), quick ? 20 : 60, 5);
  return gflops(2 * n ** 3, ms);
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
      h = tf.fused.matMul({
        a: h,
        b: vars[i] as tf.Tensor2D,
        bias: vars[i + 1]!,
        activation: last ? 'linear' : 'relu',
      }) as tf.Tensor2D;
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

/** The small CNN (bench-nets.ts) trained by SGD. */
function makeCnn(batch: number): Mlp {
  const cnn = smallCnn(batch);
  const opt = tf.train.sgd(0.05);
  return {
    step: () => {
      tf.tidy(() => {
        opt.minimize(() => cnn.loss(), false, cnn.vars);
      });
    },
    dispose: () => {
      cnn.dispose();
      opt.dispose();
    },
  };
}

function stepMs(widths: readonly number[] | 'cnn', batch: number, steps: number): Timing {
  const mlp = widths === 'cnn' ? makeCnn(batch) : makeMlp(widths, batch);
  const ms = meanTiming(mlp.step, steps, Math.max(3, Math.floor(steps / 10)));
  mlp.dispose();
  return ms;
}

const fmt = (x: number | null, d = 2): string => (x === null ? 'n/a' : x.toFixed(d));
const fmtT = (t: Timing | null, d = 2): string =>
  t === null ? 'n/a' : `${t.wall.toFixed(d).padStart(9)}  ${t.cpu.toFixed(d).padStart(9)}`;

async function main(): Promise<void> {
  const info = nativeInfo();
  console.log(`native: ${info.available ? info.blas : `unavailable (${info.reason})`}`);
  console.log(
    `node ${process.version}, ${cpus().length}× ${cpus()[0]?.model ?? '?'}, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, ${quick ? 'quick' : 'full'} run\n`,
  );
  const rows: Array<[string, string]> = [];
  const n = 512;

  unregisterNativeKernels();
  await use('cpu');
  const cpu = matmulGflops(n, quick ? 1 : 3);
  await use('wasm');
  const wasm = matmulGflops(n, quick ? 5 : 15);
  const reps = quick ? 10 : 40;
  let native1: Timing | null = null;
  let native2: Timing | null = null;
  if (info.available) {
    registerNativeKernels({ threads: 1 });
    native1 = matmulGflops(n, reps);
    registerNativeKernels({ threads: 2 });
    native2 = matmulGflops(n, reps);
  }
  const raw1 = rawGflops(n, 1);
  const raw2 = rawGflops(n, 2);
  rows.push(['512² matMul, tfjs cpu (GFLOP/s)', fmtT(cpu)]);
  rows.push(['512² matMul, tfjs wasm (GFLOP/s)', fmtT(wasm)]);
  rows.push(['512² matMul, wasm + native, 1 thread (GFLOP/s)', fmtT(native1)]);
  rows.push(['512² matMul, wasm + native, 2 threads (GFLOP/s)', fmtT(native2)]);
  rows.push(['512² sgemm, raw addon, 1 thread (GFLOP/s)', fmtT(raw1)]);
  rows.push(['512² sgemm, raw addon, 2 threads (GFLOP/s)', fmtT(raw2)]);

  // Crossover: µs per square product (no sync) on wasm, stock vs native, for the default threshold.
  const crossover: string[] = [];
  if (info.available) {
    for (const m of [8, 16, 24, 32, 48, 64, 96, 128]) {
      const a = tf.randomUniform([m, m], -1, 1, 'float32', 5);
      const b = tf.randomUniform([m, m], -1, 1, 'float32', 6);
      const run = (): void => tf.dispose(tf.matMul(a, b));
      const count = quick ? 300 : 2000;
      unregisterNativeKernels();
      const stockUs = 1000 * meanTiming(run, count, 50).cpu;
      registerNativeKernels({ threads: 1, minMatMulFlops: 0 });
      const nativeUs = 1000 * meanTiming(run, count, 50).cpu;
      crossover.push(
        `${String(m).padStart(4)}³ (${(2 * m ** 3).toExponential(1)} flop): wasm ${stockUs.toFixed(1)} µs, native ${nativeUs.toFixed(1)} µs`,
      );
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
  // JIT warm-up of the step code (tfjs' op, tape and optimizer paths) before anything is timed.
  unregisterNativeKernels();
  await use('wasm');
  stepMs([2, 5, 5, 2], 450, quick ? 200 : 1000);
  for (const [label, widths, batch, steps] of nets) {
    unregisterNativeKernels();
    await use('wasm');
    const stock = stepMs(widths, batch, steps);
    rows.push([`${label}, wasm (ms)`, fmtT(stock, 3)]);
    if (info.available) {
      registerNativeKernels({ threads: 1 });
      const nat1 = stepMs(widths, batch, steps);
      registerNativeKernels({ threads: 2 });
      const nat2 = stepMs(widths, batch, steps);
      // The alternative design: the cpu backend with the same native kernels (a "native backend" that
      // reuses cpu for everything else).
      registerNativeKernels({ threads: 1 });
      await use('cpu');
      const cpuNat = stepMs(widths, batch, Math.max(5, Math.floor(steps / 4)));
      await use('wasm');
      rows.push([`${label}, wasm + native 1 thread (ms)`, fmtT(nat1, 3)]);
      rows.push([`${label}, wasm + native 2 threads (ms)`, fmtT(nat2, 3)]);
      rows.push([`${label}, cpu + native 1 thread (ms)`, fmtT(cpuNat, 3)]);
      stepRatios.push(
        `${label}: wasm / (wasm + native) = ${fmt(stock.wall / nat1.wall)}× wall, ${fmt(stock.cpu / nat1.cpu)}× CPU (1 thread); ${fmt(stock.wall / nat2.wall)}× wall (2 threads)`,
      );
    }
  }
  unregisterNativeKernels();
  console.log(
    `load average at the end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (figures are wall-clock; other processes on the 2 cores inflate them)\n`,
  );

  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(`${''.padEnd(width)}  ${'wall'.padStart(9)}  ${'CPU time'.padStart(9)}`);
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
  console.log('\nratios (this run; wall / CPU-time based):');
  console.log(`  512² matMul: wasm / cpu = ${fmt(wasm.wall / cpu.wall, 1)}× / ${fmt(wasm.cpu / cpu.cpu, 1)}×`);
  if (native1 !== null && native2 !== null) {
    console.log(
      `  512² matMul: native(1t) / wasm = ${fmt(native1.wall / wasm.wall, 1)}× / ${fmt(native1.cpu / wasm.cpu, 1)}×, native(2t) / wasm = ${fmt(native2.wall / wasm.wall, 1)}× wall`,
    );
    console.log(
      `  512² matMul through tfjs, 1 thread: ${fmt((100 * native1.wall) / 96, 0)}% (wall) / ${fmt((100 * native1.cpu) / 96, 0)}% (CPU time) of the 96 GFLOP/s per-core peak (goal ≥ 50%)`,
    );
  }
  for (const r of stepRatios) console.log(`  ${r}`);
  if (crossover.length > 0)
    console.log(`\nsquare products on wasm, stock vs native (1 thread):\n  ${crossover.join('\n  ')}`);
}

await main();
