/**
 * Spec → canonical Sprout text. Every value is written out (nothing is left to defaults), so the text is the
 * resolved experiment, and `parseExperiment(print(spec))` gives back `spec` (a property test checks this).
 * The output is already formatted: `format(print(spec)) === print(spec)`.
 */
import type {
  Arm,
  Data,
  Experiment,
  Gram,
  Growth,
  Layer,
  Metric,
  Network,
  Optimizer,
  StepSize,
  Sweep,
  SweepAxis,
  SweepValue,
  Training,
} from '@sprout/spec';
import {
  GRAM_SCHEMA,
  GROWTH_SCHEMA,
  OPTIMIZER_SCHEMA,
  STEP_SIZE_SCHEMA,
  TRAINING_SCHEMA,
  isSetting,
  positionalField,
  settingWord,
  type SchemaField,
  type SchemaFields,
} from '@sprout/spec';

/** A number as the lexer reads it back exactly (`-0` keeps its sign). */
const num = (n: number): string => (Object.is(n, -0) ? '-0' : String(n));

/** A string literal with the escapes the lexer understands. */
const str = (s: string): string =>
  `"${s.replace(/[\\"\u0000-\u001f\u007f\u2028\u2029]/g, (c) => {
    switch (c) {
      case '\\':
        return '\\\\';
      case '"':
        return '\\"';
      case '\n':
        return '\\n';
      case '\t':
        return '\\t';
      case '\r':
        return '\\r';
      default:
        return `\\u{${c.codePointAt(0)!.toString(16)}}`;
    }
  })}"`;

/** `{ a 1, b 2 }`, or `{ }` when empty. */
const inline = (entries: readonly (readonly [string, string | undefined])[]): string => {
  const parts = entries.filter((e): e is readonly [string, string] => e[1] !== undefined).map(([k, v]) => `${k} ${v}`);
  return parts.length === 0 ? '{ }' : `{ ${parts.join(', ')} }`;
};

const block = (head: string, lines: readonly string[], indent: string): string[] =>
  lines.length === 0 ? [`${indent}${head} { }`] : [`${indent}${head} {`, ...lines.map((l) => `  ${l}`), `${indent}}`];

const augment = (a: Data['augment']): readonly (readonly [string, string | undefined])[] =>
  a === undefined
    ? []
    : [
        ['crop', num(a.crop)],
        ['flip', a.flip],
      ];

const data = (d: Data): string => {
  switch (d._tag) {
    case 'spirals':
      return `data spirals ${inline([
        ['points', num(d.points)],
        ['turns', num(d.turns)],
        ['radius', num(d.radius)],
        ['split', num(d.split)],
        ['split_draw', d.splitDraw],
        ['validation', d.validation === undefined ? undefined : num(d.validation)],
      ])}`;
    case 'mnist':
    case 'fashion_mnist': {
      const s = [
        ['dir', d.dir === undefined ? undefined : str(d.dir)],
        ['train_limit', d.trainLimit === undefined ? undefined : num(d.trainLimit)],
        ['test_limit', d.testLimit === undefined ? undefined : num(d.testLimit)],
        ['validation', d.validation === undefined ? undefined : num(d.validation)],
        ...augment(d.augment),
      ] as const;
      return s.every(([, v]) => v === undefined) ? `data ${d._tag}` : `data ${d._tag} ${inline(s)}`;
    }
    case 'cifar10':
      return `data cifar10 ${inline([
        ['dir', str(d.dir)],
        ['train_limit', d.trainLimit === undefined ? undefined : num(d.trainLimit)],
        ['test_limit', d.testLimit === undefined ? undefined : num(d.testLimit)],
        ['normalize', String(d.normalize)],
        ['validation', d.validation === undefined ? undefined : num(d.validation)],
        ...augment(d.augment),
      ])}`;
    case 'csv':
      return `data csv ${str(d.path)} ${inline([
        ['label', d.label === undefined ? undefined : typeof d.label === 'number' ? num(d.label) : str(d.label)],
        ['header', String(d.header)],
        ['split', num(d.split)],
        ['split_draw', d.splitDraw],
        ['validation', d.validation === undefined ? undefined : num(d.validation)],
      ])}`;
    case 'idx':
      return `data idx ${str(d.images)} ${str(d.labels)} ${inline([
        ['split', num(d.split)],
        ['split_draw', d.splitDraw],
        ['validation', d.validation === undefined ? undefined : num(d.validation)],
        ...augment(d.augment),
      ])}`;
  }
};

