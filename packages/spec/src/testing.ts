/**
 * Test support (sub-path `@sprout/spec/testing`): a fast-check generator of valid experiments, every one of
 * which passes `check`. The shapes are built layer by layer with the same shape inference `check` uses,
 * so generated networks fit their data; optional fields are sometimes absent, never `undefined`; numbers
 * are finite, never `-0`, so specs survive JSON and a print/parse round trip unchanged.
 */
import fc from 'fast-check';
import * as B from './builders.js';
import { step, type Flow, type Shape } from './internal/shapes.js';
import { resolveArm } from './check.js';
import { checkChunks } from './internal/check-batch.js';
import type { Range } from './internal/range.js';
import { checkMemory } from './memory.js';
import { ACTIVATION_NAMES, PLOT_NAMES, TABLE_NAMES } from './names.js';
import { fillStruct, fillVariant, type Field, type Fields, type Struct, type Union } from './schema/describe.js';
import { GROWTH_SCHEMA } from './schema/growth.js';
import { OPTIMIZER_SCHEMA } from './schema/optimizer.js';
import { TRAINING_SCHEMA } from './schema/training.js';
import { NAME_KINDS, type NameKindKey } from './unknown-name.js';
import type {
  Activation,
  Arm,
  Data,
  Experiment,
  Growth,
  Layer,
  Loss,
  Network,
  Optimizer,
  Sweep,
  Training,
} from './Spec.js';

export interface ArbitraryExperimentOptions {
  /** Most layer proposals per network (some are dropped when they would not fit). @default 5 */
  readonly maxLayers?: number;
  /** Most compare arms. @default 2 */
  readonly maxArms?: number;
  /** Experiment and arm names, file paths and csv label names. @default fc.string({ minLength: 1, maxLength: 12 }) */
  readonly text?: fc.Arbitrary<string>;
}

/** A finite double in a range, with `-0` mapped to `0` (JSON cannot tell them apart). */
const real = (min: number, max: number, open: { min?: boolean; max?: boolean } = {}): fc.Arbitrary<number> =>
  fc
    .double({
      min,
      max,
      minExcluded: open.min ?? false,
      maxExcluded: open.max ?? false,
      noNaN: true,
      noDefaultInfinity: true,
    })
    .map((x) => x + 0);
const int = (min: number, max: number): fc.Arbitrary<number> => fc.integer({ min, max });

const activation: fc.Arbitrary<Activation> = fc.constantFrom(...ACTIVATION_NAMES);
const unitOpen = real(0, 1, { min: true, max: true });
const halfOpen = real(0, 1, { max: true });

// ─── Networks, built along the shape flow ──────────────────────────────────────────────────────────────

/** A layer to try; it is kept only if it fits the shape reached so far. */
type Proposal = (shape: Shape) => Layer;

const vectorProposal: fc.Arbitrary<Proposal> = fc.oneof(
  fc
    .record({ units: int(1, 16), act: activation, bias: fc.boolean() })
    .map((p) => () => B.dense(p.units, p.act, { bias: p.bias })),
  halfOpen.map((r) => () => B.dropout(r)),
  fc.option(activation, { nil: undefined }).map((a) => () => B.batchnorm(a)),
  fc
    .record({ hidden: fc.array(int(1, 8), { maxLength: 2 }), act: activation })
    .map((p) => (shape: Shape) => B.residual(...p.hidden.map((u) => B.dense(u, p.act)), B.dense(shape[0]!, p.act))),
);

