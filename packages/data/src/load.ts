// @sprout/data/load: reading a spec's data section into typed arrays, without TensorFlow.js, for tools that
// look at the data before training (`sprout check`) and should not pay for loading a backend.
export type { Dataset } from './Dataset.js';
export { exampleSize } from './Dataset.js';
export type { DataError } from './DataError.js';
export { formatDataError, dataErrorToDiagnostic } from './DataError.js';
export type { LoadDataOptions } from './load-data.js';
export { loadData } from './load-data.js';
