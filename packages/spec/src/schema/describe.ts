/**
 * The one description of a section of the spec: a tagged union whose variants list their fields, or a
 * record of fields without a tag (`struct`: the training settings), each field with its default, its valid
 * range, the label of its range message and the values tests draw. The TypeScript type (`Infer`), the JSON
 * decoder, the defaults, the builders, the name and range checks, the fast-check arbitraries and the
 * language's settings and printer are all derived from it, so a new field is one entry.
 * Plain data: nothing here imports fast-check or the language.
 */
import type { Diagnostic, SpecPath } from '../Diagnostic.js';
import type { Range } from '../internal/range.js';

/** How a value may be written right after the variant's name in the language (`momentum 0.9`, `scaled 2`). */
export interface Positional {
  /**
   * `only`: never a setting (`step constant 0.1`); `preferred`: a setting too, printed after the name
   * (`optimizer momentum 0.9`); `also`: a setting too, printed as one (`step adaptive { a0 0.1 }`).
   */
  readonly mode: 'only' | 'preferred' | 'also';
  /** How messages name the value: `β`, `a₀`, `c`. */
  readonly symbol: string;
  /** What it is, in "'scaled' needs its factor: scaled c" (a value without a default). */
  readonly noun?: string;
}

interface Optionality {
  /** Absent from the value unless given (`?:` in the type), never `undefined`. */
  readonly optional?: boolean;
  /** `false`: not a setting of the language's block (a file path written after the data set's name, or none). */
  readonly language?: false;
}

/** A word a number field also takes (`batch full`), and the JSON decoder's type message for either. */
export interface OrWord<W extends string = string> {
  readonly word: W;
  /** "expected `expected`, got …": "a batch size or 'full'". */
  readonly expected: string;
}

export interface NumberField<W extends string = string> extends Optionality {
  readonly type: 'number';
  /** A string only when it is the field's `orWord`. */
  readonly default?: number | string;
  /**
   * The valid values; `rate`: a step size, finite and > 0 in float64 and in float32; absent: checked
   * elsewhere, against other sections (a growth schedule's epochs against the training's, check-schedule.ts).
   */
  readonly range?: Range | 'rate';
  /** The value in a range message: "`what` must be a finite number > 0, got 0". */
  readonly what: string;
  /** The diagnostic's code when out of range. @default 'out-of-range' */
  readonly code?: string;
  /**
   * The values test data draws: a range (default: `range`, or [1e-6, 10] for a rate), or a fraction in [0, 1]
   * of another field of the variant (`minLr` at most `lr`).
   */
  readonly sample?: Range | { readonly fractionOf: string };
  readonly positional?: Positional;
  readonly orWord?: OrWord<W>;
}

/** A name of a closed vocabulary (`NAME_KINDS[kind]`); `N` is its TypeScript type. */
export interface NameField<N extends string = string> extends Optionality {
  readonly type: 'name';
  /** A key of `NAME_KINDS` (unknown-name.ts, which this module cannot import: it would close a cycle). */
  readonly kind: string;
  readonly default?: N;
  /** The names test data draws (default: all). */
  readonly sample?: readonly string[];
  readonly positional?: undefined;
}

export interface BoolField extends Optionality {
  readonly type: 'boolean';
  readonly default?: boolean;
  readonly positional?: undefined;
}

/** A nested section that is itself a described union (an optimizer's step size and metric). */
export interface SubField<U extends Union = Union> extends Optionality {
  readonly type: 'union';
  readonly union: U;
  readonly default?: { readonly _tag: string };
  /** The variants test data draws (default: all). */
  readonly sample?: readonly string[];
  readonly positional?: undefined;
}

/**
 * A nested record without a tag (training's early stopping). The language writes its settings in the
 * parent's block (`train { epochs 10  patience 5 }`).
 */
export interface RecordField<S extends Struct = Struct> extends Optionality {
  readonly type: 'record';
  readonly struct: S;
  readonly default?: undefined;
  readonly positional?: undefined;
}

/** A string: non-empty, at most MAX_NAME_LENGTH characters (a file path, a folder, a column name). */
export interface TextField extends Optionality {
  readonly type: 'text';
  readonly default?: string;
  /** The value in its range message: "`what` must be a non-empty string …". */
  readonly what: string;
  /** The diagnostic's code when it is empty or too long. */
  readonly code: string;
  /** An index the field also takes (a csv label: a column's name or index), `string | number` in the type. */
  readonly orIndex?: { readonly range: Range; readonly what: string; readonly expected: string };
  readonly positional?: undefined;
}