const layer = (l: Layer): string[] => {
  switch (l._tag) {
    case 'dense':
      return [`dense ${num(l.units)} ${l.activation}${l.bias ? '' : ' nobias'}`];
    case 'conv':
      return [
        `conv ${num(l.filters)} kernel ${num(l.kernel)} stride ${num(l.stride)} padding ${l.padding} ${l.activation}`,
      ];
    case 'pool':
      return [`pool ${l.kind} ${num(l.size)} stride ${num(l.stride)}`];
    case 'flatten':
      return ['flatten'];
    case 'batchnorm':
      return [l.activation === undefined ? 'batchnorm' : `batchnorm ${l.activation}`];
    case 'dropout':
      return [`dropout ${num(l.rate)}`];
    case 'residual':
      return block('residual', l.body.flatMap(layer), '');
  }
};

const network = (n: Network): string[] =>
  block(
    'network',
    [
      `input ${n.input.map(num).join(' ')}`,
      ...n.layers.flatMap(layer),
      `output ${num(n.output.units)} ${n.output.activation}`,
    ],
    '',
  );

/** A setting's value as the language writes it: numbers exactly, names and booleans bare. */
const value = (f: SchemaField, v: unknown): string | undefined =>
  v === undefined ? undefined : f.type === 'number' && v !== f.orWord?.word ? num(v as number) : String(v);

/** A struct's settings as `[word, text]` in the schema's order, a nested record's in its place (absent: none). */
const structSettings = (fields: SchemaFields, v: object | undefined): (readonly [string, string | undefined])[] => {
  const values = (v ?? {}) as Readonly<Record<string, unknown>>;
  return Object.entries(fields).flatMap(([k, f]) =>
    f.type === 'record'
      ? f.language === false
        ? []
        : structSettings(f.struct.fields, values[k] as object | undefined)
      : isSetting(f)
        ? [[settingWord(k), value(f, values[k])] as const]
        : [],
  );
};

/**
 * A described variant (the spec's schema) as text: the value written after its name, if it has one, and
 * its settings as `[word, text]` in the schema's order.
 */
const described = (
  fields: SchemaFields,
  v: object,
): { readonly afterName: string; readonly settings: readonly (readonly [string, string | undefined])[] } => {
  const values = v as Readonly<Record<string, unknown>>;
  const positional = positionalField(fields);
  // `also`: accepted after the name, printed as a setting (`step adaptive { a0 0.1 }`).
  const after = positional?.[1].positional?.mode === 'also' ? undefined : positional;
  return {
    afterName: after === undefined ? '' : ` ${value(after[1], values[after[0]])}`,
    settings: Object.entries(fields)
      .filter(([k, f]) => isSetting(f) && k !== after?.[0])
      .map(([k, f]) => [settingWord(k), value(f, values[k])] as const),
  };
};

/** `scaled 2`, `step cosine 0.1 { min_lr 0 }`: a clause of a described variant, its settings inline. */
const clause = (fields: SchemaFields, v: object & { readonly _tag: string }): string => {
  const { afterName, settings } = described(fields, v);
  return `${v._tag}${afterName}${settings.length === 0 ? '' : ` ${inline(settings)}`}`;
};

const gram = (g: Gram): string => clause(GRAM_SCHEMA.variants[g._tag], g);

const metric = (m: Metric): string =>
  m.domain._tag === 'identity' && m.codomain._tag === 'identity'
    ? 'metric euclidean'
    : `metric frobenius { domain ${gram(m.domain)}, codomain ${gram(m.codomain)} }`;

const step = (s: StepSize): string => `step ${clause(STEP_SIZE_SCHEMA.variants[s._tag], s)}`;

