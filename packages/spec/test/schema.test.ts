// The optimizer and training sections are described once (src/schema/optimizer.ts, training.ts) and their
// types, decoder, defaults, builders, checks and test data are derived from them; these tests hold the
// description to the vocabularies the diagnostics name, and show one field travelling through every derived part.
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import {
  DATA_SCHEMA,
  DEFAULTS,
  GRAM_SCHEMA,
  GROWTH_SCHEMA,
  METRIC_SCHEMA,
  NAME_KINDS,
  NORM_SCHEMA,
  OPTIMIZER_SCHEMA,
  SCHEDULE_SCHEMA,
  SELECTION_SCHEMA,
  STEP_SIZE_SCHEMA,
  STOP_SCHEMA,
  TRAINING_SCHEMA,
  adam,
  check,
  decodeExperiment,
  experiment,
  atEpochs,
  cifar10,
  csv,
  every,
  sensli,
  settingDefaults,
  stop,
  threshold,
  train,
  type SchemaUnion,
  type Training,
} from '../src/index.js';

const UNIONS: readonly SchemaUnion[] = [
  OPTIMIZER_SCHEMA,
  STEP_SIZE_SCHEMA,
  METRIC_SCHEMA,
  GRAM_SCHEMA,
  NORM_SCHEMA,
  GROWTH_SCHEMA,
  SCHEDULE_SCHEMA,
  SELECTION_SCHEMA,
  DATA_SCHEMA,
];

