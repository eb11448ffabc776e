/**
 * A network's parameters as plain numbers: counts, snapshots (checkpoints, "same initial weights" across
 * comparison arms), copies and disposal of the variables.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import type { Net, Param } from './Net.js';
import type { ModelError } from './ModelError.js';

/** One variable's values, detached from TensorFlow.js. */
export interface WeightSnapshot {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/** Number of trainable scalars (kernels, biases, γ, β; not the batch-norm moving statistics). */
export function parameterCount(net: Net): number {
  return net.params.reduce((n, p) => n + p.variable.size, 0);
}

/** Disposes every variable of `net`; the net must not be used afterwards. */
export function disposeNet(net: Net): void {
  for (const p of [...net.params, ...net.state]) p.variable.dispose();
}

/** A copy of `net` with its own variables (same names, layers and values). */
export function cloneNet(net: Net): Net {
  const copy = (p: Param): Param => ({ ...p, variable: tf.variable(p.variable, p.variable.trainable) });
  return { input: net.input, layers: net.layers, params: net.params.map(copy), state: net.state.map(copy) };
}

/** Snapshots of every parameter and state variable, in `params` then `state` order. */
export function getWeights(net: Net): WeightSnapshot[] {
  return [...net.params, ...net.state].map((p) => ({
    name: p.name,
    shape: [...p.variable.shape],
    values: Float32Array.from(p.variable.dataSync() as Float32Array),
  }));
}

/**
 * Assigns snapshot values to the variables of the same name. Every variable of `net` must be present with
 * its shape; extra snapshot entries are an error too (they indicate a different architecture).
 */
export function setWeights(net: Net, weights: readonly WeightSnapshot[]): E.Either<ModelError, void> {
  const byName = new Map(weights.map((w) => [w.name, w]));
  const all = [...net.params, ...net.state];
  const problems: string[] = [];
  for (const p of all) {
    const w = byName.get(p.name);
    if (w === undefined) problems.push(`${p.name} is missing`);
    else if (w.shape.join() !== p.variable.shape.join()) {
      problems.push(`${p.name} has shape [${w.shape.join(', ')}], the net needs [${p.variable.shape.join(', ')}]`);
    } else if (w.values.length !== p.variable.size)
      problems.push(`${p.name} has ${w.values.length} values, needs ${p.variable.size}`);
  }
  const names = new Set(all.map((p) => p.name));
  for (const w of weights) if (!names.has(w.name)) problems.push(`${w.name} is not a variable of this net`);
  if (problems.length > 0) return E.left({ _tag: 'weights-mismatch', message: problems.join('; ') });
  for (const p of all) {
    const w = byName.get(p.name)!;
    tf.tidy(() => p.variable.assign(tf.tensor(w.values, [...w.shape], 'float32')));
  }
  return E.right(undefined);
}
