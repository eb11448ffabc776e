/**
 * AST → spec: builds the `Experiment` a file describes, filling every omitted value from the spec's
 * `DEFAULTS`, and records a source map (spec path → source range) so later diagnostics can point at text.
 *
 * Its own diagnostics are about structure: unknown statements, layers and settings (with "did you mean"),
 * values of the wrong kind, missing or repeated parts, names that decide the shape of a section (data set,
 * optimizer, step rule, metric, Gram matrix, growth policy, norm, selection). Leaf names that do not change
 * the shape (activation, padding, pool kind, loss, variance mode, …) go into the spec as written and
 * `check` reports them, so they come out together with range and shape errors.
 *
 * It always returns a spec: a broken part is replaced by its default and its path is marked `poisoned`,
 * so the caller can drop follow-on diagnostics of `check` that the substitute would cause.
 */
import {
  ACTIVATION_NAMES,
  DATA_NAMES,
  DEFAULTS,
  REFERENCE_ADAPTIVE,
  GRAM_NAMES,
  GROWTH_NAMES,
  NORM_NAMES,
  OPTIMIZER_NAMES,
  SELECTION_NAMES,
  experiment,
  fillStruct,
  fillVariant,
  isSetting,
  positionalField,
  settingWord,
  variantFields,
  GRAM_SCHEMA,
  OPTIMIZER_SCHEMA,
  STEP_SIZE_SCHEMA,
  STEP_NAMES,
  STOP_SCHEMA,
  TRAINING_SCHEMA,
  GROWTH_SCHEMA,
  DATA_SCHEMA,
  SCHEDULE_SCHEMA,
  SELECTION_SCHEMA,
  classCount,
  didYouMean,
  inputShapes,
  type Activation,
  type Arm,
  type Data,
  type Diagnostic,
  type Experiment,
  type Gram,
  type Growth,
  type GrowthSchedule,
  type Layer,
  type Loss,
  type Metric,
  type Network,
  type Optimizer,
  type Plot,
  type Report,
  type Selection,
  type SensitivityNorm,
  type SchemaFields,
  type SchemaUnion,
  type SourceRange,
  type SpecPath,
  type StepSize,
  type Sweep,
  type SweepAxis,
  type SweepValue,
  type Table,
  type Training,
} from '@sprout/spec';
import type * as A from './Ast.js';
import { pathKey, type SourceMap } from './SourceMap.js';
import { shorten } from './internal/positions.js';
import { HOME } from './internal/homes.js';

/** Statements of an experiment (and of a compare arm: only the sections an arm may replace). */
export const EXPERIMENT_STATEMENTS = [
  'seed',
  'repeat',
  'data',
  'network',
  'loss',
  'optimizer',
  'train',
  'grow',
  'compare',
  'sweep',
  'report',
] as const;
const ARM_SECTIONS_WRITTEN = ['data', 'network', 'loss', 'optimizer', 'train', 'grow'];
const ARM_STATEMENTS = [...ARM_SECTIONS_WRITTEN, 'sweep'];
/** Layer statements of a `network { … }` block. */
export const LAYER_STATEMENTS = [
  'input',
  'dense',
  'conv',
  'pool',
  'flatten',
  'residual',
  'dropout',
  'batchnorm',
  'output',
] as const;
/** Names a `metric` clause accepts: `euclidean` is frobenius with identity Gram matrices. */
const METRIC_WORDS = ['euclidean', 'frobenius'] as const;

const EUCLIDEAN: Metric = DEFAULTS.metric;

/** `numberOrWord`: a number or the field's `word` (`batch full`). */
type FieldKind = 'number' | 'string' | 'word' | 'bool' | 'label' | 'numberOrWord';
interface Field {
  readonly field: string;
  readonly kind: FieldKind;
  /** The word a `numberOrWord` field takes. */
  readonly word?: string;
}
type Schema = Readonly<Record<string, Field>>;

const f = (field: string, kind: FieldKind): Field => ({ field, kind });

/**
 * The settings of a variant or struct the spec's schema describes: its numbers, names and booleans, by their
 * words; a nested record's settings are written in the same block (`train { epochs 10  patience 5 }`).
 */
const settingsOf = (fields: SchemaFields): Schema =>
  Object.fromEntries(
    Object.entries(fields).flatMap(([k, d]): [string, Field][] =>
      d.type === 'record'
        ? d.language === false
          ? []
          : Object.entries(settingsOf(d.struct.fields))
        : !isSetting(d)
          ? []
          : d.type === 'text'
            ? [[settingWord(k), f(k, d.orIndex === undefined ? 'string' : 'label')]]
            : d.type === 'number'
              ? [
                  [
                    settingWord(k),
                    d.orWord === undefined ? f(k, 'number') : { field: k, kind: 'numberOrWord', word: d.orWord.word },
                  ],
                ]
              : [[settingWord(k), f(k, d.type === 'boolean' ? 'bool' : 'word')]],
    ),
  );
/** The settings of every variant of a described union, by the variant's tag. */
const described = (u: SchemaUnion): Record<string, Schema> =>
  Object.fromEntries(Object.entries(u.variants).map(([tag, fields]): [string, Schema] => [tag, settingsOf(fields)]));
