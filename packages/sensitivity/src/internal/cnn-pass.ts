/**
 * The sensitivity pass of a conv+ReLU stack without materialising its virtual layers (ALGORITHMS.md §3 [math]).
 *
 * At the pass, the virtual layer after conv layer k is v(h) = ReLU(conv₃ₓ₃(h; W_v) + 0) with W_v the centre-tap
 * identity, so z_v = h exactly and v(h) = h on h = ReLU(z_k) ≥ 0. Write g = ∂J/∂h_k for the gradient arriving
 * at the output of layer k from above (the same in the extended and the original net, since everything above
 * is unchanged). In the extended net
 *     δ_v = ∂J/∂z_v = g ⊙ 1[z_v > 0] = g ⊙ 1[h_k > 0],
 * and back-propagating through v gives ∂J/∂h_k = conv₃ₓ₃ᵀ(δ_v; W_v) = δ_v, hence δ_k = ∂J/∂z_k = δ_v ⊙ 1[z_k > 0] = δ_v
 * (1[z_k > 0] = 1[h_k > 0]). In the original net δ_k = g ⊙ 1[z_k > 0] is the same tensor. So
 *     ∂J/∂W_v = Σ_{b, pixels} patch₃ₓ₃(h_k)ᵀ δ_k   (a Conv2DBackpropFilter of h_k and δ_k, 3×3, stride 1, 'same'),
 * and the whole pass is one forward pass of the original net (fused kernels, no gradient tape), one
 * hand-written backward pass down to the lowest candidate (textbook back-propagation, e.g. Goodfellow,
 * Bengio, Courville, Deep Learning §6.5.4), and one filter gradient per candidate. The gradient of the
 * loss with respect to the network output comes from tf.grad of J alone, so any loss function works.
 * Existing conv kernels (for the `threshold` rule) get ∂J/∂W_k = Conv2DBackpropFilter(input_k, δ_k).
 *
 * Nets this path does not cover (batch norm, dropout in training mode, activations other than relu and
 * linear, residual blocks, a softmax output) return `undefined`, and the caller builds the extended net.
 */
import * as tf from '@tensorflow/tfjs-core';
import { reluBackward } from '@sprout/native';
import type { Layer } from '@sprout/spec';
import { layerKey, type Net } from '@sprout/model';
import type { Position } from '@sprout/growth';
import type { LossFn } from '../loss.js';

/** One batch → the gradients of the virtual weights (by position), then of the requested existing kernels. */
export type BatchGradients = (x: tf.Tensor, y: tf.Tensor) => tf.Tensor[];

type Plain = Extract<Layer, { _tag: 'conv' | 'dense' | 'pool' | 'flatten' | 'dropout' }>;

const covered = (l: Layer, training: boolean): l is Plain => {
  switch (l._tag) {
    case 'conv':
    case 'dense':
      return l.activation === 'relu' || l.activation === 'linear';
    case 'pool':
    case 'flatten':
      return true;
    case 'dropout':
      return !training || l.rate === 0;
    default:
      return false;
  }
};

/**
 * The per-batch gradient function of the virtual conv weights at `positions` (and of the kernels named in
 * `existing`, in that order), or `undefined` when the net is outside this path (see the module comment).
 */
