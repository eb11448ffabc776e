/**
 * Function-preserving insertion of virtual layers into a `Net` (ALGORITHMS.md §3).
 *
 * OWNERSHIP: the grown net SHARES the variables of the old net (no copy): both nets read the same weights,
 * so training the grown net changes what the old net computes. Only the inserted layers get new variables.
 * Dispose either the grown net with model's `disposeNet` (which frees the shared variables too, so the old
 * net is then dead as well) or only the inserted variables with `disposeAdded(grown, old)` (the old net stays
 * usable; this is how the sensitivity pass drops its extended net).
 *
 * NAMES: parameter names are `<layer key>.<role>` (model's Net.ts); inserting at top-level index `a` shifts
 * every layer from `a` on by one, so their names change. `paramNameMap(old, grown)` gives old → new names,
 * matched by variable identity.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import type { Net, Param, ParamRole } from '@sprout/model';
import { layerKey } from '@sprout/model';
import type { Position } from './Position.js';
import type { GrowthError } from './GrowthError.js';
import { candidatePositions } from './positions.js';
import { virtualLayer, type VirtualLayerOptions } from './virtual-layer.js';
import { insertConvBatchnorm, type BatchnormInit } from './batchnorm-block.js';

export interface InsertOptions extends VirtualLayerOptions {
  /**
   * Conv positions: insert conv + batch norm + ReLU (the CNN reference's `BN=True`), the norm started this way
   * (batchnorm-block.ts); absent: the plain virtual layer.
   */
  readonly batchnorm?: BatchnormInit;
}

/** The result of inserting several virtual layers at once. */
export interface Extended {
  readonly net: Net;
  /** For each inserted position (same order as given): the new name of its virtual weight (W, or W₂). */
  readonly weights: readonly string[];
  /** Names of every parameter created by the insertion (in the new net). */
  readonly added: readonly string[];
}

const shift = (p: Param, at: number, by: number): Param => {
  if (p.path[0]! < at) return p;
  const path = [p.path[0]! + by, ...p.path.slice(1)];
  return { ...p, path, name: `${layerKey(path)}.${p.role}` };
};

/**
 * Inserts the virtual layers of `positions` (positions of `net`, as from `candidatePositions`) all at once,
 * each at its identity/zero initialisation, trainable. The network function is unchanged. Variables of `net`
 * are shared (see the module comment).
 */
export function insertVirtualLayers(
  net: Net,
  positions: readonly Position[],
  options: VirtualLayerOptions = {},
): Extended {
  const sorted = [...positions].sort((a, b) => a.at - b.at);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.at === sorted[i - 1]!.at)
      throw new Error(`insertVirtualLayers: position ${sorted[i]!.index} given twice`);
  }
  const layers = [...net.layers];
  let params = [...net.params];
  let state = [...net.state];
  const weights = new Map<Position, string>();
  const added: string[] = [];
  // Insert from the back so the `at` indices of earlier positions stay valid; names of the new layers are
  // shifted along with the old ones by later (earlier-index) insertions, so record them by variable.
  const weightVars = new Map<Position, tf.Variable>();
  const addedVars: tf.Variable[] = [];
  for (const pos of [...sorted].reverse()) {
    if (pos.at < 0 || pos.at > layers.length - 1) {
      throw new Error(
        `insertVirtualLayers: position at ${pos.at} is outside the hidden layers; use candidatePositions`,
      );
    }
    const v = virtualLayer(pos, options);
    layers.splice(pos.at, 0, v.layer);
    params = params.map((p) => shift(p, pos.at, 1));
    state = state.map((p) => shift(p, pos.at, 1));
    const fresh: Param[] = v.params.map((spec) => {
      const rel = spec.suffix.split('.');
      const role = rel[rel.length - 1] as ParamRole;
      const path = rel.length === 1 ? [pos.at] : [pos.at, Number(rel[1])];
      const variable = tf.tidy(() => tf.variable(tf.tensor(spec.values, [...spec.shape], 'float32'), true));
      addedVars.push(variable);
      if (spec.suffix === v.weight) weightVars.set(pos, variable);
      return { name: `${layerKey(path)}.${role}`, path, role, variable };
    });
    // Keep the parameter list in data-flow order.
    const before = params.filter((p) => p.path[0]! < pos.at);
    const rest = params.filter((p) => p.path[0]! >= pos.at);
    params = [...before, ...fresh, ...rest];
  }
  const byVar = new Map(params.map((p) => [p.variable, p.name]));
  for (const pos of positions) weights.set(pos, byVar.get(weightVars.get(pos)!)!);
  const addedSet = new Set<tf.Variable>(addedVars);
  for (const p of params) if (addedSet.has(p.variable)) added.push(p.name);
  return {
    net: { input: net.input, layers, params, state },
    weights: positions.map((p) => weights.get(p)!),
    added,
  };
}

/**
 * The net with the virtual layer of candidate position `position` (0..P−1) inserted, at its
 * identity/zero initialisation and trainable (with `batchnorm`, conv + BN + ReLU: two layers); every existing
 * weight is kept (shared, see the module comment).
 */
export function insertLayer(net: Net, position: number, options: InsertOptions = {}): E.Either<GrowthError, Net> {
  return E.chain((c: { positions: readonly Position[] }) => {
    const pos = c.positions[position];
    if (pos === undefined || !Number.isInteger(position)) {
      return E.left<GrowthError, Net>({
        _tag: 'position-out-of-range',
        position,
        count: c.positions.length,
        message: `position ${position} does not exist; this net has positions 0..${c.positions.length - 1}`,
      });
    }
    if (options.batchnorm === undefined) return E.right(insertVirtualLayers(net, [pos], options).net);
    if (pos.kind !== 'conv')
      return E.left<GrowthError, Net>({
        _tag: 'unsupported-architecture',
        message: `position ${position} is a ${pos.kind} position; conv + batch norm goes only at conv positions`,
      });
    return E.right(insertConvBatchnorm(net, pos, options.batchnorm));
  })(candidatePositions(net));
}

/** Old → new parameter names (trainable and state) for a grown net that shares the old net's variables. */
export function paramNameMap(old: Net, grown: Net): ReadonlyMap<string, string> {
  const byVar = new Map<tf.Variable, string>();
  for (const p of [...grown.params, ...grown.state]) byVar.set(p.variable, p.name);
  const map = new Map<string, string>();
  for (const p of [...old.params, ...old.state]) {
    const name = byVar.get(p.variable);
    if (name !== undefined) map.set(p.name, name);
  }
  return map;
}

/** Parameters of `grown` that `old` does not have (by variable identity): the inserted layers' weights. */
export function addedParams(old: Net, grown: Net): readonly Param[] {
  const had = new Set([...old.params, ...old.state].map((p) => p.variable));
  return [...grown.params, ...grown.state].filter((p) => !had.has(p.variable));
}

/** Disposes the variables `grown` added to `old`; `old` stays usable. */
export function disposeAdded(grown: Net, old: Net): void {
  for (const p of addedParams(old, grown)) p.variable.dispose();
}