const imageProposal: fc.Arbitrary<Proposal> = fc.oneof(
  fc
    .record({
      filters: int(1, 8),
      kernel: int(1, 5),
      stride: int(1, 2),
      padding: fc.constantFrom('same' as const, 'valid' as const),
      act: activation,
    })
    .map((p) => () => B.conv(p.filters, p.kernel, { stride: p.stride, padding: p.padding, activation: p.act })),
  fc
    .record({ max: fc.boolean(), size: int(1, 3), stride: int(1, 3) })
    .map((p) => () => (p.max ? B.maxPool(p.size, p.stride) : B.avgPool(p.size, p.stride))),
  fc.option(activation, { nil: undefined }).map((a) => () => B.batchnorm(a)),
  fc
    .record({ kernel: fc.constantFrom(1, 3), act: activation })
    .map((p) => (shape: Shape) => B.residual(B.conv(shape[2]!, p.kernel, { activation: p.act }))),
);

/** Keeps each proposal that fits the current shape; returns the layers and the final shape. */
const grow = (input: Shape, proposals: readonly Proposal[]): { layers: Layer[]; shape: Shape } => {
  let flow: Flow = { shape: input, flattened: false, parameters: 0, diagnostics: [] };
  const layers: Layer[] = [];
  for (const propose of proposals) {
    const layer = propose(flow.shape!);
    const next = step(flow, layer, ['layers', layers.length]);
    if (next.shape === undefined || next.diagnostics.length > 0) continue;
    layers.push(layer);
    flow = next;
  }
  return { layers, shape: flow.shape! };
};

const network = (input: fc.Arbitrary<Shape>, units: fc.Arbitrary<number>, maxLayers: number): fc.Arbitrary<Network> =>
  fc
    .record({
      input,
      image: fc.array(imageProposal, { maxLength: maxLayers }),
      vector: fc.array(vectorProposal, { maxLength: maxLayers }),
      units,
      outAct: activation,
    })
    .map(({ input, image, vector, units, outAct }) => {
      if (input.length === 1) return B.network(input, grow(input, vector).layers, B.output(units, outAct));
      const conv = grow(input, image);
      const flat: Shape = [conv.shape.reduce((a, b) => a * b, 1)];
      return B.network(input, [...conv.layers, B.flatten(), ...grow(flat, vector).layers], B.output(units, outAct));
    });

// ─── Data families: a data set and the networks that fit it ────────────────────────────────────────────

interface Family {
  readonly data: fc.Arbitrary<Data>;
  readonly network: fc.Arbitrary<Network>;
}

const families = (text: fc.Arbitrary<string>, maxLayers: number): readonly Family[] => {
  const limits = fc.record({ trainLimit: int(1, 60_000), testLimit: int(1, 10_000) }, { requiredKeys: [] });
  const image = fc.tuple(int(1, 32), int(1, 32), int(1, 3)).map((s): Shape => s);
  return [
    {
      data: fc
        .record(
          {
            points: int(1, 1000),
            turns: real(0.1, 5),
            radius: real(0, 2),
            split: unitOpen,
            splitDraw: fc.constantFrom('fixed' as const, 'per_seed' as const),
            validation: unitOpen,
          },
          { requiredKeys: ['points', 'turns', 'radius', 'split'] },
        )
        .map((o) => B.spirals(o)),
      network: network(fc.constant([2]), fc.constant(2), maxLayers),
    },
    {
      data: fc
        .tuple(fc.boolean(), limits, fc.option(text, { nil: undefined }))
        .map(([fashion, o, dir]) =>
          fashion ? B.fashionMnist({ ...o, ...(dir === undefined ? {} : { dir }) }) : B.mnist(o),
        ),
      network: network(fc.constantFrom<Shape>([784], [28, 28, 1]), fc.constant(10), maxLayers),
    },

    {
      data: fc.oneof(
        fc
          .record(
            { path: text, label: fc.oneof(text, int(0, 100)), header: fc.boolean(), split: unitOpen },
            { requiredKeys: ['path', 'header', 'split'] },
          )
          .map(({ path, ...o }) => B.csv(path, o)),
        fc
          .record({ images: text, labels: text, split: unitOpen })
          .map((o) => B.idx(o.images, o.labels, { split: o.split })),
      ),
      network: network(
        fc.oneof(
          int(1, 64).map((n): Shape => [n]),
          image,
        ),
        int(1, 10),
        maxLayers,
      ),
    },
  ];
};

