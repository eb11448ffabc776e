// Every kernel the addon overrides, forward and backward, on wasm and cpu with the native kernels,
// against the cpu backend's stock kernels: matMul (transposes, batches, broadcast batches), fused matMul
// (bias × every activation × transposes), conv2d (strides, paddings, dilations, 1×1), fused conv2d,
// conv2dTranspose. Runs whenever the addon is built; SPROUT_NATIVE_REQUIRED=1 (CI) makes a missing
// addon a failure instead of a skip.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADDON_ABI,
  conv2dBiasRelu,
  nativeAddon,
  nativeInfo,
  nativeKernelCalls,
  registerNativeKernels,
  reluBackward,
  unregisterNativeKernels,
} from '@sprout/native';

const info = nativeInfo();
const required = process.env['SPROUT_NATIVE_REQUIRED'] === '1';

/** Deterministic values in [-1, 1) (mulberry32). */
function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1;
  }
  return out;
}

interface Case {
  readonly name: string;
  readonly shapes: readonly (readonly number[])[];
  /** Outputs to compare: the forward value and the gradients of a weighted sum of it. */
  readonly f: (...xs: tf.Tensor[]) => tf.Tensor;
  /** Inputs rounded to multiples of 1/2, so that equal entries (ties) are common. */
  readonly ties?: boolean;
}

const acts = ['linear', 'relu', 'relu6', 'elu', 'leakyrelu', 'sigmoid'] as const;

