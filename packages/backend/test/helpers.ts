// Test helpers: run the same computation on two backends and compare the numbers.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { testFloats } from '../../../test-support/values.mjs';

/** Deterministic pseudo-random values in [-1, 1) as float32 (test-support/values.mjs). */
export const values = testFloats;

export function randomTensor(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(
    values(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
  );
}

/** Runs `f` on backend `name` and returns its tensors' values (all tensors it makes are disposed). */
export async function on(name: string, f: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(name);
  const out = tf.tidy(f);
  const data = out.map((t) => t.dataSync() as Float32Array);
  tf.dispose(out);
  return data;
}

/** max |a − b| ≤ atol + rtol·max|b|, per array. */
export function expectClose(a: Float32Array[], b: Float32Array[], rtol = 1e-4, atol = 1e-5): void {
  expect(a.length).toBe(b.length);
  a.forEach((x, k) => {
    const y = b[k]!;
    expect(x.length).toBe(y.length);
    let scale = 0;
    let diff = 0;
    for (let i = 0; i < y.length; i++) {
      scale = Math.max(scale, Math.abs(y[i]!));
      diff = Math.max(diff, Math.abs(x[i]! - y[i]!));
    }
    expect(diff, `array ${k}: max difference ${diff} at scale ${scale}`).toBeLessThanOrEqual(atol + rtol * scale);
    expect(Number.isFinite(diff)).toBe(true);
  });
}