/** The Gram matrices' settings, by kind (only `data` has any). */
const GRAM_SETTINGS = described(GRAM_SCHEMA);
/** The step rules' settings; `preset reference` is the language's own (the SensLI code's adaptive rule). */
const describedSteps = Object.fromEntries(
  Object.entries(described(STEP_SIZE_SCHEMA)).map(([tag, s]): [string, Schema] => [
    tag,
    tag === 'adaptive' ? { ...s, preset: f('preset', 'word') } : s,
  ]),
);

/**
 * SensLI's settings (its schedule, norm and selection are clauses), with `threshold_mean`, the threshold
 * rule's `mean` kept on the selection, written among them after `optimizer_state`.
 */
const SENSLI_SETTINGS: Schema = (() => {
  const own = Object.entries(settingsOf(GROWTH_SCHEMA.variants.sensli));
  const after = own.findIndex(([word]) => word === 'optimizer_state') + 1;
  return Object.fromEntries([
    ...own.slice(0, after),
    ['threshold_mean', f('thresholdMean', 'word')],
    ...own.slice(after),
  ]);
})();

/** The settings each `{ … }` block accepts, by the word the user writes → spec field. */
/** The data sets' settings; `crop` and `flip` are gathered into the spec's `data.augment`. */
const DATA_SETTINGS = described(DATA_SCHEMA);
/** MNIST's and Fashion-MNIST's settings, `dir` first as the language has always listed them. */
const dirFirst = ({ dir, ...rest }: Schema): Schema => (dir === undefined ? rest : { dir, ...rest });

export const SETTINGS: Readonly<Record<string, Schema>> = {
  ...DATA_SETTINGS,
  mnist: dirFirst(DATA_SETTINGS['mnist']!),
  fashion_mnist: dirFirst(DATA_SETTINGS['fashion_mnist']!),
  // Early stopping's settings (patience, monitor, min_delta) are gathered into the spec's `train.stop`.
  train: settingsOf(TRAINING_SCHEMA.fields),
  ...described(OPTIMIZER_SCHEMA),
  ...describedSteps,
  data: GRAM_SETTINGS['data']!,
  sensli: SENSLI_SETTINGS,
};

const kindText = (field: Field): string => {
  switch (field.kind) {
    case 'number':
      return 'a number';
    case 'string':
      return 'a string';
    case 'word':
      return 'a name';
    case 'bool':
      return 'true or false';
    case 'label':
      return 'a column name (string) or index (number)';
    case 'numberOrWord':
      return `a number or '${field.word}'`;
  }
};

const describeValue = (v: A.Value): string =>
  v._tag === 'Num' ? `the number ${shorten(v.text)}` : v._tag === 'Str' ? 'a string' : `'${shorten(v.text)}'`;

/** The sections of an experiment or an arm as written; structurally the spec's `ExperimentParts`. */
interface Parts {
  seed?: number;
  repeat?: number;
  data?: Data;
  network?: Network;
  loss?: Loss;
  optimizer?: Optimizer;
  train?: Training;
  growth?: Growth;
  compare?: Arm[];
  baseArm?: string;
  sweep?: Sweep;
  report?: Report;
}

class Ctx {
  readonly diagnostics: Diagnostic[] = [];
  readonly map = new Map<string, SourceRange>();
  readonly poisoned: SpecPath[] = [];

  at(path: SpecPath, range: SourceRange): void {
    this.map.set(pathKey(path), range);
  }
  error(
    code: string,
    message: string,
    range: SourceRange,
    details: { expected?: string; actual?: string; note?: string } = {},
  ): void {
    this.diagnostics.push({ code, severity: 'error', message, range, ...details });
  }
  poison(path: SpecPath): void {
    this.poisoned.push(path);
  }
  /** "unknown data set 'spirls'; did you mean 'spirals'?" */
  unknown(code: string, label: string, word: A.Word, names: readonly string[], note?: string): void {
    const suggestion = didYouMean(word.text, names);
    this.error(
      code,
      `unknown ${label} '${shorten(word.text)}'${suggestion === undefined ? '' : `; did you mean '${suggestion}'?`}`,
      word.range,
      {
        expected: `one of ${names.map((n) => `'${n}'`).join(', ')}`,
        actual: `'${shorten(word.text)}'`,
        ...(note === undefined ? {} : { note }),
      },
    );
  }
  duplicate(what: string, range: SourceRange, first: SourceRange): void {
    this.error('duplicate', `${what} is given twice; the first is at line ${first.start.line}`, range);
  }
  /** A keyword statement inside the wrong block. */
  misplaced(item: A.MisplacedStatement, where: string): void {
    const home = HOME[item.keyword.text];
    this.error(
      'misplaced-statement',
      `'${item.keyword.text}' cannot appear in ${where}${home === undefined ? '' : `: ${home}`}`,
      item.keyword.range,
    );
  }
  noArgument(what: string, range: SourceRange): void {
    this.error('unexpected-argument', what, range);
  }