/** A list of numbers (a growth schedule's epochs). */
export interface ListField extends Optionality {
  readonly type: 'list';
  readonly item: NumberField;
  /** Test data: between `minLength` and `maxLength` distinct items, in increasing order. */
  readonly sample: { readonly minLength: number; readonly maxLength: number };
  readonly default?: undefined;
  readonly positional?: undefined;
}

export type Field = NumberField | NameField | BoolField | TextField | SubField | RecordField | ListField;
export type Fields = Readonly<Record<string, Field>>;
type Variants = Readonly<Record<string, Fields>>;

/** A value of some described union, as the walkers see it. */
export type Tagged = { readonly _tag: string } & Readonly<Record<string, unknown>>;

export interface Union<V extends Variants = Variants> {
  /** The vocabulary of its tags, a key of `NAME_KINDS` (`unknown-optimizer`, "did you mean"). */
  readonly kind: string;
  /** The union in a type message: "expected an optimizer". */
  readonly what: string;
  readonly variants: V;
  /**
   * Rules across fields, run after the fields' own range checks (`valid`: those found nothing). Also run
   * for a value of an unknown variant.
   */
  readonly refine?: (value: Tagged, path: SpecPath, valid: boolean) => readonly Diagnostic[];
}

/** A record of fields without a tag (the training settings). */
export interface Struct<F extends Fields = Fields> {
  readonly fields: F;
}

/** The tags of a described union. */
export type TagOf<U> = U extends Union<infer V> ? keyof V & string : never;

type ValueOf<F> = F extends { readonly orWord: { readonly word: infer W } }
  ? number | W
  : F extends NumberField
    ? number
    : F extends NameField<infer N>
      ? N
      : F extends BoolField
        ? boolean
        : F extends { readonly type: 'text'; readonly orIndex: object }
          ? string | number
          : F extends TextField
            ? string
            : F extends SubField<infer U>
              ? Infer<U>
              : F extends RecordField<infer S>
                ? Infer<S>
                : F extends ListField
                  ? readonly number[]
                  : never;
type Flat<X> = { [K in keyof X]: X[K] };
type IsOptional<F> = F extends { readonly optional: true } ? true : false;
/** The object a record of fields stands for: optional fields `?:`. */
type Shape<F> = { readonly [K in keyof F as IsOptional<F[K]> extends true ? never : K]: ValueOf<F[K]> } & {
  readonly [K in keyof F as IsOptional<F[K]> extends true ? K : never]?: ValueOf<F[K]>;
};

/**
 * The TypeScript type a description stands for: of a union, one readonly object per variant, tagged by
 * `_tag`; of a struct, one readonly object.
 */
export type Infer<U> =
  U extends Union<infer V>
    ? {
        [T in keyof V & string]: Flat<{ readonly _tag: T } & Shape<V[T]>>;
      }[keyof V & string]
    : U extends Struct<infer F>
      ? Flat<Shape<F>>
      : never;

// ─── Constructors ──────────────────────────────────────────────────────────────────────────────────────

export const union = <V extends Variants>(
  kind: string,
  what: string,
  variants: V,
  refine?: Union['refine'],
): Union<V> => (refine === undefined ? { kind, what, variants } : { kind, what, variants, refine });

export const struct = <F extends Fields>(fields: F): Struct<F> => ({ fields });

export const num = (
  options: Omit<NumberField, 'type' | 'orWord' | 'default'> & { readonly default?: number },
): NumberField => ({
  type: 'number',
  ...options,
});

/** A number that may also be the word `word` (`batch full`): `number | W` in the type. */
export const numOrWord = <const W extends string>(
  word: W,
  expected: string,
  options: Omit<NumberField, 'type' | 'orWord' | 'default' | 'positional'> & { readonly default?: number | W },
): NumberField<W> & { readonly orWord: OrWord<W> } => ({
  type: 'number',
  ...options,
  orWord: { word, expected },
});

export const name = <N extends string>(
  kind: string,
  options: { readonly default?: N; readonly sample?: readonly N[] } = {},
): NameField<N> => ({
  type: 'name',
  kind,
  ...options,
});

export const bool = (options: { readonly default?: boolean } = {}): BoolField => ({ type: 'boolean', ...options });

export const text = (options: Omit<TextField, 'type' | 'orIndex'>): TextField => ({ type: 'text', ...options });

