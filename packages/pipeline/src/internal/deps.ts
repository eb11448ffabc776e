/**
 * The pipeline's view of its sibling packages (model, data, backend), in one place, so a change in
 * their API touches only this file.
 */
export {
  createNet,
  createNetFromLayers,
  forward,
  parameterCount,
  disposeNet,
  setWeights,
  toLayersModel,
} from '@sprout/model';
export { loadData, toTensors, batches, gatherBatch, disposeDatasetTensors, formatDataError } from '@sprout/data';
export type { DatasetTensors, DataError } from '@sprout/data';
export { initBackend, setComputeThreads, computeThreads } from '@sprout/backend';
