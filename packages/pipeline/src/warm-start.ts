/**
 * Warm starts (Node): the architecture and weights of a saved model — a run directory (its `model/`, the
 * base arm's first seed, grown layers included), a model folder, or a model.json in the TensorFlow.js layers
 * format — as the `network` a spec trains and the weights its runs start from (`RunOptions.initialWeights`).
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import * as E from 'fp-ts/lib/Either.js';
import type { Network } from '@sprout/spec';
import { disposeNet, fromLayersModel, getWeights, type WeightSnapshot } from '@sprout/model';
import { modelFiles } from './model-files.js';

export interface WarmStart {
  /** The model's architecture as a spec's network (its last dense layer is the output layer). */
  readonly network: Network;
  /** Every parameter and batch-norm statistic, by the names a net of `network` has. */
  readonly weights: readonly WeightSnapshot[];
  /** The model.json it came from (absolute). */
  readonly source: string;
}

/** The folder of model.json that `from` names: a run directory's model/, a model folder, or model.json itself. */
const modelFolder = (from: string): string | undefined => {
  const path = resolve(from);
  if (!existsSync(path)) return undefined;
  if (!statSync(path).isDirectory()) return basename(path) === 'model.json' ? dirname(path) : undefined;
  if (existsSync(join(path, 'model.json'))) return path;
  if (existsSync(join(path, 'model', 'model.json'))) return join(path, 'model');
  return undefined;
};

/** Load a warm start; the message says what is missing or does not fit Sprout. */
export const loadWarmStart = async (from: string): Promise<E.Either<string, WarmStart>> => {
  const folder = modelFolder(from);
  if (folder === undefined)
    return E.left(
      `${from} is neither a run directory with model/model.json, nor a model folder, nor a model.json file`,
    );
  let model: tfl.LayersModel;
  try {
    model = await tfl.loadLayersModel(modelFiles(folder));
  } catch (e) {
    return E.left(`cannot read the model in ${folder}: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    const net = fromLayersModel(model);
    if (E.isLeft(net)) return E.left(`the model in ${folder} is not a Sprout network: ${net.left.message}`);
    const layers = net.right.layers;
    const out = layers[layers.length - 1]!;
    const weights = getWeights(net.right);
    const network: Network = {
      input: [...net.right.input],
      layers: layers.slice(0, -1),
      output: {
        units: out._tag === 'dense' ? out.units : 0,
        activation: out._tag === 'dense' ? out.activation : 'linear',
      },
    };
    disposeNet(net.right);
    return E.right({ network, weights, source: join(folder, 'model.json') });
  } finally {
    model.dispose();
  }
};
