/**
 * Concern: every number and string of the spec lies in its documented range (widths positive integers up
 * to MAX_WIDTH, learning rates finite and positive, epochs ≥ 1, splits in (0, 1), betas in [0, 1), …).
 * Names (tags) are another concern (`check-names.ts`); a value of an unknown variant is skipped here.
 */
import type { Diagnostic, SpecPath } from '../Diagnostic.js';
import * as L from '../limits.js';
import type { Experiment, Layer, Network } from '../Spec.js';
import { sharedFields, variantFields, type Field, type Fields, type Tagged, type Union } from '../schema/describe.js';
import { DATA_SCHEMA } from '../schema/data.js';
import { GROWTH_SCHEMA } from '../schema/growth.js';
import { OPTIMIZER_SCHEMA } from '../schema/optimizer.js';
import { TRAINING_SCHEMA } from '../schema/training.js';
import { error, show } from './diagnostic.js';
import { checkRange, halfOpenUnit, nonNegativeInt, positive, positiveInt } from './range.js';

type Check = readonly Diagnostic[];

const WIDTH = positiveInt(L.MAX_WIDTH);
const width = (v: unknown, path: SpecPath, what: string): Check => checkRange(v, WIDTH, path, what, 'invalid-width');
/**
 * A step size: finite and > 0 as a float64, and still so in float32, the precision training computes in
 * (1e-320 is 0 there, 1e39 infinite: either would silently train nothing or diverge).
 */
const rate = (v: unknown, path: SpecPath, what = 'learning rate'): Check => {
  const own = checkRange(v, positive, path, what, 'invalid-learning-rate');
  if (own.length > 0 || typeof v !== 'number') return own;
  const f = Math.fround(v);
  if (f > 0 && Number.isFinite(f)) return [];
  return [
    error(
      'invalid-learning-rate',
      `${what} ${v} is ${f === 0 ? '0' : 'infinite'} in float32, the precision training computes in`,
      path,
      {
        expected: 'a number in [1.4e-45, 3.4e38] (float32)',
        actual: String(v),
      },
    ),
  ];
};

const text = (v: unknown, path: SpecPath, what: string, code: string): Check =>
  typeof v === 'string' && v.length > 0 && v.length <= L.MAX_NAME_LENGTH
    ? []
    : [
        error(
          code,
          `${what} must be a non-empty string of at most ${L.MAX_NAME_LENGTH} characters, got ${show(v)}`,
          path,
          {
            expected: `a non-empty string of at most ${L.MAX_NAME_LENGTH} characters`,
            actual: typeof v === 'string' ? `${v.length} characters` : show(v),
          },
        ),
      ];

export const checkName = (v: unknown, path: SpecPath, what: string): Check => text(v, path, what, 'invalid-name');

// ─── Data ──────────────────────────────────────────────────────────────────────────────────────────────

// ─── Network ───────────────────────────────────────────────────────────────────────────────────────────

/** Layers counted through residual bodies, down to MAX_NESTING (deeper nesting is its own error). */
const countLayers = (layers: readonly Layer[], depth = 0): number =>
  layers.reduce(
    (n, l) =>
      n +
      1 +
      (l._tag === 'residual' && Array.isArray(l.body) && depth < L.MAX_NESTING ? countLayers(l.body, depth + 1) : 0),
    0,
  );

const checkLayer = (layer: Layer, path: SpecPath, depth: number): Check => {
  const at = (k: string): SpecPath => [...path, k];
  switch (layer._tag) {
    case 'dense':
      return width(layer.units, at('units'), 'dense units');
    case 'conv':
      return [
        ...width(layer.filters, at('filters'), 'conv filters'),
        ...checkRange(layer.kernel, positiveInt(L.MAX_KERNEL), at('kernel'), 'conv kernel size'),
        ...checkRange(layer.stride, positiveInt(L.MAX_KERNEL), at('stride'), 'conv stride'),
      ];
    case 'pool':
      return [
        ...checkRange(layer.size, positiveInt(L.MAX_KERNEL), at('size'), 'pool size'),
        ...checkRange(layer.stride, positiveInt(L.MAX_KERNEL), at('stride'), 'pool stride'),
      ];
    case 'dropout':
      return checkRange(layer.rate, halfOpenUnit, at('rate'), 'dropout rate');
    case 'residual': {
      if (depth >= L.MAX_NESTING)
        return [
          error('too-deeply-nested', `residual blocks nest more than ${L.MAX_NESTING} deep`, path, {
            expected: `at most ${L.MAX_NESTING} levels`,
          }),
        ];
      if (layer.body.length === 0)
        return [
          error(
            'empty-residual',
            'a residual block needs at least one layer (x + f(x) with f empty is 2x)',
            at('body'),
          ),
        ];
      return layer.body.flatMap((l, i) => checkLayer(l, [...path, 'body', i], depth + 1));
    }
    default:
      return [];
  }
};

