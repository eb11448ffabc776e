/**
 * Shape inference: the shape of one example after each layer, `[features]` or `[height, width, channels]`,
 * and the trainable parameters it adds. Conv output sizes follow TensorFlow.js: `same` padding gives
 * ⌈n/s⌉, `valid` gives ⌊(n − k)/s⌋ + 1; pooling is `valid`. An `undefined` shape is unknown (an earlier
 * error), and stops further shape diagnostics so one mistake is reported once.
 */
import type { Diagnostic, SpecPath } from '../Diagnostic.js';
import { MAX_NESTING } from '../limits.js';
import type { Layer } from '../Spec.js';
import { error } from './diagnostic.js';

export type Shape = readonly number[];

export interface Flow {
  /** Shape after the layers so far; `undefined` when unknown. */
  readonly shape: Shape | undefined;
  /** Whether the current vector shape comes from a `flatten` (for the message of a conv after it). */
  readonly flattened: boolean;
  readonly parameters: number;
  readonly diagnostics: readonly Diagnostic[];
}

const isSize = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 1;

export const showShape = (s: Shape): string => `[${s.join(', ')}]`;

const windowed = (n: number, k: number, s: number, padding: 'same' | 'valid'): number =>
  padding === 'same' ? Math.ceil(n / s) : Math.floor((n - k) / s) + 1;

const unknown = (flow: Flow, diagnostics: readonly Diagnostic[] = []): Flow => ({
  ...flow,
  shape: undefined,
  diagnostics: [...flow.diagnostics, ...diagnostics],
});

/** The flow after one layer at `path`. */
export const step = (flow: Flow, layer: Layer, path: SpecPath, depth = 0): Flow => {
  const shape = flow.shape;
  if (shape === undefined) return flow;
  const next = (s: Shape, parameters = 0): Flow => ({
    ...flow,
    shape: s,
    flattened: false,
    parameters: flow.parameters + parameters,
  });
  switch (layer._tag) {
    case 'dense': {
      if (shape.length !== 1)
        return unknown(flow, [
          error(
            'dense-needs-flatten',
            `a dense layer needs a vector input, got an image ${showShape(shape)}; add 'flatten' before it`,
            path,
            {
              expected: 'a vector [n]',
              actual: showShape(shape),
            },
          ),
        ]);
      if (!isSize(layer.units)) return unknown(flow);
      return next([layer.units], shape[0]! * layer.units + (layer.bias === false ? 0 : layer.units));
    }
    case 'conv':
    case 'pool': {
      const what = layer._tag === 'conv' ? 'conv' : 'pool';
      if (shape.length !== 3) {
        const code = flow.flattened ? `${what}-after-flatten` : `${what}-on-vector`;
        const why = flow.flattened
          ? 'after flatten the data is a vector'
          : `the input here is a vector ${showShape(shape)}`;
        return unknown(flow, [
          error(code, `a ${what} layer needs an image [height, width, channels], but ${why}`, path, {
            expected: 'an image [height, width, channels]',
            actual: showShape(shape),
          }),
        ]);
      }
      const k = layer._tag === 'conv' ? layer.kernel : layer.size;
      const padding = layer._tag === 'conv' ? layer.padding : 'valid';
      if (!isSize(k) || !isSize(layer.stride) || (padding !== 'same' && padding !== 'valid')) return unknown(flow);
      const [h, w, c] = shape as [number, number, number];
      const out: [number, number] = [windowed(h, k, layer.stride, padding), windowed(w, k, layer.stride, padding)];
      if (out[0] < 1 || out[1] < 1)
        return unknown(flow, [
          error(
            'spatial-size-too-small',
            `a ${k}×${k} ${what} window with stride ${layer.stride} and ${padding} padding does not fit the ${h}×${w} input`,
            path,
            { expected: `height and width ≥ ${k}`, actual: showShape(shape) },
          ),
        ]);
      if (layer._tag === 'pool') return next([out[0], out[1], c]);
      if (!isSize(layer.filters)) return unknown(flow);
      return next([out[0], out[1], layer.filters], k * k * c * layer.filters + layer.filters);
    }
    case 'flatten':
      return { ...flow, shape: [shape.reduce((a, b) => a * b, 1)], flattened: true };
    case 'dropout':
      return flow;
    case 'batchnorm':
      return { ...flow, parameters: flow.parameters + 2 * shape[shape.length - 1]! };
    case 'residual': {
      if (depth >= MAX_NESTING || !Array.isArray(layer.body)) return unknown(flow);
      const inner = flowThrough(
        { shape, flattened: flow.flattened, parameters: 0, diagnostics: [] },
        layer.body,
        [...path, 'body'],
        depth + 1,
      );
      const diagnostics = [...flow.diagnostics, ...inner.diagnostics];
      if (inner.shape === undefined) return { ...flow, shape: undefined, diagnostics };
      if (inner.shape.length !== shape.length || inner.shape.some((d, i) => d !== shape[i]))
        return {
          ...flow,
          shape: undefined,
          diagnostics: [
            ...diagnostics,
            error(
              'residual-shape-mismatch',
              `a residual block x + f(x) needs f to keep the shape of x, but its body maps ${showShape(shape)} to ${showShape(inner.shape)}`,
              path,
              { expected: showShape(shape), actual: showShape(inner.shape) },
            ),
          ],
        };
      return { ...flow, parameters: flow.parameters + inner.parameters, diagnostics };
    }
    default:
      return unknown(flow);
  }
};

/** The flow after `layers`, each at `[...path, i]`. */
export const flowThrough = (flow: Flow, layers: readonly Layer[], path: SpecPath, depth = 0): Flow =>
  layers.reduce((f, layer, i) => step(f, layer, [...path, i], depth), flow);
