/**
 * Named limits on spec values. A value beyond a limit is almost certainly a typo or a hostile file, and
 * would make the pipeline allocate absurd amounts of memory or run for ever; `check` reports it with the
 * code `out-of-range` and the limit in the message.
 */

/** Most units of a dense layer, filters of a conv layer, output units, and size of any input dimension. */
export const MAX_WIDTH = 100_000;
/** Most elements in one input example (product of `network.input`), e.g. 3000×3000 pixels ≈ 10⁷. */
export const MAX_INPUT_ELEMENTS = 10_000_000;
/** Most dimensions of `network.input` (vectors have 1, images 3). */
export const MAX_INPUT_RANK = 3;
/** Most layers in a network, counting the layers inside residual blocks. */
export const MAX_LAYERS = 1_000;
/** Deepest nesting of residual blocks. */
export const MAX_NESTING = 32;
/** Most training epochs. */
export const MAX_EPOCHS = 1_000_000;
/** Most independent repeats of an experiment. */
export const MAX_REPEAT = 1_000;
/** Largest conv kernel, pool size and stride (pixels along one side). */
export const MAX_KERNEL = 64;
/** Largest minibatch. */
export const MAX_BATCH = 1_000_000;
/** Most spiral points per class. */
export const MAX_POINTS = 1_000_000;
/** Most spiral turns. */
export const MAX_TURNS = 100;
/** Largest seed: seeds are unsigned 32-bit integers. */
export const MAX_SEED = 4_294_967_295;
/** Most compare arms. */
export const MAX_ARMS = 100;
/** Most layer insertions in a growth schedule (`at` epochs listed, or `every … max`). */
export const MAX_INSERTIONS = 1_000;
/** Most chunks K of the `split` variance estimator. */
export const MAX_CHUNKS = 1_024;
/** Armijo shrinks per step: 1,000 halvings take any step below the smallest float. */
export const MAX_BACKTRACKS = 1_000;
/** Updates between refactorisations of a dense data Gram. */
export const MAX_GRAM_REFRESH = 1_000_000;
/** Longest experiment or arm name, and longest file path. */
export const MAX_NAME_LENGTH = 1_000;
/** Most training/test examples taken from MNIST-like data (`trainLimit`, `testLimit`). */
export const MAX_EXAMPLES = 10_000_000;
/** Most trainable parameters of a network (10⁸ floats are 400 MB). */
export const MAX_PARAMETERS = 100_000_000;
/** Most points of a sweep (the product of its axes' lengths). */
export const MAX_SWEEP_POINTS = 10_000;
/** Most runs of one experiment: arms × sweep points × repeats. */
export const MAX_RUNS = 100_000;