// ─── Optimizers, inner products and step sizes ─────────────────────────────────────────────────────────

/** Learning rates tests draw: from 1e-6 to 10. */
const RATES: Range = { min: 1e-6, max: 10 };

const fromRange = (r: Range): fc.Arbitrary<number> =>
  r.integer ? int(r.min, r.max) : real(r.min, r.max, { min: r.minOpen ?? false, max: r.maxOpen ?? false });

/** Values of one field: its sample (a range, or a fraction in [0, 1] scaled below), its range, its names. */
const field = (f: Field): fc.Arbitrary<unknown> => {
  switch (f.type) {
    case 'number': {
      const n =
        f.sample !== undefined && 'fractionOf' in f.sample ? real(0, 1) : fromRange(f.sample ?? rangeOf(f.range));
      return f.orWord === undefined ? n : fc.oneof(fc.constant(f.orWord.word), n);
    }
    case 'name':
      return fc.constantFrom(...(f.sample ?? NAME_KINDS[f.kind as NameKindKey].names));
    case 'boolean':
      return fc.boolean();
    case 'text':
      return fc.string({ minLength: 1, maxLength: 12 });
    case 'union':
      return described(f.union, f.sample);
    case 'record':
      return describedStruct(f.struct);
    case 'list':
      return fc.uniqueArray(field(f.item) as fc.Arbitrary<number>, f.sample).map((xs) => [...xs].sort((a, b) => a - b));
  }
};

/** The values a number field without a sample draws: its range, learning rates for a rate. */
const rangeOf = (r: Range | 'rate' | undefined): Range => {
  if (r === undefined) throw new Error('a described number without a range needs a sample');
  return r === 'rate' ? RATES : r;
};

/** Some described fields drawn, an optional one sometimes absent, fractions of another field scaled. */
const fieldValues = (fields: Fields): fc.Arbitrary<Record<string, unknown>> =>
  fc
    .record(Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, field(f)])), {
      requiredKeys: Object.keys(fields).filter((k) => fields[k]!.optional !== true),
    })
    .map((drawn) => {
      const values: Record<string, unknown> = { ...drawn };
      for (const [k, f] of Object.entries(fields))
        if (f.type === 'number' && f.sample !== undefined && 'fractionOf' in f.sample && k in values)
          values[k] = (values[f.sample.fractionOf] as number) * (values[k] as number);
      return values;
    });

/** Values of a described union (schema/describe.ts), every variant (or those of `tags`) and every field drawn. */
const described = (u: Union, tags?: readonly string[]): fc.Arbitrary<unknown> =>
  fc.oneof(
    ...Object.entries(u.variants)
      .filter(([tag]) => tags === undefined || tags.includes(tag))
      .map(([tag, fields]) => fieldValues(fields).map((values) => fillVariant(u, tag, values))),
  );

/** Values of a described struct, every field drawn. */
const describedStruct = (s: Struct): fc.Arbitrary<unknown> =>
  fieldValues(s.fields).map((values) => fillStruct(s, values));

const optimizer = described(OPTIMIZER_SCHEMA) as fc.Arbitrary<Optimizer>;

const loss: fc.Arbitrary<Loss> = fc.constantFrom('cross_entropy' as const, 'mse' as const);

const training = describedStruct(TRAINING_SCHEMA) as fc.Arbitrary<Training>;

const growth = described(GROWTH_SCHEMA) as fc.Arbitrary<Growth>;

// ─── Experiments ───────────────────────────────────────────────────────────────────────────────────────

const arms = (family: Family, text: fc.Arbitrary<string>, maxArms: number): fc.Arbitrary<readonly Arm[]> =>
  fc.uniqueArray(
    fc
      .tuple(
        text,
        fc.record(
          { network: family.network, data: family.data, loss, optimizer, train: training, growth },
          { requiredKeys: [] },
        ),
      )
      .map(([name, overrides]) => B.arm(name, overrides)),
    { maxLength: maxArms, selector: (a) => a.name },
  );

