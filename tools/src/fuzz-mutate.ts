/**
 * Fuzz inputs: input `i` of a run is a pure function of (seed, i, corpus). Most inputs are corpus files
 * with one to four stacked mutations, each of the kind a typo, a bad merge, a broken download or a hostile
 * file produces: token deletions, duplications, swaps and replacements; splices between two files; deep
 * nesting; huge and malformed numbers; odd Unicode (bidi overrides, zero-width and combining marks, lone
 * surrogates); unterminated strings and comments; truncation; long lines; then, on the bytes, bit flips
 * and invalid UTF-8 sequences. The rest are unmutated corpus files (the valid path) and pure noise
 * (random bytes, random token soup). Every input records its recipe, so a failure says how it was made.
 */
import { EXPERIMENT_STATEMENTS, LAYER_STATEMENTS, SETTINGS } from '@sprout/dsl';
import {
  ACTIVATION_NAMES,
  DATA_NAMES,
  GRAM_NAMES,
  GROWTH_NAMES,
  LOSS_NAMES,
  NORM_NAMES,
  OPTIMIZER_NAMES,
  SELECTION_NAMES,
  STEP_NAMES,
} from '@sprout/spec';
import type { CorpusEntry } from './fuzz-corpus.js';
import { randomFor, type Random } from './fuzz-random.js';

/**
 * One input. `bytes` goes through strict UTF-8 decoding first, as a file does; `text` (set instead when
 * the input holds lone surrogates, which UTF-8 cannot carry) goes straight to the text entry points, as a
 * string from an editor or an API caller does.
 */
export type FuzzInput =
  | { readonly index: number; readonly recipe: readonly string[]; readonly bytes: Uint8Array }
  | { readonly index: number; readonly recipe: readonly string[]; readonly text: string };

/** Sizes of the input's content, for reports. */
export const inputLength = (input: FuzzInput): number => ('bytes' in input ? input.bytes.length : input.text.length);

// ─── Vocabulary ─────────────────────────────────────────────────────────────────────────────────────────

