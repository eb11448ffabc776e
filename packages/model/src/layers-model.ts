/**
 * Conversion between a `Net` and TensorFlow.js's layers format: `toLayersModel` for export (a functional
 * tfl.LayersModel with the same predictions; residual blocks through tfl.layers.add), `fromLayersModel` for a
 * user's own tfl.Sequential or functional model of dense, conv2d, pooling, flatten, activation, dropout, batch
 * normalisation and residual `add` layers.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as E from 'fp-ts/lib/Either.js';
import type { Activation, Layer } from '@sprout/spec';
import { ACTIVATIONS } from '@sprout/spec';
import type { Net } from './Net.js';
import type { ModelError } from './ModelError.js';
import { createNetFromLayers } from './create-net.js';
import { BATCHNORM } from './forward.js';
import { inferShapes, layerKey } from './shapes.js';

const layerName = (key: string, kind: string) => `${kind}_${key.replace(/\./g, '_')}`;

/**
 * A tfl.LayersModel computing the same function as `forward(net, x)` in inference mode (dropout off, batch
 * norm with its moving statistics). The weights are copied; later changes to `net` do not reach the model.
 */
export function toLayersModel(net: Net): tfl.LayersModel {
  const values = new Map<string, tf.Tensor>();
  for (const p of [...net.params, ...net.state]) values.set(p.name, p.variable);
  const weight = (key: string, role: string): tf.Tensor => {
    const t = values.get(`${key}.${role}`);
    if (t === undefined) throw new Error(`toLayersModel: the net has no parameter ${key}.${role}`);
    return t;
  };
  const input = tfl.input({ shape: [...net.input] });
  const build = (h: tfl.SymbolicTensor, list: readonly Layer[], prefix: readonly number[]): tfl.SymbolicTensor => {
    let out = h;
    list.forEach((l, i) => {
      const path = [...prefix, i];
      const key = layerKey(path);
      switch (l._tag) {
        case 'dense': {
          const layer = tfl.layers.dense({
            units: l.units,
            activation: l.activation,
            useBias: l.bias,
            name: layerName(key, 'dense'),
          });
          out = layer.apply(out) as tfl.SymbolicTensor;
          layer.setWeights(l.bias ? [weight(key, 'kernel'), weight(key, 'bias')] : [weight(key, 'kernel')]);
          break;
        }
        case 'conv': {
          const layer = tfl.layers.conv2d({
            filters: l.filters,
            kernelSize: l.kernel,
            strides: l.stride,
            padding: l.padding,
            activation: l.activation,
            name: layerName(key, 'conv2d'),
          });
          out = layer.apply(out) as tfl.SymbolicTensor;
          layer.setWeights([weight(key, 'kernel'), weight(key, 'bias')]);
          break;
        }
        case 'pool': {
          const config = {
            poolSize: l.size,
            strides: l.stride,
            padding: 'valid' as const,
            name: layerName(key, `${l.kind}pool`),
          };
          out = (l.kind === 'max' ? tfl.layers.maxPooling2d(config) : tfl.layers.averagePooling2d(config)).apply(
            out,
          ) as tfl.SymbolicTensor;
          break;
        }
        case 'flatten':
          out = tfl.layers.flatten({ name: layerName(key, 'flatten') }).apply(out) as tfl.SymbolicTensor;
          break;
        case 'residual': {
          const body = build(out, l.body, path);
          out = tfl.layers.add({ name: layerName(key, 'residual') }).apply([out, body]) as tfl.SymbolicTensor;
          break;
        }
        case 'dropout':
          out = tfl.layers.dropout({ rate: l.rate, name: layerName(key, 'dropout') }).apply(out) as tfl.SymbolicTensor;
          break;
        case 'batchnorm': {
          const layer = tfl.layers.batchNormalization({
            axis: -1,
            momentum: 1 - BATCHNORM.momentum,
            epsilon: BATCHNORM.epsilon,
            name: layerName(key, 'batchnorm'),
          });
          out = layer.apply(out) as tfl.SymbolicTensor;
          layer.setWeights([
            weight(key, 'gamma'),
            weight(key, 'beta'),
            weight(key, 'movingMean'),
            weight(key, 'movingVariance'),
          ]);
          // The layers format has no activation on BatchNormalization: a separate Activation layer follows.
          if (l.activation !== undefined && l.activation !== 'linear')
            out = tfl.layers
              .activation({ activation: l.activation, name: layerName(key, 'batchnorm_activation') })
              .apply(out) as tfl.SymbolicTensor;
          break;
        }
      }
    });
    return out;
  };
  return tfl.model({ inputs: input, outputs: build(input, net.layers, []) });
}

/** A layer read from the user's model, with the weights to copy (tfjs order) and where it came from. */
interface Read {
  readonly layer: Layer | { readonly _tag: 'activation'; readonly activation: Activation };
  readonly weights: readonly tf.Tensor[];
  readonly index: number;
  readonly className: string;
  readonly body?: readonly Read[];
}

type Config = Record<string, unknown>;