export function cnnBatchGradients(
  net: Net,
  positions: readonly Position[],
  existing: readonly string[],
  J: LossFn,
  training: boolean,
): BatchGradients | undefined {
  const layers = net.layers;
  if (!layers.every((l) => covered(l, training))) return undefined;
  if (positions.some((p) => p.kind !== 'conv' || (layers[p.after] as Layer)._tag !== 'conv')) return undefined;
  const byName = new Map(net.params.map((p) => [p.name, p.variable]));
  const existingAt = new Map<number, number>(); // layer index → index in the result
  for (const [i, name] of existing.entries()) {
    const k = Number(name.split('.')[0]);
    if (!name.endsWith('.kernel') || !Number.isInteger(k) || layers[k]?._tag !== 'conv') return undefined;
    existingAt.set(k, positions.length + i);
  }
  const candidateAt = new Map<number, number>(positions.map((p, i) => [p.after, i]));
  const lowest = Math.min(...positions.map((p) => p.after), ...existingAt.keys());
  const param = (i: number, role: string): tf.Tensor => {
    const v = byName.get(`${layerKey([i])}.${role}`);
    if (v === undefined) throw new Error(`cnnBatchGradients: the net has no parameter ${i}.${role}`);
    return v;
  };

  return (x, y) => {
    // Forward: each layer's input and output, by the fused ops (the same kernels as @sprout/model's `forward`).
    const inputs: tf.Tensor[] = [];
    const outputs: tf.Tensor[] = [];
    let h = x;
    layers.forEach((l, i) => {
      inputs.push(h);
      switch (l._tag) {
        case 'conv':
          h = tf.fused.conv2d({
            x: h as tf.Tensor4D,
            filter: param(i, 'kernel') as tf.Tensor4D,
            strides: l.stride,
            pad: l.padding,
            bias: param(i, 'bias'),
            activation: l.activation as 'relu' | 'linear',
          });
          break;
        case 'dense':
          h = tf.fused.matMul({
            a: h as tf.Tensor2D,
            b: param(i, 'kernel') as tf.Tensor2D,
            ...(l.bias ? { bias: param(i, 'bias') } : {}),
            activation: l.activation as 'relu' | 'linear',
          });
          break;
        case 'pool':
          h =
            l.kind === 'max'
              ? tf.maxPool(h as tf.Tensor4D, l.size, l.stride, 'valid')
              : tf.avgPool(h as tf.Tensor4D, l.size, l.stride, 'valid');
          break;
        case 'flatten':
          h = tf.reshape(h, [h.shape[0]!, -1]);
          break;
        case 'dropout':
          break;
      }
      outputs.push(h);
    });
    // ∂J/∂output by differentiating the loss alone.
    let g: tf.Tensor = tf.grad((o: tf.Tensor) => J(o, y))(h);
    const result: tf.Tensor[] = new Array<tf.Tensor>(positions.length + existing.length);
    for (let i = layers.length - 1; i >= lowest; i--) {
      const l = layers[i]!;
      const input = inputs[i]!;
      const needInput = i > lowest;
      switch (l._tag) {
        case 'conv':
        case 'dense': {
          // δ = ∂J/∂z: relu' read from the output (1[a > 0]), as tfjs' Relu gradient.
          const delta = l.activation === 'relu' ? reluBackward(g, outputs[i]!) : g;
          if (l._tag === 'conv') {
            const c = candidateAt.get(i);
            if (c !== undefined) {
              const m = outputs[i]!.shape[3]!;
              result[c] = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x: outputs[i]!, dy: delta }, {
                strides: 1,
                pad: 'same',
                dataFormat: 'NHWC',
                dimRoundingMode: undefined,
                filterShape: [3, 3, m, m],
              } as unknown as tf.NamedAttrMap) as tf.Tensor;
            }
            const e = existingAt.get(i);
            const kernel = param(i, 'kernel');
            if (e !== undefined) {
              result[e] = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x: input, dy: delta }, {
                strides: l.stride,
                pad: l.padding,
                dataFormat: 'NHWC',
                dimRoundingMode: undefined,
                filterShape: kernel.shape,
              } as unknown as tf.NamedAttrMap) as tf.Tensor;
            }
            if (needInput)
              g = tf.conv2dTranspose(
                delta as tf.Tensor4D,
                kernel as tf.Tensor4D,
                input.shape as [number, number, number, number],
                l.stride,
                l.padding,
              );
          } else if (needInput) {
            g = tf.matMul(delta, param(i, 'kernel'), false, true);
          }
          break;
        }
        case 'pool':
          if (needInput)
            g =
              l.kind === 'max'
                ? (tf.engine().runKernel(tf.MaxPoolGrad, { dy: g, input, output: outputs[i]! }, {
                    filterSize: l.size,
                    strides: l.stride,
                    pad: 'valid',
                    dimRoundingMode: undefined,
                  } as unknown as tf.NamedAttrMap) as tf.Tensor)
                : (tf.engine().runKernel(tf.AvgPoolGrad, { dy: g, input }, {
                    filterSize: l.size,
                    strides: l.stride,
                    pad: 'valid',
                  } as unknown as tf.NamedAttrMap) as tf.Tensor);
          break;
        case 'flatten':
          if (needInput) g = tf.reshape(g, input.shape);
          break;
        case 'dropout':
          break;
      }
    }
    return result;
  };
}
