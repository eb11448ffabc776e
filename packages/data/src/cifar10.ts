/**
 * CIFAR-10 in its standard binary distribution (https://www.cs.toronto.edu/~kriz/cifar.html, "CIFAR-10
 * binary version"): the folder `cifar-10-batches-bin/` holds `data_batch_1.bin` … `data_batch_5.bin`
 * (10 000 training images each) and `test_batch.bin` (10 000 test images). Each record is 3 073 bytes:
 * one label byte 0..9, then 1 024 red, 1 024 green and 1 024 blue bytes of a 32×32 image, row-major
 * (channel-major, "CHW"). Sprout's examples are channel-last `[32, 32, 3]` ("HWC"), so records are
 * transposed on reading and on writing.
 *
 * No npm package ships the images, so tests and benchmarks write files of this format themselves with
 * `writeCifar10` (from `syntheticCifar10` images or their own).
 */
import { access, mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { Dataset } from './Dataset.js';
import type { DataError } from './DataError.js';
import { readBytes } from './read-idx.js';

/** Side, channels and bytes of one CIFAR-10 image; bytes of one record (label + image). */
export const CIFAR10 = {
  side: 32,
  channels: 3,
  imageBytes: 3072,
  recordBytes: 3073,
  classes: 10,
  trainFiles: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'],
  testFile: 'test_batch.bin',
  /** Where to get the data (the "CIFAR-10 binary version" link of the dataset's page). */
  url: 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz',
  /**
   * Per-channel mean and standard deviation of the training images (pixels in [0, 1]), the values the
   * SensLI reference normalises with (sensitivity-based-LI-for-cnns/code/data_preparation.py, prep_cifar10).
   */
  mean: [0.4914, 0.4822, 0.4465],
  std: [0.2023, 0.1994, 0.201],
} as const;

export interface Cifar10LoadOptions {
  /** Use only the first `trainLimit` training images (files read in order 1..5). @default all 50 000 */
  readonly trainLimit?: number;
  /** Use only the first `testLimit` test images. @default all 10 000 */
  readonly testLimit?: number;
  /**
   * Normalise each channel with the reference's mean and std (`(p/255 − mean_c) / std_c`); otherwise pixels
   * are p/255 in [0, 1]. @default true
   */
  readonly normalize?: boolean;
}

/** Images in Sprout's layout: `count × 32 × 32 × 3` bytes (HWC), and their labels 0..9. */
export interface Cifar10Images {
  readonly pixels: Uint8Array;
  readonly labels: Uint8Array;
}

const exists = (p: string): Promise<boolean> =>
  access(p).then(
    () => true,
    () => false,
  );

const unavailable = (dir: string, reason: string): DataError => ({
  _tag: 'DatasetUnavailable',
  dataset: 'cifar10',
  reason:
    `${reason}; download the CIFAR-10 binary version from ${CIFAR10.url} (163 MB), ` +
    `extract it with \`tar xzf cifar-10-binary.tar.gz\` and point data cifar10 { dir "…/cifar-10-batches-bin" } at the folder ` +
    `(looked in ${dir})`,
});

/**
 * Decode the records of one binary batch file into HWC bytes and labels, the first `limit` of them.
 * `file` only names the file in errors (byte offsets count from the start of the file).
 */
export const parseCifar10 = (
  bytes: Uint8Array,
  file: string,
  limit = Number.POSITIVE_INFINITY,
): E.Either<DataError, Cifar10Images> => {
  const { recordBytes, imageBytes, side, channels, classes } = CIFAR10;
  if (bytes.length === 0) return E.left({ _tag: 'EmptyData', file });
  if (bytes.length % recordBytes !== 0) {
    return E.left({
      _tag: 'BadIdx',
      file,
      offset: bytes.length - (bytes.length % recordBytes),
      reason: `not a CIFAR-10 binary batch: ${bytes.length} bytes is not a whole number of ${recordBytes}-byte records`,
    });
  }
  const count = Math.min(bytes.length / recordBytes, limit);
  const pixels = new Uint8Array(count * imageBytes);
  const labels = new Uint8Array(count);
  const plane = side * side;
  for (let n = 0; n < count; n++) {
    const at = n * recordBytes;
    const label = bytes[at]!;
    if (label >= classes) {
      return E.left({
        _tag: 'BadLabel',
        file,
        example: n,
        offset: at,
        value: String(label),
        problem: 'out-of-range',
        classes,
      });
    }
    labels[n] = label;
    const src = at + 1;
    const dst = n * imageBytes;
    for (let p = 0; p < plane; p++) {
      for (let c = 0; c < channels; c++) pixels[dst + p * channels + c] = bytes[src + c * plane + p]!;
    }
  }
  return E.right({ pixels, labels });
};

/** Encode HWC images and labels as the records of one CIFAR-10 binary batch file. */
export const encodeCifar10 = (images: Cifar10Images): Uint8Array => {
  const { recordBytes, imageBytes, side, channels } = CIFAR10;
  const count = images.labels.length;
  if (images.pixels.length !== count * imageBytes) {
    throw new RangeError(
      `encodeCifar10: ${images.pixels.length} pixel bytes do not make ${count} images of ${imageBytes} bytes`,
    );
  }
  const out = new Uint8Array(count * recordBytes);
  const plane = side * side;
  for (let n = 0; n < count; n++) {
    const at = n * recordBytes;
    out[at] = images.labels[n]!;
    for (let p = 0; p < plane; p++) {
      for (let c = 0; c < channels; c++)
        out[at + 1 + c * plane + p] = images.pixels[n * imageBytes + p * channels + c]!;
    }
  }
  return out;
};

const slice = (images: Cifar10Images, from: number, to: number): Cifar10Images => ({
  pixels: images.pixels.subarray(from * CIFAR10.imageBytes, to * CIFAR10.imageBytes),
  labels: images.labels.subarray(from, to),
});

/**
 * Write a CIFAR-10 folder: the training images spread over `data_batch_1.bin` … `data_batch_5.bin` (as
 * evenly as possible, the first files one image larger), the test images as `test_batch.bin`. Creates
 * `dir` when missing. Resolves to the paths written.
 */
export const writeCifar10 = async (
  dir: string,
  data: { readonly train: Cifar10Images; readonly test: Cifar10Images },
): Promise<string[]> => {
  await mkdir(dir, { recursive: true });
  const n = data.train.labels.length;
  const files = CIFAR10.trainFiles.length;
  const written: string[] = [];
  let from = 0;
  for (let k = 0; k < files; k++) {
    const to = from + Math.floor(n / files) + (k < n % files ? 1 : 0);
    const file = path.join(dir, CIFAR10.trainFiles[k]!);
    await writeFile(file, encodeCifar10(slice(data.train, from, to)));
    written.push(file);
    from = to;
  }
  const test = path.join(dir, CIFAR10.testFile);
  await writeFile(test, encodeCifar10(data.test));
  written.push(test);
  return written;
};

/**
 * Learnable CIFAR-shaped images for tests and benchmarks (not CIFAR-10): each class has a fixed random
 * colour template of 4×4-pixel blocks, the same for every seed (so a training set and a test set drawn
 * with different seeds share their classes); an image is its class's template plus uniform noise of
 * ±`noise` (in pixel units), clamped to 0..255. Labels are drawn with the seed. The same arguments give the
 * same bytes.
 */
export const syntheticCifar10 = (count: number, seed = 1, noise = 64): Cifar10Images => {
  const { side, channels, imageBytes, classes } = CIFAR10;
  const classRng = xoroshiro128plus(0x5eed);
  const rng = xoroshiro128plus(seed | 0);
  // Raw 32-bit draws reduced modulo the range: a bias below 1e-7, fine for test images and ~30× faster
  // than an exact uniformInt for the millions of pixel draws of a benchmark set.
  const drawWith = (g: typeof rng, lo: number, hi: number): number => lo + ((g.next() >>> 0) % (hi - lo + 1));
  const draw = (lo: number, hi: number): number => drawWith(rng, lo, hi);
  const block = 4;
  const cells = side / block;
  const templates = Array.from({ length: classes }, () =>
    Uint8Array.from({ length: cells * cells * channels }, () => drawWith(classRng, 0, 255)),
  );
  const pixels = new Uint8Array(count * imageBytes);
  const labels = new Uint8Array(count);
  for (let n = 0; n < count; n++) {
    const label = (n + draw(0, classes - 1)) % classes;
    labels[n] = label;
    const t = templates[label]!;
    for (let r = 0; r < side; r++) {
      for (let col = 0; col < side; col++) {
        for (let c = 0; c < channels; c++) {
          const base = t[(Math.floor(r / block) * cells + Math.floor(col / block)) * channels + c]!;
          const v = base + draw(-noise, noise);
          pixels[n * imageBytes + (r * side + col) * channels + c] = v < 0 ? 0 : v > 255 ? 255 : v;
        }
      }
    }
  }
  return { pixels, labels };
};

const checkLimit = (option: string, v: number | undefined): E.Either<DataError, number> =>
  v === undefined
    ? E.right(Number.POSITIVE_INFINITY)
    : Number.isInteger(v) && v >= 1
      ? E.right(v)
      : E.left({ _tag: 'InvalidOption', option, reason: `must be a positive integer, got ${v}` });

/** Read files in order until `limit` images are read (or the files run out). */
const readPart =
  (dir: string, files: readonly string[], limit: number): TE.TaskEither<DataError, Cifar10Images> =>
  async () => {
    const parts: Cifar10Images[] = [];
    let have = 0;
    for (const name of files) {
      if (have >= limit) break;
      const file = path.join(dir, name);
      const bytes = await readBytes(file)();
      // A folder with some batch files: the missing one is named with where to get the data.
      if (E.isLeft(bytes))
        return E.left(bytes.left._tag === 'FileNotFound' ? unavailable(dir, `${file} is missing`) : bytes.left);
      const part = parseCifar10(bytes.right, file, limit - have);
      if (E.isLeft(part)) return part;
      parts.push(part.right);
      have += part.right.labels.length;
    }
    const pixels = new Uint8Array(have * CIFAR10.imageBytes);
    const labels = new Uint8Array(have);
    let at = 0;
    for (const p of parts) {
      pixels.set(p.pixels, at * CIFAR10.imageBytes);
      labels.set(p.labels, at);
      at += p.labels.length;
    }
    return E.right({ pixels, labels });
  };

/** Pixels as float32 features: p/255, then per-channel (x − mean_c)/std_c when `normalize`. */
export const cifar10Features = (pixels: Uint8Array, normalize: boolean): Float32Array => {
  const { channels, mean, std } = CIFAR10;
  const table = Array.from({ length: channels }, (_, c) => {
    const t = new Float32Array(256);
    for (let v = 0; v < 256; v++) t[v] = normalize ? (v / 255 - mean[c]!) / std[c]! : v / 255;
    return t;
  });
  const x = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) x[i] = table[i % channels]![pixels[i]!]!;
  return x;
};

