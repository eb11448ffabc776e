/**
 * The sensitivity pass (ALGORITHMS.md §3, arXiv 2311.15995) of dense and residual nets without
 * materialising the virtual layers, on
 * @sprout/model's host net (host arrays; products through @sprout/native's gemm when built). Each virtual
 * layer is an exact identity at its position (growth's `virtualLayer`), so the original net's forward and
 * backward pass already hold everything its weight gradient needs: with a the activation at the position
 * (the output of top-level layer `after`, [batch × w]) and g = ∂J/∂a in the original net,
 *   - dense  V(a) = ReLU(I a + 0) = a (a ≥ 0 after a ReLU):  ∂J/∂W_v = aᵀ (g ⊙ 1[a > 0]);
 *   - ResNet V(a) = a + W₂ tanh(c I a + 0), W₂ = 0:          ∂J/∂W₂  = tanh(c a)ᵀ g.
 * (∂J/∂z_v = g ⊙ σ'(z_v) with z_v = a for the dense layer; ∂J/∂(W₂ input · W₂) = g for the block.) The
 * existing kernels' gradients come from the same backward pass. Batches are averaged with equal weights,
 * as in compute.ts. Tests compare every gradient with the tape through the materialised extended net.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Loss } from '@sprout/spec';
import { hostLossAndGradients, hostMatMul, hostNetPays, toHostNet, type Net } from '@sprout/model';
import { virtualLayer, type Position, type VirtualLayerOptions } from '@sprout/growth';

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

/** How a position's virtual weight gradient is formed from (a, g); undefined when the virtual layer is not the one derived above. */
function virtualRule(position: Position, options: VirtualLayerOptions): { readonly kind: 'dense' } | { readonly kind: 'residual'; readonly c: number } | undefined {
  const v = virtualLayer(position, options);
  const zero = (suffix: string) => v.params.find((p) => p.suffix === suffix)?.values.every((x) => x === 0) === true;
  if (position.kind === 'dense' && v.layer._tag === 'dense' && v.layer.activation === 'relu' && v.weight === 'kernel' && zero('bias')) return { kind: 'dense' };
  if (position.kind === 'residual' && v.layer._tag === 'residual') {
    const [first, second] = v.layer.body;
    const w1 = v.params.find((p) => p.suffix === 'body.0.kernel')?.values;
    if (first?._tag !== 'dense' || first.activation !== 'tanh' || second?._tag !== 'dense' || second.activation !== 'linear' || second.bias) return undefined;
    if (v.weight !== 'body.1.kernel' || !zero('body.0.bias') || !zero('body.1.kernel') || w1 === undefined) return undefined;
    return { kind: 'residual', c: w1[0]! };
  }
  return undefined;
}

/**
 * The epoch-averaged gradients of the virtual weights of `positions` (w×w each, in order) followed by
 * those of the existing parameters `existing` (names of `net`), concatenated, over the batches [s, e) of
 * `bounds` taken in `order` (default 0..N−1). Undefined when `net` is outside the host net's layers (see
 * `toHostNet`) or would be slower there (`hostNetPays`), a position is not a dense/residual one of the derived form, or `examples` (called only
 * then) gives none.
 */
export function hostMeanGradients(
  net: Net,
  positions: readonly Position[],
  existing: readonly string[],
  loss: Loss,
  examples: () => HostExamples | undefined,
  bounds: readonly (readonly [number, number])[],
  order: readonly number[] | undefined,
  virtualOptions: VirtualLayerOptions = {},
): Float32Array | undefined {
  const rules = positions.map((p) => virtualRule(p, virtualOptions));
  if (rules.some((r) => r === undefined)) return undefined;
  const h = toHostNet(net, { loss });
  if (h === undefined || !hostNetPays(h)) return undefined;
  const data = examples();
  if (data === undefined) return undefined;
  // The host layer whose output is the activation after top-level layer k (dropout layers are identities).
  const hostIndices = h.layers.map((l) => l.index);
  const source = (k: number): number => Math.max(...hostIndices.filter((i) => i <= k));
  const byLayer = new Map<number, number[]>();
  positions.forEach((p, i) => byLayer.set(source(p.after), [...(byLayer.get(source(p.after)) ?? []), i]));

  const width = h.inputSize;
  const only = new Set(existing);
  const virtualSums = positions.map((p) => new Float64Array(p.width * p.width));
  const existingSums = existing.map((name) => new Float64Array(h.grads.get(name)!.length));
  const largest = Math.max(...bounds.map(([s, e]) => e - s));
  const widest = Math.max(1, ...positions.map((p) => p.width));
  const bx = new Float32Array(order === undefined ? 0 : largest * width);
  const by = new Int32Array(order === undefined ? 0 : largest);
  const left = new Float32Array(largest * widest); // ReLU-masked g, or tanh(c a)
  const product = new Float32Array(widest * widest);
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
        const from = i * width;
        for (let k = 0; k < width; k++) xs[r * width + k] = data.x[from + k]!;
        ys[r] = data.y[i]!;
      }
    }
    hostLossAndGradients(h, xs, ys, size, {
      only,
      onOutputGradient: (index, a, g) => {
        for (const i of byLayer.get(index) ?? []) {
          const rule = rules[i]!;
          const w = positions[i]!.width;
          const n = size * w;
          const t = left.subarray(0, n);
          const out = product.subarray(0, w * w);
          if (rule.kind === 'dense') {
            for (let k = 0; k < n; k++) t[k] = a[k]! > 0 ? g[k]! : 0;
            hostMatMul(h, a, t, out, w, w, size, true, false); // aᵀ (g ⊙ 1[a > 0])
          } else {
            for (let k = 0; k < n; k++) t[k] = Math.tanh(rule.c * a[k]!);
            hostMatMul(h, t, g, out, w, w, size, true, false); // tanh(c a)ᵀ g
          }
          const acc = virtualSums[i]!;
          for (let k = 0; k < out.length; k++) acc[k] = acc[k]! + out[k]!;
        }
      },
    });
    existing.forEach((name, k) => {
      const grad = h.grads.get(name)!;
      const acc = existingSums[k]!;
      for (let i = 0; i < grad.length; i++) acc[i] = acc[i]! + grad[i]!;
    });
  }
  const sums = [...virtualSums, ...existingSums];
  const out = new Float32Array(sums.reduce((a, b) => a + b.length, 0));
  let offset = 0;
  for (const acc of sums) {
    for (let i = 0; i < acc.length; i++) out[offset + i] = acc[i]! / bounds.length;
    offset += acc.length;
  }
  return out;
}
