/**
 * The sensitivity pass of a dense/residual extended net on @sprout/model's host net: the same
 * epoch-averaged gradients (1/B) Σ_b ∂J_b/∂W of the scored weights as the tape path of compute.ts, from
 * the closed-form back-propagation in host arrays (products through @sprout/native's gemm when built),
 * computing only the weight gradients asked for. For MNIST-sized MLPs this turns the pass from a few
 * hundred TensorFlow.js kernels per batch into one forward product per layer and a few small ones.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Loss } from '@sprout/spec';
import { hostLossAndGradients, toHostNet, type Net } from '@sprout/model';

/** Training examples as host arrays: inputs [N × features] row-major, integer labels [N]. */
export interface HostExamples {
  readonly x: Float32Array;
  readonly y: Int32Array;
}

/** The examples of `x` [N, features] and `y` ([N] int32) as host arrays, or undefined for other shapes. */
export function hostExamples(x: tf.Tensor, y: tf.Tensor): HostExamples | undefined {
  if (x.rank !== 2 || y.rank !== 1 || x.dtype !== 'float32') return undefined;
  return { x: x.dataSync() as Float32Array, y: Int32Array.from(y.dataSync()) };
}

/**
 * The epoch-averaged gradients of the parameters `names` of `net` (concatenated in that order), over the
 * batches [s, e) of `bounds` taken in `order` (default 0..N−1), or undefined when `net` is outside the
 * host net's layers (see `toHostNet`) or `examples` (called only for a host net) gives none.
 */
export function hostMeanGradients(
  net: Net,
  names: readonly string[],
  loss: Loss,
  examples: () => HostExamples | undefined,
  bounds: readonly (readonly [number, number])[],
  order: readonly number[] | undefined,
): Float32Array | undefined {
  const h = toHostNet(net, { loss });
  if (h === undefined) return undefined;
  const data = examples();
  if (data === undefined) return undefined;
  const width = h.inputSize;
  const only = new Set(names);
  const sums = names.map((name) => new Float64Array(h.grads.get(name)!.length));
  const largest = Math.max(...bounds.map(([s, e]) => e - s));
  const bx = new Float32Array(order === undefined ? 0 : largest * width);
  const by = new Int32Array(order === undefined ? 0 : largest);
  for (const [s, e] of bounds) {
    const size = e - s;
    let xs: Float32Array;
    let ys: Int32Array;
    if (order === undefined) {
      xs = data.x.subarray(s * width, e * width);
      ys = data.y.subarray(s, e);
    } else {
      xs = bx.subarray(0, size * width);
      ys = by.subarray(0, size);
      for (let r = 0; r < size; r++) {
        const i = order[s + r]!;
        xs.set(data.x.subarray(i * width, (i + 1) * width), r * width);
        ys[r] = data.y[i]!;
      }
    }
    hostLossAndGradients(h, xs, ys, size, 1, only);
    names.forEach((name, k) => {
      const g = h.grads.get(name)!;
      const acc = sums[k]!;
      for (let i = 0; i < g.length; i++) acc[i] = acc[i]! + g[i]!;
    });
  }
  const out = new Float32Array(sums.reduce((a, b) => a + b.length, 0));
  let offset = 0;
  for (const acc of sums) {
    for (let i = 0; i < acc.length; i++) out[offset + i] = acc[i]! / bounds.length;
    offset += acc.length;
  }
  return out;
}