const cases: Case[] = [];
for (const [ta, tb] of [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
] as const) {
  const a = ta ? [19, 13] : [13, 19];
  const b = tb ? [11, 19] : [19, 11];
  cases.push({ name: `matMul tA=${ta} tB=${tb}`, shapes: [a, b], f: (x, y) => tf.matMul(x!, y!, ta, tb) });
  cases.push({
    name: `batched matMul tA=${ta} tB=${tb}`,
    shapes: [
      [3, ...a],
      [3, ...b],
    ],
    f: (x, y) => tf.matMul(x!, y!, ta, tb),
  });
  for (const act of acts) {
    cases.push({
      name: `fused matMul ${act} + bias tA=${ta} tB=${tb}`,
      shapes: [a, b, [11]],
      f: (x, y, bias) =>
        tf.fused.matMul({
          a: x as tf.Tensor2D,
          b: y as tf.Tensor2D,
          transposeA: ta,
          transposeB: tb,
          bias: bias!,
          activation: act,
          leakyreluAlpha: 0.3,
        }),
    });
  }
  cases.push({
    name: `fused matMul relu, no bias tA=${ta} tB=${tb}`,
    shapes: [a, b],
    f: (x, y) =>
      tf.fused.matMul({ a: x as tf.Tensor2D, b: y as tf.Tensor2D, transposeA: ta, transposeB: tb, activation: 'relu' }),
  });
}
cases.push({
  name: 'fused matMul prelu (falls back)',
  shapes: [[6, 8], [8, 5], [5], [5]],
  f: (x, y, bias, alpha) =>
    tf.fused.matMul({
      a: x as tf.Tensor2D,
      b: y as tf.Tensor2D,
      bias: bias!,
      activation: 'prelu',
      preluActivationWeights: alpha!,
    }),
});
const convs: ReadonlyArray<{
  x: number[];
  w: number[];
  s: number | [number, number];
  p: 'valid' | 'same' | number;
  d?: number;
}> = [
  { x: [2, 9, 9, 3], w: [3, 3, 3, 4], s: 1, p: 'valid' },
  { x: [2, 9, 9, 3], w: [3, 3, 3, 4], s: 1, p: 'same' },
  { x: [2, 9, 8, 3], w: [3, 3, 3, 4], s: 2, p: 'same' },
  { x: [2, 10, 9, 2], w: [5, 3, 2, 4], s: [2, 3], p: 'valid' },
  { x: [1, 8, 8, 3], w: [2, 2, 3, 5], s: 2, p: 'valid' },
  { x: [2, 7, 7, 3], w: [3, 3, 3, 2], s: 1, p: 1 },
  { x: [2, 6, 6, 5], w: [1, 1, 5, 3], s: 1, p: 'valid' },
  { x: [2, 6, 6, 5], w: [1, 1, 5, 3], s: 2, p: 'same' },
  // 8, 16, 24 or 32 output (or, for the input gradient, input) channels: the direct loops.
  { x: [2, 9, 9, 3], w: [3, 3, 3, 8], s: 1, p: 'same' },
  { x: [2, 9, 8, 8], w: [3, 3, 8, 16], s: 2, p: 'same' },
  { x: [2, 10, 9, 16], w: [5, 3, 16, 8], s: [2, 3], p: 'valid' },
  { x: [2, 7, 7, 8], w: [3, 3, 8, 8], s: 1, p: 1 },
  { x: [2, 7, 6, 16], w: [3, 3, 16, 16], s: 1, p: 'valid' },
  { x: [2, 6, 6, 16], w: [1, 1, 16, 24], s: 1, p: 'valid' },
  { x: [1, 8, 8, 1], w: [3, 3, 1, 32], s: 1, p: 'same' },
  { x: [2, 9, 7, 1], w: [3, 3, 1, 8], s: [1, 2], p: 'same' },
  { x: [2, 6, 7, 1], w: [2, 2, 1, 16], s: 1, p: 'valid' },
  { x: [3, 5, 6, 24], w: [2, 2, 24, 8], s: 1, p: 'same' },
  // Multiples of 32 up to 256 run the direct loops in blocks of 32 channels (8 columns: 3 + 3 + 2 pixels).
  { x: [1, 3, 8, 32], w: [3, 3, 32, 64], s: 1, p: 'same' },
  { x: [1, 3, 4, 64], w: [3, 3, 64, 96], s: 1, p: 'same' },
  { x: [1, 4, 4, 64], w: [3, 3, 64, 32], s: 2, p: 'same' },
];
for (const c of convs) {
  const tag = `x${c.x.join('x')} w${c.w.join('x')} s${c.s} p${c.p}`;
  cases.push({
    name: `conv2d ${tag}`,
    shapes: [c.x, c.w],
    f: (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.s, c.p),
  });
  cases.push({
    name: `fused conv2d relu + bias ${tag}`,
    shapes: [c.x, c.w, [c.w[3]!]],
    f: (x, w, b) =>
      tf.fused.conv2d({
        x: x as tf.Tensor4D,
        filter: w as tf.Tensor4D,
        strides: c.s,
        pad: c.p,
        bias: b!,
        activation: 'relu',
      }),
  });
}
// conv2dBiasRelu: the fused op with its own gradient against tf.fused.conv2d (relu) on stock cpu.
for (const c of [
  { x: [2, 9, 9, 1], w: [3, 3, 1, 8], s: 1, p: 'same' },
  { x: [2, 9, 8, 8], w: [3, 3, 8, 16], s: 2, p: 'same' },
  { x: [2, 7, 7, 3], w: [3, 3, 3, 4], s: 1, p: 'valid' },
  { x: [2, 6, 6, 16], w: [3, 3, 16, 16], s: 1, p: 'same' },
  { x: [1, 3, 8, 32], w: [3, 3, 32, 64], s: 1, p: 'same' },
] as const) {
  cases.push({
    name: `conv2dBiasRelu x${c.x.join('x')} w${c.w.join('x')} s${c.s} p${c.p}`,
    shapes: [c.x, c.w, [c.w[3]]],
    f: (x, w, b) => conv2dBiasRelu({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, bias: b!, strides: c.s, pad: c.p }),
    ties: true,
  });
}
cases.push({
  name: 'conv2dTranspose stride 2 same',
  shapes: [
    [2, 4, 4, 5],
    [3, 3, 3, 5],
  ],
  f: (x, w) => tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [2, 8, 8, 3], 2, 'same'),
});

for (const [f, st, p] of [
  [2, 2, 'valid'],
  [3, 2, 'same'],
  [3, 1, 'same'],
  [2, 3, 'valid'],
] as const) {
  cases.push({
    name: `maxPool ${f}×${f} stride ${st} ${p}`,
    shapes: [[2, 7, 8, 3]],
    f: (x) => tf.maxPool(x as tf.Tensor4D, f, st, p),
  });
  // Inputs with many equal entries: a tie inside a window goes to its first entry, as on cpu.
  cases.push({
    name: `maxPool with ties ${f}×${f} stride ${st} ${p}`,
    shapes: [[2, 7, 8, 3]],
    f: (x) => tf.maxPool(x as tf.Tensor4D, f, st, p),
    ties: true,
  });
}

