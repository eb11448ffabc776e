// Where the time of a tiny training step goes in TensorFlow.js: the spirals FNN protocol's
// step (2-5-2 ReLU MLP, full batch of 450, softmax cross-entropy, plain SGD; 1850 steps per run, PyTorch
// ≈ 0.55 ms per step). Measures, in one run: the tape-based step (optimizer.minimize), the same with a
// loss read (dataSync) every step, forward only, forward + backward without update, the number of
// kernels a step dispatches, the cost of dispatching one tiny op, and a hand-derived step (explicit
// backward with fused ops, no tape) to show what fewer ops buy.
//
//   node --conditions=sprout-source --import tsx tools/src/bench-step-profile.ts [--backend wasm|cpu] [--steps N]
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { arg, meanTiming, type Timing } from './bench-lib.js';

const backend = arg('--backend', 'wasm');
const steps = Number(arg('--steps', '1850'));
const widths = arg('--widths', '2,5,2').split(',').map(Number);
const batch = Number(arg('--batch', '450'));
const lr = 0.2;
/** `--only minimize`: run just the tape-based step loop (for node --cpu-prof). */
const only = arg('--only', '');

interface Net {
  readonly vars: tf.Variable[];
  readonly x: tf.Tensor2D;
  readonly y: tf.Tensor2D;
}

function makeNet(): Net {
  const vars: tf.Variable[] = [];
  for (let i = 0; i + 1 < widths.length; i++) {
    const lim = 1 / Math.sqrt(widths[i]!);
    vars.push(tf.variable(tf.randomUniform([widths[i]!, widths[i + 1]!], -lim, lim, 'float32', 10 + i)));
    vars.push(tf.variable(tf.randomUniform([widths[i + 1]!], -lim, lim, 'float32', 20 + i)));
  }
  const classes = widths[widths.length - 1]!;
  return {
    vars,
    x: tf.randomNormal([batch, widths[0]!], 0, 1, 'float32', 3),
    y: tf.oneHot(tf.randomUniform([batch], 0, classes, 'int32', 4), classes) as tf.Tensor2D,
  };
}

function forward(net: Net): tf.Scalar {
  let h = net.x;
  for (let i = 0; i < net.vars.length; i += 2) {
    const last = i + 2 === net.vars.length;
    h = tf.fused.matMul({
      a: h,
      b: net.vars[i] as tf.Tensor2D,
      bias: net.vars[i + 1]!,
      activation: last ? 'linear' : 'relu',
    }) as tf.Tensor2D;
  }
  return tf.losses.softmaxCrossEntropy(net.y, h) as tf.Scalar;
}

/**
 * act(x·W + b) as one _FusedMatMul kernel even under a gradient tape (tf.fused.matMul unfuses non-linear
 * activations whenever gradients are being recorded).
 */
function fusedKernel(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, activation: 'relu' | 'linear'): tf.Tensor2D {
  // The stock wasm kernel needs rank-3 operands (tf.fused.matMul reshapes before dispatch).
  const [n, k] = x.shape as [number, number];
  const m = w.shape[1]!;
  const y = tf
    .engine()
    .runKernel(
      tf._FusedMatMul,
      { a: tf.reshape(x, [1, n, k]), b: tf.reshape(w, [1, k, m]), bias: b },
      { transposeA: false, transposeB: false, activation, leakyreluAlpha: 0 },
    ) as tf.Tensor3D;
  return tf.reshape(y, [n, m]);
}

/**
 * A dense layer act(x·W + b) as one custom-gradient op: forward is one fused kernel, backward three
 * products and a sum, so the tape records one node per layer instead of ~6.
 */
const denseRelu = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, w, b] = args as tf.Tensor[];
  const save = args[3] as tf.GradSaveFunc;
  const y = fusedKernel(x!, w!, b!, 'relu');
  save([x as tf.Tensor, w as tf.Tensor, y]);
  return {
    value: y,
    gradFunc: (dy, saved) => {
      const [xs, ws, ys] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
      const g = tf.mul(dy as tf.Tensor2D, tf.step(ys)) as tf.Tensor2D;
      return [tf.matMul(g, ws, false, true), tf.matMul(xs, g, true, false), tf.sum(g, 0)];
    },
  };
});
const denseLinear = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, w, b] = args as tf.Tensor[];
  const save = args[3] as tf.GradSaveFunc;
  const y = fusedKernel(x!, w!, b!, 'linear');
  save([x as tf.Tensor, w as tf.Tensor]);
  return {
    value: y,
    gradFunc: (dy, saved) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      const g = dy as tf.Tensor2D;
      return [tf.matMul(g, ws, false, true), tf.matMul(xs, g, true, false), tf.sum(g, 0)];
    },
  };
});