const optimizer = (o: Optimizer): string[] => {
  const { afterName, settings } = described(OPTIMIZER_SCHEMA.variants[o._tag], o);
  const lines = settings.flatMap(([word, text]) => (text === undefined ? [] : [`${word} ${text}`]));
  return block(`optimizer ${o._tag}${afterName}`, [...lines, step(o.step), metric(o.metric)], '');
};

const train = (t: Training): string => `train ${inline(structSettings(TRAINING_SCHEMA.fields, t))}`;

const growth = (g: Growth): string[] => {
  if (g._tag === 'none') return ['grow none'];
  const s = g.schedule;
  const schedule =
    s._tag === 'at'
      ? [`at ${s.epochs.length === 1 ? 'epoch' : 'epochs'} ${s.epochs.map(num).join(', ')}`]
      : [`every ${num(s.every)} epochs`, `max ${num(s.max)}`];
  const norm = g.norm._tag === 'metric' ? `norm ${metric(g.norm.metric)}` : `norm ${g.norm._tag}`;
  const sel = g.select;
  const select =
    sel._tag === 'position'
      ? `select position ${num(sel.index)}`
      : sel._tag === 'threshold'
        ? `select threshold ${num(sel.tau)}`
        : sel._tag === 'threshold_abs'
          ? `select threshold_abs ${num(sel.bar)}`
          : `select ${sel._tag}`;
  const mean = sel._tag === 'threshold' && sel.mean !== undefined ? [`threshold_mean ${sel.mean}`] : [];
  // The settings after the clauses, in the schema's order (an absent optional one is not written).
  const { settings } = described(GROWTH_SCHEMA.variants.sensli, g);
  const lines = settings.flatMap(([word, text]) => (text === undefined ? [] : [`${word} ${text}`]));
  return block('grow sensli', [...schedule, norm, select, ...mean, ...lines], '');
};

/** A sweep value: numbers as numbers, names bare when they are words, other strings quoted. */
const sweepValue = (v: SweepValue): string =>
  typeof v === 'number'
    ? num(v)
    : typeof v === 'boolean'
      ? String(v)
      : /^[A-Za-z_][A-Za-z0-9_]*$/.test(v) && v !== 'true' && v !== 'false'
        ? v
        : str(v);
const axis = (a: SweepAxis): string => `${a.path} [${a.values.map(sweepValue).join(', ')}]`;

const sweep = (s: Sweep): string[] =>
  block(
    'sweep',
    [
      ...(s.grid.length === 0 ? [] : block('grid', s.grid.map(axis), '')),
      ...s.zip.flatMap((g) => block('zip', g.map(axis), '')),
    ],
    '',
  );

const arm = (a: Arm): string[] =>
  block(
    `run ${str(a.name)}`,
    [
      ...(a.data === undefined ? [] : [data(a.data)]),
      ...(a.network === undefined ? [] : network(a.network)),
      ...(a.loss === undefined ? [] : [`loss ${a.loss}`]),
      ...(a.optimizer === undefined ? [] : optimizer(a.optimizer)),
      ...(a.train === undefined ? [] : [train(a.train)]),
      ...(a.growth === undefined ? [] : growth(a.growth)),
      ...(a.sweep === undefined ? [] : sweep(a.sweep)),
    ],
    '',
  );

/** The canonical text of an experiment, ending with a newline. */
export const print = (spec: Experiment): string => {
  const report = [...spec.report.plots.map((p) => `plot ${p}`), ...spec.report.tables.map((t) => `table ${t}`)];
  const lines = [
    `seed ${num(spec.seed)}`,
    `repeat ${num(spec.repeat)}`,
    data(spec.data),
    ...network(spec.network),
    `loss ${spec.loss}`,
    ...optimizer(spec.optimizer),
    train(spec.train),
    ...growth(spec.growth),
    ...(spec.compare.length === 0 && spec.baseArm === undefined
      ? []
      : block(
          'compare',
          [...(spec.baseArm === undefined ? [] : [`base ${str(spec.baseArm)}`]), ...spec.compare.flatMap(arm)],
          '',
        )),
    ...(spec.sweep === undefined ? [] : sweep(spec.sweep)),
    report.length === 0 ? 'report { }' : `report { ${report.join(', ')} }`,
  ];
  return `${block(`experiment ${str(spec.name)}`, lines, '').join('\n')}\n`;
};