const WORDS: readonly string[] = [
  'experiment',
  ...EXPERIMENT_STATEMENTS,
  ...LAYER_STATEMENTS,
  ...Object.keys(SETTINGS),
  ...ACTIVATION_NAMES,
  ...DATA_NAMES,
  ...LOSS_NAMES,
  ...OPTIMIZER_NAMES,
  ...STEP_NAMES,
  ...GRAM_NAMES,
  ...GROWTH_NAMES,
  ...NORM_NAMES,
  ...SELECTION_NAMES,
  'kernel',
  'stride',
  'padding',
  'same',
  'valid',
  'nobias',
  'max',
  'avg',
  'metric',
  'domain',
  'codomain',
  'euclidean',
  'frobenius',
  'at',
  'epoch',
  'epochs',
  'every',
  'run',
  'plot',
  'table',
  'curves',
  'sensitivities',
  'final',
  'full',
  'true',
  'false',
  'rleu',
  'Relu',
  'RELU',
  'dens',
  'expriment',
  'constructor',
  '__proto__',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'NaN',
  'Infinity',
  'undefined',
  'null',
];
const SYMBOLS: readonly string[] = [
  '{',
  '}',
  ',',
  '"',
  '/*',
  '*/',
  '//',
  '\\',
  '[',
  ']',
  '(',
  ')',
  ':',
  ';',
  '=',
  '-',
  '+',
  '.',
  '#',
  '@',
  '\n',
];
const NUMBERS: readonly string[] = [
  '0',
  '-0',
  '+0',
  '1',
  '-1',
  '2',
  '0.5',
  '.5',
  '5.',
  '1e-3',
  '1e3',
  '1E+2',
  '1e309',
  '-1e309',
  '1e-400',
  '4294967295',
  '4294967296',
  '9007199254740993',
  '1e15',
  '1e21',
  '100000',
  '100001',
  '99999999999999999999',
  '0.1e-7',
  '1e',
  '1e+',
  '1.2.3',
  '00',
  '007',
  '0x10',
  '1_000',
  '--1',
  '+-1',
  '.',
  '-.',
  '1e99999',
  `0.${'0'.repeat(400)}1`,
];
/** Characters and strings editors and hostile files produce; the lone surrogates make a text-only input. */
const ODD_UNICODE: readonly string[] = [
  '\u202e',
  '\u202d',
  '\u2066',
  '\u200b',
  '\u200d',
  '\u2060',
  '\ufeff',
  '\u00a0',
  '\u3000',
  '\u2028',
  '\u2029',
  '\u0085',
  '\u0301',
  '\u0301\u0301\u0301\u0301',
  'e\u0301',
  '\u0000',
  '\u0007',
  '\u001b[2J',
  '\u007f',
  '\ufffd',
  '\uffff',
  '\ufffe',
  '\u{10ffff}',
  '\u{1f600}',
  '\u{1f469}\u200d\u{1f52c}',
  'р',
  'е',
  'ⅰ',
  '１２',
  '٣',
  '𝟗',
  'ß',
  'İ',
  'ﬁ',
  '\t',
  '\r',
  '\r\n',
  '\v',
  '\f',
  '\ud800',
  '\udfff',
  '\udc00\ud800',
];
const INVALID_UTF8: readonly (readonly number[])[] = [
  [0xff],
  [0xfe],
  [0x80],
  [0xbf],
  [0xc0, 0x80],
  [0xc1, 0xbf],
  [0xe0, 0x80, 0x80],
  [0xed, 0xa0, 0x80],
  [0xed, 0xbf, 0xbf],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf5, 0x80, 0x80, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xe2, 0x82],
  [0xf0, 0x9f, 0x98],
  [0xc3],
  [0xef, 0xbb, 0xbf],
  [0x00],
];
const OPENERS: readonly string[] = [
  '{',
  'residual {',
  'network {',
  'compare { run "a" {',
  'metric frobenius { domain scaled {',
  '{ {',
  '[',
  '(',
];
const DEPTHS: readonly number[] = [2, 8, 31, 32, 33, 63, 64, 65, 100, 2, 8, 31, 32, 33, 63, 64, 65, 100, 1_000, 20_000];

// ─── Tokens of possibly broken text ─────────────────────────────────────────────────────────────────────

/** A rough tokenizer, independent of the language's lexer: words, numbers, strings, comments, single characters. */
const TOKEN =
  /\/\/[^\n]*|\/\*[\s\S]*?\*\/|"(?:[^"\\\n]|\\.)*"|[A-Za-z_][A-Za-z0-9_]*|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|\S/gu;

interface Span {
  readonly start: number;
  readonly end: number;
}

const tokens = (text: string): Span[] =>
  [...text.matchAll(TOKEN)].map((m) => ({ start: m.index, end: m.index + m[0].length }));

/** A random token boundary (offset) of `text`, or a random offset when it has no tokens. */
const boundary = (r: Random, text: string, spans: readonly Span[]): number => {
  if (spans.length === 0) return r.int(text.length + 1);
  const s = r.pick(spans);
  return r.chance(0.5) ? s.start : s.end;
};

// ─── Text mutations ─────────────────────────────────────────────────────────────────────────────────────

/** `heavy`: whether the mutation may make inputs of hundreds of kilobytes (off for the quick CI run). */
type TextMutation = (r: Random, text: string, other: () => string, heavy: boolean) => string;

const randomNumber = (r: Random): string =>
  r.chance(0.7)
    ? r.pick(NUMBERS)
    : `${r.chance(0.3) ? '-' : ''}${'9'.repeat(r.between(1, r.chance(0.1) ? 100_000 : 400))}${r.chance(0.3) ? `e${r.between(-999, 999)}` : ''}`;

