/**
 * The layers of a net that the closed-form back-propagation computes (loss-and-gradients.ts on
 * TensorFlow.js, host-net.ts on host arrays): dense layers with a smooth activation, residual blocks of
 * them and dropout (inactive), ending in a dense output layer, on a flat input. One reading of the net for
 * both, so that they accept the same nets.
 */
import type { Layer } from '@sprout/spec';
import type { Net, Param } from '../Net.js';
import { layerKey } from '../shapes.js';

/** The activations the closed form differentiates from the layer's output. */
export type SmoothActivation = 'relu' | 'tanh' | 'sigmoid' | 'linear';

const smooth = (a: string): a is SmoothActivation => a === 'relu' || a === 'tanh' || a === 'sigmoid' || a === 'linear';

/** A layer of the closed form; `index` is its position in its list of the net's layers. */
export type ClosedFormLayer =
  | {
      readonly _tag: 'dense';
      readonly index: number;
      readonly activation: SmoothActivation;
      readonly kernel: Param;
      readonly bias: Param | undefined;
    }
  | { readonly _tag: 'residual'; readonly index: number; readonly body: readonly ClosedFormLayer[] };

/**
 * The closed-form layers of `net`, or undefined when some layer needs the gradient tape. Dropout is an
 * identity unless `training` and its rate is positive (then undefined).
 */
export function closedFormLayers(net: Net, training: boolean): ClosedFormLayer[] | undefined {
  if (net.input.length !== 1) return undefined;
  const byName = new Map<string, Param>();
  for (const p of net.params) byName.set(p.name, p);
  const compile = (list: readonly Layer[], prefix: readonly number[]): ClosedFormLayer[] | undefined => {
    const out: ClosedFormLayer[] = [];
    for (let i = 0; i < list.length; i++) {
      const l = list[i]!;
      const path = [...prefix, i];
      switch (l._tag) {
        case 'dense': {
          if (!smooth(l.activation)) return undefined;
          const key = layerKey(path);
          const kernel = byName.get(`${key}.kernel`);
          const bias = l.bias ? byName.get(`${key}.bias`) : undefined;
          if (kernel === undefined || (l.bias && bias === undefined)) return undefined;
          out.push({ _tag: 'dense', index: i, activation: l.activation, kernel, bias });
          break;
        }
        case 'residual': {
          const body = compile(l.body, path);
          if (body === undefined) return undefined;
          out.push({ _tag: 'residual', index: i, body });
          break;
        }
        case 'dropout':
          if (training && l.rate > 0) return undefined;
          break;
        default:
          return undefined;
      }
    }
    return out;
  };
  const layers = compile(net.layers, []);
  return layers === undefined || layers.at(-1)?._tag !== 'dense' ? undefined : layers;
}
