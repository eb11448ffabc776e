// Public API of @sprout/growth: candidate positions, virtual layers, function-preserving insertion,
// optimizer-state transfer and the step size after an insertion (ALGORITHMS.md §3).
export type { Architecture, Position, VirtualKind, VirtualLayer } from './Position.js';
export type { GrowthError } from './GrowthError.js';
export type { Candidates } from './positions.js';
export { candidatePositions, detectArchitecture, describeLayer } from './positions.js';
export type { VirtualLayerOptions, ResidualInit } from './virtual-layer.js';
export { virtualLayer } from './virtual-layer.js';
export type { Extended, InsertOptions } from './insert.js';
export { insertLayer, insertVirtualLayers, paramNameMap, addedParams, disposeAdded } from './insert.js';
export type { BatchnormInit } from './batchnorm-block.js';
export { insertConvBatchnorm, activationMoments } from './batchnorm-block.js';
export type { OptimizerState, OptimizerStatePolicy } from './optimizer-state.js';
export { transferOptimizerState } from './optimizer-state.js';
export { stepAfterInsertion } from './step-size.js';