const word = (r: Random): string =>
  r.weighted<() => string>([
    [6, () => r.pick(WORDS)],
    [3, () => r.pick(SYMBOLS)],
    [3, () => randomNumber(r)],
    [1, () => `"${r.pick(WORDS)}"`],
    [1, () => r.pick(ODD_UNICODE)],
  ])();

const MUTATIONS: Readonly<Record<string, TextMutation>> = {
  'delete-tokens': (r, t) => {
    const s = tokens(t);
    if (s.length === 0) return t;
    const i = r.int(s.length);
    const j = Math.min(s.length - 1, i + r.int(r.chance(0.2) ? 20 : 3));
    return t.slice(0, s[i]!.start) + t.slice(s[j]!.end);
  },
  'duplicate-tokens': (r, t, _o, heavy) => {
    const s = tokens(t);
    if (s.length === 0) return t;
    const i = r.int(s.length);
    const j = Math.min(s.length - 1, i + r.int(6));
    const chunk = t.slice(s[i]!.start, s[j]!.end);
    const times = r.weighted([
      [48, 1],
      [18, r.between(2, 10)],
      [1, heavy ? r.between(100, 5_000) : 20],
    ]);
    return t.slice(0, s[j]!.end) + ` ${chunk}`.repeat(times) + t.slice(s[j]!.end);
  },
  'swap-tokens': (r, t) => {
    const s = tokens(t);
    if (s.length < 2) return t;
    let a = r.pick(s);
    let b = r.pick(s);
    if (a.start === b.start) return t;
    if (b.start < a.start) [a, b] = [b, a];
    if (a.end > b.start) return t;
    return (
      t.slice(0, a.start) + t.slice(b.start, b.end) + t.slice(a.end, b.start) + t.slice(a.start, a.end) + t.slice(b.end)
    );
  },
  'replace-token': (r, t) => {
    const s = tokens(t);
    if (s.length === 0) return word(r);
    const x = r.pick(s);
    return t.slice(0, x.start) + word(r) + t.slice(x.end);
  },
  'insert-words': (r, t) => {
    const at = boundary(r, t, tokens(t));
    const n = r.between(1, 5);
    return `${t.slice(0, at)} ${Array.from({ length: n }, () => word(r)).join(' ')} ${t.slice(at)}`;
  },
  'replace-number': (r, t) => {
    const nums = [...t.matchAll(/[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/g)];
    if (nums.length === 0) return t;
    const m = r.pick(nums);
    return t.slice(0, m.index) + randomNumber(r) + t.slice(m.index + m[0].length);
  },
  splice: (r, t, other) => {
    const o = other();
    const a = boundary(r, t, tokens(t));
    const b = boundary(r, o, tokens(o));
    return r.chance(0.5) ? t.slice(0, a) + o.slice(b) : o.slice(0, b) + t.slice(a);
  },
  'insert-file': (r, t, other) => {
    const at = boundary(r, t, tokens(t));
    return t.slice(0, at) + other() + t.slice(at);
  },
  nest: (r, t, _o, heavy) => {
    const at = boundary(r, t, tokens(t));
    const open = r.pick(OPENERS);
    const depth = Math.min(r.pick(DEPTHS), heavy ? Infinity : 100);
    const closed = r.chance(0.6);
    const close = open.endsWith('(') ? ')' : open.endsWith('[') ? ']' : '}'.repeat(open.split('{').length - 1);
    const inner = r.chance(0.5) ? '' : ' dense 3 relu ';
    return t.slice(0, at) + `${open} `.repeat(depth) + inner + (closed ? `${close} `.repeat(depth) : '') + t.slice(at);
  },
  'odd-unicode': (r, t) => {
    const at = r.int(t.length + 1);
    const s = Array.from({ length: r.between(1, 3) }, () => r.pick(ODD_UNICODE)).join('');
    return t.slice(0, at) + s + t.slice(at);
  },
  'unicode-in-string': (r, t) => {
    const strings = [...t.matchAll(/"(?:[^"\\\n]|\\.)*"/g)];
    if (strings.length === 0) return t;
    const m = r.pick(strings);
    const at = m.index + 1 + r.int(m[0].length - 1);
    const s = r.pick([
      ...ODD_UNICODE,
      '\\u{110000}',
      '\\u{d800}',
      '\\u{}',
      '\\u{1f600',
      '\\q',
      '\\',
      '\\u{0}',
      `\\u{${'f'.repeat(40)}}`,
    ]);
    return t.slice(0, at) + s + t.slice(at);
  },
  unterminate: (r, t) => {
    const at = boundary(r, t, tokens(t));
    return t.slice(0, at) + r.pick(['"', '/*', '"\\', '/* /* */', '*/', '"\n"']) + t.slice(at);
  },
  truncate: (r, t) => t.slice(0, r.int(t.length + 1)),
  'long-line': (r, t, _o, heavy) => {
    const at = boundary(r, t, tokens(t));
    const unit = r.pick(['a', '9', ' ', 'dense ', '{}', '//', ',', '"x" ', '\u0301']);
    const length = r.weighted(
      heavy
        ? [
            [120, r.between(100, 10_000)],
            [4, r.between(10_000, 300_000)],
            [1, r.between(1_000_000, 2_200_000)],
          ]
        : [[1, r.between(100, 10_000)]],
    );
    return t.slice(0, at) + unit.repeat(Math.ceil(length / unit.length)) + t.slice(at);
  },
  'repeat-lines': (r, t, _o, heavy) => {
    const lines = t.split('\n');
    const i = r.int(lines.length);
    const times = r.weighted(
      heavy
        ? [
            [120, r.between(2, 50)],
            [4, r.between(500, 3_000)],
            [1, r.between(10_000, 40_000)],
          ]
        : [[1, r.between(2, 50)]],
    );
    return [...lines.slice(0, i + 1), ...Array.from({ length: times }, () => lines[i]!), ...lines.slice(i + 1)].join(
      '\n',
    );
  },
  'change-case': (r, t) => {
    const s = tokens(t);
    if (s.length === 0) return t;
    const x = r.pick(s);
    const w = t.slice(x.start, x.end);
    return t.slice(0, x.start) + (r.chance(0.5) ? w.toUpperCase() : w[0]!.toUpperCase() + w.slice(1)) + t.slice(x.end);
  },
  'line-endings': (r, t) => t.replace(/\n/g, r.pick(['\r', '\r\n', '\u2028', '', ' ', '\n\n\n', '\v', '\u0085'])),
  'strip-whitespace': (r, t) => t.replace(r.chance(0.5) ? /\s+/g : /\s+/g, r.chance(0.5) ? '' : ' '),
  'drop-braces': (r, t) => {
    const braces = [...t.matchAll(/[{}]/g)];
    if (braces.length === 0) return t;
    const m = r.pick(braces);
    return t.slice(0, m.index) + (r.chance(0.5) ? '' : m[0] === '{' ? '}' : '{') + t.slice(m.index + 1);
  },
};
const MUTATION_NAMES = Object.keys(MUTATIONS);

// ─── Byte mutations ─────────────────────────────────────────────────────────────────────────────────────

const BYTE_MUTATIONS: Readonly<Record<string, (r: Random, b: Uint8Array) => Uint8Array>> = {
  'flip-bits': (r, b) => {
    if (b.length === 0) return b;
    const out = b.slice();
    const n = r.between(1, 8);
    for (let k = 0; k < n; k++) out[r.int(out.length)]! ^= 1 << r.int(8);
    return out;
  },
  'set-bytes': (r, b) => {
    if (b.length === 0) return b;
    const out = b.slice();
    const n = r.between(1, 4);
    for (let k = 0; k < n; k++)
      out[r.int(out.length)] = r.pick([0x00, 0xff, 0x80, 0xc0, 0xe0, 0xf0, 0x7f, 0x22, 0x7b, 0x7d, r.int(256)]);
    return out;
  },
  'invalid-utf8': (r, b) => {
    const seq = r.pick(INVALID_UTF8);
    const at = r.int(b.length + 1);
    const out = new Uint8Array(b.length + seq.length);
    out.set(b.subarray(0, at), 0);
    out.set(seq, at);
    out.set(b.subarray(at), at + seq.length);
    return out;
  },
  'cut-bytes': (r, b) => b.subarray(0, r.int(b.length + 1)),
};
const BYTE_MUTATION_NAMES = Object.keys(BYTE_MUTATIONS);

// ─── Inputs ─────────────────────────────────────────────────────────────────────────────────────────────

const encoder = new TextEncoder();
const hasLoneSurrogate = (s: string): boolean =>
  /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);