/** Softmax cross-entropy (mean) as one custom-gradient op: gradient (softmax(z) − y)/n. */
const softmaxCe = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [z, y] = args as tf.Tensor[];
  const save = args[2] as tf.GradSaveFunc;
  const logp = tf.logSoftmax(z as tf.Tensor2D);
  const n = (z as tf.Tensor2D).shape[0];
  save([logp, y as tf.Tensor]);
  return {
    value: tf.div(tf.neg(tf.sum(tf.mul(y as tf.Tensor, logp))), n),
    gradFunc: (dy, saved) => {
      const [lp, ys] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.mul(tf.sub(tf.exp(lp), ys), tf.div(dy as tf.Scalar, n)), tf.zerosLike(ys)];
    },
  };
});

function forwardCustom(net: Net): tf.Scalar {
  let h = net.x;
  for (let i = 0; i < net.vars.length; i += 2) {
    const layer = i + 2 === net.vars.length ? denseLinear : denseRelu;
    h = layer(h, net.vars[i]!, net.vars[i + 1]!) as tf.Tensor2D;
  }
  return softmaxCe(h, net.y) as tf.Scalar;
}

/** One SGD step by hand: forward with fused ops, the backward derived in closed form, no tape. */
function manualStep(net: Net, lrT: tf.Scalar, invN: tf.Scalar): void {
  tf.tidy(() => {
    const acts: tf.Tensor2D[] = [net.x];
    let h = net.x;
    const L = net.vars.length / 2;
    for (let l = 0; l < L; l++) {
      h = tf.fused.matMul({
        a: h,
        b: net.vars[2 * l] as tf.Tensor2D,
        bias: net.vars[2 * l + 1]!,
        activation: l + 1 === L ? 'linear' : 'relu',
      }) as tf.Tensor2D;
      acts.push(h);
    }
    // d(mean softmax-CE)/dlogits = (softmax(z) − y) / n
    let g = tf.mul(tf.sub(tf.softmax(h), net.y), invN) as tf.Tensor2D;
    for (let l = L - 1; l >= 0; l--) {
      const a = acts[l]!;
      const dW = tf.matMul(a, g, true, false);
      const db = tf.sum(g, 0);
      if (l > 0) {
        // ReLU'(z) from the post-activation a (a > 0 ⇔ z > 0)
        g = tf.mul(tf.matMul(g, net.vars[2 * l] as tf.Tensor2D, false, true), tf.step(a)) as tf.Tensor2D;
      }
      net.vars[2 * l]!.assign(tf.sub(net.vars[2 * l]!, tf.mul(dW, lrT)));
      net.vars[2 * l + 1]!.assign(tf.sub(net.vars[2 * l + 1]!, tf.mul(db, lrT)));
    }
  });
}

interface Profiled {
  readonly kernels: ReadonlyArray<{ readonly name: string; readonly ms: number }>;
  readonly newTensors: number;
}

/** tf.profile of one call (copied: tfjs reuses its profile object between calls). */
async function kernelsOf(f: () => void): Promise<Profiled> {
  const p = await tf.profile(() => {
    f();
  });
  const kernels = await Promise.all(
    p.kernels.map(async (k) => ({
      name: k.name,
      ms: Number(await Promise.resolve(k.kernelTimeMs as number | Promise<number | { error: string }>)) || 0,
    })),
  );
  return { kernels, newTensors: p.newTensors };
}

