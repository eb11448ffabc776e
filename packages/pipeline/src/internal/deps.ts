/**
 * The pipeline's view of its sibling packages (model, data, backend), in one place, so a change in
 * their API touches only this file. `toLayersModel` is a local stand-in until @sprout/model exports one.
 */
import type { Net } from '@sprout/model';

export { createNet, forward } from '@sprout/model';
export { toLayersModel } from './standins/model.js';
export { loadData, toTensors, batches, gatherBatch, disposeDatasetTensors, formatDataError } from '@sprout/data';
export type { DatasetTensors, DataError } from '@sprout/data';
export { initBackend } from '@sprout/backend';

/** Number of trainable numbers in the net. */
export const parameterCount = (net: Net): number => net.params.reduce((s, p) => s + p.variable.size, 0);

/** Free every variable of the net (parameters and state). */
export const disposeNet = (net: Net): void => {
  for (const p of [...net.params, ...net.state]) p.variable.dispose();
};
