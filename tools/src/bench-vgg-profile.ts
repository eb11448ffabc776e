// Where one training step of the bench's cifar-vgg-small net goes (conv 32-32, pool, conv 64-64, pool,
// conv 128, pool, dense 256, output 10; batch 128 of 32×32×3 random images; softmax cross-entropy; SGD):
// the step as the pipeline computes it (@sprout/model's lossAndGradients, then θ ← θ − lr·g), on wasm with
// the native kernels, every TensorFlow.js kernel call timed and put in one of six groups: conv forward,
// filter gradient, input gradient, pool (forward and gradient), dense (products of the dense layers), other.
// Each group's arithmetic (its multiply-adds, counted from the shapes) over its time gives GFLOP/s, against
// the machine's GEMM peak measured in the same process (the addon's sgemm on 1024² matrices at the same
// thread count).
//
//   node --conditions=sprout-source --import tsx tools/src/bench-vgg-profile.ts [--threads N] [--steps S] [--rounds R]
//
// Prints a markdown table (share of the step's wall time per group). The machine is shared: read the
// shares, which are steadier than the absolute times, with the load average printed next to them.
import * as tf from '@tensorflow/tfjs';
import { loadavg, availableParallelism } from 'node:os';
import { initBackend } from '@sprout/backend';
import { nativeAddon, setNativeThreads } from '@sprout/native';
import { createNet, lossAndGradients } from '@sprout/model';
import { conv, dense, flatten, maxPool, network, output } from '@sprout/spec';
import { arg, median } from './bench-lib.js';

const threads = setNativeThreads(Number(arg('--threads', String(availableParallelism()))));
const steps = Number(arg('--steps', '5'));
const rounds = Number(arg('--rounds', '3'));
const B = 128;
const LR = 0.01;

const backend = await initBackend('wasm');
if (backend._tag === 'Left') throw new Error(backend.left.message);
const addon = nativeAddon();
if (addon === null) throw new Error('@sprout/native is not built: this profile is of the native kernels');

const net = createNet(
  network(
    [32, 32, 3],
    [
      conv(32, 3),
      conv(32, 3),
      maxPool(2),
      conv(64, 3),
      conv(64, 3),
      maxPool(2),
      conv(128, 3),
      maxPool(2),
      flatten(),
      dense(256, 'relu'),
    ],
    output(10, 'linear'),
  ),
  { seed: 1 },
);
const x = tf.randomUniform([B, 32, 32, 3], -1, 1, 'float32', 7);
const y = tf.randomUniform([B], 0, 10, 'int32', 8);

type Group = 'conv forward' | 'filter gradient' | 'input gradient' | 'pool' | 'dense' | 'other';
const GROUPS: readonly Group[] = ['conv forward', 'filter gradient', 'input gradient', 'pool', 'dense', 'other'];
const groupOf = (kernel: string): Group =>
  /^(Conv2D|FusedConv2D|SproutConv2DBiasRelu)$/.test(kernel)
    ? 'conv forward'
    : kernel === 'Conv2DBackpropFilter'
      ? 'filter gradient'
      : kernel === 'Conv2DBackpropInput'
        ? 'input gradient'
        : /Pool/.test(kernel)
          ? 'pool'
          : /^(BatchMatMul|_FusedMatMul)$/.test(kernel)
            ? 'dense'
            : 'other';

// Multiply-adds per step, from the shapes: each conv layer k (H×H output, Cin → Cout, 3×3) costs
// m_k = B·H²·9·Cin·Cout in each of forward, filter gradient and input gradient (the first layer has no input
// gradient: its input is data); the dense layers 2048·256 + 256·10 per example, three times (forward, dx, dW).
const convs = [
  [32, 3, 32],
  [32, 32, 32],
  [16, 32, 64],
  [16, 64, 64],
  [8, 64, 128],
] as const;
const convMacs = convs.map(([h, cin, cout]) => B * h * h * 9 * cin * cout);
const macs: Record<Group, number> = {
  'conv forward': convMacs.reduce((a, b) => a + b, 0),
  'filter gradient': convMacs.reduce((a, b) => a + b, 0),
  'input gradient': convMacs.slice(1).reduce((a, b) => a + b, 0),
  pool: 0,
  dense: 3 * B * (2048 * 256 + 256 * 10),
  other: 0,
};

const engine = tf.engine() as unknown as { runKernel: (name: string, ...rest: unknown[]) => unknown };
const original = engine.runKernel;
let timing = false;
const ms = new Map<Group, number>();
/** CPU ms (all of the process's threads) per group: steadier than wall time on the shared machine. */
const cpuMs = new Map<Group, number>();
const cpuNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const calls = new Map<string, number>();
const cpuByKernel = new Map<string, number>();
let depth = 0;
engine.runKernel = function (this: unknown, kernel: string, ...rest: unknown[]) {
  if (!timing || depth > 0) return original.call(this, kernel, ...rest);
  depth++;
  const t0 = performance.now();
  const c0 = cpuNow();
  try {
    return original.call(this, kernel, ...rest);
  } finally {
    depth--;
    const g = groupOf(kernel);
    ms.set(g, (ms.get(g) ?? 0) + performance.now() - t0);
    cpuMs.set(g, (cpuMs.get(g) ?? 0) + cpuNow() - c0);
    calls.set(kernel, (calls.get(kernel) ?? 0) + 1);
    const shape = (
      Object.values(rest[0] as Record<string, tf.TensorInfo | null | undefined>).find((t) => t != null)?.shape ?? []
    ).join('x');
    const key = `${kernel} ${shape}`;
    cpuByKernel.set(key, (cpuByKernel.get(key) ?? 0) + cpuNow() - c0);
  }
};

