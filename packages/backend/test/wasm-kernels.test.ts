// The kernels Sprout supplies to the wasm backend give the same gradients as the cpu backend's own kernels.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as E from 'fp-ts/lib/Either.js';
import { initBackend, registerWasmKernels, WASM_KERNELS } from '../src/index.js';
import { expectClose, on, randomTensor } from './helpers.js';

beforeAll(async () => {
  const r = await initBackend('wasm');
  expect(E.isRight(r)).toBe(true);
});

interface Case {
  readonly batch: number;
  readonly h: number;
  readonly w: number;
  readonly cin: number;
  readonly kh: number;
  readonly kw: number;
  readonly out: number;
  readonly stride: number;
  readonly pad: 'same' | 'valid';
}

const cases: Case[] = [];
for (const stride of [1, 2]) {
  for (const pad of ['same', 'valid'] as const) {
    cases.push({ batch: 3, h: 7, w: 5, cin: 3, kh: 3, kw: 2, out: 4, stride, pad });
    cases.push({ batch: 2, h: 6, w: 9, cin: 2, kh: 1, kw: 3, out: 5, stride, pad });
  }
}
const label = (c: Case) => `N${c.batch} ${c.h}×${c.w}×${c.cin} k${c.kh}×${c.kw} s${c.stride} ${c.pad}`;

describe('wasm kernels equal cpu', () => {
  it('supplies the three missing kernels', () => {
    for (const name of WASM_KERNELS) expect(tf.getKernel(name, 'wasm')).toBeDefined();
  });

  it('wraps the stock Slice and depthwise kernels once, however often it registers', () => {
    const names = ['Slice', 'DepthwiseConv2dNative', 'FusedDepthwiseConv2D']; // (not overridden by @sprout/native)
    const before = names.map((n) => tf.getKernel(n, 'wasm')?.kernelFunc);
    expect(before.every((f) => f !== undefined)).toBe(true);
    const supplied = registerWasmKernels();
    for (const n of names) expect(supplied).toContain(n);
    expect(names.map((n) => tf.getKernel(n, 'wasm')?.kernelFunc)).toEqual(before);
  });

  it.each(cases.map((c) => [label(c), c] as const))('conv2d gradients %s', async (_, c) => {
    const f = () => {
      const x = randomTensor([c.batch, c.h, c.w, c.cin], 1);
      const k = randomTensor([c.kh, c.kw, c.cin, c.out], 2);
      const y = tf.conv2d(x as tf.Tensor4D, k as tf.Tensor4D, c.stride, c.pad);
      const dy = randomTensor(y.shape, 3);
      const [dx, dk] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), dy)),
      )([x, k]);
      return [y, dx!, dk!];
    };
    const wasm = await on('wasm', f);
    const cpu = await on('cpu', f);
    expectClose(wasm, cpu);
  });

  it.each(cases.map((c) => [label(c), c] as const))('depthwise conv2d gradients %s', async (_, c) => {
    const mult = 2;
    const f = () => {
      const x = randomTensor([c.batch, c.h, c.w, c.cin], 4);
      const k = randomTensor([c.kh, c.kw, c.cin, mult], 5);
      const y = tf.depthwiseConv2d(x as tf.Tensor4D, k as tf.Tensor4D, c.stride, c.pad);
      const dy = randomTensor(y.shape, 6);
      const [dx, dk] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), dy)),
      )([x, k]);
      return [y, dx!, dk!];
    };
    const wasm = await on('wasm', f);
    const cpu = await on('cpu', f);
    expectClose(wasm, cpu);
  });

  it('gather gradients (UnsortedSegmentSum), float32 and int32', async () => {
    const f = () => {
      const table = randomTensor([5, 3], 7);
      const ids = tf.tensor1d([4, 0, 4, 2, 4, 0], 'int32');
      const dy = randomTensor([6, 3], 8);
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, ids), dy)))(table);
      const ints = tf.unsortedSegmentSum(
        tf.tensor2d(
          [
            [1, 2],
            [3, 4],
            [5, 6],
          ],
          [3, 2],
          'int32',
        ),
        tf.tensor1d([1, 1, -1], 'int32'),
        3,
      );
      return [g, tf.cast(ints, 'float32')];
    };
    const wasm = await on('wasm', f);
    const cpu = await on('cpu', f);
    expectClose(wasm, cpu);
    expect(Array.from(wasm[1]!)).toEqual([0, 0, 4, 6, 0, 0]);
  });

  it('slices: contiguous row ranges (the fast path) and strided ones equal cpu, float32 and int32', async () => {
    const f = () => {
      const x = randomTensor([7, 4, 3], 11);
      const ids = tf.tensor1d([0, 1, 2, 3, 4, 5, 6], 'int32');
      return [
        tf.slice(x, 2, 3), // whole rows: contiguous
        tf.slice(x, [1, 2, 0], [1, 2, 3]), // inside one row: contiguous
        tf.slice(x, [0, 1, 0], [7, 2, 2]), // strided: the original kernel
        tf.cast(tf.slice(ids, 3, 4), 'float32'),
      ];
    };
    const wasm = await on('wasm', f);
    const cpu = await on('cpu', f);
    expectClose(wasm, cpu);
    expect(Array.from(wasm[3]!)).toEqual([3, 4, 5, 6]);
  });

  it('does not leak tensors', async () => {
    await tf.setBackend('wasm');
    const x = randomTensor([2, 6, 6, 3], 1);
    const k = randomTensor([3, 3, 3, 4], 2);
    const step = () =>
      tf
        .tidy(() => tf.grad((b: tf.Tensor) => tf.sum(tf.conv2d(x as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')))(k))
        .dispose();
    step();
    const before = tf.memory().numTensors;
    const bytes = tf.memory().numBytes;
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.memory().numBytes).toBe(bytes);
    tf.dispose([x, k]);
  });
});
