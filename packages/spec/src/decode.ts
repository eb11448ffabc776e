/**
 * Reading an experiment from untrusted JSON (a saved `spec.json`, a file from elsewhere): checks the
 * structure (types, required and unknown fields, known names with "did you mean", the format version)
 * and reports every problem with its path. It does not run the semantic checks: call `check` on the result.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Diagnostic } from './Diagnostic.js';
import { error, show } from './internal/diagnostic.js';
import {
  array,
  boolean,
  described,
  describedStruct,
  isRecord,
  lazy,
  literal,
  name,
  number,
  string,
  struct,
  tagged,
  type Decoder,
  type Result,
  wrongType,
} from './internal/decoder.js';
import { MAX_NESTING } from './limits.js';
import { DATA_SCHEMA } from './schema/data.js';
import { GROWTH_SCHEMA } from './schema/growth.js';
import { OPTIMIZER_SCHEMA } from './schema/optimizer.js';
import { TRAINING_SCHEMA } from './schema/training.js';
import type * as RNEA from 'fp-ts/lib/ReadonlyNonEmptyArray.js';
import type {
  Activation,
  Arm,
  Experiment,
  Layer,
  Loss,
  Network,
  Padding,
  Plot,
  Report,
  Table,
  Sweep,
  SweepAxis,
  SweepValue,
} from './Spec.js';
import { SPEC_VERSION } from './Spec.js';

const activation = name<Activation>('activation');

// ─── Network ───────────────────────────────────────────────────────────────────────────────────────────

const tooDeep: Decoder<never> = (_u, path) =>
  E.left([
    error('too-deeply-nested', `residual blocks nest more than ${MAX_NESTING} deep`, path, {
      expected: `at most ${MAX_NESTING} levels`,
    }),
  ]);

/**
 * A layer inside `depth` residual blocks. A residual block nested deeper than MAX_NESTING is an error and
 * is not descended into, so hostile nesting never overflows the stack.
 */
const layer = (depth: number): Decoder<Layer> =>
  tagged<Layer>(
    'layer',
    {
      dense: struct({ _tag: literal('dense'), units: number, activation, bias: boolean }),
      conv: struct({
        _tag: literal('conv'),
        filters: number,
        kernel: number,
        stride: number,
        padding: name<Padding>('padding'),
        activation,
      }),
      pool: struct({ _tag: literal('pool'), kind: name<'max' | 'avg'>('pool'), size: number, stride: number }),
      flatten: struct({ _tag: literal('flatten') }),
      residual:
        depth >= MAX_NESTING
          ? tooDeep
          : struct({ _tag: literal('residual'), body: array(lazy(() => layer(depth + 1))) }),
      dropout: struct({ _tag: literal('dropout'), rate: number }),
      batchnorm: struct({ _tag: literal('batchnorm') }, { activation }),
    },
    'a layer',
  );

const network: Decoder<Network> = struct({
  input: array(number),
  layers: array(layer(0)),
  output: struct({ units: number, activation }),
});

// ─── Data ──────────────────────────────────────────────────────────────────────────────────────────────

const data = described(DATA_SCHEMA);

// ─── Optimizer ─────────────────────────────────────────────────────────────────────────────────────────

const optimizer = described(OPTIMIZER_SCHEMA);

// ─── Training, growth, compare, report ─────────────────────────────────────────────────────────────────

const training = describedStruct(TRAINING_SCHEMA);

const growth = described(GROWTH_SCHEMA);

const loss = name<Loss>('loss');

const arm: Decoder<Arm> = struct(
  { name: string },
  { network, data, loss, optimizer, train: training, growth, sweep: lazy(() => sweep) },
  'a compare arm',
);

const sweepValue: Decoder<SweepValue> = (u, path) =>
  typeof u === 'number' || typeof u === 'string' || typeof u === 'boolean'
    ? E.right(u)
    : wrongType('a number, a name or true/false', u, path);
const sweepAxis: Decoder<SweepAxis> = struct({ path: string, values: array(sweepValue) }, {}, 'a swept setting');
const sweep: Decoder<Sweep> = struct({ grid: array(sweepAxis), zip: array(array(sweepAxis)) }, {}, 'a sweep');

const report: Decoder<Report> = struct({ plots: array(name<Plot>('plot')), tables: array(name<Table>('table')) });

const experiment: Decoder<Experiment> = struct(
  {
    _tag: literal('experiment'),
    version: literal(SPEC_VERSION),
    name: string,
    seed: number,
    repeat: number,
    data,
    network,
    loss,
    optimizer,
    train: training,
    growth,
    compare: array(arm),
    report,
  },
  { sweep, baseArm: string },
  'an experiment',
);

const versionMismatch = (json: Record<string, unknown>): Result<never> | undefined => {
  const v = json['version'];
  if (v === SPEC_VERSION || v === undefined) return undefined;
  return E.left([
    error(
      'version-mismatch',
      `this spec has format version ${show(v)}, but this Sprout reads version ${SPEC_VERSION}`,
      ['version'],
      {
        expected: String(SPEC_VERSION),
        actual: show(v),
        note: 'write the spec again with this version of Sprout, or run it with the version that wrote it',
      },
    ),
  ]);
};

/**
 * An `Experiment` from untrusted JSON (for example `JSON.parse` of a `spec.json`), or every structural
 * problem at once. A different format version is reported alone, since its fields may mean other things.
 */
export const decodeExperiment = (json: unknown): E.Either<RNEA.ReadonlyNonEmptyArray<Diagnostic>, Experiment> =>
  (isRecord(json) ? versionMismatch(json) : undefined) ?? experiment(json, []);