const isActivation = (a: unknown): a is Activation =>
  typeof a === 'string' && (ACTIVATIONS as readonly string[]).includes(a);
const square = (v: unknown): number | undefined => {
  const xs = Array.isArray(v) ? (v as number[]) : [v as number];
  return xs.every((x) => x === xs[0]) && typeof xs[0] === 'number' ? xs[0] : undefined;
};

function readLayer(layer: tfl.layers.Layer, index: number): E.Either<ModelError, Read> {
  const className = layer.getClassName();
  const config = layer.getConfig() as Config;
  const bad = (message: string): E.Either<ModelError, never> =>
    E.left({
      _tag: 'unsupported-layer',
      index,
      className,
      message: `layer ${index} (${className} '${layer.name}'): ${message}`,
    });
  const activation = config['activation'] ?? 'linear';
  const weights = layer.getWeights();
  const read = (l: Read['layer'], w: readonly tf.Tensor[] = weights) =>
    E.right({ layer: l, weights: w, index, className });
  switch (className) {
    case 'Dense':
      if (!isActivation(activation))
        return bad(`activation '${String(activation)}' is not one of ${ACTIVATIONS.join(', ')}`);
      return read({ _tag: 'dense', units: config['units'] as number, activation, bias: config['useBias'] !== false });
    case 'Conv2D': {
      if (!isActivation(activation))
        return bad(`activation '${String(activation)}' is not one of ${ACTIVATIONS.join(', ')}`);
      const kernel = square(config['kernelSize']);
      const stride = square(config['strides']);
      if (kernel === undefined) return bad('only square kernels are supported');
      if (stride === undefined) return bad('only equal strides are supported');
      if (square(config['dilationRate'] ?? 1) !== 1) return bad('dilated convolutions are not supported');
      if ((config['dataFormat'] ?? 'channelsLast') !== 'channelsLast') return bad('only channelsLast is supported');
      const padding = config['padding'];
      if (padding !== 'same' && padding !== 'valid') return bad(`padding '${String(padding)}' is not supported`);
      const filters = config['filters'] as number;
      // Sprout's conv always has a bias: a missing one is a zero bias (one tensor, disposed after copying).
      const w = config['useBias'] === false ? [weights[0]!, tf.keep(tf.zeros([filters]))] : weights;
      return read({ _tag: 'conv', filters, kernel, stride, padding, activation }, w);
    }
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      const size = square(config['poolSize']);
      const stride = square(config['strides'] ?? config['poolSize']);
      if (size === undefined || stride === undefined) return bad('only square pools with equal strides are supported');
      if (config['padding'] !== 'valid') return bad("only 'valid' pooling is supported");
      return read({ _tag: 'pool', kind: className === 'MaxPooling2D' ? 'max' : 'avg', size, stride });
    }
    case 'Flatten':
      return read({ _tag: 'flatten' });
    case 'Dropout':
      return read({ _tag: 'dropout', rate: config['rate'] as number });
    case 'Activation':
      if (!isActivation(activation))
        return bad(`activation '${String(activation)}' is not one of ${ACTIVATIONS.join(', ')}`);
      return read({ _tag: 'activation', activation });
    case 'BatchNormalization': {
      const eps = config['epsilon'] as number;
      if (config['center'] === false || config['scale'] === false)
        return bad('batch normalisation needs center and scale');
      const axis = config['axis'];
      const rank = (layer.input as tfl.SymbolicTensor).shape.length;
      if (axis !== -1 && axis !== rank - 1) return bad('only the last (channel) axis can be normalised');
      if (Math.abs(eps - BATCHNORM.epsilon) > 1e-12) {
        return bad(
          `epsilon ${eps} differs from Sprout's ${BATCHNORM.epsilon}; build the layer with epsilon: ${BATCHNORM.epsilon}`,
        );
      }
      return read({ _tag: 'batchnorm' });
    }
    default:
      return bad(
        'Sprout supports Dense, Conv2D, MaxPooling2D, AveragePooling2D, Flatten, Activation, Dropout, BatchNormalization and residual Add',
      );
  }
}

/**
 * The layers from `stop` (exclusive) to `t` (inclusive), following single-input layers backwards; an `Add` of
 * two tensors of which one derives from the other is a residual block.
 */
function chain(
  model: tfl.LayersModel,
  t: tfl.SymbolicTensor,
  stop: tfl.SymbolicTensor | undefined,
): E.Either<ModelError, Read[]> {
  if (t === stop) return E.right([]);
  const layer = t.sourceLayer;
  const index = model.layers.indexOf(layer);
  const className = layer.getClassName();
  const unsupported = (message: string): E.Either<ModelError, never> =>
    E.left({
      _tag: 'unsupported-layer',
      index,
      className,
      message: `layer ${index} (${className} '${layer.name}'): ${message}`,
    });
  if (className === 'InputLayer')
    return stop === undefined ? E.right([]) : unsupported('a residual branch does not start from its block input');
  const inputs = t.inputs;
  if (className === 'Add') {
    if (inputs.length !== 2) return unsupported('only two-input Add layers (x + f(x)) are supported');
    for (const [x, fx] of [
      [inputs[0]!, inputs[1]!],
      [inputs[1]!, inputs[0]!],
    ] as const) {
      const body = chain(model, fx, x);
      if (E.isRight(body)) {
        return E.map((base: Read[]) => [
          ...base,
          { layer: { _tag: 'residual', body: [] } as Layer, weights: [], index, className, body: body.right },
        ])(chain(model, x, stop));
      }
    }
    return unsupported('an Add must combine a tensor x with f(x) computed from it');
  }
  if (inputs.length !== 1) return unsupported('layers with several inputs are not supported');
  const base = chain(model, inputs[0]!, stop);
  if (E.isLeft(base)) return base;
  return E.map((r: Read) => [...base.right, r])(readLayer(layer, index));
}

