/**
 * How much memory an experiment's training needs, estimated from the spec alone, so a network that cannot
 * fit is rejected before a single tensor is allocated. The estimate is rough by design (float32,
 * no allocator overhead, no backend workspace), and deliberately on the low side of what TensorFlow.js
 * really uses, so that it never rejects a run that would fit:
 *
 *   parameters   P · 4 B · (1 weights + 1 gradients + optimizer state: sgd 0, momentum 1, Adam 2)
 *   activations  A · B · 4 B · 2   (A values per example after every layer, input and output included,
 *                                   kept for the backward pass; ×2 for their gradients; B the batch)
 *   inner product Gram matrices of `data` metrics: 2·n² per side and layer when `dense` (the estimate and
 *                its inverse), 2·n when `diagonal` (ALGORITHMS.md §1; n = fan-in or fan-out)
 *   growth       every insertion of the schedule adds the largest candidate layer (a square dense layer of
 *                the widest hidden width, or a 3×3 conv keeping the widest channel count) with its copies
 *                and activations; the network's final size is what must fit.
 *
 * The spec package stays free of Node APIs, so the limit is an option with a documented default; the CLI
 * passes a fraction of the memory the machine really has (its cgroup limit, else physical memory), capped by
 * the wasm heap's 4 GiB when training runs on wasm (cli/src/memory-limit.ts).
 */
import type { Diagnostic } from './Diagnostic.js';
import { error } from './internal/diagnostic.js';
import { step, type Flow, type Shape } from './internal/shapes.js';
import { MAX_NESTING } from './limits.js';
import type { Arm, Data, Experiment, Gram, Layer, Metric } from './Spec.js';

/** Bytes of one float32 value. */
export const BYTES_PER_VALUE = 4;
/** Default memory limit of `checkMemory`: 8 GiB. */
export const DEFAULT_MEMORY_LIMIT = 8 * 1024 ** 3;

export interface MemoryEstimateOptions {
  /**
   * Examples per training step. @default the spec's `train.batch`; for `'full'` the training-set size when
   * the data fixes it (spirals: ⌊2 · points · split⌋, MNIST-like: `trainLimit` or 60,000), else 1 (a lower
   * bound: pass the real size once the data is loaded)
   */
  readonly batch?: number;
}

export interface MemoryEstimate {
  /** Trainable parameters of the final network (after every scheduled insertion). */
  readonly parameters: number;
  /** Copies of the parameters kept while training: weights, gradients and optimizer state. */
  readonly parameterCopies: number;
  /** Values per example kept for the backward pass (every layer's output, the input included). */
  readonly activationsPerExample: number;
  readonly batch: number;
  /** Whether `batch` is a lower bound (a full batch of data whose size is unknown before loading). */
  readonly batchIsLowerBound: boolean;
  readonly parameterBytes: number;
  readonly activationBytes: number;
  /** Gram matrices (and their inverses) of `data` inner products. */
  readonly metricBytes: number;
  readonly totalBytes: number;
}

export interface MemoryCheckOptions extends MemoryEstimateOptions {
  /** Most bytes training may need. @default DEFAULT_MEMORY_LIMIT (8 GiB) */
  readonly limitBytes?: number;
  /** Where the limit comes from, for the message (e.g. `75 % of the cgroup limit of 2.0 GiB`). @default none */
  readonly limitSource?: string;
}

const product = (s: Shape): number => s.reduce((a, b) => a * b, 1);

/** Training examples of the data set (a full batch), when the spec alone fixes them. */
export const trainingExamples = (data: Data): number | undefined => {
  switch (data._tag) {
    case 'spirals':
      return Math.max(1, Math.floor(2 * data.points * data.split));
    case 'mnist':
    case 'fashion_mnist':
      return data.trainLimit ?? 60_000;
    case 'cifar10':
      return data.trainLimit ?? 50_000;
    case 'csv':
    case 'idx':
      return undefined;
  }
};

