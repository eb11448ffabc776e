/**
 * The Sprout language in CodeMirror: highlighting from @sprout/dsl's chevrotain tokens (the lexer the CLI
 * uses, so the colours follow the grammar exactly), bracket matching on `{}` and `[]`, and diagnostics as
 * you type from `checkText`, with a quick fix for every "did you mean 'x'?".
 */
import { RangeSetBuilder } from '@codemirror/state';
import { Decoration, ViewPlugin, type DecorationSet, type EditorView, type ViewUpdate } from '@codemirror/view';
import { bracketMatching } from '@codemirror/language';
import { linter, lintGutter, type Diagnostic as CmDiagnostic } from '@codemirror/lint';
import * as E from 'fp-ts/lib/Either.js';
import { checkText, lex } from '@sprout/dsl';
import type { Diagnostic } from '@sprout/spec';

/** The CSS class of a token type (by its chevrotain name), or undefined for plain text. */
const tokenClass = (name: string): string | undefined => {
  if (name.startsWith('Kw_')) return 'sp-keyword';
  switch (name) {
    case 'Identifier':
      return 'sp-word';
    case 'NumberLiteral':
      return 'sp-number';
    case 'StringLiteral':
      return 'sp-string';
    case 'SettingPath':
      return 'sp-path';
    case 'LCurly':
    case 'RCurly':
    case 'LBracket':
    case 'RBracket':
      return 'sp-bracket';
    case 'LineComment':
    case 'BlockComment':
      return 'sp-comment';
    case 'MalformedNumber':
    case 'UnterminatedString':
    case 'UnterminatedComment':
    case 'Unexpected':
      return 'sp-invalid';
    default:
      return undefined;
  }
};

/** Highlighted spans of `text`: [from, to, class], in order. */
export const highlightSpans = (text: string): [number, number, string][] => {
  const r = lex(text);
  const spans: [number, number, string][] = [];
  for (const t of [...r.tokens, ...r.comments]) {
    const cls = tokenClass(t.tokenType.name);
    if (cls !== undefined && t.endOffset !== undefined) spans.push([t.startOffset, t.endOffset + 1, cls]);
  }
  // Unterminated strings and comments, malformed numbers, stray characters: the lexer's own diagnostics.
  for (const d of r.diagnostics)
    if (d.range !== undefined && d.range.end.offset > d.range.start.offset)
      spans.push([d.range.start.offset, Math.min(d.range.end.offset, text.length), 'sp-invalid']);
  return spans.sort((a, b) => a[0] - b[0]);
};

const decorate = (view: EditorView): DecorationSet => {
  const b = new RangeSetBuilder<Decoration>();
  for (const [from, to, cls] of highlightSpans(view.state.doc.toString()))
    b.add(from, to, Decoration.mark({ class: cls }));
  return b.finish();
};

const highlighting = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet;
    constructor(view: EditorView) {
      this.decorations = decorate(view);
    }
    update(u: ViewUpdate): void {
      if (u.docChanged) this.decorations = decorate(u.view);
    }
  },
  { decorations: (v) => v.decorations },
);

/** The suggestion of a diagnostic's "did you mean 'x'?", if it has one. */
export const suggestionOf = (message: string): string | undefined => /did you mean '([^']+)'\?/.exec(message)?.[1];

/** A Sprout diagnostic as CodeMirror shows it (whole text when it has no range), with its quick fix. */
export const toCmDiagnostic = (d: Diagnostic, length: number): CmDiagnostic => {
  const from = Math.min(d.range?.start.offset ?? 0, length);
  const to = Math.max(from, Math.min(d.range?.end.offset ?? from, length));
  const fix = suggestionOf(d.message);
  return {
    from,
    to,
    severity: d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warning' : 'info',
    source: d.code,
    message: d.message + (d.note !== undefined ? ` (${d.note})` : ''),
    ...(fix !== undefined && to > from
      ? {
          actions: [
            {
              name: `use '${fix}'`,
              apply: (view: EditorView, f: number, t: number) =>
                view.dispatch({ changes: { from: f, to: t, insert: fix } }),
            },
          ],
        }
      : {}),
  };
};

/** Every diagnostic of `text` (syntax and semantics, as `sprout check` gives them), plus `extra` ones. */
export const diagnosticsOf = (text: string, extra: readonly Diagnostic[] = []): Diagnostic[] => {
  const r = checkText(text, 'playground.sprout');
  return [...extra, ...(E.isLeft(r) ? r.left : [])];
};

/** The editor extensions of the language; `extra` gives diagnostics from elsewhere (a malformed shared link). */
export const sprout = (extra: () => readonly Diagnostic[]) => [
  highlighting,
  bracketMatching(),
  lintGutter(),
  linter(
    (view) => diagnosticsOf(view.state.doc.toString(), extra()).map((d) => toCmDiagnostic(d, view.state.doc.length)),
    {
      delay: 250,
    },
  ),
];
