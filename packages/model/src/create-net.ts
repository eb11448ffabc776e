/**
 * Seeded construction of a network's parameters.
 *
 * Initialisation follows PyTorch's defaults, as the SensLI reference code (PyTorch) uses them:
 * `nn.Linear` and `nn.Conv2d` draw kernel and bias from U(−1/√fan_in, 1/√fan_in) (kaiming_uniform with
 * a = √5 gives exactly this bound for the kernel), with fan_in = in for dense and kh·kw·in for conv;
 * `nn.BatchNorm2d` starts at γ = 1, β = 0, moving mean 0, moving variance 1. The numbers come from Sprout's
 * own generator (@sprout/data's `seedFor(runSeed, param name)` then sfc32), so they are identical on every run and backend
 * but are not PyTorch's numbers.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import type { Layer, Network } from '@sprout/spec';
import type { Net, Param, ParamRole } from './Net.js';
import { inferShapes, layerKey, networkLayers } from './shapes.js';
import { seedFor, uniformArray } from '@sprout/data';

export interface CreateNetOptions {
  /** The run seed; every parameter's numbers derive from it and the parameter's name. */
  readonly seed: number;
}

/**
 * A network with freshly initialised parameters (see the module comment). Throws when the layers do not fit
 * together: the spec checker rejects such networks first; use `inferShapes` to get the error as a value.
 */
export function createNet(network: Network, options: CreateNetOptions): Net {
  return createNetFromLayers(network.input, networkLayers(network), options);
}

/** Like `createNet`, for a complete layer list whose last layer is the output layer. */
export function createNetFromLayers(
  input: readonly number[],
  layers: readonly Layer[],
  options: CreateNetOptions,
): Net {
  const shapes = inferShapes(input, layers);
  if (E.isLeft(shapes)) {
    throw new Error(
      `createNet: layer [${shapes.left._tag === 'invalid-network' ? shapes.left.path.join(', ') : ''}]: ${
        shapes.left.message
      } (check the network with inferShapes first)`,
    );
  }
  const params: Param[] = [];
  const state: Param[] = [];
  const make = (
    path: readonly number[],
    role: ParamRole,
    shape: number[],
    values: Float32Array,
    trainable: boolean,
  ) => {
    const name = `${layerKey(path)}.${role}`;
    const initial = tf.tensor(values, shape, 'float32');
    const variable = tf.variable(initial, trainable);
    initial.dispose();
    (trainable ? params : state).push({ name, path, role, variable });
  };
  const uniform = (path: readonly number[], role: ParamRole, shape: number[], fanIn: number) => {
    const bound = 1 / Math.sqrt(fanIn);
    const n = shape.reduce((a, b) => a * b, 1);
    const values = uniformArray(seedFor(options.seed, `${layerKey(path)}.${role}`), n, -bound, bound);
    make(path, role, shape, values, true);
  };
  const walk = (list: readonly Layer[], prefix: readonly number[]) => {
    list.forEach((layer, i) => {
      const path = [...prefix, i];
      const shape = shapes.right.get(layerKey(path))!;
      switch (layer._tag) {
        case 'dense': {
          const fanIn = shape.input[0]!;
          uniform(path, 'kernel', [fanIn, layer.units], fanIn);
          if (layer.bias) uniform(path, 'bias', [layer.units], fanIn);
          break;
        }
        case 'conv': {
          const cin = shape.input[2]!;
          const fanIn = layer.kernel * layer.kernel * cin;
          uniform(path, 'kernel', [layer.kernel, layer.kernel, cin, layer.filters], fanIn);
          uniform(path, 'bias', [layer.filters], fanIn);
          break;
        }
        case 'batchnorm': {
          const c = shape.input[shape.input.length - 1]!;
          make(path, 'gamma', [c], new Float32Array(c).fill(1), true);
          make(path, 'beta', [c], new Float32Array(c), true);
          make(path, 'movingMean', [c], new Float32Array(c), false);
          make(path, 'movingVariance', [c], new Float32Array(c).fill(1), false);
          break;
        }
        case 'residual':
          walk(layer.body, path);
          break;
        case 'pool':
        case 'flatten':
        case 'dropout':
          break;
      }
    });
  };
  walk(layers, []);
  return { input: [...input], layers, params, state };
}