const noise = (r: Random): { recipe: string; bytes: Uint8Array } => {
  const kind = r.pick(['random-bytes', 'random-ascii', 'token-soup', 'empty', 'whitespace', 'comments']);
  switch (kind) {
    case 'random-bytes':
      return { recipe: kind, bytes: Uint8Array.from({ length: r.int(2_000) }, () => r.int(256)) };
    case 'random-ascii':
      return { recipe: kind, bytes: Uint8Array.from({ length: r.int(2_000) }, () => r.between(9, 126)) };
    case 'token-soup':
      return {
        recipe: kind,
        bytes: encoder.encode(Array.from({ length: r.int(500) }, () => word(r)).join(r.pick([' ', '\n', '']))),
      };
    case 'empty':
      return { recipe: kind, bytes: new Uint8Array(0) };
    case 'whitespace':
      return { recipe: kind, bytes: encoder.encode(' \t\n\r\u00a0\ufeff'.repeat(r.int(50))) };
    default:
      return { recipe: kind, bytes: encoder.encode(`// only a comment\n/* and ${'another '.repeat(r.int(20))} */\n`) };
  }
};

export interface InputOptions {
  /** Whether mutations may build inputs of hundreds of kilobytes to megabytes (long lines, thousands of
   * repeated lines or tokens, 20,000-deep nesting). @default true; the quick CI run turns it off */
  readonly heavy?: boolean;
}

