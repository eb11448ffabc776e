/**
 * A minimal validating decoder for untrusted JSON: a `Decoder<A>` reads an `unknown` at a spec path and
 * returns `A` or every problem found (wrong types, missing and unknown fields, unknown names), like
 * io-ts but with Sprout diagnostics. Struct fields are decoded independently so all errors accumulate.
 */
import * as E from 'fp-ts/lib/Either.js';
import * as RA from 'fp-ts/lib/ReadonlyArray.js';
import type * as RNEA from 'fp-ts/lib/ReadonlyNonEmptyArray.js';
import type { Diagnostic, SpecPath } from '../Diagnostic.js';
import { didYouMean } from '../did-you-mean.js';
import { isKnownName, unknownName, type NameKindKey } from '../unknown-name.js';
import type { Field, Fields as DescribedFields, Infer, Struct, Union } from '../schema/describe.js';
import { error, show } from './diagnostic.js';

type Errors = RNEA.ReadonlyNonEmptyArray<Diagnostic>;
export type Result<A> = E.Either<Errors, A>;
export type Decoder<A> = (input: unknown, path: SpecPath) => Result<A>;
type TypeOf<D> = D extends Decoder<infer A> ? A : never;

const kindOf = (u: unknown): string => (typeof u === 'string' ? `the string ${show(u)}` : show(u));

export const wrongType = (expected: string, input: unknown, path: SpecPath): Result<never> =>
  E.left([
    error('wrong-type', `expected ${expected}, got ${kindOf(input)}`, path, { expected, actual: kindOf(input) }),
  ]);

export const number: Decoder<number> = (u, path) =>
  typeof u === 'number' ? E.right(u) : wrongType('a number', u, path);
export const string: Decoder<string> = (u, path) =>
  typeof u === 'string' ? E.right(u) : wrongType('a string', u, path);
export const boolean: Decoder<boolean> = (u, path) =>
  typeof u === 'boolean' ? E.right(u) : wrongType('true or false', u, path);

/** A name of a closed vocabulary; an unknown one gets "did you mean". */
export const name =
  <A extends string>(kind: NameKindKey): Decoder<A> =>
  (u, path) =>
    typeof u !== 'string'
      ? wrongType('a name (string)', u, path)
      : isKnownName(kind, u)
        ? E.right(u as A)
        : E.left([unknownName(kind, u, path)]);

/** Exactly `value` (a tag already dispatched on). */
export const literal =
  <A extends string | number>(value: A): Decoder<A> =>
  (u, path) =>
    u === value ? E.right(value) : wrongType(show(value), u, path);

/** Either decoder, tried in order; the errors of the last when both fail. */
const or =
  <A, B>(a: Decoder<A>, b: Decoder<B>, expected: string): Decoder<A | B> =>
  (u, path) => {
    const first = a(u, path);
    if (E.isRight(first)) return first;
    const second = b(u, path);
    return E.isRight(second) ? second : wrongType(expected, u, path);
  };

/** Collects the errors of many results, or their values when all succeeded. */
const all = <A>(results: readonly Result<A>[]): Result<readonly A[]> => {
  const errors = results.flatMap((r) => (E.isLeft(r) ? r.left : []));
  return RA.isNonEmpty(errors) ? E.left(errors) : E.right(results.map((r) => (r as E.Right<A>).right));
};

export const array =
  <A>(item: Decoder<A>): Decoder<readonly A[]> =>
  (u, path) =>
    Array.isArray(u) ? all(u.map((v, i) => item(v, [...path, i]))) : wrongType('a list', u, path);

export const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === 'object' && u !== null && !Array.isArray(u);

type Fields = Record<string, Decoder<unknown>>;
type Decoded<R extends Fields> = { readonly [K in keyof R]: TypeOf<R[K]> };

/**
 * An object with `required` and `optional` fields. Missing required fields, unknown fields (with "did you
 * mean" among the known ones) and every field's own errors are all reported. Absent optional fields stay
 * absent (never `undefined`).
 */
