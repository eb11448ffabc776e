/**
 * Optimizer state across an insertion (ALGORITHMS.md §3 "After insertion"): the reference rebuilds the
 * optimizer (`reset`, [code]); carrying state is [design] (`keep`: kept for the old weights, zero for the new).
 *
 * The state is a generic map: parameter name → slot name → tensor (momentum: `{ velocity }`; Adam:
 * `{ m, v }`, optionally a per-parameter step count). Names are translated with `paramNameMap`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Net } from '@sprout/model';

/** Optimizer-state policy after an insertion. */
export type OptimizerStatePolicy = 'reset' | 'keep';

/** Per-parameter optimizer state: parameter name → slot name → tensor. */
export type OptimizerState = ReadonlyMap<string, Readonly<Record<string, tf.Tensor>>>;

/**
 * The optimizer state for `grown`, from the state `state` kept for `old` (names as in `old`):
 *   - `reset`: an empty map (every parameter starts from fresh state, as a rebuilt optimizer);
 *   - `keep`: each old parameter's slots under its new name (`names`, e.g. `paramNameMap(old, grown)`), and
 *     zeros for each parameter of `grown` without state, with the slots of the existing entries: a slot
 *     shaped like its parameter gets the new parameter's shape, any other slot (e.g. a scalar step count)
 *     keeps its own shape.
 * Never disposes its input: kept slots are `tf.clone`s (which share the data), so the caller disposes the old
 * state as usual and owns every tensor of the result.
 */
export function transferOptimizerState(
  policy: OptimizerStatePolicy,
  state: OptimizerState,
  names: ReadonlyMap<string, string>,
  old: Net,
  grown: Net,
): Map<string, Record<string, tf.Tensor>> {
  const out = new Map<string, Record<string, tf.Tensor>>();
  if (policy === 'reset') return out;
  const oldShapes = new Map(old.params.map((p) => [p.name, p.variable.shape]));
  // Template slots: from any existing entry, marking which slots are parameter-shaped.
  let template: { slot: string; paramShaped: boolean; shape: readonly number[]; dtype: tf.DataType }[] | undefined;
  for (const [name, slots] of state) {
    const shape = oldShapes.get(name);
    if (shape === undefined) continue;
    template = Object.entries(slots).map(([slot, t]) => ({
      slot,
      paramShaped: t.shape.join() === shape.join(),
      shape: t.shape,
      dtype: t.dtype,
    }));
    break;
  }
  for (const [name, slots] of state) {
    const renamed = names.get(name);
    if (renamed === undefined) continue;
    const copy: Record<string, tf.Tensor> = {};
    for (const [slot, t] of Object.entries(slots)) copy[slot] = tf.clone(t);
    out.set(renamed, copy);
  }
  if (template === undefined) return out;
  for (const p of grown.params) {
    if (out.has(p.name)) continue;
    const fresh: Record<string, tf.Tensor> = {};
    for (const s of template) fresh[s.slot] = tf.zeros(s.paramShaped ? p.variable.shape : [...s.shape], s.dtype);
    out.set(p.name, fresh);
  }
  return out;
}
