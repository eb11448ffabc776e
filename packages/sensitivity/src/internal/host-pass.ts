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
 *
 * Cost: each batch is one call of the training step's `hostLossAndGradients` (a, g and the ReLU layers'
 * δ are in its trace) without the weight gradients of parameters not in `existing`, plus one or two
 * products per position; with the caller's host net (the pipeline's
 * host engine) that call runs already-optimised code, which matters because the pass runs once per
 * insertion and its epochs can be a tenth of a millisecond.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { Loss } from '@sprout/spec';
import { hostLossAndGradients, hostMatMul, hostNetPays, toHostNet, type HostNet, type Net } from '@sprout/model';
import { virtualLayer, type Position, type VirtualLayerOptions } from '@sprout/growth';
import { gatherRows } from '@sprout/data';

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
function virtualRule(
  position: Position,
  options: VirtualLayerOptions,
): { readonly kind: 'dense' } | { readonly kind: 'residual'; readonly scale: Float32Array } | undefined {
  const v = virtualLayer(position, options);
  const zero = (suffix: string) => v.params.find((p) => p.suffix === suffix)?.values.every((x) => x === 0) === true;
  if (
    position.kind === 'dense' &&
    v.layer._tag === 'dense' &&
    v.layer.activation === 'relu' &&
    v.weight === 'kernel' &&
    zero('bias')
  )
    return { kind: 'dense' };
  if (position.kind === 'residual' && v.layer._tag === 'residual') {
    const [first, second] = v.layer.body;
    const w1 = v.params.find((p) => p.suffix === 'body.0.kernel')?.values;
    if (
      first?._tag !== 'dense' ||
      first.activation !== 'tanh' ||
      second?._tag !== 'dense' ||
      second.activation !== 'linear' ||
      second.bias
    )
      return undefined;
    if (v.weight !== 'body.1.kernel' || !zero('body.0.bias') || !zero('body.1.kernel') || w1 === undefined)
      return undefined;
    return { kind: 'residual', scale: Float32Array.of(w1[0]!) };
  }
  return undefined;
}

/**
 * The epoch-averaged gradients of the virtual weights of `positions` (w×w each, in order) followed by
 * those of the existing parameters `existing` (names of `net`), concatenated, over the batches [s, e) of
 * `bounds` taken in `order` (default 0..N−1), on `given` (the caller's host net of `net`) when it fits, else
 * on a copy of `net`. Undefined when `net` is outside the host net's layers (see
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
  given?: HostNet,
): Float32Array | undefined {
  const rules = positions.map((p) => virtualRule(p, virtualOptions));
  if (rules.some((r) => r === undefined)) return undefined;
  const fits =
    given !== undefined &&
    given.loss === loss &&
    given.params.size === net.params.length &&
    net.params.every((p) => given.params.get(p.name)?.length === p.variable.size);
  const h = fits ? given : toHostNet(net, { loss });
  if (h === undefined || !hostNetPays(h)) return undefined;
  const data = examples();
  if (data === undefined) return undefined;
  // The host layer (its position in h.layers) whose output is the activation after top-level layer k
  // (dropout layers are identities and not host layers).
  const source = (k: number): number => h.layers.reduce((found, l, j) => (l.index <= k ? j : found), -1);
  const sources = positions.map((p) => source(p.after));
  // A dense position follows a ReLU layer (FNNs have only those), whose δ is the masked g it needs.
  const reluSource = (i: number): boolean => {
    const l = h.layers[sources[i]!];
    return l?._tag === 'dense' && l.activation === 'relu';
  };
  if (rules.some((r, i) => r!.kind === 'dense' && !reluSource(i))) return undefined;

  const width = h.inputSize;
  const virtualSums = positions.map((p) => new Float64Array(p.width * p.width));
  const existingGrads = existing.map((name) => h.grads.get(name)!);
  const wanted = new Set(existing);
  const existingSums = existingGrads.map((g) => new Float64Array(g.length));
  const largest = Math.max(...bounds.map(([s, e]) => e - s));
  const widest = Math.max(1, ...positions.map((p) => p.width));
  const bx = new Float32Array(order === undefined ? 0 : largest * width);
  const by = new Int32Array(order === undefined ? 0 : largest);
  const indices = order === undefined ? undefined : Int32Array.from(order);
  const left = new Float32Array(largest * widest); // tanh(c a)
  // acc += x in double, by the addon where built: a wide net's sums are a million entries per batch, some
  // 2.7 ms of JavaScript loop each (the same additions either way).
  const addon = h.addon;
  const accumulate = (acc: Float64Array, x: Float32Array): void => {
    if (addon !== null) addon.accumulate(acc, x);
    else for (let k = 0; k < acc.length; k++) acc[k] = acc[k]! + x[k]!;
  };
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
      gatherRows(data.x, data.y, width, indices!.subarray(s, e), xs, ys);
    }
    // The training step's own call; its trace holds every a and g = ∂J/∂a the products need. Only the
    // existing parameters asked for get their weight gradients (usually none).
    hostLossAndGradients(h, xs, ys, size, { wanted });
    const { outputs, gradients, deltas } = h.trace;
    positions.forEach((p, i) => {
      const rule = rules[i]!;
      const j = sources[i]!;
      const a = outputs[j]!;
      const w = p.width;
      const out = product.subarray(0, w * w);
      if (rule.kind === 'dense') {
        // aᵀ (g ⊙ 1[a > 0]): the ReLU layer's δ is g ⊙ 1[a > 0] (host-net.ts computes it so).
        hostMatMul(h, a, deltas[j]!, out, w, w, size, true, false);
      } else {
        // tanh(c a)ᵀ g; tanh(c a) as the (size·w × 1)·(1 × 1) product a·[c] with a tanh epilogue: native where
        // built, because this code runs once per pass and a first-run JavaScript tanh loop cost more (spirals
        // ResNet [3, 3], 3 positions: 0.35–0.50 ms against 0.15–0.25 ms for the products, 2026-11-28).
        const t = left.subarray(0, size * w);
        hostMatMul(h, a, rule.scale, t, size * w, 1, 1, false, false, 'tanh');
        hostMatMul(h, t, gradients[j]!, out, w, w, size, true, false);
      }
      accumulate(virtualSums[i]!, out);
    });
    existingGrads.forEach((grad, k) => accumulate(existingSums[k]!, grad));
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
