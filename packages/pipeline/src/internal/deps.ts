/**
 * The pipeline's view of its sibling packages (model, data, backend), in one place, so a change in
 * their API touches only this file.
 */
export { createNet, forward, parameterCount, disposeNet, toLayersModel } from './standins/model.js';
export { loadData } from './standins/data.js';
export type { Dataset, Split } from './standins/data.js';
