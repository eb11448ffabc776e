/**
 * Text → formatted text, keeping every comment. The layout is canonical: two-space indents, one statement
 * per line in statement blocks (experiment, network, residual, optimizer, grow, compare, run), key-value
 * blocks on one line as `{ a 1, b 2 }` (or one entry per line when a comment sits inside), optional commas
 * between statements dropped, at most one blank line kept where the source had blank lines, and every
 * token spelled as written (numbers are not rewritten). A comma between statements is dropped only where
 * the parse cannot change without it (`output 2, tablefinal` keeps it: without it `tablefinal` would be
 * the activation). A file with syntax errors is not formatted: its diagnostics come back instead, so
 * nothing is ever lost. Formatting is idempotent, and checked: a result that would not parse or would
 * change on a second pass is refused with `format-failed` instead of returned.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { CstElement, CstNode, IToken } from 'chevrotain';
import type { Diagnostic } from '@sprout/spec';
import { capDiagnostics, parseSyntax } from './parse.js';
import * as T from './tokens.js';

/** Rules whose `{ … }` holds statements, one per line. */
const STATEMENT_BLOCKS = new Set([
  'experiment',
  'networkSection',
  'residualLayer',
  'optimizerSection',
  'growSection',
  'compareSection',
  'runClause',
  'sweepSection',
  'sweepBlock',
]);
/** Children that are statements of such a block. */
const STATEMENTS = new Set([
  'experimentItem',
  'layer',
  'optimizerItem',
  'growItem',
  'runClause',
  'baseClause',
  'sweepBlock',
  'sweepAxis',
]);
/** Rules whose `[ … ]` holds a list of values, written `[a, b, c]`. */
const LISTS = new Set(['sweepAxis']);
/** Rules whose `{ … }` holds entries written on one line. */
const INLINE_BLOCKS = new Set(['settings', 'metricClause', 'reportSection']);
const ENTRIES = new Set(['setting', 'gramClause', 'reportItem']);

const isToken = (e: CstElement): e is IToken => 'image' in e;

interface Roles {
  readonly statementBraces: Set<number>;
  readonly statementStarts: Set<number>;
  readonly entryStarts: Set<number>;
  readonly droppedCommas: Set<number>;
  /** Values of a `[ … ]` list: the formatter writes the commas between them. */
  readonly listItems: Set<number>;
}

const firstOffset = (n: CstNode): number => n.location?.startOffset ?? NaN;

/** The statement keywords of each statement block: a statement headed by one can never be read as part of the one before. */
const HEADS: Readonly<Record<string, readonly string[]>> = {
  experiment: T.BLOCK_HEADS.experiment,
  runClause: T.BLOCK_HEADS.experiment,
  networkSection: T.BLOCK_HEADS.network,
  residualLayer: T.BLOCK_HEADS.network,
  optimizerSection: T.BLOCK_HEADS.optimizer,
  growSection: T.BLOCK_HEADS.grow,
  compareSection: ['run', 'base'],
  sweepSection: ['grid', 'zip'],
};

/**
 * Statements whose optional tail can take an identifier (`dense 5 relu`, `batchnorm relu`, `output 2 softmax`, the arguments
 * of an unknown or misplaced statement): an identifier-headed statement after one of them needs its comma.
 */
const OPEN = new Set([
  'denseLayer',
  'convLayer',
  'batchnormLayer',
  'outputLayer',
  'unknownStatement',
  'misplacedInExperiment',
  'misplacedInNetwork',
  'misplacedInOptimizer',
  'misplacedInGrow',
]);

/** The rule of a statement wrapper (`layer`, `experimentItem`, …): the name of its one child. */
const kind = (statement: CstNode): string | undefined => Object.keys(statement.children)[0];

/** The statements of a statement block `node`, in source order (built once per block, not per comma). */
const statementsOf = (node: CstNode): readonly CstNode[] =>
  Object.entries(node.children)
    .filter(([k]) => STATEMENTS.has(k))
    .flatMap(([, cs]) => (cs ?? []).filter((c): c is CstNode => !isToken(c)))
    .filter((c) => !Number.isNaN(firstOffset(c))) // a recovered statement without a location is not placed
    .sort((a, b) => firstOffset(a) - firstOffset(b));

/** Index of the first of `sorted` (statements in source order) that starts after `offset`. */
const firstAfter = (sorted: readonly CstNode[], offset: number): number => {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (firstOffset(sorted[mid]!) > offset) hi = mid;
    else lo = mid + 1;
  }
  return lo;
};