// Elementwise ops, the leading-axes sum and ReLU (the pieces of an unfused conv + bias + relu and its gradient).
for (const [name, op] of [
  ['add', tf.add],
  ['sub', tf.sub],
  ['mul', tf.mul],
] as const) {
  for (const [a, b] of [
    [
      [2, 5, 4, 3],
      [2, 5, 4, 3],
    ],
    [[2, 5, 4, 3], [3]],
    [[3], [2, 5, 4, 3]],
    [
      [2, 5, 4, 3],
      [4, 3],
    ],
    [
      [2, 5, 4, 3],
      [1, 1, 3],
    ],
    [[2, 5, 4, 3], []],
    [[], [6, 7]],
  ] as const) {
    cases.push({ name: `${name} [${a.join(',')}] [${b.join(',')}]`, shapes: [a, b], f: (x, y) => op(x!, y!) });
  }
}
cases.push({ name: 'relu', shapes: [[2, 5, 4, 3]], f: (x) => tf.relu(x!), ties: true });
cases.push({ name: 'step', shapes: [[2, 5, 4, 3]], f: (x) => tf.mul(tf.step(x!), x!), ties: true });
cases.push({ name: 'step alpha 0.3', shapes: [[7, 3]], f: (x) => tf.mul(tf.step(x!, 0.3), x!), ties: true });
for (const [axes, keep] of [
  [[0, 1, 2], false],
  [[0, 1, 2], true],
  [[0], false],
  [[1, 0], false],
  [[0, 1, 2, 3], false],
  [undefined, false],
] as const) {
  cases.push({
    name: `sum axes ${String(axes)} keepDims ${keep}`,
    shapes: [[2, 5, 4, 3]],
    f: (x) => tf.sum(x!, axes === undefined ? undefined : [...axes], keep),
  });
}
cases.push({ name: 'sum of a middle axis (falls back)', shapes: [[2, 5, 4, 3]], f: (x) => tf.sum(x!, 1) });

// Pooling windows that tile the input, 8·k channels (the vectorised gradient), leftover rows and columns.
for (const [shape, f] of [
  [[2, 7, 8, 8], 2],
  [[2, 6, 9, 16], 3],
  [[1, 5, 5, 24], 2],
] as const) {
  for (const ties of [false, true]) {
    cases.push({
      name: `maxPool ${f}×${f} stride ${f} on ${shape.join('x')}${ties ? ' with ties' : ''}`,
      shapes: [shape],
      f: (x) => tf.maxPool(x as tf.Tensor4D, f, f, 'valid'),
      ties,
    });
  }
}

