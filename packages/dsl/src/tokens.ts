/**
 * The tokens of the Sprout language. Words are either keywords (the structural words the parser steers by:
 * section and statement heads such as `network`, `dense`, `step`) or identifiers (names such as `relu`,
 * `spirals`, `full`). Both belong to the `Name` category, so wherever the grammar wants "some name" it
 * accepts either, and names are checked later against the spec's vocabularies (with "did you mean").
 * Comments go to a separate group (the formatter keeps them); unterminated strings and comments are
 * recognised as tokens of the `invalid` group so that they become one precise diagnostic each.
 */
import type { TokenType } from 'chevrotain';
import { createToken, Lexer } from './internal/chevrotain.js';

export const Name = createToken({ name: 'Name', pattern: Lexer.NA, label: 'a name' });
/** Anything but a brace: used by the lenient `rawBlock` rule that swallows the body of an unknown statement. */
export const Atom = createToken({ name: 'Atom', pattern: Lexer.NA, label: 'a word, number or string' });

const WhiteSpace = createToken({
  name: 'WhiteSpace',
  pattern: /[ \t\r\n\f\v\u00a0\ufeff]+/,
  group: Lexer.SKIPPED,
});
export const LineComment = createToken({ name: 'LineComment', pattern: /\/\/[^\n\r]*/, group: 'comments' });
export const BlockComment = createToken({
  name: 'BlockComment',
  pattern: /\/\*[\s\S]*?\*\//,
  group: 'comments',
  line_breaks: true,
});
/** `/*` with no closing `*\/` before the end of the file. */
const UnterminatedComment = createToken({
  name: 'UnterminatedComment',
  pattern: /\/\*[\s\S]*/,
  group: 'invalid',
  line_breaks: true,
});
/** A string on one line with the escapes `\" \\ \n \t \r \u{…}`; checked when it becomes a value. */
export const StringLiteral = createToken({
  name: 'StringLiteral',
  pattern: /"(?:[^"\\\r\n]|\\[^\r\n])*"/,
  label: 'a string',
  categories: [Atom],
});
/** `"` with no closing quote on the same line. */
const UnterminatedString = createToken({
  name: 'UnterminatedString',
  pattern: /"(?:[^"\\\r\n]|\\[^\r\n])*\\?/,
  group: 'invalid',
});
/** Decimal numbers with an optional sign, fraction and exponent: `2`, `-1`, `0.5`, `.5`, `1e-3`. */
export const NumberLiteral = createToken({
  name: 'NumberLiteral',
  pattern: /[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?/,
  label: 'a number',
  categories: [Atom],
});
/**
 * Digits run into letters (`0x10`, `1e`, `5relu`): one token, so it is one `invalid-number` diagnostic
 * rather than a number and a stray name. It counts as a number for the parser.
 */
const MalformedNumber = createToken({
  name: 'MalformedNumber',
  // The letters must not start an exponent, so `1e-3` and `1e999` stay numbers.
  pattern: /[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?(?![eE][-+]?\d)[A-Za-z_][A-Za-z0-9_]*/,
  label: 'a number',
  categories: [NumberLiteral, Atom],
});
export const Identifier = createToken({
  name: 'Identifier',
  pattern: /[A-Za-z_][A-Za-z0-9_]*/,
  label: 'a name',
  categories: [Name, Atom],
});
/**
 * A setting's path in a sweep: words joined by `.`, list items as `[0]` or `[*]`, at least one `.`
 * (`optimizer.step.value`, `network.layers[0].units`). One token, so no `.` or `[` has to mean anything
 * elsewhere in the language.
 */
export const SettingPath = createToken({
  name: 'SettingPath',
  pattern: /[A-Za-z_][A-Za-z0-9_]*(?:\[(?:\d+|\*)\])*(?:\.[A-Za-z_][A-Za-z0-9_]*(?:\[(?:\d+|\*)\])*)+/,
  label: 'a setting path',
  categories: [Atom],
});
export const LBracket = createToken({ name: 'LBracket', pattern: '[', label: "'['", categories: [Atom] });
export const RBracket = createToken({ name: 'RBracket', pattern: ']', label: "']'", categories: [Atom] });
export const LCurly = createToken({ name: 'LCurly', pattern: '{', label: "'{'" });
export const RCurly = createToken({ name: 'RCurly', pattern: '}', label: "'}'" });
export const Comma = createToken({ name: 'Comma', pattern: ',', label: "','", categories: [Atom] });

/** The keywords that head a statement of each statement block. */
export const BLOCK_HEADS = {
  experiment: ['seed', 'repeat', 'data', 'network', 'loss', 'optimizer', 'train', 'grow', 'compare', 'sweep', 'report'],
  network: ['input', 'dense', 'conv', 'pool', 'flatten', 'residual', 'dropout', 'batchnorm', 'output'],
  optimizer: ['step', 'metric'],
  grow: ['at', 'every', 'max', 'norm', 'select'],
} as const;

/**
 * For each statement block, the keywords that do not head one of its statements: a statement that starts
 * with one is parsed as a misplaced statement (one precise diagnostic) instead of derailing the parser.
 */
export const NotExperimentHead = createToken({ name: 'NotExperimentHead', pattern: Lexer.NA, label: 'a keyword' });
export const NotLayerHead = createToken({ name: 'NotLayerHead', pattern: Lexer.NA, label: 'a keyword' });
export const NotOptimizerHead = createToken({ name: 'NotOptimizerHead', pattern: Lexer.NA, label: 'a keyword' });
export const NotGrowHead = createToken({ name: 'NotGrowHead', pattern: Lexer.NA, label: 'a keyword' });

/** Keywords that never head a statement (they follow one): a misplaced or unknown statement may carry them. */
const FILLER_WORDS: readonly string[] = ['epoch', 'epochs', 'kernel', 'stride', 'padding', 'nobias'];
export const Filler = createToken({ name: 'Filler', pattern: Lexer.NA, label: 'a keyword' });

const heads = (block: keyof typeof BLOCK_HEADS): readonly string[] => BLOCK_HEADS[block];

const keyword = (word: string): TokenType =>
  createToken({
    name: `Kw_${word}`,
    pattern: new RegExp(word),
    longer_alt: Identifier,
    label: `'${word}'`,
    categories: [
      Name,
      Atom,
      ...(heads('experiment').includes(word) ? [] : [NotExperimentHead]),
      ...(heads('network').includes(word) ? [] : [NotLayerHead]),
      ...(heads('optimizer').includes(word) ? [] : [NotOptimizerHead]),
      ...(heads('grow').includes(word) ? [] : [NotGrowHead]),
      ...(FILLER_WORDS.includes(word) ? [Filler] : []),
    ],
  });

export const Experiment = keyword('experiment');
export const Seed = keyword('seed');
export const Repeat = keyword('repeat');
export const Data = keyword('data');
export const Network = keyword('network');
export const Input = keyword('input');
export const Dense = keyword('dense');
export const Conv = keyword('conv');
export const Kernel = keyword('kernel');
export const Stride = keyword('stride');
export const Padding = keyword('padding');
export const Pool = keyword('pool');
export const Flatten = keyword('flatten');
export const Residual = keyword('residual');
export const Dropout = keyword('dropout');
export const Batchnorm = keyword('batchnorm');
export const Output = keyword('output');
export const Nobias = keyword('nobias');
export const Loss = keyword('loss');
export const Optimizer = keyword('optimizer');
export const Step = keyword('step');
export const Metric = keyword('metric');
export const Domain = keyword('domain');
export const Codomain = keyword('codomain');
export const Train = keyword('train');
export const Grow = keyword('grow');
export const At = keyword('at');
export const Epochs = keyword('epochs');
export const Epoch = keyword('epoch');
export const Every = keyword('every');
export const Max = keyword('max');
export const Norm = keyword('norm');
export const Select = keyword('select');
export const Compare = keyword('compare');
export const Run = keyword('run');
export const Base = keyword('base');
export const Sweep = keyword('sweep');
export const Grid = keyword('grid');
export const Zip = keyword('zip');
export const Report = keyword('report');
export const Plot = keyword('plot');
export const Table = keyword('table');

/** Every keyword, longest first so that no keyword shadows a longer one it prefixes (`epoch`/`epochs`). */
const KEYWORDS: readonly TokenType[] = [
  Experiment,
  Seed,
  Repeat,
  Data,
  Network,
  Input,
  Dense,
  Conv,
  Kernel,
  Stride,
  Padding,
  Pool,
  Flatten,
  Residual,
  Dropout,
  Batchnorm,
  Output,
  Nobias,
  Loss,
  Optimizer,
  Step,
  Metric,
  Domain,
  Codomain,
  Train,
  Grow,
  At,
  Epochs,
  Epoch,
  Every,
  Max,
  Norm,
  Select,
  Compare,
  Run,
  Base,
  Sweep,
  Grid,
  Zip,
  Report,
  Plot,
  Table,
].sort((a, b) => keywordText(b).length - keywordText(a).length);

/** The word a keyword token type stands for (`Kw_dense` → `dense`). */
export function keywordText(t: TokenType): string {
  return t.name.startsWith('Kw_') ? t.name.slice(3) : t.name;
}

/**
 * A run of characters that cannot start any token (and of `-`, `+`, `.`, `/` that do not start a number or a
 * comment here), in the group `unexpected`: the lexer reports it as one `unexpected-character`. Without it
 * chevrotain's own error mode would try every pattern at every offset of the run, about 2 µs a character
 * (a megabyte of `#` took 2 s). The set is written out (no complement) so that the first-char optimisation
 * still applies; it is exactly the complement of the characters that can start a token (whitespace, `"`,
 * `+`, `,`, `-`, `.`, `/`, digits, letters, `_`, `[`, `]`, `{`, `}`).
 */
const Unexpected = createToken({
  name: 'Unexpected',
  pattern:
    /(?:[\u0000-\u0008\u000e-\u001f!#-*:-@\\^`|~-\u009f\u00a1-\ufefe\uff00-\uffff]|[-+](?!\.?\d)|\.(?!\d)|\/(?![/*]))+/,
  group: 'unexpected',
});

/** Every token type in lexing order (the lexer tries them in this order). */
export const ALL_TOKENS: readonly TokenType[] = [
  WhiteSpace,
  LineComment,
  BlockComment,
  UnterminatedComment,
  StringLiteral,
  UnterminatedString,
  MalformedNumber,
  NumberLiteral,
  SettingPath,
  LBracket,
  RBracket,
  LCurly,
  RCurly,
  Comma,
  ...KEYWORDS,
  Identifier,
  Unexpected,
  Name,
  Atom,
  NotExperimentHead,
  NotLayerHead,
  NotOptimizerHead,
  NotGrowHead,
  Filler,
];