/**
 * Whether the comma at `comma` between the statements of `node` (`statements`, in source order) can be
 * dropped: only when the parse cannot change without it: no statement follows; or the next one starts with
 * a statement keyword of the block (no statement's tail takes one); or it starts with an identifier and the
 * one before cannot take an identifier. Otherwise the comma is what separates them (`output 2, tablefinal`
 * is two statements, `output 2 tablefinal` one; `pool 2, stride 2` two, `pool 2 stride 2` one) and it is kept.
 */
const commaDroppable = (
  node: CstNode,
  statements: readonly CstNode[],
  comma: number,
  first: ReadonlyMap<number, IToken>,
): boolean => {
  const i = firstAfter(statements, comma);
  const next = statements[i];
  // A swept setting ends with ']', so nothing after it can be read as part of it.
  if (node.name === 'sweepBlock') return true;
  // The statement before: the last one starting before the comma (none starts at a comma).
  const before = i > 0 && firstOffset(statements[i - 1]!) < comma ? statements[i - 1] : undefined;
  if (next === undefined) return true;
  const head = first.get(firstOffset(next));
  if (head === undefined) return false;
  if (head.tokenType.name === `Kw_${head.image}`) return (HEADS[node.name] ?? []).includes(head.image);
  if (head.tokenType !== T.Identifier) return false;
  return before !== undefined && !OPEN.has(kind(before) ?? '');
};

const collect = (node: CstNode, roles: Roles, first: ReadonlyMap<number, IToken>): void => {
  const stmtBlock = STATEMENT_BLOCKS.has(node.name);
  const inlineBlock = INLINE_BLOCKS.has(node.name);
  const list = LISTS.has(node.name);
  const statements = stmtBlock ? statementsOf(node) : [];
  for (const [key, children] of Object.entries(node.children)) {
    for (const c of children ?? []) {
      if (isToken(c)) {
        if (stmtBlock && (c.tokenType === T.LCurly || c.tokenType === T.RCurly))
          roles.statementBraces.add(c.startOffset);
        if ((inlineBlock || list) && key === 'Comma') roles.droppedCommas.add(c.startOffset);
        if (stmtBlock && key === 'Comma' && commaDroppable(node, statements, c.startOffset, first))
          roles.droppedCommas.add(c.startOffset);
      } else {
        if (stmtBlock && STATEMENTS.has(c.name)) roles.statementStarts.add(firstOffset(c));
        if (inlineBlock && ENTRIES.has(c.name)) roles.entryStarts.add(firstOffset(c));
        if (list && c.name === 'value') roles.listItems.add(firstOffset(c));
        collect(c, roles, first);
      }
    }
  }
};

/**
 * Formats Sprout text. `left` with the diagnostics when the text does not parse (then nothing is
 * formatted); semantic problems (unknown names, values out of range) do not stop formatting.
 */
export const format = (text: string): E.Either<readonly Diagnostic[], string> => {
  const once = layout(text);
  if (E.isLeft(once)) return once;
  // Safety net: the result must parse and be its own layout. A layout rule that broke either would be a
  // bug; refusing (the file stays as it is) is better than writing a file that changed meaning.
  const twice = layout(once.right);
  if (E.isRight(twice) && twice.right === once.right) return once;
  return E.left([
    {
      code: 'format-failed',
      severity: 'error',
      message: E.isLeft(twice)
        ? `the formatted text would not parse (${twice.left[0]?.code ?? 'no diagnostic'}); the file is left as it is`
        : 'formatting this file is not stable (a second pass changes it); the file is left as it is',
      note:
        E.isLeft(twice) && twice.left[0]?.code === 'too-many-tokens'
          ? 'the commas written between entries of { … } blocks take it over the token limit'
          : 'this is a bug of the formatter; please report the file',
    },
  ]);
};