/** A sweep every generated experiment accepts (shuffle applies to every arm), as a grid or a zip, or none. */
const sweepArb: fc.Arbitrary<Sweep | undefined> = fc.oneof(
  fc.constant(undefined),
  fc
    .record({
      values: fc.shuffledSubarray([true, false], { minLength: 1 }),
      zip: fc.boolean(),
      path: fc.constantFrom('train.shuffle', 'train.shuffle'),
    })
    .map(({ values, zip, path }): Sweep =>
      zip ? { grid: [], zip: [[{ path, values }]] } : { grid: [{ path, values }], zip: [] },
    ),
);

/** Valid experiments (each passes `check`), covering every variant of the spec. */
export const arbitraryExperiment = (options: ArbitraryExperimentOptions = {}): fc.Arbitrary<Experiment> => {
  const text = options.text ?? fc.string({ minLength: 1, maxLength: 12 });
  const maxLayers = options.maxLayers ?? 5;
  const maxArms = options.maxArms ?? 2;
  return fc.constantFrom(...families(text, maxLayers)).chain((family) =>
    fc
      .record({
        name: text,
        seed: int(0, 4_294_967_295),
        repeat: int(1, 30),
        data: family.data,
        network: family.network,
        loss,
        optimizer,
        train: training,
        growth,
        compare: arms(family, text, maxArms),
        baseArm: fc.option(fc.constant('grown \u00e9'), { nil: undefined }),
        sweep: sweepArb,
        report: fc.record({ plots: fc.subarray([...PLOT_NAMES]), tables: fc.subarray([...TABLE_NAMES]) }),
      })
      .map(({ name, sweep, baseArm, compare, ...parts }): Experiment =>
        B.experiment(name, {
          ...parts,
          // The base arm's name differs from every compare arm's.
          compare: compare.filter((a) => a.name !== (baseArm ?? 'base')),
          ...(baseArm === undefined ? {} : { baseArm }),
          ...(sweep === undefined ? {} : { sweep }),
        }),
      )
      .map(fitMemory)
      .map(fitChunks),
  );
};

/**
 * Keeps `split` variance only where every batch has at least its K chunks of examples (`too-many-chunks`);
 * elsewhere the experiment (or arm) uses `per_example` variance instead.
 */
const fitChunks = (e: Experiment): Experiment => {
  const fix = (o: Optimizer): Optimizer =>
    o.step._tag === 'adaptive' && o.step.variance === 'split'
      ? { ...o, step: { ...o.step, variance: 'per_example' } }
      : o;
  const base = checkChunks(e).length === 0 ? e : { ...e, optimizer: fix(e.optimizer) };
  return {
    ...base,
    compare: base.compare.map((a) =>
      checkChunks(resolveArm(base, a)).length === 0 ? a : { ...a, optimizer: fix(a.optimizer ?? base.optimizer) },
    ),
  };
};

/** Minibatches of at most this many examples where a full batch would not fit the default memory limit. */
const FITTING_BATCH = 100;

/**
 * Keeps a generated experiment under the default memory limit (`too-large`): a full batch of MNIST through
 * a generated CNN can need more than 8 GiB, so such an experiment (or arm) trains on minibatches instead.
 */
const fitMemory = (e: Experiment): Experiment => {
  if (checkMemory(e).length === 0) return e;
  const fit = (t: Training): Training => ({
    ...t,
    batch: t.batch === 'full' ? FITTING_BATCH : Math.min(t.batch, FITTING_BATCH),
  });
  return {
    ...e,
    train: fit(e.train),
    compare: e.compare.map((a) => (a.train === undefined ? a : { ...a, train: fit(a.train) })),
  };
};
