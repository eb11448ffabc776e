// Public API of @sprout/model.
export type { Net, Param, ParamRole, Taps } from './Net.js';
export type { ModelError } from './ModelError.js';
export type { LayerShape } from './shapes.js';
export { inferShapes, layerKey, networkLayers, windowOutput } from './shapes.js';
export type { CreateNetOptions } from './create-net.js';
export { createNet, createNetFromLayers } from './create-net.js';
export type { ForwardOptions } from './forward.js';
export { forward, activate, BATCHNORM } from './forward.js';
export type { WeightSnapshot } from './weights.js';
export { parameterCount, disposeNet, cloneNet, getWeights, setWeights } from './weights.js';
export { toLayersModel, fromLayersModel } from './layers-model.js';
export { batchLoss } from './loss.js';
export type { GradientPath, LossAndGradients, LossAndGradientsOptions } from './loss-and-gradients.js';
export { gradientPath, lossAndGradients } from './loss-and-gradients.js';
export type { HostActivation, HostGradientOptions, HostLayer, HostNet, HostNetOptions, HostTrace } from './host-net.js';
export {
  HOST_LOOPS_MAX_MULTIPLY_ADDS,
  hostMatMul,
  hostMultiplyAdds,
  hostNetPays,
  toHostNet,
  writeHostNet,
  hostLossAndGradients,
  hostSgdUpdate,
  hostEvaluate,
} from './host-net.js';