/** One formatting pass (see `format`). */
const layout = (text: string): E.Either<readonly Diagnostic[], string> => {
  const syntax = parseSyntax(text);
  if (syntax.cst === undefined || syntax.lexed === undefined)
    return E.left(capDiagnostics(syntax.diagnostics, syntax.unlisted));
  const parsed = { cst: syntax.cst };
  const lexed = syntax.lexed;
  const roles: Roles = {
    statementBraces: new Set(),
    statementStarts: new Set(),
    entryStarts: new Set(),
    droppedCommas: new Set(),
    listItems: new Set(),
  };
  const first = new Map(lexed.tokens.map((t) => [t.startOffset, t] as const));
  collect(parsed.cst, roles, first);

  // Brace pairs, and which inline blocks must break because a comment sits inside.
  const tokens = lexed.tokens;
  const comments = lexed.comments;
  const partner = new Map<number, number>();
  const stack: number[] = [];
  for (const t of tokens) {
    if (t.tokenType === T.LCurly) stack.push(t.startOffset);
    else if (t.tokenType === T.RCurly) {
      const open = stack.pop()!;
      partner.set(open, t.startOffset);
      partner.set(t.startOffset, open);
    }
  }
  const hasComment = (from: number, to: number): boolean =>
    comments.some((c) => c.startOffset > from && c.startOffset < to);
  const broken = new Set<number>();
  for (const t of tokens) {
    if (t.tokenType !== T.LCurly) continue;
    const close = partner.get(t.startOffset)!;
    if (roles.statementBraces.has(t.startOffset) || hasComment(t.startOffset, close)) {
      broken.add(t.startOffset);
      broken.add(close);
    }
  }
  // Entries of a broken inline block are laid out like statements.
  const entryBlocks: number[] = [];
  for (const t of tokens)
    if (t.tokenType === T.LCurly && broken.has(t.startOffset) && !roles.statementBraces.has(t.startOffset))
      entryBlocks.push(t.startOffset);
  const inBrokenInline = (offset: number): boolean =>
    entryBlocks.some((open) => open < offset && offset < partner.get(open)!);

  const all = [...tokens, ...comments].sort((a, b) => a.startOffset - b.startOffset);
  const out: string[] = [];
  let line = '';
  let lineIndent = 0;
  let indent = 0;
  let prevEndLine = 0;
  let prev: IToken | undefined;
  // The last token that is not a comment: a comment before a list's first value is not a value before it.
  let prevToken: IToken | undefined;
  let firstInBlock = true;
  const flush = (): void => {
    if (line !== '') out.push(`${'  '.repeat(lineIndent)}${line}`);
    line = '';
  };
  const put = (s: string, space = true): void => {
    if (line === '') {
      lineIndent = indent;
      line = s;
    } else line += space ? ` ${s}` : s;
  };
  const newStatement = (t: IToken): void => {
    flush();
    if (!firstInBlock && out.length > 0 && t.startLine! - prevEndLine >= 2 && out[out.length - 1] !== '') out.push('');
  };

  for (const t of all) {
    const isComment = t.tokenType === T.LineComment || t.tokenType === T.BlockComment;
    if (isComment) {
      const trailing = prev !== undefined && t.startLine === prevEndLine && line !== '';
      if (!trailing) newStatement(t);
      put(t.image, true);
      if (t.tokenType === T.LineComment) flush();
      firstInBlock = false;
    } else if (t.tokenType === T.LCurly) {
      put('{');
      if (broken.has(t.startOffset)) {
        indent += 1;
        firstInBlock = true;
      }
    } else if (t.tokenType === T.RCurly) {
      if (broken.has(t.startOffset)) {
        indent -= 1;
        const open = partner.get(t.startOffset)!;
        if (prev !== undefined && prev.startOffset === open) put('}');
        else {
          flush();
          put('}');
        }
        firstInBlock = false;
      } else put('}');
    } else if (roles.droppedCommas.has(t.startOffset)) {
      // Separators are the formatter's to write.
    } else if (
      roles.statementStarts.has(t.startOffset) ||
      (roles.entryStarts.has(t.startOffset) && inBrokenInline(t.startOffset))
    ) {
      newStatement(t);
      put(t.image);
      firstInBlock = false;
    } else if (roles.entryStarts.has(t.startOffset)) {
      if (prev !== undefined && prev.tokenType !== T.LCurly) line += ',';
      put(t.image);
    } else if (roles.listItems.has(t.startOffset)) {
      if (prevToken !== undefined && prevToken.tokenType !== T.LBracket) line += ',';
      put(t.image, prev === undefined || prev.tokenType !== T.LBracket);
    } else if (t.tokenType === T.RBracket) {
      put(']', false);
    } else if (t.tokenType === T.Comma) {
      put(',', false);
    } else {
      put(t.image);
    }
    prev = t;
    if (!isComment) prevToken = t;
    prevEndLine = t.endLine ?? t.startLine ?? prevEndLine;
  }
  flush();
  return E.right(`${out.join('\n')}\n`);
};