/**
 * CIFAR-10 from the binary batch files in `dir`: the official 50 000 / 10 000 split (or its first
 * `trainLimit` / `testLimit` images), shape `[32, 32, 3]`, 10 classes. A missing folder or file is a
 * `DatasetUnavailable` error that says where to get the data.
 */
export const loadCifar10 = (dir: string, options: Cifar10LoadOptions = {}): TE.TaskEither<DataError, Dataset> =>
  pipe(
    TE.Do,
    TE.bind('trainLimit', () => TE.fromEither(checkLimit('trainLimit', options.trainLimit))),
    TE.bind('testLimit', () => TE.fromEither(checkLimit('testLimit', options.testLimit))),
    TE.flatMap((o) =>
      pipe(
        TE.fromTask(async () => {
          if (!(await exists(dir))) return `the folder ${dir} does not exist`;
          const need = [CIFAR10.testFile, ...CIFAR10.trainFiles.slice(0, 1)];
          for (const f of need) if (!(await exists(path.join(dir, f)))) return `${path.join(dir, f)} is missing`;
          return undefined;
        }),
        TE.flatMap((problem) => (problem === undefined ? TE.right(o) : TE.left(unavailable(dir, problem)))),
      ),
    ),
    TE.bind('train', ({ trainLimit }) => readPart(dir, CIFAR10.trainFiles, trainLimit)),
    TE.bind('test', ({ testLimit }) => readPart(dir, [CIFAR10.testFile], testLimit)),
    TE.map(({ train, test }): Dataset => {
      const normalize = options.normalize ?? true;
      return {
        name: 'cifar10',
        shape: [CIFAR10.side, CIFAR10.side, CIFAR10.channels],
        classes: CIFAR10.classes,
        trainX: cifar10Features(train.pixels, normalize),
        trainY: Int32Array.from(train.labels),
        testX: cifar10Features(test.pixels, normalize),
        testY: Int32Array.from(test.labels),
      };
    }),
  );
