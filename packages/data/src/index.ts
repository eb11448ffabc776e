// Public API of @sprout/data: datasets as typed arrays, seeded splits and batches, tensors on the backend.
export type { Dataset } from './Dataset.js';
export { exampleSize, trainCount, testCount, validationCount } from './Dataset.js';
export { holdOutValidation } from './validation.js';
export type { AugmentOptions } from './augment.js';
export { augmentImages } from './augment.js';
export type { DataError, DataErrorTag } from './DataError.js';
export { formatDataError, dataErrorToDiagnostic } from './DataError.js';
export type { DatasetTensors, LabelEncoding } from './DatasetTensors.js';
export type { IdxArray, IdxData, IdxDtype } from './IdxArray.js';
export { IDX_DTYPES } from './IdxArray.js';
export type { SpiralsOptions } from './spirals.js';
export { generateSpirals, spiralPoints } from './spirals.js';
export type { MnistLoadOptions } from './mnist.js';
export { loadMnist, loadFashionMnist, mnistDataDir, FASHION_MNIST_URL } from './mnist.js';
export type { Cifar10LoadOptions, Cifar10Images } from './cifar10.js';
export {
  CIFAR10,
  loadCifar10,
  parseCifar10,
  encodeCifar10,
  writeCifar10,
  syntheticCifar10,
  cifar10Features,
} from './cifar10.js';
export type { CsvReadOptions, CsvExamples } from './read-csv.js';
export { parseCsv, readCsv } from './read-csv.js';
export { parseIdx, readIdx, encodeIdx } from './read-idx.js';
export type { BatchesOptions } from './batches.js';
export { batches, stepsPerEpoch } from './batches.js';
export type { ToTensorsOptions } from './to-tensors.js';
export { toTensors, gatherBatch, disposeDatasetTensors } from './to-tensors.js';
export { gatherRows, isIdentity } from './gather-rows.js';
export { seedFor, uniformArray, mixSeeds } from './random.js';
export type { LoadDataOptions } from './load-data.js';
export { loadData } from './load-data.js';
export type { ReadFileProblem, ReadFileResult } from './read-regular-file.js';
export { readRegularFile, readRegularFileSync, describeReadFileProblem } from './read-regular-file.js';
// Building a Dataset from bytes one already has (a browser's dropped files): the steps loadData takes after reading.
export { splitExamples, type Examples } from './examples.js';
export { idxExamples } from './idx-examples.js';
