// Kernel-by-kernel profile of one small-CNN training step (conv8-pool-conv16-pool-dense10 on 28×28×1,
// batch 100, BATCH=n to change) on wasm with Sprout's wasm kernels, with and without the native kernels.
//
//   node --conditions=sprout-source --import tsx tools/src/bench-cnn-profile.ts
//
// With `--ab`: CPU time per step with tf.fused.conv2d against @sprout/native's conv2dBiasRelu, interleaved.
//
// With `--protocol FILE.sprout [sprout run options…]` it instead runs that protocol in-process (as
// `sprout run FILE --backend wasm …`) and prints the wall time spent inside each kernel (every
// `engine.runKernel` call timed, gradients included), the number of calls, and the time outside kernels.
//
//   node --conditions=sprout-source --import tsx tools/src/bench-cnn-profile.ts --protocol tools/bench/mnist-cnn-1.sprout [--by-shape]
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmKernels } from '@sprout/backend';
import { registerNativeKernels, unregisterNativeKernels } from '@sprout/native';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { meanTiming, medianOf } from './bench-lib.js';
import { smallCnn } from './bench-nets.js';

/** `--cpu-profile FILE`: also write a V8 profile of 20 native steps (summarise with bench-cpuprofile.ts). */
const profileIdx = process.argv.indexOf('--cpu-profile');
const profileFile = profileIdx >= 0 ? process.argv[profileIdx + 1] : undefined;

const protocolIdx = process.argv.indexOf('--protocol');
if (protocolIdx >= 0) {
  const { runCli } = await import('@sprout/cli');
  const engine = tf.engine() as unknown as { runKernel: (name: string, ...rest: unknown[]) => unknown };
  const original = engine.runKernel;
  const by = new Map<string, { n: number; ms: number; cpu: number }>();
  let depth = 0;
  // `--by-shape`: convolution and pooling kernels are keyed by their input shapes too.
  const byShape = process.argv.includes('--by-shape');
  engine.runKernel = function (this: unknown, kernel: string, ...rest: unknown[]) {
    if (depth > 0) return original.call(this, kernel, ...rest);
    const inputs = rest[0] as Record<string, tf.TensorInfo | undefined>;
    const name =
      byShape && /Conv|Pool/.test(kernel)
        ? `${kernel} ${Object.values(inputs)
            .filter((t) => t !== undefined && t !== null && t.shape.length === 4)
            .map((t) => t!.shape.join('x'))
            .join(' ')}`
        : kernel;
    depth++;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    try {
      return original.call(this, kernel, ...rest);
    } finally {
      depth--;
      const c = process.cpuUsage(c0);
      const e = by.get(name) ?? { n: 0, ms: 0, cpu: 0 };
      e.n++;
      e.ms += performance.now() - t0;
      e.cpu += (c.user + c.system) / 1000;
      by.set(name, e);
    }
  };
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const code = await runCli([
    'run',
    ...process.argv.slice(protocolIdx + 1).filter((a) => a !== '--by-shape'),
    ...(process.argv.includes('--backend') ? [] : ['--backend', 'wasm']),
  ]);
  const wall = performance.now() - t0;
  const cu = process.cpuUsage(c0);
  const inKernels = [...by.values()].reduce((a, e) => a + e.ms, 0);
  const cpuInKernels = [...by.values()].reduce((a, e) => a + e.cpu, 0);
  const cpu = (cu.user + cu.system) / 1000;
  console.log(
    `exit ${code}; wall ${(wall / 1000).toFixed(2)} s, CPU ${(cpu / 1000).toFixed(2)} s; in kernels ${(inKernels / 1000).toFixed(2)} s wall, ${(cpuInKernels / 1000).toFixed(2)} s CPU; outside ${((wall - inKernels) / 1000).toFixed(2)} s wall, ${((cpu - cpuInKernels) / 1000).toFixed(2)} s CPU`,
  );
  for (const [name, e] of [...by].sort((a, b) => b[1].cpu - a[1].cpu).slice(0, 30))
    console.log(
      `  ${name.padEnd(byShape ? 60 : 24)} ×${String(e.n).padStart(6)}  ${(e.cpu / 1000).toFixed(3)} s CPU  ${((1000 * e.cpu) / e.n).toFixed(1)} µs CPU/call  (${(e.ms / 1000).toFixed(3)} s wall)`,
    );
  process.exit(0);
}

const batch = Number(process.env['BATCH'] ?? 100);
await tf.setBackend('wasm');
const cnn = smallCnn(batch);
const opt = tf.train.sgd(0.05);
// `--fused-op`: conv + bias + relu through @sprout/native's conv2dBiasRelu (bench-nets.ts).
const fusedOp = process.argv.includes('--fused-op');
/** One SGD step; `op`: conv + bias + relu through conv2dBiasRelu (default `--fused-op`). */
const step = (op = fusedOp): void => {
  tf.tidy(() => {
    opt.minimize(() => cnn.loss(op), false, cnn.vars);
  });
};

async function profile(label: string): Promise<void> {
  const { wall: ms, cpu: cpuMs } = meanTiming(step, 30, 3);
  // Per kernel: wall time of each dispatch, measured by wrapping the kernel functions.
  const p = await tf.profile(step);
  const by = new Map<string, { n: number; ms: number }>();
  for (const k of p.kernels) {
    const e = by.get(k.name) ?? { n: 0, ms: 0 };
    e.n++;
    e.ms += Number(await Promise.resolve(k.kernelTimeMs as number)) || 0;
    by.set(k.name, e);
  }
  console.log(`${label}: ${ms.toFixed(2)} ms/step wall, ${cpuMs.toFixed(2)} ms CPU; kernels by time (tf.profile):`);
  for (const [name, e] of [...by].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12))
    console.log(`  ${name.padEnd(24)} ×${String(e.n).padStart(2)}  ${e.ms.toFixed(2)} ms`);
}

registerWasmKernels();
if (process.argv.includes('--ab')) {
  // Interleaved A/B in one process (robust to other jobs): CPU ms per step with tf.fused.conv2d (Conv2D, Add,
  // Relu on the tape) and with @sprout/native's conv2dBiasRelu, median of 8 rounds of 20 steps each.
  registerNativeKernels({ backends: ['wasm'] });
  const res: Record<'tape' | 'op', number[]> = { tape: [], op: [] };
  for (let r = 0; r < 8; r++)
    for (const m of ['tape', 'op'] as const) res[m].push(meanTiming(() => step(m === 'op'), 20, 3).cpu);
  console.log(
    `batch ${batch}, CPU ms/step, median of 8 interleaved rounds: tf.fused.conv2d ${medianOf(res.tape).toFixed(2)}, conv2dBiasRelu ${medianOf(res.op).toFixed(2)}`,
  );
  console.log(JSON.stringify(res));
  process.exit(0);
}
await profile('wasm + Sprout wasm kernels');
registerNativeKernels();
await profile('wasm + native');
if (profileFile !== undefined) {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  for (let i = 0; i < 20; i++) step();
  const { profile: p } = await session.post('Profiler.stop');
  writeFileSync(profileFile, JSON.stringify(p));
  session.disconnect();
  console.log(`profile of 20 native steps -> ${profileFile}`);
}
unregisterNativeKernels();