interface Walk {
  shape: Shape | undefined;
  activations: number;
  /** Gram values per (fan-in, fan-out) pair of each weight layer. */
  readonly sides: [number, number][];
  /** Widest hidden vector width and widest channel count seen (for growth candidates), with their image area. */
  widest: number;
  widestImage: { channels: number; area: number };
}

/** Walks the layers, adding each output's size to the activations and noting each weight's sides. */
const walk = (w: Walk, layers: readonly Layer[], depth: number): void => {
  for (const layer of layers) {
    const shape = w.shape;
    if (shape === undefined) return;
    if (layer._tag === 'residual') {
      if (depth >= MAX_NESTING) return;
      walk(w, layer.body, depth + 1);
      // x + f(x): the sum is one more tensor of the block's shape.
      w.shape = shape;
      w.activations += product(shape);
      continue;
    }
    const flow: Flow = step({ shape, flattened: false, parameters: 0, diagnostics: [] }, layer, []);
    if (flow.shape === undefined) {
      w.shape = undefined;
      return;
    }
    if (layer._tag === 'dense') w.sides.push([shape[0]!, layer.units]);
    if (layer._tag === 'conv') w.sides.push([layer.kernel * layer.kernel * shape[2]!, layer.filters]);
    w.shape = flow.shape;
    w.activations += product(flow.shape);
    if (flow.shape.length === 1 && layer._tag !== 'flatten') w.widest = Math.max(w.widest, flow.shape[0]!);
    if (flow.shape.length === 3 && flow.shape[2]! > w.widestImage.channels)
      w.widestImage = { channels: flow.shape[2]!, area: flow.shape[0]! * flow.shape[1]! };
  }
};

const gramValues = (g: Gram, n: number): number =>
  g._tag !== 'data' ? 0 : g.structure === 'dense' ? 2 * n * n : 2 * n;
const metricValues = (m: Metric, sides: readonly (readonly [number, number])[]): number =>
  sides.reduce((s, [fanIn, fanOut]) => s + gramValues(m.domain, fanIn) + gramValues(m.codomain, fanOut), 0);

const insertions = (e: Experiment): number => {
  if (e.growth._tag !== 'sensli') return 0;
  const s = e.growth.schedule;
  return s._tag === 'at' ? s.epochs.length : s.max;
};

/**
 * The memory training `spec` needs (for a compare arm, pass `resolveArm(base, arm)`, or use
 * `estimateArmMemory`). Expects a spec whose shapes check; unknown shapes count as nothing.
 */
export const estimateMemory = (spec: Experiment, options: MemoryEstimateOptions = {}): MemoryEstimate => {
  const { input, layers, output } = spec.network;
  const w: Walk = {
    shape: input,
    activations: product(input),
    sides: [],
    widest: 0,
    widestImage: { channels: 0, area: 0 },
  };
  walk(w, layers, 0);
  let parameters = 0;
  const start: Flow = { shape: input, flattened: false, parameters: 0, diagnostics: [] };
  const flow = layers.reduce((f, l, i) => step(f, l, ['network', 'layers', i]), start);
  parameters = flow.parameters;
  if (w.shape !== undefined && w.shape.length === 1) {
    parameters += w.shape[0]! * output.units + output.units;
    w.sides.push([w.shape[0]!, output.units]);
    w.activations += output.units;
  }
  // Growth: each insertion adds the largest candidate layer (identity-initialised, so it keeps the shape).
  const k = insertions(spec);
  if (k > 0) {
    const dense = w.widest * w.widest + w.widest;
    const conv = 9 * w.widestImage.channels * w.widestImage.channels + w.widestImage.channels;
    const candidate = Math.max(dense, conv);
    parameters += k * candidate;
    w.activations += k * (conv > dense ? w.widestImage.channels * w.widestImage.area : w.widest);
    for (let i = 0; i < k; i++)
      w.sides.push(conv > dense ? [9 * w.widestImage.channels, w.widestImage.channels] : [w.widest, w.widest]);
  }
  const opt = spec.optimizer;
  const parameterCopies = 2 + (opt._tag === 'momentum' ? 1 : opt._tag === 'adam' ? 2 : 0);
  const full = spec.train.batch === 'full' ? trainingExamples(spec.data) : undefined;
  const batch = options.batch ?? (spec.train.batch === 'full' ? (full ?? 1) : spec.train.batch);
  const parameterBytes = parameters * BYTES_PER_VALUE * parameterCopies;
  const activationBytes = w.activations * batch * BYTES_PER_VALUE * 2;
  const metricBytes = metricValues(opt.metric, w.sides) * BYTES_PER_VALUE;
  return {
    parameters,
    parameterCopies,
    activationsPerExample: w.activations,
    batch,
    batchIsLowerBound: options.batch === undefined && spec.train.batch === 'full' && full === undefined,
    parameterBytes,
    activationBytes,
    metricBytes,
    totalBytes: parameterBytes + activationBytes + metricBytes,
  };
};

