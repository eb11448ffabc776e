// @sprout/pipeline/support: what the pipeline can run today, without loading TensorFlow.js, so that
// `sprout check` reports a feature that is not implemented yet exactly as `sprout run` would.
export { unsupported } from './internal/support.js';