const checkNetwork = (net: Network, path: SpecPath): Check => {
  const total = countLayers(net.layers);
  const elements = net.input.reduce((p, d) => p * (typeof d === 'number' ? d : 1), 1);
  return [
    ...net.input.flatMap((d, i) => width(d, [...path, 'input', i], 'input size')),
    ...(elements > L.MAX_INPUT_ELEMENTS
      ? [
          error(
            'input-too-large',
            `one input example has ${elements} elements, more than the limit ${L.MAX_INPUT_ELEMENTS}`,
            [...path, 'input'],
            {
              expected: `at most ${L.MAX_INPUT_ELEMENTS} elements`,
              actual: String(elements),
            },
          ),
        ]
      : []),
    ...(total > L.MAX_LAYERS
      ? [
          error(
            'too-many-layers',
            `the network has ${total} layers, more than the limit ${L.MAX_LAYERS}`,
            [...path, 'layers'],
            { expected: `at most ${L.MAX_LAYERS}`, actual: String(total) },
          ),
        ]
      : net.layers.flatMap((l, i) => checkLayer(l, [...path, 'layers', i], 0))),
    ...width(net.output.units, [...path, 'output', 'units'], 'output units'),
  ];
};

// ─── Optimizer ─────────────────────────────────────────────────────────────────────────────────────────

/**
 * The ranges of a described union's value (schema/describe.ts): each number field of its variant (of an
 * unknown variant, the fields all variants share), nested sections walked, then the union's own cross-field rules.
 */
const checkDescribed = (u: Union, value: unknown, path: SpecPath): Check => {
  if (typeof value !== 'object' || value === null) return [];
  const v = value as Tagged;
  const own = checkFields(variantFields(u, v._tag) ?? sharedFields(u), v, path);
  return u.refine === undefined ? own : [...own, ...u.refine(v, path, own.length === 0)];
};

/** The ranges of a value's described fields, in the order described; an absent optional field has none. */
const checkFields = (fields: Fields, value: unknown, path: SpecPath): Check => {
  if (typeof value !== 'object' || value === null) return [];
  const v = value as Readonly<Record<string, unknown>>;
  return Object.entries(fields).flatMap(([k, f]) =>
    f.optional === true && v[k] === undefined ? [] : checkField(f, v[k], [...path, k]),
  );
};

const checkField = (f: Field, v: unknown, path: SpecPath): Check => {
  switch (f.type) {
    case 'number':
      if ((f.orWord !== undefined && v === f.orWord.word) || f.range === undefined) return [];
      return f.range === 'rate' ? rate(v, path, f.what) : checkRange(v, f.range, path, f.what, f.code);
    case 'list':
      return Array.isArray(v) ? v.flatMap((x, i) => checkField(f.item, x, [...path, i])) : [];
    case 'union':
      return checkDescribed(f.union, v, path);
    case 'record':
      return checkFields(f.struct.fields, v, path);
    case 'text':
      return f.orIndex !== undefined && typeof v === 'number'
        ? checkRange(v, f.orIndex.range, path, f.orIndex.what)
        : text(v, path, f.what, f.code);
    case 'name':
    case 'boolean':
      return [];
  }
};

// ─── Training ───────────────────────────────────────────────────────────────────────────────

/** Early stopping on a validation metric needs a validation set in the data. */
const checkStopMonitor = (e: Experiment): Check =>
  e.train.stop !== undefined && e.train.stop.monitor.startsWith('validation_') && e.data.validation === undefined
    ? [
        error(
          'no-validation-set',
          `early stopping on ${e.train.stop.monitor} needs a validation set; hold one out of the training data with 'validation 0.1' in the data section, or stop on train_loss`,
          ['train', 'stop', 'monitor'],
        ),
      ]
    : [];

/** Every range of one experiment's sections (not its compare arms, which `check.ts` resolves and checks). */
export const checkRanges = (e: Experiment): Check => [
  ...checkName(e.name, ['name'], 'experiment name'),
  ...checkRange(e.seed, nonNegativeInt(L.MAX_SEED), ['seed'], 'seed'),
  ...checkRange(e.repeat, positiveInt(L.MAX_REPEAT), ['repeat'], 'repeat'),
  ...checkDescribed(DATA_SCHEMA, e.data, ['data']),
  ...checkNetwork(e.network, ['network']),
  ...checkDescribed(OPTIMIZER_SCHEMA, e.optimizer, ['optimizer']),
  ...checkFields(TRAINING_SCHEMA.fields, e.train, ['train']),
  ...checkStopMonitor(e),
  ...checkDescribed(GROWTH_SCHEMA, e.growth, ['growth']),
];