/** The estimate of one compare arm: the base with the arm's sections substituted. */
export const estimateArmMemory = (base: Experiment, arm: Arm, options: MemoryEstimateOptions = {}): MemoryEstimate =>
  estimateMemory(
    { ...base, ...Object.fromEntries(Object.entries(arm).filter(([k]) => k !== 'name')), compare: [] } as Experiment,
    options,
  );

/** `n` bytes for people: `3.2 GiB`, `512 MiB`, `12 KiB`. */
export const showBytes = (n: number): string => {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let i = 0;
  let x = n;
  while (x >= 1024 && i < units.length - 1) {
    x /= 1024;
    i += 1;
  }
  return `${x >= 100 || i === 0 ? x.toFixed(0) : x.toFixed(1)} ${units[i]}`;
};

const tooLarge = (
  e: MemoryEstimate,
  limit: number,
  source: string | undefined,
  path: readonly (string | number)[],
  note?: string,
): Diagnostic => {
  const parts = [
    `parameters ${e.parameters} × 4 B × ${e.parameterCopies} copies = ${showBytes(e.parameterBytes)}`,
    `activations ${e.activationsPerExample} per example × batch ${e.batch}${e.batchIsLowerBound ? ' (at least)' : ''} × 4 B × 2 = ${showBytes(e.activationBytes)}`,
    ...(e.metricBytes > 0 ? [`Gram matrices ${showBytes(e.metricBytes)}`] : []),
  ];
  return error(
    'too-large',
    `training needs about ${showBytes(e.totalBytes)} of memory, more than the limit of ${showBytes(limit)}${source === undefined ? '' : `, ${source}`} (${parts.join('; ')})`,
    path,
    {
      expected: `at most ${showBytes(limit)} (${limit} bytes)`,
      actual: `about ${showBytes(e.totalBytes)} (${Math.round(e.totalBytes)} bytes)`,
      note:
        note === undefined
          ? 'use fewer or narrower layers, or a smaller batch'
          : `${note}; use fewer or narrower layers, or a smaller batch`,
    },
  );
};

/**
 * A `too-large` diagnostic for the base experiment and for each compare arm whose training would need more
 * than `limitBytes`; the message gives the estimate, its parts and the limit. Run it on a spec that passes
 * `check` (its estimate assumes the shapes fit).
 */
export const checkMemory = (spec: Experiment, options: MemoryCheckOptions = {}): readonly Diagnostic[] => {
  const limit = options.limitBytes ?? DEFAULT_MEMORY_LIMIT;
  const out: Diagnostic[] = [];
  const base = estimateMemory(spec, options);
  if (base.totalBytes > limit) out.push(tooLarge(base, limit, options.limitSource, ['network']));
  spec.compare.forEach((arm, i) => {
    const e = estimateArmMemory(spec, arm, options);
    if (e.totalBytes > limit && (e.totalBytes !== base.totalBytes || base.totalBytes <= limit))
      out.push(
        tooLarge(
          e,
          limit,
          options.limitSource,
          arm.network !== undefined ? ['compare', i, 'network'] : ['network'],
          `in compare arm '${arm.name}'`,
        ),
      );
  });
  return out;
};