export const struct =
  <R extends Fields, O extends Fields = Record<never, never>>(
    required: R,
    optional: O = {} as O,
    what = 'an object',
  ): Decoder<Decoded<R> & Partial<Decoded<O>>> =>
  (u, path) => {
    if (!isRecord(u)) return wrongType(what, u, path);
    const known = [...Object.keys(required), ...Object.keys(optional)];
    const out: Record<string, unknown> = {};
    const results: Result<unknown>[] = [];
    for (const [k, d] of Object.entries(required)) {
      if (!(k in u) || u[k] === undefined)
        results.push(
          E.left([error('missing-field', `missing field '${k}'`, [...path, k], { expected: `a field '${k}'` })]),
        );
      else results.push(E.map((v) => void (out[k] = v))(d(u[k], [...path, k])));
    }
    for (const [k, d] of Object.entries(optional))
      if (k in u && u[k] !== undefined) results.push(E.map((v) => void (out[k] = v))(d(u[k], [...path, k])));
    for (const k of Object.keys(u))
      if (!known.includes(k)) {
        const suggestion = didYouMean(k, known);
        results.push(
          E.left([
            error(
              'unknown-field',
              `unknown field ${show(k)}${suggestion === undefined ? '' : `; did you mean '${suggestion}'?`}`,
              [...path, k],
              {
                expected: known.length === 0 ? 'no fields' : `one of ${known.map((f) => `'${f}'`).join(', ')}`,
                actual: show(k),
              },
            ),
          ]),
        );
      }
    return E.map(() => out as Decoded<R> & Partial<Decoded<O>>)(all(results));
  };

/** A union tagged by `_tag`: dispatches on the tag, an unknown tag gets "did you mean". */
export const tagged =
  <A>(kind: NameKindKey, cases: Record<string, Decoder<A>>, what: string): Decoder<A> =>
  (u, path) => {
    if (!isRecord(u)) return wrongType(what, u, path);
    const tag = u['_tag'];
    if (tag === undefined)
      return E.left([
        error('missing-field', `missing field '_tag' (which ${what.replace(/^an? /, '')})`, [...path, '_tag']),
      ]);
    const decode = typeof tag === 'string' && Object.hasOwn(cases, tag) ? cases[tag] : undefined;
    return decode === undefined ? E.left([unknownName(kind, tag, [...path, '_tag'])]) : decode(u, path);
  };

/** A decoder defined later (recursive types), built on first use. */
export const lazy = <A>(make: () => Decoder<A>): Decoder<A> => {
  let d: Decoder<A> | undefined;
  return (u, path) => (d ??= make())(u, path);
};

const fieldDecoder = (f: Field): Decoder<unknown> => {
  switch (f.type) {
    case 'number':
      return f.orWord === undefined ? number : or(literal(f.orWord.word), number, f.orWord.expected);
    case 'boolean':
      return boolean;
    case 'text':
      return f.orIndex === undefined ? string : or(string, number, f.orIndex.expected);
    case 'name':
      return name(f.kind as NameKindKey);
    case 'union':
      return described(f.union);
    case 'record':
      return describedStruct(f.struct);
    case 'list':
      return array(fieldDecoder(f.item));
  }
};

/**
 * `u` with every described field it lacks set to its default: a spec.json written before a field was added
 * reads as the spec the field's default gives (the language fills defaults the same way). Fields without a
 * default stay required, or absent when optional.
 */
const withDefaults = (fields: DescribedFields, u: unknown): unknown => {
  if (!isRecord(u)) return u;
  const missing = Object.entries(fields).filter(([k, f]) => f.default !== undefined && u[k] === undefined);
  return missing.length === 0 ? u : { ...u, ...Object.fromEntries(missing.map(([k, f]) => [k, f.default])) };
};

/**
 * The struct decoder of some described fields (`extra`: the tag): the required fields' values first, then
 * the optional ones', each in the order described (the key order spec.json files have always been read in).
 */
const fieldsDecoder = (
  fields: DescribedFields,
  extra: Record<string, Decoder<unknown>>,
  what?: string,
): Decoder<Record<string, unknown>> => {
  const entries = Object.entries(fields);
  const decode = struct(
    {
      ...extra,
      ...Object.fromEntries(entries.filter(([, f]) => f.optional !== true).map(([k, f]) => [k, fieldDecoder(f)])),
    },
    Object.fromEntries(entries.filter(([, f]) => f.optional === true).map(([k, f]) => [k, fieldDecoder(f)])),
    what,
  );
  return (input, path) => decode(withDefaults(fields, input), path);
};

/** The decoder of a described union (schema/describe.ts): its variants' fields in the order described. */
export const described = <U extends Union>(u: U): Decoder<Infer<U>> => {
  const cases: Record<string, Decoder<unknown>> = {};
  for (const [tag, fields] of Object.entries(u.variants)) cases[tag] = fieldsDecoder(fields, { _tag: literal(tag) });
  return tagged<unknown>(u.kind as NameKindKey, cases, u.what) as Decoder<Infer<U>>;
};

/** The decoder of a described struct: an object of its fields, in the order described. */
export const describedStruct = <S extends Struct>(s: S): Decoder<Infer<S>> =>
  fieldsDecoder(s.fields, {}) as Decoder<Infer<S>>;
