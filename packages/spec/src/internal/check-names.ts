/**
 * Concern: every name in the spec (tags, activations, paddings, modes, …) belongs to its vocabulary, with
 * "did you mean" for a close one. TypeScript callers cannot get these wrong, but specs from JSON or
 * JavaScript can; `decodeExperiment` reports the same diagnostics when it reads JSON.
 */
import type { Diagnostic, SpecPath } from '../Diagnostic.js';
import { MAX_NESTING } from '../limits.js';
import type { Experiment, Layer, Network, Report } from '../Spec.js';
import { sharedFields, variantFields, type Fields, type Tagged, type Union } from '../schema/describe.js';
import { DATA_SCHEMA } from '../schema/data.js';
import { GROWTH_SCHEMA } from '../schema/growth.js';
import { OPTIMIZER_SCHEMA } from '../schema/optimizer.js';
import { TRAINING_SCHEMA } from '../schema/training.js';
import { isKnownName, unknownName, type NameKindKey } from '../unknown-name.js';

type Check = readonly Diagnostic[];

const name = (kind: NameKindKey, value: unknown, path: SpecPath): Check =>
  isKnownName(kind, value) ? [] : [unknownName(kind, value, path)];

const checkLayer = (layer: Layer, path: SpecPath, depth: number): Check => {
  const at = (k: string): SpecPath => [...path, k];
  switch (layer._tag) {
    case 'dense':
      return name('activation', layer.activation, at('activation'));
    case 'conv':
      return [
        ...name('padding', layer.padding, at('padding')),
        ...name('activation', layer.activation, at('activation')),
      ];
    case 'pool':
      return name('pool', layer.kind, at('kind'));
    case 'residual':
      return depth >= MAX_NESTING ? [] : layer.body.flatMap((l, i) => checkLayer(l, [...path, 'body', i], depth + 1));
    case 'batchnorm':
      return layer.activation === undefined ? [] : name('activation', layer.activation, at('activation'));
    case 'flatten':
    case 'dropout':
      return [];
    default:
      return name('layer', (layer as { _tag: unknown })._tag, at('_tag'));
  }
};

const checkNetworkNames = (net: Network, path: SpecPath): Check => [
  ...net.layers.flatMap((l, i) => checkLayer(l, [...path, 'layers', i], 0)),
  ...name('activation', net.output.activation, [...path, 'output', 'activation']),
];

/**
 * The names of a described union's value (schema/describe.ts): its tag, then each name field of its variant
 * (of an unknown variant, the fields all variants share), nested sections walked.
 */
const checkDescribed = (u: Union, value: unknown, path: SpecPath): Check => {
  if (typeof value !== 'object' || value === null) return [];
  const v = value as Tagged;
  const fields = variantFields(u, v._tag);
  return [
    ...(fields === undefined ? [unknownName(u.kind as NameKindKey, v._tag, [...path, '_tag'])] : []),
    ...checkFields(fields ?? sharedFields(u), v, path),
  ];
};

/** The names of a value's described fields; an absent optional field has none. */
const checkFields = (fields: Fields, value: unknown, path: SpecPath): Check => {
  if (typeof value !== 'object' || value === null) return [];
  const v = value as Readonly<Record<string, unknown>>;
  return Object.entries(fields).flatMap(([k, f]) =>
    f.optional === true && v[k] === undefined
      ? []
      : f.type === 'name'
        ? name(f.kind as NameKindKey, v[k], [...path, k])
        : f.type === 'union'
          ? checkDescribed(f.union, v[k], [...path, k])
          : f.type === 'record'
            ? checkFields(f.struct.fields, v[k], [...path, k])
            : [],
  );
};

const checkReport = (r: Report, path: SpecPath): Check => [
  ...r.plots.flatMap((p, i) => name('plot', p, [...path, 'plots', i])),
  ...r.tables.flatMap((t, i) => name('table', t, [...path, 'tables', i])),
];

/** Every name of one experiment's sections (not its compare arms, which `check.ts` resolves and checks). */
export const checkNames = (e: Experiment): Check => [
  ...checkDescribed(DATA_SCHEMA, e.data, ['data']),
  ...checkNetworkNames(e.network, ['network']),
  ...name('loss', e.loss, ['loss']),
  ...checkDescribed(OPTIMIZER_SCHEMA, e.optimizer, ['optimizer']),
  ...checkFields(TRAINING_SCHEMA.fields, e.train, ['train']),
  ...checkDescribed(GROWTH_SCHEMA, e.growth, ['growth']),
  ...checkReport(e.report, ['report']),
];
