/**
 * The pipeline's view of its sibling packages (model, data), in one place, so a change in their API touches
 * only this file. What needs Node (loading files, the backend and its threads) comes through the RunHost.
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
export {
  toTensors,
  batches,
  gatherBatch,
  disposeDatasetTensors,
  formatDataError,
  holdOutValidation,
  augmentImages,
  CIFAR10,
  mixSeeds,
} from '@sprout/data';
export type { DatasetTensors } from '@sprout/data';
