/**
 * The one description of a section of the spec: a tagged union whose variants list their fields, each with
 * its default, its valid range, the label of its range message and the values tests draw. The TypeScript
 * type (`Infer`), the JSON decoder, the defaults, the builders, the name and range checks, the fast-check
 * arbitraries and the language's settings and printer are all derived from it, so a new field is one entry.
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

export interface NumberField {
  readonly type: 'number';
  readonly default?: number;
  /** The valid values; `rate`: a step size, finite and > 0 in float64 and in float32. */
  readonly range: Range | 'rate';
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
}

/** A name of a closed vocabulary (`NAME_KINDS[kind]`); `N` is its TypeScript type. */
export interface NameField<N extends string = string> {
  readonly type: 'name';
  /** A key of `NAME_KINDS` (unknown-name.ts, which this module cannot import: it would close a cycle). */
  readonly kind: string;
  readonly default?: N;
  readonly positional?: undefined;
}

/** A nested section that is itself a described union (an optimizer's step size and metric). */
export interface SubField<U extends Union = Union> {
  readonly type: 'union';
  readonly union: U;
  readonly default?: { readonly _tag: string };
  /** The variants test data draws (default: all). */
  readonly sample?: readonly string[];
  readonly positional?: undefined;
}

export type Field = NumberField | NameField | SubField;
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

/** The tags of a described union. */
export type TagOf<U> = U extends Union<infer V> ? keyof V & string : never;

type ValueOf<F> = F extends NumberField
  ? number
  : F extends NameField<infer N>
    ? N
    : F extends SubField<infer U>
      ? Infer<U>
      : never;
type Flat<X> = { [K in keyof X]: X[K] };

/** The TypeScript type a described union stands for: one readonly object per variant, tagged by `_tag`. */
export type Infer<U> =
  U extends Union<infer V>
    ? {
        [T in keyof V & string]: Flat<{ readonly _tag: T } & { readonly [K in keyof V[T]]: ValueOf<V[T][K]> }>;
      }[keyof V & string]
    : never;

// ─── Constructors ──────────────────────────────────────────────────────────────────────────────────────

export const union = <V extends Variants>(
  kind: string,
  what: string,
  variants: V,
  refine?: Union['refine'],
): Union<V> => (refine === undefined ? { kind, what, variants } : { kind, what, variants, refine });

export const num = (options: Omit<NumberField, 'type'>): NumberField => ({ type: 'number', ...options });

export const name = <N extends string>(kind: string, options: { readonly default?: N } = {}): NameField<N> => ({
  type: 'name',
  kind,
  ...options,
});

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
    a !== undefined && a.type === b.type && (a.type !== 'union' || a.union === (b as SubField).union);
  return Object.fromEntries(Object.entries(first ?? {}).filter(([k, f]) => rest.every((v) => same(v[k], f))));
};

/** The language's word for a field: its name in snake_case (`minLr` → `min_lr`; `L0` and `Lmin` stay). */
export const settingWord = (field: string): string =>
  field.replace(/([a-z0-9])([A-Z])/g, (_, a: string, b: string) => `${a}_${b.toLowerCase()}`);

/** Whether a field is a setting of the language (`{ beta1 0.9 }`): a number or a name not written only after the variant's name. */
export const isSetting = (f: Field): f is NumberField | NameField =>
  f.type !== 'union' && f.positional?.mode !== 'only';

/** The field written right after the variant's name, if the variant has one. */
export const positionalField = (fields: Fields): readonly [string, NumberField] | undefined => {
  const entry = Object.entries(fields).find(([, f]) => f.positional !== undefined);
  return entry === undefined ? undefined : [entry[0], entry[1] as NumberField];
};

/**
 * Variant `tag` of `u` from the values `given`, every absent one taking its default, in the order of the
 * description (so specs built any way serialise alike). A field with neither stays absent.
 */
export const fillVariant = <U extends Union>(u: U, tag: TagOf<U>, given: object): Infer<U> => {
  const values = given as Readonly<Record<string, unknown>>;
  const out: Record<string, unknown> = { _tag: tag };
  for (const [k, f] of Object.entries(variantFields(u, tag) ?? {})) {
    const v = values[k] ?? f.default;
    if (v !== undefined) out[k] = v;
  }
  return out as unknown as Infer<U>;
};

/** The defaults of variant `tag`'s settings (`DEFAULTS.adam`): not its nested sections, nor values written only after its name. */
export const settingDefaults = (u: Union, tag: string): Readonly<Record<string, unknown>> =>
  Object.fromEntries(
    Object.entries(u.variants[tag] ?? {}).flatMap(([k, f]) =>
      isSetting(f) && f.default !== undefined ? [[k, f.default]] : [],
    ),
  );