describe('the described unions', () => {
  it.each(UNIONS.map((u) => [u.kind, u] as const))('%s: its tags are its vocabulary, its names known kinds', (_, u) => {
    expect(Object.hasOwn(NAME_KINDS, u.kind)).toBe(true);
    expect([...NAME_KINDS[u.kind as keyof typeof NAME_KINDS].names]).toEqual(Object.keys(u.variants));
    for (const fields of Object.values(u.variants))
      for (const f of Object.values(fields))
        if (f.type === 'name') expect(Object.hasOwn(NAME_KINDS, f.kind)).toBe(true);
  });

  it("gives DEFAULTS the optimizers' own settings, without the step rule and metric", () => {
    const { step: _step, metric: _metric, ...own } = OPTIMIZER_SCHEMA.variants.adam;
    expect(Object.keys(DEFAULTS.adam)).toEqual(Object.keys(own));
    expect(DEFAULTS.adam).toEqual(settingDefaults(OPTIMIZER_SCHEMA, 'adam'));
    expect(DEFAULTS.adam).toMatchObject({ beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    // The learning rate of a schedule is written after its name, so it is not among the rule's settings.
    expect(DEFAULTS.stepDecay).toEqual({ factor: 0.1, every: 30 });
  });
});

describe('one field through the derived parts', () => {
  const spec = experiment('x', { optimizer: adam({ beta2: 0.99 }) });

  it('the builder fills the other fields from the description, in its order', () => {
    expect(Object.keys(spec.optimizer)).toEqual(['_tag', ...Object.keys(OPTIMIZER_SCHEMA.variants.adam)]);
    expect(Object.keys(spec.optimizer).slice(0, 4)).toEqual(['_tag', 'beta1', 'beta2', 'epsilon']);
    expect(spec.optimizer).toMatchObject({ beta1: 0.9, beta2: 0.99, epsilon: 1e-8 });
  });

  it('the decoder reads it back and reports a wrong type at its path', () => {
    expect(decodeExperiment(JSON.parse(JSON.stringify(spec)))).toEqual(E.right(spec));
    const wrong = decodeExperiment({ ...spec, optimizer: { ...spec.optimizer, beta2: 'high' } });
    expect(E.isLeft(wrong) && wrong.left.map((d) => [d.code, d.path, d.message])).toEqual([
      ['wrong-type', ['optimizer', 'beta2'], "expected a number, got the string 'high'"],
    ]);
  });

  it('the range check names it', () => {
    const bad = check(experiment('x', { optimizer: adam({ beta2: 1 }) }));
    expect(E.isLeft(bad) && bad.left.map((d) => [d.code, d.path, d.message])).toEqual([
      ['out-of-range', ['optimizer', 'beta2'], 'Adam beta2 must be a finite number in [0, 1), got 1'],
    ]);
  });
});

describe('the training section, a struct with a number-or-word, a boolean and an optional nested record', () => {
  it('gives DEFAULTS and the builders its defaults, in its order, early stopping absent unless given', () => {
    expect(Object.keys(DEFAULTS.train)).toEqual(['epochs', 'batch', 'shuffle']);
    expect(DEFAULTS.train).toEqual({ epochs: 100, batch: 'full', shuffle: true });
    expect(DEFAULTS.stop).toEqual({ monitor: 'validation_loss', minDelta: 0 });
    const t = train({ shuffle: false, batch: 8 });
    expect(t).toStrictEqual({ epochs: 100, batch: 8, shuffle: false });
    expect(Object.keys(train({ stop: stop(3), epochs: 2 }))).toEqual(Object.keys(TRAINING_SCHEMA.fields));
    expect(Object.keys(stop(3, { minDelta: 0.1 }))).toEqual(Object.keys(STOP_SCHEMA.fields));
    // The type: `batch` a number or 'full', `stop` optional.
    const typed: Training = { epochs: 1, batch: 'full', shuffle: true };
    // @ts-expect-error a batch is a number or 'full'
    const wrong: Training = { epochs: 1, batch: 'all', shuffle: true };
    expect([typed, wrong].length).toBe(2);
  });

  it('decodes the word and the number, names the type of either, fills a default, and keeps patience required', () => {
    const spec = experiment('x', { train: train({ batch: 16, stop: stop(2, { monitor: 'train_loss' }) }) });
    const json = JSON.parse(JSON.stringify(spec)) as Record<string, unknown>;
    expect(decodeExperiment(json)).toEqual(E.right(spec));
    const at = (t: unknown) => {
      const r = decodeExperiment({ ...json, train: t });
      return E.isLeft(r) ? r.left.map((d) => [d.code, (d.path ?? []).join('.'), d.message]) : r.right.train;
    };
    expect(at({ ...spec.train, batch: 'all', shuffle: 1 })).toEqual([
      ['wrong-type', 'train.batch', "expected a batch size or 'full', got the string 'all'"],
      ['wrong-type', 'train.shuffle', 'expected true or false, got 1'],
    ]);
    expect(at({ epochs: 5, stop: { patience: 4 } })).toStrictEqual({
      epochs: 5,
      batch: 'full',
      shuffle: true,
      stop: { patience: 4, monitor: 'validation_loss', minDelta: 0 },
    });
    expect(at({ ...spec.train, stop: { monitor: 'train_los' } })).toEqual([
      ['missing-field', 'train.stop.patience', "missing field 'patience'"],
      [
        'unknown-monitor',
        'train.stop.monitor',
        "unknown early-stopping monitor 'train_los'; did you mean 'train_loss'?",
      ],
    ]);
  });

  it('checks the ranges of the number (not of the word) and of the nested record when present', () => {
    const codes = (t: Training) => {
      const r = check(experiment('x', { train: t }));
      return E.isLeft(r) ? r.left.map((d) => [d.code, (d.path ?? []).join('.'), d.message]) : [];
    };
    expect(codes(train({ batch: 'full' }))).toEqual([]);
    expect(codes(train({ epochs: 0, batch: 0.5, stop: stop(0, { minDelta: -1, monitor: 'train_loss' }) }))).toEqual([
      ['invalid-epochs', 'train.epochs', 'epochs must be an integer in [1, 1_000_000], got 0'],
      ['out-of-range', 'train.batch', "batch size (or 'full') must be an integer in [1, 1_000_000], got 0.5"],
      ['out-of-range', 'train.stop.patience', 'patience must be an integer in [1, 1_000_000], got 0'],
      ['out-of-range', 'train.stop.minDelta', 'min_delta must be a finite number ≥ 0, got -1'],
    ]);
  });
});

describe('the growth section: nested unions, a list and optional names', () => {
  const grown = sensli({ schedule: every(2), select: threshold(undefined, 'all') });

  it('fills defaults from the description, in its order, optional names absent', () => {
    expect(grown).toStrictEqual({
      _tag: 'sensli',
      schedule: { _tag: 'every', every: 2, max: 1 },
      norm: { _tag: 'fro' },
      select: { _tag: 'threshold', tau: 1, mean: 'all' },
      lrFactor: 1,
      optimizerState: 'reset',
    });
    expect(DEFAULTS.sensli).toStrictEqual({
      norm: { _tag: 'fro' },
      select: { _tag: 'max' },
      lrFactor: 1,
      optimizerState: 'reset',
    });
    expect([DEFAULTS.every, DEFAULTS.threshold, DEFAULTS.thresholdAbs]).toEqual([
      { max: 1 },
      { tau: 1 },
      { bar: 1e-4 },
    ]);
  });

  it('decodes the list item by item and checks its length and the ranges it describes', () => {
    const spec = experiment('x', { train: train({ epochs: 20 }), growth: grown });
    const json = JSON.parse(JSON.stringify(spec)) as Record<string, unknown>;
    expect(decodeExperiment(json)).toEqual(E.right(spec));
    const decoded = decodeExperiment({ ...json, growth: { ...grown, schedule: { _tag: 'at', epochs: [1, 'x'] } } });
    expect(E.isLeft(decoded) && decoded.left.map((d) => [d.code, (d.path ?? []).join('.'), d.message])).toEqual([
      ['wrong-type', 'growth.schedule.epochs.1', "expected a number, got the string 'x'"],
    ]);
    const checked = check(
      experiment('x', {
        train: train({ epochs: 20 }),
        growth: sensli({ schedule: atEpochs(), select: threshold(-1), lrFactor: 0 }),
      }),
    );
    expect(E.isLeft(checked) && checked.left.map((d) => [d.code, (d.path ?? []).join('.'), d.message])).toEqual([
      ['out-of-range', 'growth.schedule.epochs', 'a growth schedule `at` needs at least one epoch'],
      ['out-of-range', 'growth.select.tau', 'threshold τ must be a finite number > 0, got -1'],
      ['out-of-range', 'growth.lrFactor', 'lrFactor must be a finite number > 0, got 0'],
    ]);
  });
});

describe('the data section: strings, a name-or-index and fields the language writes its own way', () => {
  it('fills the described defaults in the order described, optional fields absent', () => {
    expect(cifar10({ testLimit: 3, validation: 0.1 })).toStrictEqual({
      _tag: 'cifar10',
      dir: 'cifar-10-batches-bin',
      testLimit: 3,
      normalize: true,
      validation: 0.1,
    });
    expect(csv('p.csv', { label: 2 })).toStrictEqual({
      _tag: 'csv',
      path: 'p.csv',
      label: 2,
      header: true,
      split: 0.8,
    });
    expect(DEFAULTS.data).toStrictEqual({ _tag: 'spirals', points: 300, turns: 1, radius: 0.5, split: 0.75 });
  });

  it('decodes a label as a name or an index and checks each as what it is', () => {
    const json = JSON.parse(JSON.stringify(experiment('x', { data: csv('p.csv', { label: 'y' }) }))) as Record<
      string,
      unknown
    >;
    const decoded = decodeExperiment({
      ...json,
      data: { _tag: 'csv', path: 'p.csv', label: true, header: true, split: 0.5 },
    });
    expect(E.isLeft(decoded) && decoded.left.map((d) => [d.code, (d.path ?? []).join('.'), d.message])).toEqual([
      ['wrong-type', 'data.label', 'expected a column name or index, got true'],
    ]);
    const codes = (label: string | number) => {
      const r = check(
        experiment('x', {
          data: csv('', { label }),
          network: { input: [3], layers: [], output: { units: 2, activation: 'linear' } },
        }),
      );
      return E.isLeft(r) ? r.left.map((d) => [d.code, (d.path ?? []).join('.'), d.message]) : [];
    };
    expect(codes(-1)).toEqual([
      ['invalid-path', 'data.path', "csv path must be a non-empty string of at most 1000 characters, got ''"],
      ['out-of-range', 'data.label', 'label column index must be an integer in [0, 100_000], got -1'],
    ]);
    expect(codes('').map((c) => c[1])).toEqual(['data.path', 'data.label']);
  });
});
