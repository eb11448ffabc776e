/**
 * Detection of a network's architecture and its candidate positions (ALGORITHMS.md §3, [code]):
 *   - feed-forward ReLU nets: after each hidden activation (no candidate before the first hidden layer);
 *   - tanh ResNets: before the first residual block and after each block;
 *   - conv+ReLU stacks: after each conv+ReLU (or conv + `batchnorm relu`), before pooling.
 * Positions are indexed 0..P−1 in data-flow order.
 * Loads no TensorFlow.js (also exported as `@sprout/growth/positions`, for `sprout check`).
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Layer } from '@sprout/spec';
import { inferShapes, layerKey } from '@sprout/model/shapes';
import type { Net } from '@sprout/model';
import type { Architecture, Position } from './Position.js';
import type { GrowthError } from './GrowthError.js';

/** A short description of a layer, as in `dense 5 relu`, `conv 8 3×3 relu`, `residual block`. */
export function describeLayer(layer: Layer): string {
  switch (layer._tag) {
    case 'dense':
      return `dense ${layer.units} ${layer.activation}`;
    case 'conv':
      return `conv ${layer.filters} ${layer.kernel}×${layer.kernel}${layer.stride === 1 ? '' : ` stride ${layer.stride}`} ${layer.activation}`;
    case 'pool':
      return `pool ${layer.kind} ${layer.size}`;
    case 'flatten':
      return 'flatten';
    case 'residual':
      return `residual block (${layer.body.map(describeLayer).join(', ')})`;
    case 'dropout':
      return `dropout ${layer.rate}`;
    case 'batchnorm':
      return layer.activation === undefined ? 'batchnorm' : `batchnorm ${layer.activation}`;
  }
}

const unsupported = (message: string): E.Either<GrowthError, never> =>
  E.left({ _tag: 'unsupported-architecture', message });

/**
 * The architecture of a layer list (the output dense layer last), or why growth cannot handle it:
 * any conv layer makes it `cnn` (residual blocks are then not supported); otherwise any residual block makes
 * it `resnet` (a non-empty stem of non-residual layers, then only residual blocks); otherwise `fnn`, whose
 * hidden dense layers must all be ReLU (the identity+ReLU virtual layer is exact only on h ≥ 0).
 */
export function detectArchitecture(layers: readonly Layer[]): E.Either<GrowthError, Architecture> {
  const hidden = layers.slice(0, -1);
  const last = layers[layers.length - 1];
  if (last === undefined || last._tag !== 'dense') {
    return unsupported('the last layer must be the output dense layer');
  }
  const hasConv = hidden.some((l) => l._tag === 'conv');
  const firstResidual = hidden.findIndex((l) => l._tag === 'residual');
  if (hasConv) {
    if (firstResidual >= 0)
      return unsupported('conv nets with residual blocks are not supported (conv+ReLU stacks only)');
    return E.right('cnn');
  }
  if (firstResidual >= 0) {
    if (firstResidual === 0) {
      return unsupported('a ResNet needs a stem (e.g. `dense 3 tanh`) before its first residual block');
    }
    const after = hidden.slice(firstResidual);
    const bad = after.findIndex((l) => l._tag !== 'residual');
    if (bad >= 0) {
      return unsupported(
        `layer ${firstResidual + bad} (${describeLayer(after[bad]!)}) follows a residual block: a ResNet is a stem, then only residual blocks`,
      );
    }
    const nonDense = hidden
      .slice(0, firstResidual)
      .findIndex((l) => l._tag !== 'dense' && l._tag !== 'dropout' && l._tag !== 'batchnorm');
    if (nonDense >= 0) return unsupported(`stem layer ${nonDense} (${describeLayer(hidden[nonDense]!)}) is not dense`);
    return E.right('resnet');
  }
  for (let i = 0; i < hidden.length; i++) {
    const l = hidden[i]!;
    if (l._tag === 'dense' && l.activation !== 'relu') {
      return unsupported(
        `hidden layer ${i} (${describeLayer(l)}) is not ReLU: the identity+ReLU virtual layer is exact only after ReLU; ` +
          'use a ResNet (stem + residual blocks) for tanh nets',
      );
    }
    if (l._tag !== 'dense' && l._tag !== 'dropout' && l._tag !== 'batchnorm') {
      return unsupported(`layer ${i} (${describeLayer(l)}) cannot appear in a feed-forward net`);
    }
  }
  return E.right('fnn');
}

/** The architecture and candidate positions of a network, in data-flow order. */
export interface Candidates {
  readonly architecture: Architecture;
  readonly positions: readonly Position[];
}

/** Candidate positions of `net` (see the module comment); `no-positions` when there is none. */
export function candidatePositions(net: Pick<Net, 'input' | 'layers'>): E.Either<GrowthError, Candidates> {
  const arch = detectArchitecture(net.layers);
  if (E.isLeft(arch)) return arch;
  const shapes = inferShapes(net.input, net.layers);
  if (E.isLeft(shapes)) return E.left({ _tag: 'invalid-network', message: shapes.left.message });
  const outShape = (i: number): readonly number[] => shapes.right.get(layerKey([i]))!.output;
  const hidden = net.layers.slice(0, -1);
  const found: Omit<Position, 'index'>[] = [];
  const after = (i: number, kind: Position['kind'], prefix = '') => {
    const inputShape = outShape(i);
    found.push({
      kind,
      at: i + 1,
      after: i,
      width: inputShape[inputShape.length - 1]!,
      inputShape,
      description: `${prefix}after layer ${i} (${describeLayer(net.layers[i]!)})`,
    });
  };
  switch (arch.right) {
    case 'fnn':
      hidden.forEach((l, i) => {
        if (l._tag === 'dense') after(i, 'dense');
      });
      break;
    case 'cnn':
      // After conv+ReLU, and after conv + `batchnorm relu` (the reference's conv + BN + ReLU, which an
      // insertion with `batchnorm` makes): both outputs are ≥ 0, where the virtual conv+ReLU is exact.
      hidden.forEach((l, i) => {
        if (l._tag === 'conv' && l.activation === 'relu') after(i, 'conv');
        else if (l._tag === 'batchnorm' && l.activation === 'relu' && hidden[i - 1]?._tag === 'conv') after(i, 'conv');
      });
      break;
    case 'resnet': {
      const first = hidden.findIndex((l) => l._tag === 'residual');
      after(first - 1, 'residual', 'before the first block, ');
      for (let i = first; i < hidden.length; i++) after(i, 'residual');
      // The virtual block follows the net's blocks: the activation of the first block's first body layer.
      const block = hidden[first];
      const body0 = block?._tag === 'residual' ? block.body[0] : undefined;
      const activation =
        body0 !== undefined && (body0._tag === 'dense' || body0._tag === 'conv') ? body0.activation : 'tanh';
      for (let k = 0; k < found.length; k++) found[k] = { ...found[k]!, activation };
      break;
    }
  }
  if (found.length === 0) {
    return E.left({
      _tag: 'no-positions',
      message: `this ${arch.right} has no candidate position (no hidden ReLU layer)`,
    });
  }
  return E.right({ architecture: arch.right, positions: found.map((p, index) => ({ ...p, index })) });
}
