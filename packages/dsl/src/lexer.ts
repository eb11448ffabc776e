/**
 * The lexer: text → tokens, comments, and one diagnostic per unexpected character run, unterminated string
 * or unterminated comment. Never throws; a lexical error never stops the other phases from reporting
 * theirs at the positions they can.
 */
import type { IToken, Lexer as ILexer } from 'chevrotain';
import { Lexer } from './internal/chevrotain.js';
import type { Diagnostic } from '@sprout/spec';
import { ALL_TOKENS } from './tokens.js';
import { LineIndex, shorten } from './internal/positions.js';

/**
 * The lexer of the Sprout language. `validate` runs chevrotain's checks of the token definitions (about
 * 12 ms at every start-up); the shared instance skips them and a test builds one with them.
 */
export const createSproutLexer = (options: { readonly validate?: boolean } = {}): ILexer =>
  new Lexer([...ALL_TOKENS], {
    positionTracking: 'full',
    ensureOptimizations: true,
    recoveryEnabled: true,
    skipValidations: !(options.validate ?? false),
  });

const sproutLexer = createSproutLexer();

/**
 * Most `unexpected-character` diagnostics built; the runs past it are only counted (`LexResult.unlisted`).
 * A file's list is cut at MAX_DIAGNOSTICS anyway (by `capDiagnostics`, which adds the count), and 100,000
 * stray characters would otherwise cost a third of a second in diagnostics alone.
 */
export const MAX_LEXER_DIAGNOSTICS = 1_000;

export interface LexResult {
  readonly tokens: readonly IToken[];
  readonly comments: readonly IToken[];
  readonly diagnostics: readonly Diagnostic[];
  /** Runs of unexpected characters past MAX_LEXER_DIAGNOSTICS: counted, no diagnostic built. */
  readonly unlisted: number;
  readonly lines: LineIndex;
}

const describeChars = (s: string): string => {
  const shown = shorten(s, 20);
  const cp = s.codePointAt(0) ?? 0;
  const printable = cp >= 0x20 && cp !== 0x7f && !(cp >= 0x80 && cp < 0xa0);
  return printable ? `'${shown}'` : `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
};

/** Tokenises `text`. Comments are returned separately for the formatter. */
export const lex = (text: string, lines: LineIndex = new LineIndex(text)): LexResult => {
  const result = sproutLexer.tokenize(text);
  const diagnostics: Diagnostic[] = [];
  const unexpectedAt = (offset: number, length: number): Diagnostic => ({
    code: 'unexpected-character',
    severity: 'error',
    message: `unexpected ${length > 1 ? 'characters' : 'character'} ${describeChars(text.slice(offset, offset + length))}`,
    range: lines.range(offset, offset + Math.max(1, length)),
  });
  // The `Unexpected` token matches every character that cannot start a token, so chevrotain's own lexing
  // errors should never occur; were one to, it is reported the same way rather than lost.
  for (const e of result.errors) diagnostics.push(unexpectedAt(e.offset, e.length));
  const unexpected = result.groups['unexpected'] ?? [];
  for (const t of unexpected.slice(0, MAX_LEXER_DIAGNOSTICS))
    diagnostics.push(unexpectedAt(t.startOffset, t.image.length));
  for (const t of result.groups['invalid'] ?? []) {
    const string = t.tokenType.name === 'UnterminatedString';
    diagnostics.push({
      code: string ? 'unterminated-string' : 'unterminated-comment',
      severity: 'error',
      message: string
        ? 'unterminated string: a string must close with `"` on the same line'
        : 'unterminated comment: `/*` has no closing `*/`',
      range: lines.range(t.startOffset, string ? t.endOffset! + 1 : t.startOffset + 2),
    });
  }
  diagnostics.sort((a, b) => a.range!.start.offset - b.range!.start.offset);
  return {
    tokens: result.tokens,
    comments: result.groups['comments'] ?? [],
    diagnostics,
    unlisted: Math.max(0, unexpected.length - MAX_LEXER_DIAGNOSTICS),
    lines,
  };
};
