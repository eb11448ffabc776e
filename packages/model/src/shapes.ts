/**
 * Shape inference for a layer list: the shape of one example (no batch axis) before and after every layer,
 * keyed by layer key. It is the check that a network's layers fit together before any tensor is built.
 * Pure (no TensorFlow.js): also exported as `@sprout/model/shapes` for callers that must not load tfjs.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Layer, Network } from '@sprout/spec';
import type { ModelError } from './ModelError.js';

/** The layer list of `network`: its hidden layers followed by the output dense layer (with bias). */
export function networkLayers(network: Network): readonly Layer[] {
  return [
    ...network.layers,
    { _tag: 'dense', units: network.output.units, activation: network.output.activation, bias: true },
  ];
}

export interface LayerShape {
  readonly input: readonly number[];
  readonly output: readonly number[];
}

/** The key of the layer at `path`: `3`, `2.body.0` (ALGORITHMS-independent naming; see Net.ts). */
export function layerKey(path: readonly number[]): string {
  return path.join('.body.');
}

/** Spatial output size of a window of `size` with `stride` over `n` positions (tfjs conventions). */
export function windowOutput(n: number, size: number, stride: number, padding: 'same' | 'valid'): number {
  return padding === 'same' ? Math.ceil(n / stride) : Math.floor((n - size) / stride) + 1;
}

/**
 * Every layer's input and output shape (without the batch axis) for `layers` applied to examples of shape
 * `input`, or the first layer that does not fit.
 */
export function inferShapes(
  input: readonly number[],
  layers: readonly Layer[],
): E.Either<ModelError, ReadonlyMap<string, LayerShape>> {
  const shapes = new Map<string, LayerShape>();
  const bad = (path: readonly number[], message: string): E.Either<ModelError, never> =>
    E.left({ _tag: 'invalid-network', path, message });
  if (input.length === 0 || input.some((d) => !Number.isInteger(d) || d < 1)) {
    return bad([], `input shape [${input.join(', ')}] must be positive integers`);
  }
  const walk = (
    shape: readonly number[],
    list: readonly Layer[],
    prefix: readonly number[],
  ): E.Either<ModelError, readonly number[]> => {
    let s = shape;
    for (let i = 0; i < list.length; i++) {
      const layer = list[i]!;
      const path = [...prefix, i];
      let out: readonly number[];
      switch (layer._tag) {
        case 'dense':
          if (s.length !== 1) return bad(path, `dense needs a flat input, got shape [${s.join(', ')}]; add flatten`);
          out = [layer.units];
          break;
        case 'conv': {
          if (s.length !== 3) return bad(path, `conv needs an input of shape [h, w, c], got [${s.join(', ')}]`);
          const [h, w] = s as [number, number, number];
          const oh = windowOutput(h, layer.kernel, layer.stride, layer.padding);
          const ow = windowOutput(w, layer.kernel, layer.stride, layer.padding);
          if (oh < 1 || ow < 1) return bad(path, `conv kernel ${layer.kernel} does not fit input ${h}×${w}`);
          out = [oh, ow, layer.filters];
          break;
        }
        case 'pool': {
          if (s.length !== 3) return bad(path, `pool needs an input of shape [h, w, c], got [${s.join(', ')}]`);
          const [h, w, c] = s as [number, number, number];
          const oh = windowOutput(h, layer.size, layer.stride, 'valid');
          const ow = windowOutput(w, layer.size, layer.stride, 'valid');
          if (oh < 1 || ow < 1) return bad(path, `pool size ${layer.size} does not fit input ${h}×${w}`);
          out = [oh, ow, c];
          break;
        }
        case 'flatten':
          out = [s.reduce((a, b) => a * b, 1)];
          break;
        case 'residual': {
          const body = walk(s, layer.body, path);
          if (E.isLeft(body)) return body;
          if (body.right.join() !== s.join()) {
            return bad(
              path,
              `residual body maps [${s.join(', ')}] to [${body.right.join(', ')}]; it must keep the shape`,
            );
          }
          out = s;
          break;
        }
        case 'dropout':
          if (!(layer.rate >= 0 && layer.rate < 1)) return bad(path, `dropout rate ${layer.rate} must be in [0, 1)`);
          out = s;
          break;
        case 'batchnorm':
          out = s;
          break;
      }
      shapes.set(layerKey(path), { input: s, output: out });
      s = out;
    }
    return E.right(s);
  };
  return E.map(() => shapes as ReadonlyMap<string, LayerShape>)(walk(input, layers, []));
}