/** Input `index` of run `seed`. */
export const inputAt = (
  corpus: readonly CorpusEntry[],
  seed: number,
  index: number,
  options: InputOptions = {},
): FuzzInput => {
  const heavy = options.heavy ?? true;
  const r = randomFor(seed, index);
  const roll = r.float();
  if (roll < 0.04) {
    const n = noise(r);
    return { index, recipe: [n.recipe], bytes: n.bytes };
  }
  const base = r.pick(corpus);
  if (roll < 0.12) return { index, recipe: [base.name], bytes: encoder.encode(base.text) };
  const recipe = [base.name];
  let text = base.text;
  const other = (): string => {
    const o = r.pick(corpus);
    recipe.push(`with ${o.name}`);
    return o.text;
  };
  const n = r.weighted([
    [5, 1],
    [3, 2],
    [2, 3],
    [1, 4],
  ]);
  for (let k = 0; k < n; k++) {
    const m = r.pick(MUTATION_NAMES);
    recipe.push(m);
    text = MUTATIONS[m]!(r, text, other, heavy);
  }
  if (hasLoneSurrogate(text)) return { index, recipe: [...recipe, 'as text'], text };
  let bytes: Uint8Array = encoder.encode(text);
  if (r.chance(0.2)) {
    const m = r.pick(BYTE_MUTATION_NAMES);
    recipe.push(m);
    bytes = BYTE_MUTATIONS[m]!(r, bytes);
  }
  return { index, recipe, bytes };
};