/** Folds standalone activations into the preceding dense, conv or batch-norm layer without an activation. */
function fold(reads: readonly Read[]): E.Either<ModelError, { layers: Layer[]; weights: (readonly tf.Tensor[])[] }> {
  const layers: Layer[] = [];
  const weights: (readonly tf.Tensor[])[] = [];
  for (const r of reads) {
    if (r.layer._tag === 'activation') {
      const prev = layers[layers.length - 1];
      if (r.layer.activation === 'linear') continue;
      if (prev?._tag === 'batchnorm' && (prev.activation === undefined || prev.activation === 'linear')) {
        layers[layers.length - 1] = { _tag: 'batchnorm', activation: r.layer.activation };
        continue;
      }
      if (prev === undefined || (prev._tag !== 'dense' && prev._tag !== 'conv') || prev.activation !== 'linear') {
        return E.left({
          _tag: 'unsupported-layer',
          index: r.index,
          className: r.className,
          message: `layer ${r.index} (Activation): Sprout applies activations inside dense, conv and batch-norm layers; this one does not follow one without activation`,
        });
      }
      layers[layers.length - 1] = { ...prev, activation: r.layer.activation };
      continue;
    }
    if (r.layer._tag === 'residual') {
      const body = fold(r.body ?? []);
      if (E.isLeft(body)) return body;
      layers.push({ _tag: 'residual', body: body.right.layers });
      weights.push(...body.right.weights);
      continue;
    }
    layers.push(r.layer);
    weights.push(r.weights);
  }
  return E.right({ layers, weights });
}

/**
 * A `Net` with the architecture and weights of a user's tfl.Sequential or functional model (one input, one
 * output). Its last layer must be a dense layer (Sprout's output layer). Layers Sprout cannot represent are
 * an `unsupported-layer` error naming the layer.
 */
export function fromLayersModel(model: tfl.LayersModel): E.Either<ModelError, Net> {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    return E.left({
      _tag: 'unsupported-layer',
      index: -1,
      className: model.getClassName(),
      message: 'the model must have one input and one output',
    });
  }
  const input = model.inputs[0]!.shape.slice(1) as number[];
  const reads = chain(model, model.outputs[0]!, undefined);
  if (E.isLeft(reads)) return reads;
  const folded = fold(reads.right);
  if (E.isLeft(folded)) return folded;
  const { layers, weights } = folded.right;
  const last = layers[layers.length - 1];
  if (last === undefined || last._tag !== 'dense') {
    return E.left({
      _tag: 'unsupported-layer',
      index: model.layers.length - 1,
      className: model.layers[model.layers.length - 1]?.getClassName() ?? 'none',
      message: 'the last layer must be a dense layer (Sprout’s output layer)',
    });
  }
  const shapes = inferShapes(input, layers);
  if (E.isLeft(shapes)) return shapes;
  const net = createNetFromLayers(input, layers, { seed: 0 });
  // Parameters are created in layer order with the tfjs weight order of each layer: kernel, bias /
  // gamma, beta (params) and moving mean, moving variance (state).
  const flat = weights.flat();
  const targets = [...net.params, ...net.state].sort((a, b) => {
    const order = (p: typeof a) => [...net.params, ...net.state].indexOf(p);
    return layerOrder(a.path, b.path) || order(a) - order(b);
  });
  if (flat.length !== targets.length) {
    return E.left({
      _tag: 'weights-mismatch',
      message: `the model has ${flat.length} weight tensors, the net ${targets.length}`,
    });
  }
  for (let i = 0; i < targets.length; i++) {
    const p = targets[i]!;
    const w = flat[i]!;
    if (w.shape.join() !== p.variable.shape.join()) {
      return E.left({
        _tag: 'weights-mismatch',
        message: `${p.name}: model weight [${w.shape.join(', ')}], net [${p.variable.shape.join(', ')}]`,
      });
    }
    p.variable.assign(w);
  }
  // Dispose what readLayer created (zero biases); the model's own weights stay with the model.
  const own = new Set(model.weights.map((w) => w.read()));
  for (const w of flat) if (!own.has(w)) w.dispose();
  return E.right(net);
}

/** Depth-first order of layer paths ([2] < [2, 0] < [2, 1] < [3]). */
function layerOrder(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
