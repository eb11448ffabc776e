// Public API of @sprout/inner-product: the typeclass, the Float64 reference instance and the metric
// builders. The TensorFlow.js instance is the sub-path export `@sprout/inner-product/tfjs`.
export type { InnerProductSpace } from './InnerProductSpace.js';
export type { InnerProductError } from './InnerProductError.js';
export type { Mat } from './Mat.js';
export { mat, matFromRows, matToRows } from './Mat.js';
export type { GramMatrix } from './Gram.js';
export { gramMul, gramSolve, gramMulRight, gramSolveRight, gramMatrix } from './Gram.js';
export type { FrobeniusSpace } from './frobenius.js';
export { frobeniusSpace, biasSpace, perExampleNorms2, perExampleBiasNorms2 } from './frobenius.js';
export type { WeightShape, MomentStats, Side } from './from-metric.js';
export {
  frobeniusSpaceFor,
  gramFromSpec,
  secondMoment,
  updateMoment,
  validateGramSpec,
  EUCLIDEAN,
} from './from-metric.js';
export { transpose, matmul, cholesky, choleskySolve } from './linalg.js';