/** A string or an index (a csv label column). */
export const textOrIndex = (
  options: Omit<TextField, 'type' | 'orIndex'> & { readonly orIndex: NonNullable<TextField['orIndex']> },
): TextField & { readonly orIndex: object } => ({ type: 'text', ...options });

/** `f`, not a setting of the language's block. */
export const notInLanguage = <F extends Field>(f: F): F & { readonly language: false } => ({ ...f, language: false });

/** A nested record (schema `s`) as a field. */
export const record = <S extends Struct>(s: S): RecordField<S> => ({ type: 'record', struct: s });

/** A list of numbers, each an `item`. */
export const list = (item: NumberField, sample: ListField['sample']): ListField => ({ type: 'list', item, sample });

/** `f`, absent from the value unless given (`?:` in the type). */
export const optional = <F extends Field>(f: F): F & { readonly optional: true } => ({ ...f, optional: true });

export const sub = <U extends Union>(
  u: U,
  options: {
    readonly default?: Infer<U> & { readonly _tag: string };
    readonly sample?: readonly (TagOf<U> & string)[];
  } = {},
): SubField<U> => ({ type: 'union', union: u, ...options });

// ─── Reading a description ─────────────────────────────────────────────────────────────────────────────

/** The fields of variant `tag`, or `undefined` for a tag the union does not have. */
export const variantFields = (u: Union, tag: unknown): Fields | undefined =>
  typeof tag === 'string' && Object.hasOwn(u.variants, tag) ? u.variants[tag] : undefined;

/** The fields every variant has, alike: what a value of an unknown variant is still checked for. */
export const sharedFields = (u: Union): Fields => {
  const [first, ...rest] = Object.values(u.variants);
  const same = (a: Field | undefined, b: Field): boolean =>
    a !== undefined &&
    a.type === b.type &&
    (a.type !== 'union' || a.union === (b as SubField).union) &&
    (a.type !== 'record' || a.struct === (b as RecordField).struct);
  return Object.fromEntries(Object.entries(first ?? {}).filter(([k, f]) => rest.every((v) => same(v[k], f))));
};

/** The language's word for a field: its name in snake_case (`minLr` → `min_lr`; `L0` and `Lmin` stay). */
export const settingWord = (field: string): string =>
  field.replace(/([a-z0-9])([A-Z])/g, (_, a: string, b: string) => `${a}_${b.toLowerCase()}`);

/**
 * Whether a field is a setting of the language (`{ beta1 0.9 }`): a number, a name or a boolean not written
 * only after the variant's name.
 */
export const isSetting = (f: Field): f is NumberField | NameField | BoolField | TextField =>
  f.type !== 'union' &&
  f.type !== 'record' &&
  f.type !== 'list' &&
  f.language !== false &&
  f.positional?.mode !== 'only';

/** The field written right after the variant's name, if the variant has one. */
export const positionalField = (fields: Fields): readonly [string, NumberField] | undefined => {
  const entry = Object.entries(fields).find(([, f]) => f.positional !== undefined);
  return entry === undefined ? undefined : [entry[0], entry[1] as NumberField];
};

/**
 * Variant `tag` of `u` from the values `given`, every absent one taking its default, in the order of the
 * description (so specs built any way serialise alike). A field with neither stays absent.
 */
export const fillVariant = <U extends Union>(u: U, tag: TagOf<U>, given: object): Infer<U> =>
  ({ _tag: tag, ...fill(variantFields(u, tag) ?? {}, given) }) as unknown as Infer<U>;

/** A struct's value from the values `given`, as `fillVariant` (absent ones take their defaults, in order). */
export const fillStruct = <S extends Struct>(s: S, given: object): Infer<S> => fill(s.fields, given) as Infer<S>;

const fill = (fields: Fields, given: object): Record<string, unknown> => {
  const values = given as Readonly<Record<string, unknown>>;
  const out: Record<string, unknown> = {};
  for (const [k, f] of Object.entries(fields)) {
    const v = values[k] ?? f.default;
    if (v !== undefined) out[k] = v;
  }
  return out;
};

/** The defaults of some fields' settings: not nested sections, nor values written only after a variant's name. */
export const fieldDefaults = (fields: Fields): Readonly<Record<string, unknown>> =>
  Object.fromEntries(
    Object.entries(fields).flatMap(([k, f]) => (isSetting(f) && f.default !== undefined ? [[k, f.default]] : [])),
  );

/** The defaults of variant `tag`'s settings (`DEFAULTS.adam`). */
export const settingDefaults = (u: Union, tag: string): Readonly<Record<string, unknown>> =>
  fieldDefaults(u.variants[tag] ?? {});