async function main(): Promise<void> {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} failed`);
  console.log(
    `backend ${tf.getBackend()}, net ${widths.join('-')}, batch ${batch}, ${steps} steps; PyTorch ≈ 0.55 ms/step\n`,
  );
  const net = makeNet();
  const opt = tf.train.sgd(lr);
  const lrT = tf.scalar(lr);
  const invN = tf.scalar(1 / batch);
  const minimizeStep = (): void => {
    tf.tidy(() => {
      opt.minimize(() => forward(net), false, net.vars);
    });
  };
  // The hand-derived step must be the same SGD step: 10 steps of each from the same start.
  {
    const a = makeNet();
    const b = makeNet();
    const c = makeNet();
    const optA = tf.train.sgd(lr);
    const optC = tf.train.sgd(lr);
    for (let i = 0; i < 10; i++) {
      tf.tidy(() => {
        optA.minimize(() => forward(a), false, a.vars);
        optC.minimize(() => forwardCustom(c), false, c.vars);
      });
      manualStep(b, lrT, invN);
    }
    const gap = (n: Net): number =>
      Math.max(...a.vars.map((v, i) => tf.tidy(() => tf.max(tf.abs(tf.sub(v, n.vars[i]!))).dataSync()[0]!)));
    console.log(
      `vs the tape-based SGD, 10 steps from the same start: hand-derived max |Δθ| = ${gap(b).toExponential(2)}, custom-gradient ${gap(c).toExponential(2)}\n`,
    );
    tf.dispose([...a.vars, a.x, a.y, ...b.vars, b.x, b.y, ...c.vars, c.x, c.y]);
    optA.dispose();
    optC.dispose();
  }
  const rows: Array<[string, Timing]> = [];
  rows.push(['minimize step (tape), no sync', meanTiming(minimizeStep, steps)]);
  if (only === 'minimize') {
    console.log(`minimize step: ${rows[0]![1].wall.toFixed(4)} ms`);
    const file = arg('--cpu-profile', '');
    if (file !== '') {
      // V8's sampling profiler around the step loop only (summarise with bench-cpuprofile.ts).
      const session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 100 });
      await session.post('Profiler.start');
      const t = performance.now();
      for (let i = 0; i < steps; i++) minimizeStep();
      const ms = (performance.now() - t) / steps;
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
      console.log(`profiled ${steps} steps: ${ms.toFixed(4)} ms/step under the profiler -> ${file}`);
    }
    return;
  }
  rows.push([
    'minimize step + loss.dataSync() each step',
    meanTiming(() => {
      tf.tidy(() => {
        opt.minimize(() => forward(net), true, net.vars)!.dataSync();
      });
    }, steps),
  ]);
  rows.push(['forward + loss only', meanTiming(() => tf.tidy(() => void forward(net)), steps)]);
  rows.push([
    'forward + backward (variableGrads), no update',
    meanTiming(() => tf.tidy(() => void tf.variableGrads(() => forward(net), net.vars)), steps),
  ]);
  rows.push([
    'minimize step with custom-gradient layers',
    meanTiming(() => {
      tf.tidy(() => {
        opt.minimize(() => forwardCustom(net), false, net.vars);
      });
    }, steps),
  ]);
  rows.push(['hand-derived step (fused ops, no tape)', meanTiming(() => manualStep(net, lrT, invN), steps)]);
  const small = [tf.ones([5]), tf.ones([5])] as const;
  rows.push([
    'one tiny op (add of two [5] tensors)',
    meanTiming(() => tf.tidy(() => void tf.add(small[0], small[1])), 20000),
  ]);
  rows.push([
    'one tiny op inside a gradient tape',
    meanTiming(() => tf.tidy(() => void tf.grad((a: tf.Tensor) => tf.sum(tf.add(a, small[1])))(small[0])), 5000),
  ]);
  const big = tf.ones([450, 5]);
  rows.push([
    'one dataSync of a scalar (after an op)',
    meanTiming(() => tf.tidy(() => void tf.sum(big).dataSync()), 20000),
  ]);
  rows.push(['one op on [450,5] (relu)', meanTiming(() => tf.tidy(() => void tf.relu(big)), 20000)]);

  const w = Math.max(...rows.map(([k]) => k.length));
  console.log(`${''.padEnd(w)}  ${'wall'.padStart(12)}  ${'CPU time'.padStart(12)}`);
  for (const [k, v] of rows)
    console.log(`${k.padEnd(w)}  ${v.wall.toFixed(4).padStart(9)} ms  ${v.cpu.toFixed(4).padStart(9)} ms`);

  const p1 = await kernelsOf(minimizeStep);
  const p2 = await kernelsOf(() => manualStep(net, lrT, invN));
  const p3 = await kernelsOf(() => {
    tf.tidy(() => {
      opt.minimize(() => forwardCustom(net), false, net.vars);
    });
  });
  const kernelMs = (p: Profiled): number => p.kernels.reduce((s, k) => s + k.ms, 0);
  const count = (p: Profiled): string => {
    const by = new Map<string, number>();
    for (const k of p.kernels) by.set(k.name, (by.get(k.name) ?? 0) + 1);
    return [...by.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([n, c]) => `${n}×${c}`)
      .join(' ');
  };
  console.log(
    `\nkernels per minimize step: ${p1.kernels.length} (sum of kernel times ${kernelMs(p1).toFixed(3)} ms); new tensors ${p1.newTensors}`,
  );
  console.log(`  ${count(p1)}`);
  console.log(
    `kernels per custom-gradient step: ${p3.kernels.length} (sum of kernel times ${kernelMs(p3).toFixed(3)} ms)`,
  );
  console.log(`  ${count(p3)}`);
  console.log(
    `kernels per hand-derived step: ${p2.kernels.length} (sum of kernel times ${kernelMs(p2).toFixed(3)} ms)`,
  );
  console.log(`  ${count(p2)}`);
  const proj = (i: number): string =>
    `${((rows[i]![1].wall * steps) / 1000).toFixed(2)} s wall / ${((rows[i]![1].cpu * steps) / 1000).toFixed(2)} s CPU`;
  console.log(
    `\nprojected protocol (${steps} steps): tape ${proj(0)}, custom-gradient ${proj(4)}, hand-derived ${proj(5)}; PyTorch ≈ ${((0.55 * steps) / 1000).toFixed(2)} s`,
  );
  console.log(
    `per kernel: tape ${((1000 * rows[0]![1].cpu) / p1.kernels.length).toFixed(1)} µs CPU, hand-derived ${((1000 * rows[5]![1].cpu) / p2.kernels.length).toFixed(1)} µs CPU`,
  );
  tf.dispose([...net.vars, net.x, net.y, lrT, invN, ...small, big]);
  opt.dispose();
}

await main();