/** Forward-only cases (tfjs itself has no gradient for broadcast batches or dilated convolutions). */
const forwardOnly: Case[] = [
  {
    name: 'matMul broadcast batch [2,3,m,k]·[k,n]',
    shapes: [
      [2, 3, 5, 7],
      [7, 4],
    ],
    f: (x, y) => tf.matMul(x!, y!),
  },
  {
    name: 'matMul broadcast batch [m,k]·[4,k,n]',
    shapes: [
      [5, 7],
      [4, 7, 6],
    ],
    f: (x, y) => tf.matMul(x!, y!),
  },
  {
    name: 'conv2d dilation 2 valid',
    shapes: [
      [2, 9, 9, 3],
      [3, 3, 3, 4],
    ],
    f: (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid', 'NHWC', 2),
  },
  {
    name: 'conv2d dilation 2 same, 16 channels (direct)',
    shapes: [
      [2, 9, 9, 3],
      [3, 3, 3, 16],
    ],
    f: (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same', 'NHWC', 2),
  },
  {
    name: 'conv2d dilation 2 same',
    shapes: [
      [1, 8, 7, 2],
      [2, 3, 2, 3],
    ],
    f: (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same', 'NHWC', 2),
  },
];

/** The forward value and the gradients of Σ r ⊙ f(xs) with respect to every input. */
function evaluate(c: Case, withGrads: boolean): Float32Array[] {
  return tf.tidy(() => {
    const xs = c.shapes.map((s, i) => {
      const v = values(tf.util.sizeFromShape([...s]), 17 + 31 * i);
      return tf.tensor(c.ties === true ? v.map((e) => Math.round(2 * e) / 2) : v, [...s]);
    });
    const y = c.f(...xs);
    const out: Float32Array[] = [y.dataSync() as Float32Array];
    if (withGrads) {
      const r = tf.tensor(values(y.size, 5), y.shape);
      const grads = tf.grads((...args: tf.Tensor[]) => tf.sum(tf.mul(c.f(...args), r)))(xs);
      for (const g of grads) out.push(g.dataSync() as Float32Array);
    }
    return out;
  });
}

function expectClose(actual: Float32Array[], expected: Float32Array[], label: string): void {
  expect(actual.length, label).toBe(expected.length);
  expected.forEach((e, j) => {
    const a = actual[j]!;
    expect(a.length, `${label} output ${j} length`).toBe(e.length);
    let scale = 0;
    for (const v of e) scale = Math.max(scale, Math.abs(v));
    let worst = 0;
    for (let i = 0; i < e.length; i++) worst = Math.max(worst, Math.abs(a[i]! - e[i]!));
    // float32: sums of up to a few hundred terms of size ≤ 1 are exact to a few ulps of their scale.
    expect(worst, `${label} output ${j} (scale ${scale})`).toBeLessThanOrEqual(2e-5 * (1 + scale));
  });
}

describe.skipIf(!info.available && !required)('native kernels match the cpu backend', () => {
  const all = [...cases.map((c) => ({ c, grads: true })), ...forwardOnly.map((c) => ({ c, grads: false }))];
  let reference: Float32Array[][] = [];

  beforeAll(async () => {
    expect(info.available, `addon unavailable: ${info.reason}`).toBe(true);
    unregisterNativeKernels();
    await tf.setBackend('cpu');
    reference = all.map(({ c, grads }) => evaluate(c, grads));
    const reg = registerNativeKernels({
      minMatMulFlops: 0,
      minConvFlops: 0,
      minConvChannelProduct: 0,
      minElementwise: 0,
    });
    expect(reg.ok).toBe(true);
  }, 600_000); // the stock cpu kernels' reference values take minutes when the machine is loaded
  afterAll(() => {
    unregisterNativeKernels();
  });

  for (const [backend, direct] of [
    ['wasm', true],
    ['cpu', true],
    ['wasm', false],
  ] as const) {
    it(`on ${backend}${direct ? '' : ' without the direct convolution loops'}: every case, forward and gradients`, async () => {
      expect(await tf.setBackend(backend)).toBe(true);
      nativeAddon()!.setDirectConv(direct);
      const before = tf.memory().numTensors;
      all.forEach(({ c, grads }, i) => {
        const calls = nativeKernelCalls();
        const got = evaluate(c, grads);
        if (!c.name.includes('falls back'))
          expect(nativeKernelCalls(), `${c.name} ran natively`).toBeGreaterThan(calls);
        expectClose(got, reference[i]!, `${backend}: ${c.name}`);
      });
      expect(tf.memory().numTensors).toBe(before);
      nativeAddon()!.setDirectConv(true);
    });
  }

  it('relu epilogues keep NaN, as tfjs does (fused product, im2col and direct convolutions)', async () => {
    for (const backend of ['wasm', 'cpu'] as const) {
      expect(await tf.setBackend(backend)).toBe(true);
      for (const direct of [true, false]) {
        nativeAddon()!.setDirectConv(direct);
        const calls = nativeKernelCalls();
        const [product, conv] = tf.tidy(() => {
          const a = tf.tensor2d([Number.NaN, 1, -1, -1, -3, 1], [2, 3]);
          const b = tf.ones([3, 4]);
          const x = tf.tensor4d(
            Array.from({ length: 2 * 5 * 5 * 2 }, (_, i) => (i === 0 ? Number.NaN : -1)),
            [2, 5, 5, 2],
          );
          const w = tf.ones([3, 3, 2, 8]) as tf.Tensor4D;
          return [
            Array.from(tf.fused.matMul({ a, b, bias: tf.zeros([4]), activation: 'relu' }).dataSync()),
            Array.from(
              tf.fused
                .conv2d({ x, filter: w, bias: tf.zeros([8]), strides: 1, pad: 'same', activation: 'relu' })
                .dataSync(),
            ),
          ];
        });
        expect(nativeKernelCalls()).toBeGreaterThan(calls);
        expect(product.slice(0, 4).every(Number.isNaN), `${backend}: NaN row`).toBe(true);
        expect(product.slice(4)).toEqual([0, 0, 0, 0]); // relu of −3
        expect(conv.slice(0, 8).every(Number.isNaN), `${backend}, direct ${direct}: the NaN pixel's outputs`).toBe(
          true,
        );
        expect(conv.filter((v) => !Number.isNaN(v)).every((v) => v === 0)).toBe(true);
      }
    }
    nativeAddon()!.setDirectConv(true);
  });

  it("the raw gemm's tanh epilogue (Sprout's host net) is tanh(A·B + bias); unknown codes and older builds are refused", () => {
    const addon = nativeAddon()!;
    expect(addon.abi).toBe(ADDON_ABI);
    const a = values(5 * 3, 21);
    const b = values(3 * 4, 22);
    const bias = values(4, 23);
    const c = new Float32Array(5 * 4);
    addon.gemm(a, b, c, 5, 4, 3, false, false, 1, 0, 0, 0, bias, 6, 0);
    const expected = tf.tidy(() =>
      tf.tanh(tf.add(tf.matMul(tf.tensor2d(a, [5, 3]), tf.tensor2d(b, [3, 4])), tf.tensor1d(bias))).dataSync(),
    );
    let worst = 0;
    c.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - expected[i]!))));
    expect(worst).toBeLessThan(1e-6);
    expect(c.some((v) => Math.abs(v) > 0.1)).toBe(true);
    expect(() => addon.gemm(a, b, c, 5, 4, 3, false, false, 1, 0, 0, 0, null, 7, 0)).toThrow(
      'gemm: unknown activation code',
    );
  });

  it('accumulate adds float32 entries into double sums as the JavaScript loop does, bit for bit', () => {
    const addon = nativeAddon()!;
    const n = 150_001; // more than one chunk of the addon's threads, and an odd tail
    const acc = Float64Array.from(values(n, 31), (v) => v * 1e-3);
    const expected = Float64Array.from(acc);
    for (let k = 0; k < 3; k++) {
      const x = values(n, 40 + k);
      addon.accumulate(acc, x);
      for (let i = 0; i < n; i++) expected[i] = expected[i]! + x[i]!;
    }
    let differing = 0;
    for (let i = 0; i < n; i++) if (!Object.is(acc[i], expected[i])) differing++;
    expect(differing).toBe(0);
    expect(() => addon.accumulate(new Float64Array(4), new Float32Array(3))).toThrow('x is shorter than acc');
    expect(() => addon.accumulate(new Float32Array(4) as unknown as Float64Array, new Float32Array(4))).toThrow(
      'acc must be a Float64Array',
    );
  });

  it('wasm: views survive memory growth (outputs larger than the free heap)', async () => {
    await tf.setBackend('wasm');
    const heap = (): number =>
      (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer.byteLength;
    const before = heap();
    const m = Math.ceil(Math.sqrt((before / 4) * 1.2));
    const k = 3;
    const av = values(m * k, 1);
    const bv = values(k * m, 2);
    // (Not inside tf.tidy: tidy walks a returned typed array element by element.)
    const A = tf.tensor2d(av, [m, k]);
    const B = tf.tensor2d(bv, [k, m]);
    const C = tf.matMul(A, B);
    const out = C.dataSync();
    tf.dispose([A, B, C]);
    expect(heap()).toBeGreaterThan(before);
    for (const [i, j] of [
      [0, 0],
      [m - 1, m - 1],
      [700, 3],
      [12, m - 2],
    ] as const) {
      let s = 0;
      for (let t = 0; t < k; t++) s += av[i * k + t]! * bv[t * m + j]!;
      expect(Math.abs(out[i * m + j]! - s)).toBeLessThan(1e-5);
    }
  });

  it("the Relu gradient is one native kernel while registered, tfjs' own after unregistering", async () => {
    unregisterNativeKernels();
    const stock = tf.getGradient('Relu')!.gradFunc;
    registerNativeKernels();
    await tf.setBackend('wasm');
    expect(tf.getGradient('Relu')!.gradFunc).not.toBe(stock);
    const x = tf.tensor1d([-1, 0, 2, Number.NaN]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.relu(v), tf.tensor1d([3, 4, 5, 6]))));
    expect(Array.from(g(x).dataSync())).toEqual([0, 0, 5, Number.NaN]);
    unregisterNativeKernels();
    expect(tf.getGradient('Relu')!.gradFunc).toBe(stock);
    expect(Array.from(g(x).dataSync())).toEqual([0, 0, 5, Number.NaN]);
    x.dispose();
  });

  it('reluBackward: one native pass where registered, dy · step(y) elsewhere, the same values', async () => {
    registerNativeKernels({ backends: ['wasm'] });
    const y = [-1, 0, 2, Number.NaN, 0.5, -0.25];
    const dy = [3, 4, 5, 6, -7, 8];
    const expected = [0, 0, 5, Number.NaN, -7, 0];
    const run = (): number[] =>
      tf.tidy(() => Array.from(reluBackward(tf.tensor2d(dy, [2, 3]), tf.tensor2d(y, [2, 3])).dataSync()));
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    let calls = nativeKernelCalls();
    expect(run()).toEqual(expected);
    expect(nativeKernelCalls()).toBe(calls + 1);
    await tf.setBackend('cpu'); // not registered there
    calls = nativeKernelCalls();
    expect(run()).toEqual(expected);
    expect(nativeKernelCalls()).toBe(calls);
    expect(tf.memory().numTensors).toBe(before);
    unregisterNativeKernels(); // removes Sprout's own kernels (they replaced none)
    expect(tf.getKernel('SproutReluGrad', 'wasm')).toBeUndefined();
    expect(tf.getKernel('SproutConv2DBiasRelu', 'wasm')).toBeUndefined();
    await tf.setBackend('wasm');
    calls = nativeKernelCalls();
    expect(run()).toEqual(expected);
    expect(nativeKernelCalls()).toBe(calls);
  });

  it('wasm: a few-channel FusedConv2D skips the channel threshold only for the direct loops (linear or relu)', async () => {
    registerNativeKernels({ backends: ['wasm'] });
    await tf.setBackend('wasm');
    // 1 → 8 channels: Cin·Cout = 8 < 32 (the wasm default), 2·4·16·16·9·8 flops above minConvFlops.
    const conv = (activation: 'relu' | 'sigmoid'): void =>
      tf.tidy(() => {
        const x = tf.tensor4d(values(4 * 16 * 16, 11), [4, 16, 16, 1]);
        const w = tf.tensor4d(values(9 * 8, 12), [3, 3, 1, 8]);
        tf.fused.conv2d({ x, filter: w, bias: tf.zeros([8]), strides: 1, pad: 'same', activation }).dataSync();
      });
    let calls = nativeKernelCalls();
    conv('relu');
    expect(nativeKernelCalls()).toBe(calls + 1);
    calls = nativeKernelCalls();
    conv('sigmoid'); // im2col + sgemm, which XNNPACK beats here: the stock kernel
    expect(nativeKernelCalls()).toBe(calls);
    unregisterNativeKernels();
  });

  it('default thresholds: small products keep the stock kernel, large ones go native', async () => {
    registerNativeKernels();
    await tf.setBackend('wasm');
    const c0 = nativeKernelCalls();
    tf.tidy(() => tf.matMul(tf.ones([4, 4]), tf.ones([4, 4])).dataSync());
    expect(nativeKernelCalls()).toBe(c0);
    tf.tidy(() => tf.matMul(tf.ones([64, 64]), tf.ones([64, 64])).dataSync());
    expect(nativeKernelCalls()).toBe(c0 + 1);
  });
});
