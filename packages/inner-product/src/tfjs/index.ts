// Public API of @sprout/inner-product/tfjs: the TensorFlow.js instance (tfjs storage layout, see tf-frobenius.ts).
export type { TfGram } from './TfGram.js';
export { tfScalarGram, tfGramFromReference, disposeTfGram, leftMul, rightMul } from './TfGram.js';
export type { TfFrobeniusSpace } from './tf-frobenius.js';
export {
  tfFrobeniusSpace,
  tfBiasSpace,
  tfEuclideanSpace,
  tfPerExampleNorms2,
  tfPerExampleBiasNorms2,
} from './tf-frobenius.js';
export type { LayerMetric, LayerMetricOptions, LayerStatistics } from './LayerMetric.js';
export { layerMetricFor, layerShapeOf } from './LayerMetric.js';
export type { ConvGeometry } from './patches.js';
export { extractPatches } from './patches.js';