const step = (): void =>
  tf.tidy(() => {
    const r = lossAndGradients(net, x, y, { loss: 'cross_entropy', training: true, seed: 1 });
    for (const p of net.params) p.variable.assign(tf.sub(p.variable, tf.mul(r.grads[p.name]!, LR)));
    r.loss.dataSync();
  });

/** GFLOP/s of the addon's sgemm on n×n matrices (median of 5), the peak the groups are measured against. */
const gemmPeak = (n: number): number => {
  const a = new Float32Array(n * n).fill(0.5);
  const b = new Float32Array(n * n).fill(0.25);
  const c = new Float32Array(n * n);
  const t: number[] = [];
  for (let i = 0; i < 6; i++) {
    const t0 = performance.now();
    addon.gemm(a, b, c, n, n, n, false, false, 1, 0, 0, 0, null, 0, 0);
    if (i > 0) t.push(performance.now() - t0);
  }
  return (2 * n * n * n) / (median(t)! * 1e6);
};

step(); // warm-up: first calls of every kernel
const perRound: Array<{ step: number; stepCpu: number; groups: Map<Group, number>; cpu: Map<Group, number> }> = [];
const peaks: number[] = [];
for (let r = 0; r < rounds; r++) {
  peaks.push(gemmPeak(1024));
  ms.clear();
  cpuMs.clear();
  timing = true;
  const t0 = performance.now();
  const c0 = cpuNow();
  for (let i = 0; i < steps; i++) step();
  const total = (performance.now() - t0) / steps;
  const totalCpu = (cpuNow() - c0) / steps;
  timing = false;
  perRound.push({
    step: total,
    stepCpu: totalCpu,
    groups: new Map([...ms].map(([g, v]) => [g, v / steps])),
    cpu: new Map([...cpuMs].map(([g, v]) => [g, v / steps])),
  });
}
const stepMs = median(perRound.map((r) => r.step))!;
const stepCpu = median(perRound.map((r) => r.stepCpu))!;
const peak = median(peaks)!;
const load = loadavg()
  .map((l) => l.toFixed(2))
  .join(' ');
console.log(
  `cifar-vgg-small step, batch ${B}, wasm + native, ${threads} thread(s): ${stepMs.toFixed(1)} ms/step wall, ${stepCpu.toFixed(1)} ms CPU (all threads; medians of ${rounds} rounds of ${steps} steps); ` +
    `GEMM peak (sgemm 1024³, same threads, wall) ${peak.toFixed(1)} GFLOP/s; load average ${load}`,
);
console.log('');
console.log(
  '| kernel group | wall ms / step | share of wall | CPU ms / step | share of CPU | GFLOP/s (wall) | % of GEMM peak |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|');
let inGroups = 0;
let cpuInGroups = 0;
for (const g of GROUPS) {
  const t = median(perRound.map((r) => r.groups.get(g) ?? 0))!;
  const c = median(perRound.map((r) => r.cpu.get(g) ?? 0))!;
  inGroups += t;
  cpuInGroups += c;
  const gflops = macs[g] > 0 ? (2 * macs[g]) / (t * 1e6) : undefined;
  console.log(
    `| ${g} | ${t.toFixed(1)} | ${((100 * t) / stepMs).toFixed(1)} % | ${c.toFixed(1)} | ${((100 * c) / stepCpu).toFixed(1)} % | ${gflops === undefined ? '–' : gflops.toFixed(1)} | ${gflops === undefined ? '–' : `${((100 * gflops) / peak).toFixed(0)} %`} |`,
  );
}
console.log(
  `| outside kernels (tape, JavaScript) | ${(stepMs - inGroups).toFixed(1)} | ${((100 * (stepMs - inGroups)) / stepMs).toFixed(1)} % | ${(stepCpu - cpuInGroups).toFixed(1)} | ${((100 * (stepCpu - cpuInGroups)) / stepCpu).toFixed(1)} % | – | – |`,
);
console.log('');
console.log(
  `kernel calls per step: ${[...calls]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n / (steps * rounds)}`)
    .join(', ')}`,
);
console.log(
  `CPU ms per step by kernel and first input shape (top 15): ${[...cpuByKernel]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 15)
    .map(([k, c]) => `${k} ${(c / (steps * rounds)).toFixed(1)}`)
    .join('; ')}`,
);