  /** Reads a `{ key value … }` block against its schema; returns spec fields, recording their ranges. */
  settings(
    s: A.Settings | readonly A.Setting[] | undefined,
    schema: Schema,
    path: SpecPath,
    where: string,
  ): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const seen = new Map<string, SourceRange>();
    const entries: readonly A.Setting[] = s === undefined ? [] : Array.isArray(s) ? s : (s as A.Settings).entries;
    const keys = Object.keys(schema);
    for (const e of entries) {
      const field = schema[e.key.text];
      if (field === undefined) {
        const note =
          keys.length === 0 ? `${where} takes no settings` : `${where} takes ${keys.map((k) => `'${k}'`).join(', ')}`;
        this.unknown('unknown-setting', `setting`, e.key, keys, note);
        continue;
      }
      const first = seen.get(e.key.text);
      if (first !== undefined) {
        this.duplicate(`'${e.key.text}'`, e.key.range, first);
        continue;
      }
      seen.set(e.key.text, e.key.range);
      const v = this.fieldValue(e, field);
      if (v !== undefined) {
        out[field.field] = v;
        this.at([...path, field.field], e.value.range);
      }
    }
    return out;
  }

  fieldValue(e: A.Setting, field: Field): unknown {
    const v = e.value;
    const wrong = (): undefined => {
      this.error('wrong-value', `'${e.key.text}' takes ${kindText(field)}, not ${describeValue(v)}`, v.range);
      return undefined;
    };
    switch (field.kind) {
      case 'number':
        return v._tag === 'Num' ? v.value : wrong();
      case 'string':
        return v._tag === 'Str' ? v.value : wrong();
      case 'word':
        return v._tag === 'Word' ? v.text : wrong();
      case 'bool':
        return v._tag === 'Word' && (v.text === 'true' || v.text === 'false') ? v.text === 'true' : wrong();
      case 'label':
        return v._tag === 'Str' || v._tag === 'Num' ? v.value : wrong();
      case 'numberOrWord':
        return v._tag === 'Num' ? v.value : v._tag === 'Word' && v.text === field.word ? field.word : wrong();
    }
  }

  /**
   * Before a variant's settings are read: where the value written right after its name is (`momentum 0.9`,
   * `step cosine 0.1`, `scaled 2`), or, when the variant takes none, `takesNone`.
   */
  beforeSettings(fields: SchemaFields, num: A.Num | undefined, path: SpecPath, takesNone: string): void {
    if (num === undefined) return;
    const entry = positionalField(fields);
    if (entry === undefined) this.noArgument(takesNone, num.range);
    else if (entry[1].positional?.mode !== 'preferred') this.at([...path, entry[0]], num.range);
  }

  /**
   * After the settings: the value written after the variant's name as its spec field (given as a setting
   * too, it is an error, and the value after the name wins), or `undefined` when the variant needs one and
   * none is written.
   */
  afterName(
    fields: SchemaFields,
    kind: string,
    kindRange: SourceRange,
    num: A.Num | undefined,
    s: Record<string, unknown>,
    path: SpecPath,
  ): Record<string, unknown> | undefined {
    const entry = positionalField(fields);
    const written = entry?.[1].positional;
    if (entry === undefined || written === undefined) return {};
    const [key, field] = entry;
    if (num === undefined) {
      if (field.default !== undefined) return {};
      this.error(
        'missing-argument',
        `'${kind}' needs its ${written.noun ?? 'value'}: ${kind} ${written.symbol}`,
        kindRange,
      );
      return undefined;
    }
    if (written.mode !== 'only' && s[key] !== undefined)
      this.error(
        'duplicate',
        `${written.symbol} is given twice: after '${kind}' and as '${settingWord(key)}'`,
        num.range,
      );
    if (written.mode === 'preferred') this.at([...path, key], num.range);
    return { [key]: num.value };
  }

  /** An experiment's (or an arm's) statements → the spec parts they give. */
  parts(items: readonly A.ExperimentItem[], path: SpecPath, inArm: boolean, baseData: Data | undefined): Parts {
    const parts: Parts = {};
    const seen = new Map<string, SourceRange>();
    const allowed: readonly string[] = inArm ? ARM_STATEMENTS : EXPERIMENT_STATEMENTS;
    const at = (k: string): SpecPath => [...path, k];
    let networkNode: A.NetworkSection | undefined;
    for (const item of items) {
      const head = item.keyword.text;
      if (item._tag === 'MisplacedStatement') {
        this.misplaced(item, inArm ? 'a compare run' : 'experiment { … }');
        continue;
      }
      if (item._tag === 'UnknownStatement') {
        this.unknown(
          'unknown-statement',
          'statement',
          item.keyword,
          allowed,
          inArm
            ? 'a compare arm may replace data, network, loss, optimizer, train and grow, and have its own sweep'
            : undefined,
        );
        continue;
      }
      if (!allowed.includes(head)) {
        this.error(
          'not-allowed-here',
          `'${head}' cannot appear inside a compare arm; an arm may replace ${ARM_SECTIONS_WRITTEN.join(', ')} and have its own sweep`,
          item.keyword.range,
        );
        continue;
      }
      const first = seen.get(head);
      if (first !== undefined) {
        this.duplicate(`'${head}'`, item.keyword.range, first);
        continue;
      }
      seen.set(head, item.keyword.range);
      const field = head === 'grow' ? 'growth' : head;
      this.at(at(field), item.keyword.range);
      switch (item._tag) {
        case 'SeedStatement':
          parts.seed = item.value.value;
          this.at(at('seed'), item.value.range);
          break;
        case 'RepeatStatement':
          parts.repeat = item.value.value;
          this.at(at('repeat'), item.value.range);
          break;
        case 'DataSection': {
          const d = this.data(item, at('data'));
          if (d !== undefined) parts.data = d;
          else this.poison(at('data'));
          break;
        }
        case 'NetworkSection':
          networkNode = item;
          break;
        case 'LossStatement':
          parts.loss = item.name.text as Loss;
          this.at(at('loss'), item.name.range);
          break;
        case 'OptimizerSection': {
          const o = this.optimizer(item, at('optimizer'));
          if (o !== undefined) parts.optimizer = o;
          else this.poison(at('optimizer'));
          break;
        }
        case 'TrainSection':
          parts.train = this.train(item, at('train'));
          break;
        case 'GrowSection': {
          const g = this.growth(item, at('growth'));
          if (g !== undefined) parts.growth = g;
          else this.poison(at('growth'));
          break;
        }
        case 'CompareSection': {
          parts.compare = item.runs.map((run, i) =>
            this.arm(run, [...at('compare'), i], parts.data ?? baseData ?? DEFAULTS.data),
          );
          const [base, ...again] = item.bases;
          if (base !== undefined) {
            parts.baseArm = base.value;
            this.at(at('baseArm'), base.range);
          }
          for (const b of again) this.duplicate("the base arm's name", b.range, base!.range);
          break;
        }
        case 'SweepSection':
          parts.sweep = this.sweep(item, at('sweep'));
          break;
        case 'ReportSection':
          parts.report = this.report(item, at('report'));
          break;
      }
    }
    // The network last: its default input and output come from the data.
    if (networkNode !== undefined)
      parts.network = this.network(networkNode, at('network'), parts.data ?? baseData ?? DEFAULTS.data);
    return parts;
  }

  arm(run: A.RunClause, path: SpecPath, baseData: Data): Arm {
    this.at(path, run.range);
    this.at([...path, 'name'], run.name.range);
    const p = this.parts(run.items, path, true, baseData);
    return {
      name: run.name.value,
      ...(p.network === undefined ? {} : { network: p.network }),
      ...(p.data === undefined ? {} : { data: p.data }),
      ...(p.loss === undefined ? {} : { loss: p.loss }),
      ...(p.optimizer === undefined ? {} : { optimizer: p.optimizer }),
      ...(p.train === undefined ? {} : { train: p.train }),
      ...(p.growth === undefined ? {} : { growth: p.growth }),
      ...(p.sweep === undefined ? {} : { sweep: p.sweep }),
    };
  }

  /**
   * `train { … }`: epochs, batch and shuffle as they are; `patience`, `monitor` and `min_delta` become the
   * spec's `stop` (early stopping is on when `patience` is given).
   */
  train(node: A.TrainSection, path: SpecPath): Training {
    const s = this.settings(node.settings, SETTINGS['train']!, path, "'train'");
    const { patience, monitor, minDelta, ...rest } = s;
    // The settings were recorded at `train.<field>`; early stopping's live under `train.stop`.
    const patienceRange = this.map.get(pathKey([...path, 'patience']));
    if (patienceRange !== undefined) this.at([...path, 'stop'], patienceRange);
    for (const k of Object.keys(STOP_SCHEMA.fields))
      if (k in s) {
        const range = this.map.get(pathKey([...path, k]));
        if (range !== undefined) this.at([...path, 'stop', k], range);
      }
    if (patience === undefined && (monitor !== undefined || minDelta !== undefined)) {
      const range = this.map.get(pathKey([...path, monitor !== undefined ? 'monitor' : 'minDelta']))!;
      this.error(
        'missing-patience',
        "early stopping needs 'patience N' (the epochs without improvement before a run stops)",
        range,
      );
    }
    return fillStruct(TRAINING_SCHEMA, {
      ...rest,
      ...(patience === undefined ? {} : { stop: fillStruct(STOP_SCHEMA, { patience, monitor, minDelta }) }),
    });
  }

  data(node: A.DataSection, path: SpecPath): Data | undefined {
    const kind = node.kind.text;
    if (!(DATA_NAMES as readonly string[]).includes(kind)) {
      this.unknown('unknown-data', 'data set', node.kind, DATA_NAMES);
      return undefined;
    }
    const wantPaths = kind === 'csv' ? ['path'] : kind === 'idx' ? ['images', 'labels'] : [];
    if (node.paths.length !== wantPaths.length) {
      const range = node.paths[wantPaths.length]?.range ?? node.kind.range;
      const message =
        wantPaths.length === 0
          ? `'${kind}' takes no file path`
          : kind === 'csv'
            ? `'csv' takes one file path: data csv "file.csv" { … }`
            : `'idx' takes two file paths: data idx "images.idx" "labels.idx" { … }`;
      this.error('wrong-arguments', message, range);
      return undefined;
    }
    this.at([...path, '_tag'], node.kind.range);
    const { crop, flip, ...s } = this.settings(node.settings, SETTINGS[kind]!, path, `'${kind}'`);
    // `crop` and `flip` become `augment` (either alone leaves the other off: crop 0, flip none).
    if (crop !== undefined || flip !== undefined) {
      for (const k of ['crop', 'flip']) {
        const range = this.map.get(pathKey([...path, k]));
        if (range !== undefined) {
          this.at([...path, 'augment', k], range);
          if (this.map.get(pathKey([...path, 'augment'])) === undefined) this.at([...path, 'augment'], range);
        }
      }
      s['augment'] = { crop: (crop as number | undefined) ?? 0, flip: (flip as string | undefined) ?? 'none' };
    }
    node.paths.forEach((p, i) => this.at([...path, wantPaths[i]!], p.range));
    switch (kind) {
      case 'spirals':
        return { _tag: 'spirals', ...DEFAULTS.spirals, ...s } as Data;
      case 'mnist':
      case 'fashion_mnist':
        return { _tag: kind, ...s } as Data;
      case 'cifar10':
        return { _tag: 'cifar10', ...DEFAULTS.cifar10, ...s } as Data;
      case 'csv':
        return { _tag: 'csv', path: node.paths[0]!.value, ...DEFAULTS.csv, ...s } as Data;
      default:
        return {
          _tag: 'idx',
          images: node.paths[0]!.value,
          labels: node.paths[1]!.value,
          ...DEFAULTS.idx,
          ...s,
        } as Data;
    }
  }

  network(node: A.NetworkSection, path: SpecPath, data: Data): Network {
    let input: number[] | undefined;
    let output: Network['output'] | undefined;
    const layers: Layer[] = [];
    node.layers.forEach((l, i) => {
      if (l._tag === 'InputLayer') {
        if (input !== undefined) this.error('duplicate', "the network has two 'input' layers", l.range);
        else if (i !== 0) this.error('misplaced-layer', "'input' must be the first layer of the network", l.range);
        else {
          input = l.dims.map((d) => d.value);
          this.at([...path, 'input'], l.range);
          l.dims.forEach((d, k) => this.at([...path, 'input', k], d.range));
        }
        return;
      }
      if (l._tag === 'OutputLayer') {
        if (output !== undefined) this.error('duplicate', "the network has two 'output' layers", l.range);
        else if (i !== node.layers.length - 1)
          this.error('misplaced-layer', "'output' must be the last layer of the network", l.range);
        else {
          output = {
            units: l.units.value,
            activation: (l.activation?.text ?? DEFAULTS.outputActivation) as Network['output']['activation'],
          };
          this.at([...path, 'output'], l.range);
          this.at([...path, 'output', 'units'], l.units.range);
          if (l.activation !== undefined) this.at([...path, 'output', 'activation'], l.activation.range);
        }
        return;
      }
      const layer = this.layer(l, [...path, 'layers', layers.length]);
      if (layer !== undefined) layers.push(layer);
    });
    if (input === undefined) {
      const shape = inputShapes(data)?.[0];
      if (shape === undefined)
        this.error(
          'missing-input',
          `the network needs an 'input' layer: the shape of one ${data._tag} example is known only after loading`,
          node.keyword.range,
        );
      input = [...(shape ?? DEFAULTS.network.input)];
    }
    if (output === undefined) {
      const classes = classCount(data);
      if (classes === undefined)
        this.error(
          'missing-output',
          `the network needs an 'output' layer: the number of ${data._tag} classes is known only after loading`,
          node.keyword.range,
        );
      output = { units: classes ?? DEFAULTS.network.output.units, activation: DEFAULTS.outputActivation };
    }
    return { input, layers, output };
  }

  layer(l: A.LayerNode, path: SpecPath): Layer | undefined {
    this.at(path, l.range);
    const at = (k: string): SpecPath => [...path, k];
    const act = (w: A.Word | undefined): Activation => {
      if (w === undefined) return DEFAULTS.activation;
      this.at(at('activation'), w.range);
      return w.text as Activation;
    };
    switch (l._tag) {
      case 'DenseLayer':
        this.at(at('units'), l.units.range);
        if (l.nobias !== undefined) this.at(at('bias'), l.nobias.range);
        return {
          _tag: 'dense',
          units: l.units.value,
          activation: act(l.activation),
          bias: l.nobias === undefined ? DEFAULTS.dense.bias : false,
        };
      case 'ConvLayer': {
        this.at(at('filters'), l.filters.range);
        const opts = this.settings(
          l.options.map((o) => ({ _tag: 'Setting', key: o.key, value: o.value, range: o.range })),
          { kernel: f('kernel', 'number'), stride: f('stride', 'number'), padding: f('padding', 'word') },
          path,
          "'conv'",
        );
        if (opts['kernel'] === undefined && !l.options.some((o) => o.key.text === 'kernel')) {
          this.error('missing-kernel', 'a conv layer needs its kernel size: conv N kernel K', l.range);
        }
        return {
          _tag: 'conv',
          filters: l.filters.value,
          kernel: (opts['kernel'] as number | undefined) ?? 1,
          stride: (opts['stride'] as number | undefined) ?? DEFAULTS.conv.stride,
          padding: (opts['padding'] as 'same' | undefined) ?? DEFAULTS.conv.padding,
          activation: act(l.activation),
        };
      }
      case 'PoolLayer':
        if (l.kind !== undefined) this.at(at('kind'), l.kind.range);
        this.at(at('size'), l.size.range);
        if (l.stride !== undefined) this.at(at('stride'), l.stride.range);
        return {
          _tag: 'pool',
          kind: (l.kind?.text ?? DEFAULTS.pool.kind) as 'max',
          size: l.size.value,
          stride: l.stride?.value ?? l.size.value,
        };
      case 'FlattenLayer':
        return { _tag: 'flatten' };
      case 'BatchnormLayer':
        return l.activation === undefined
          ? { _tag: 'batchnorm' }
          : { _tag: 'batchnorm', activation: act(l.activation) };
      case 'DropoutLayer':
        this.at(at('rate'), l.rate.range);
        return { _tag: 'dropout', rate: l.rate.value };
      case 'ResidualLayer': {
        const body: Layer[] = [];
        for (const b of l.body) {
          if (b._tag === 'InputLayer' || b._tag === 'OutputLayer') {
            this.error(
              'misplaced-layer',
              `'${b._tag === 'InputLayer' ? 'input' : 'output'}' cannot appear inside a residual block`,
              b.range,
            );
            continue;
          }
          const layer = this.layer(b, [...path, 'body', body.length]);
          if (layer !== undefined) body.push(layer);
        }
        return { _tag: 'residual', body };
      }
      case 'MisplacedStatement':
        this.misplaced(l, 'a network');
        return undefined;
      case 'UnknownStatement': {
        const activation = (ACTIVATION_NAMES as readonly string[]).includes(l.keyword.text);
        this.unknown(
          'unknown-layer',
          'layer',
          l.keyword,
          LAYER_STATEMENTS,
          activation
            ? `'${l.keyword.text}' is an activation: write it after the layer, as in dense 5 ${l.keyword.text}`
            : undefined,
        );
        return undefined;
      }
      default:
        throw new Error(`to-spec: layer '${l._tag}' reached layer(); network() handles it`);
    }
  }

  optimizer(node: A.OptimizerSection, path: SpecPath): Optimizer | undefined {
    const kind = node.kind.text;
    const fields = variantFields(OPTIMIZER_SCHEMA, kind);
    if (fields === undefined) this.unknown('unknown-optimizer', 'optimizer', node.kind, OPTIMIZER_NAMES);
    else {
      this.at([...path, '_tag'], node.kind.range);
      this.beforeSettings(fields, node.beta, path, `'${kind}' takes no number; only 'momentum β' does`);
    }
    let step: StepSize | undefined;
    let metric: Metric | undefined;
    let stepRange: SourceRange | undefined;
    let metricRange: SourceRange | undefined;
    const settings: A.Setting[] = [];
    for (const item of node.items) {
      if (item._tag === 'StepClause') {
        if (stepRange !== undefined) this.duplicate("'step'", item.range, stepRange);
        else {
          stepRange = item.range;
          this.at([...path, 'step'], item.range);
          step = this.step(item, [...path, 'step']);
          if (step === undefined) this.poison([...path, 'step']);
        }
      } else if (item._tag === 'MetricClause') {
        if (metricRange !== undefined) this.duplicate("'metric'", item.range, metricRange);
        else {
          metricRange = item.range;
          metric = this.metric(item, [...path, 'metric']);
          if (metric === undefined) this.poison([...path, 'metric']);
        }
      } else if (item._tag === 'MisplacedStatement') this.misplaced(item, 'an optimizer');
      else settings.push(item);
    }
    // An unknown optimizer still has its step and metric checked above; its own settings cannot be.
    if (fields === undefined) return undefined;
    const s = this.settings(settings, SETTINGS[kind]!, path, `'${kind}'`);
    const written = this.afterName(fields, kind, node.kind.range, node.beta, s, path);
    if (written === undefined) return undefined;
    return fillVariant(OPTIMIZER_SCHEMA, kind as Optimizer['_tag'], { ...s, ...written, step, metric });
  }

  step(node: A.StepClause, path: SpecPath): StepSize | undefined {
    const kind = node.kind.text;
    const fields = variantFields(STEP_SIZE_SCHEMA, kind);
    if (fields === undefined) {
      this.unknown('unknown-step', 'step size', node.kind, STEP_NAMES);
      return undefined;
    }
    this.at([...path, '_tag'], node.kind.range);
    // `step adaptive 0.2`: the learning rate is the first step a₀, as in the reference code.
    this.beforeSettings(
      fields,
      node.lr,
      path,
      `'${kind}' takes no learning rate; ${kind === 'armijo' ? "set 'initial' in its { … }" : 'it computes the step size itself'}`,
    );
    const s = this.settings(node.settings, SETTINGS[kind]!, path, `step '${kind}'`);
    let given: Record<string, unknown> = s;
    if (kind === 'adaptive') {
      const { preset, ...own } = s;
      if (preset !== undefined && preset !== 'reference') {
        const value = node.settings?.entries.find((e) => e.key.text === 'preset')?.value;
        if (value?._tag === 'Word')
          this.unknown('unknown-preset', 'preset', value, ['reference'], "'reference' is the SensLI code's rule");
      }
      // `preset reference`: the SensLI code's rule; settings written next to it still win.
      given = preset === 'reference' ? { ...REFERENCE_ADAPTIVE, ...own } : own;
    }
    const written = this.afterName(fields, kind, node.kind.range, node.lr, given, path);
    if (written === undefined) return undefined;
    return fillVariant(STEP_SIZE_SCHEMA, kind as StepSize['_tag'], { ...given, ...written });
  }

  metric(node: A.MetricClause, path: SpecPath): Metric | undefined {
    const kind = node.kind.text;
    this.at(path, node.range);
    if (kind === 'euclidean') {
      if (node.grams !== undefined)
        this.noArgument("'euclidean' takes no { … }: it is frobenius with identity on both sides", node.range);
      return EUCLIDEAN;
    }
    if (kind !== 'frobenius') {
      this.unknown('unknown-metric', 'metric', node.kind, METRIC_WORDS);
      return undefined;
    }
    const sides: Partial<Record<'domain' | 'codomain', Gram>> = {};
    const seen = new Map<string, SourceRange>();
    for (const g of node.grams ?? []) {
      const side = g.side.text as 'domain' | 'codomain';
      const first = seen.get(side);
      if (first !== undefined) {
        this.duplicate(`'${side}'`, g.side.range, first);
        continue;
      }
      seen.set(side, g.range);
      this.at([...path, side], g.range);
      const gram = this.gram(g, [...path, side]);
      if (gram !== undefined) sides[side] = gram;
      else this.poison([...path, side]);
    }
    return {
      _tag: 'frobenius',
      domain: sides.domain ?? EUCLIDEAN.domain,
      codomain: sides.codomain ?? EUCLIDEAN.codomain,
    };
  }

  gram(node: A.GramClause, path: SpecPath): Gram | undefined {
    const kind = node.kind.text;
    const fields = variantFields(GRAM_SCHEMA, kind);
    if (fields === undefined) {
      this.unknown('unknown-gram', 'Gram matrix', node.kind, GRAM_NAMES);
      return undefined;
    }
    this.beforeSettings(fields, node.scale, path, `'${kind}' takes no number; only 'scaled c' does`);
    const table = GRAM_SETTINGS[kind] ?? {};
    const takesSettings = Object.keys(table).length > 0;
    if (node.settings !== undefined && !takesSettings)
      this.noArgument(`'${kind}' takes no { … }; only 'data' does`, node.settings.range);
    const s = takesSettings ? this.settings(node.settings, table, path, `Gram matrix '${kind}'`) : {};
    const written = this.afterName(fields, kind, node.kind.range, node.scale, s, path);
    if (written === undefined) return undefined;
    return fillVariant(GRAM_SCHEMA, kind as Gram['_tag'], { ...s, ...written });
  }

  growth(node: A.GrowSection, path: SpecPath): Growth | undefined {
    const kind = node.kind.text;
    if (!(GROWTH_NAMES as readonly string[]).includes(kind)) {
      this.unknown('unknown-growth', 'growth policy', node.kind, GROWTH_NAMES);
      return undefined;
    }
    this.at([...path, '_tag'], node.kind.range);
    if (kind === 'none') {
      if (node.items !== undefined) this.noArgument("'none' takes no { … }", node.range);
      return { _tag: 'none' };
    }
    let at: A.AtClause | undefined;
    let every: A.EveryClause | undefined;
    let max: A.MaxClause | undefined;
    let norm: SensitivityNorm | undefined;
    let select: Selection | undefined;
    const firsts = new Map<string, SourceRange>();
    const settings: A.Setting[] = [];
    let broken = false;
    for (const item of node.items ?? []) {
      if (item._tag === 'Setting') {
        settings.push(item);
        continue;
      }
      if (item._tag === 'MisplacedStatement') {
        this.misplaced(item, "'sensli'");
        continue;
      }
      const first = firsts.get(item._tag);
      const name = {
        AtClause: 'at',
        EveryClause: 'every',
        MaxClause: 'max',
        NormClause: 'norm',
        SelectClause: 'select',
      }[item._tag];
      if (first !== undefined) {
        this.duplicate(`'${name}'`, item.range, first);
        continue;
      }
      firsts.set(item._tag, item.range);
      switch (item._tag) {
        case 'AtClause':
          at = item;
          this.at([...path, 'schedule'], item.range);
          item.epochs.forEach((e, i) => this.at([...path, 'schedule', 'epochs', i], e.range));
          break;
        case 'EveryClause':
          every = item;
          this.at([...path, 'schedule'], item.range);
          this.at([...path, 'schedule', 'every'], item.every.range);
          break;
        case 'MaxClause':
          max = item;
          this.at([...path, 'schedule', 'max'], item.max.range);
          break;
        case 'NormClause': {
          this.at([...path, 'norm'], item.range);
          const n = this.norm(item, [...path, 'norm']);
          if (n === undefined) broken = true;
          else norm = n;
          break;
        }
        case 'SelectClause': {
          this.at([...path, 'select'], item.range);
          const s = this.select(item, [...path, 'select']);
          if (s === undefined) broken = true;
          else select = s;
          break;
        }
      }
    }
    const s = this.settings(settings, SETTINGS['sensli']!, path, "'sensli'");
    let schedule: GrowthSchedule | undefined;
    if (at !== undefined && every !== undefined) {
      this.error(
        'conflicting-schedule',
        "a growth schedule is either 'at epoch …' or 'every K epochs', not both",
        every.range,
      );
    } else if (at !== undefined) {
      if (max !== undefined)
        this.noArgument("'max' belongs to an 'every K epochs' schedule; 'at' lists its epochs", max.range);
      schedule = { _tag: 'at', epochs: at.epochs.map((e) => e.value) };
    } else if (every !== undefined) {
      schedule = fillVariant(SCHEDULE_SCHEMA, 'every', { every: every.every.value, max: max?.max.value });
    } else {
      this.error('missing-schedule', "'sensli' needs a schedule: 'at epoch N' or 'every K epochs'", node.kind.range);
    }
    if (schedule === undefined || broken) return undefined;
    // `threshold_mean existing|all` belongs to the threshold rule: the spec keeps it on the selection.
    const mean = s['thresholdMean'] as 'existing' | 'all' | undefined;
    if (mean !== undefined && select?._tag !== 'threshold') {
      const setting = settings.find((x) => x.key.text === 'threshold_mean');
      this.error(
        'misplaced-setting',
        "'threshold_mean' applies to 'select threshold τ' only",
        setting?.range ?? node.kind.range,
      );
    }
    const { thresholdMean: _mean, ...own } = s;
    return fillVariant(GROWTH_SCHEMA, 'sensli', {
      ...own,
      schedule,
      norm,
      select: select?._tag === 'threshold' && mean !== undefined ? { ...select, mean } : select,
    });
  }

  norm(node: A.NormClause, path: SpecPath): SensitivityNorm | undefined {
    if (node.norm._tag === 'MetricClause') {
      const metric = this.metric(node.norm, [...path, 'metric']);
      return metric === undefined ? undefined : { _tag: 'metric', metric };
    }
    const word = node.norm;
    const names = NORM_NAMES.filter((n) => n !== 'metric');
    if (!(names as readonly string[]).includes(word.text)) {
      this.unknown(
        'unknown-norm',
        'sensitivity norm',
        word,
        [...names, 'metric'],
        "a metric norm is written 'norm metric frobenius { … }'",
      );
      return undefined;
    }
    this.at([...path, '_tag'], word.range);
    return { _tag: word.text } as SensitivityNorm;
  }

  select(node: A.SelectClause, path: SpecPath): Selection | undefined {
    const kind = node.kind.text;
    if (!(SELECTION_NAMES as readonly string[]).includes(kind)) {
      this.unknown('unknown-selection', 'selection', node.kind, SELECTION_NAMES);
      return undefined;
    }
    this.at([...path, '_tag'], node.kind.range);
    switch (kind) {
      case 'max':
      case 'min':
        if (node.arg !== undefined) this.noArgument(`'select ${kind}' takes no number`, node.arg.range);
        return { _tag: kind };
      case 'position':
        if (node.arg === undefined) {
          this.error('missing-argument', "'select position' needs the position: select position K", node.kind.range);
          return undefined;
        }
        this.at([...path, 'index'], node.arg.range);
        return { _tag: 'position', index: node.arg.value };
      case 'threshold_abs':
        if (node.arg !== undefined) this.at([...path, 'bar'], node.arg.range);
        return fillVariant(SELECTION_SCHEMA, 'threshold_abs', { bar: node.arg?.value });
      default:
        if (node.arg !== undefined) this.at([...path, 'tau'], node.arg.range);
        return fillVariant(SELECTION_SCHEMA, 'threshold', { tau: node.arg?.value });
    }
  }

  /** `sweep { grid { … } zip { … } }`: each axis's path and values, every value's range recorded. */
  sweep(node: A.SweepSection, path: SpecPath): Sweep {
    const grid: SweepAxis[] = [];
    const zip: SweepAxis[][] = [];
    const axis = (a: A.SweepAxisNode, at: SpecPath): SweepAxis => {
      this.at(at, a.range);
      this.at([...at, 'path'], a.path.range);
      a.values.forEach((v, j) => this.at([...at, 'values', j], v.range));
      const values = a.values.map((v): SweepValue =>
        v._tag === 'Word' ? (v.text === 'true' ? true : v.text === 'false' ? false : v.text) : v.value,
      );
      return { path: a.path.text, values };
    };
    for (const block of node.blocks) {
      if (block.kind.text === 'grid') {
        for (const a of block.axes) grid.push(axis(a, [...path, 'grid', grid.length]));
      } else {
        const g = zip.length;
        this.at([...path, 'zip', g], block.range);
        if (block.axes.length === 0)
          this.error(
            'empty-sweep-axis',
            'this zip has no settings; give at least one: zip { lr [0.1, 1]  epochs [10, 20] }',
            block.kind.range,
          );
        zip.push(block.axes.map((a, i) => axis(a, [...path, 'zip', g, i])));
      }
    }
    return { grid, zip: zip.filter((g) => g.length > 0) };
  }

  report(node: A.ReportSection, path: SpecPath): Report {
    const plots: Plot[] = [];
    const tables: Table[] = [];
    for (const item of node.items) {
      if (item.kind.text === 'plot') {
        this.at([...path, 'plots', plots.length], item.name.range);
        plots.push(item.name.text as Plot);
      } else {
        this.at([...path, 'tables', tables.length], item.name.range);
        tables.push(item.name.text as Table);
      }
    }
    return { plots, tables };
  }
}

export interface ToSpecResult {
  readonly spec: Experiment;
  readonly sourceMap: SourceMap;
  /** Structural errors; when there are any, `spec` has defaults in place of the broken parts. */
  readonly diagnostics: readonly Diagnostic[];
  /** Spec paths whose values are substitutes for broken text (see the module comment). */
  readonly poisoned: readonly SpecPath[];
}

/** Builds the experiment of an AST. `defaultName` names an experiment written without a name. */
export const toSpec = (ast: A.ExperimentNode, defaultName = 'experiment'): ToSpecResult => {
  const ctx = new Ctx();
  ctx.at([], ast.name === undefined ? ast.keyword.range : { start: ast.keyword.range.start, end: ast.name.range.end });
  if (ast.name !== undefined) ctx.at(['name'], ast.name.range);
  const p = ctx.parts(ast.items, [], false, undefined);
  // The spec's own builder fills every section the file leaves out from DEFAULTS.
  const spec: Experiment = experiment(ast.name?.value ?? defaultName, p);
  return { spec, sourceMap: ctx.map, diagnostics: ctx.diagnostics, poisoned: ctx.poisoned };
};
