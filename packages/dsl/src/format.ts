/**
 * Text → formatted text, keeping every comment. The layout is canonical: two-space indents, one statement
 * per line in statement blocks (experiment, network, residual, optimizer, grow, compare, run), key-value
 * blocks on one line as `{ a 1, b 2 }` (or one entry per line when a comment sits inside), optional commas
 * between statements dropped, at most one blank line kept where the source had blank lines, and every
 * token spelled as written (numbers are not rewritten). A file with syntax errors is not formatted: its
 * diagnostics come back instead, so nothing is ever lost. Formatting is idempotent.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { CstElement, CstNode, IToken } from 'chevrotain';
import type { Diagnostic } from '@sprout/spec';
import { parseSyntax } from './parse.js';
import * as T from './tokens.js';

/** Rules whose `{ … }` holds statements, one per line. */
const STATEMENT_BLOCKS = new Set(['experiment', 'networkSection', 'residualLayer', 'optimizerSection', 'growSection', 'compareSection', 'runClause']);
/** Children that are statements of such a block. */
const STATEMENTS = new Set(['experimentItem', 'layer', 'optimizerItem', 'growItem', 'runClause']);
/** Rules whose `{ … }` holds entries written on one line. */
const INLINE_BLOCKS = new Set(['settings', 'metricClause', 'reportSection']);
const ENTRIES = new Set(['setting', 'gramClause', 'reportItem']);

const isToken = (e: CstElement): e is IToken => 'image' in e;

interface Roles {
  readonly statementBraces: Set<number>;
  readonly statementStarts: Set<number>;
  readonly entryStarts: Set<number>;
  readonly droppedCommas: Set<number>;
}

const firstOffset = (n: CstNode): number => n.location?.startOffset ?? NaN;

const collect = (node: CstNode, roles: Roles): void => {
  const stmtBlock = STATEMENT_BLOCKS.has(node.name);
  const inlineBlock = INLINE_BLOCKS.has(node.name);
  for (const [key, children] of Object.entries(node.children)) {
    for (const c of children ?? []) {
      if (isToken(c)) {
        if (stmtBlock && (c.tokenType === T.LCurly || c.tokenType === T.RCurly)) roles.statementBraces.add(c.startOffset);
        if ((stmtBlock || inlineBlock) && key === 'Comma') roles.droppedCommas.add(c.startOffset);
      } else {
        if (stmtBlock && STATEMENTS.has(c.name)) roles.statementStarts.add(firstOffset(c));
        if (inlineBlock && ENTRIES.has(c.name)) roles.entryStarts.add(firstOffset(c));
        collect(c, roles);
      }
    }
  }
};

/**
 * Formats Sprout text. `left` with the diagnostics when the text does not parse (then nothing is
 * formatted); semantic problems (unknown names, values out of range) do not stop formatting.
 */
export const format = (text: string): E.Either<readonly Diagnostic[], string> => {
  const syntax = parseSyntax(text);
  if (syntax.cst === undefined || syntax.lexed === undefined) return E.left(syntax.diagnostics);
  const parsed = { cst: syntax.cst };
  const lexed = syntax.lexed;
  const roles: Roles = { statementBraces: new Set(), statementStarts: new Set(), entryStarts: new Set(), droppedCommas: new Set() };
  collect(parsed.cst, roles);

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
  const hasComment = (from: number, to: number): boolean => comments.some((c) => c.startOffset > from && c.startOffset < to);
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
  for (const t of tokens) if (t.tokenType === T.LCurly && broken.has(t.startOffset) && !roles.statementBraces.has(t.startOffset)) entryBlocks.push(t.startOffset);
  const inBrokenInline = (offset: number): boolean => entryBlocks.some((open) => open < offset && offset < partner.get(open)!);

  const all = [...tokens, ...comments].sort((a, b) => a.startOffset - b.startOffset);
  const out: string[] = [];
  let line = '';
  let lineIndent = 0;
  let indent = 0;
  let prevEndLine = 0;
  let prev: IToken | undefined;
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
    } else if (roles.statementStarts.has(t.startOffset) || (roles.entryStarts.has(t.startOffset) && inBrokenInline(t.startOffset))) {
      newStatement(t);
      put(t.image);
      firstInBlock = false;
    } else if (roles.entryStarts.has(t.startOffset)) {
      if (prev !== undefined && prev.tokenType !== T.LCurly) line += ',';
      put(t.image);
    } else if (t.tokenType === T.Comma) {
      put(',', false);
    } else {
      put(t.image);
    }
    prev = t;
    prevEndLine = t.endLine ?? t.startLine ?? prevEndLine;
  }
  flush();
  return E.right(`${out.join('\n')}\n`);
};
