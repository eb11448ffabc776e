/**
 * The front end, phase after phase: bytes → text (strict UTF-8) → tokens → brace-depth guard → CST → AST →
 * spec → `check`. Each phase reports all its errors; the next phase runs only on a clean result (with one
 * exception: `check` also runs after structural errors, keeping only the diagnostics that cannot be
 * caused by the defaults put in place of broken parts). Nothing here throws on any input.
 */
import * as E from 'fp-ts/lib/Either.js';
import type * as RNEA from 'fp-ts/lib/ReadonlyNonEmptyArray.js';
import type { IRecognitionException, IToken } from 'chevrotain';
import type { SproutFileCstNode } from './Cst.js';
import { check, type CheckOptions, type Diagnostic, type Experiment, type SpecPath } from '@sprout/spec';
import { lex, type LexResult } from './lexer.js';
import { parseTokens } from './parser.js';
import { toAst } from './to-ast.js';
import { toSpec } from './to-spec.js';
import { rangeOf, type SourceMap } from './SourceMap.js';
import { LineIndex, tokenRange } from './internal/positions.js';
import { firstInvalidUtf8 } from './internal/utf8.js';
import * as T from './tokens.js';

/**
 * Deepest nesting of `{ … }` accepted. The parser is recursive descent, so the depth is checked on the
 * tokens before parsing: 20,000 nested braces are one diagnostic, not a stack overflow. Real files nest
 * about 5 deep (experiment, compare, run, network, residual).
 */
export const MAX_BRACE_DEPTH = 64;
/**
 * Longest source accepted, in UTF-16 code units (256 KiB). A Sprout file is a few kilobytes; past this the
 * file is refused with one diagnostic before lexing, so a hostile file costs nothing.
 */
export const MAX_SOURCE_LENGTH = 262_144;
/** Most tokens handed to the parser; a real file has a few hundred (a network of MAX_LAYERS layers ~4,000). */
export const MAX_TOKENS = 50_000;
/** Most diagnostics reported for one file; past it, one `too-many-errors` diagnostic ends the list. */
export const MAX_DIAGNOSTICS = 50;

export type Diagnostics = RNEA.ReadonlyNonEmptyArray<Diagnostic>;

export interface Parsed {
  readonly spec: Experiment;
  /** Spec path → source range (see `rangeOf`). */
  readonly sourceMap: SourceMap;
}

const byOffset = (a: Diagnostic, b: Diagnostic): number =>
  (a.range?.start.offset ?? -1) - (b.range?.start.offset ?? -1);

/**
 * A file's diagnostics as reported, the one place they are capped: sorted by position, repeats removed,
 * and past MAX_DIAGNOSTICS cut, with one `too-many-errors` at the end that counts the rest (`unlisted`:
 * problems counted but never built, such as the lexer's runs past MAX_LEXER_DIAGNOSTICS, or the rest of a
 * file the parser stopped reading; any of those also end the list with the count).
 */
export const capDiagnostics = (ds: readonly Diagnostic[], unlisted = 0): readonly Diagnostic[] => {
  const seen = new Set<string>();
  const unique = [...ds].sort(byOffset).filter((d) => {
    const k = `${d.range?.start.offset}|${d.code}|${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  const more = Math.max(0, unique.length - MAX_DIAGNOSTICS) + unlisted;
  if (more === 0 || unique.length === 0) return unique;
  const kept = unique.slice(0, MAX_DIAGNOSTICS);
  const last = kept[kept.length - 1]!;
  return [
    ...kept,
    {
      code: 'too-many-errors',
      severity: 'error',
      message: `stopping after ${kept.length} errors (${more} more)`,
      ...(last.range === undefined ? {} : { range: last.range }),
    },
  ];
};

/** `capDiagnostics`, as the `left` of a result when there are any. */
const finish = (ds: readonly Diagnostic[], unlisted = 0): E.Either<Diagnostics, never> | undefined =>
  ds.length === 0 ? undefined : E.left(capDiagnostics(ds, unlisted) as unknown as Diagnostics);

/** Checks brace balance and depth on the tokens, so that the recursive parser never sees a deep file. */
const scanBraces = (tokens: readonly IToken[], lines: LineIndex): Diagnostic[] => {
  const open: IToken[] = [];
  const ds: Diagnostic[] = [];
  /** The last top-level pair, for the note of an unmatched '}' (which '{' was closed too early). */
  let lastTop: readonly [IToken, IToken] | undefined;
  for (const t of tokens) {
    if (t.tokenType === T.LCurly) {
      open.push(t);
      if (open.length > MAX_BRACE_DEPTH) {
        return [
          {
            code: 'too-deeply-nested',
            severity: 'error',
            message: `braces nest more than ${MAX_BRACE_DEPTH} deep here; Sprout accepts at most ${MAX_BRACE_DEPTH} levels of { … }`,
            range: tokenRange(lines, t),
          },
        ];
      }
    } else if (t.tokenType === T.RCurly) {
      const opened = open.pop();
      if (opened === undefined) {
        const note =
          lastTop === undefined
            ? undefined
            : `the '{' at ${lastTop[0].startLine}:${lastTop[0].startColumn} is already closed by the '}' at ${lastTop[1].startLine}:${lastTop[1].startColumn}`;
        ds.push({
          code: 'unmatched-brace',
          severity: 'error',
          message: "unmatched '}': there is no '{' for it to close",
          range: tokenRange(lines, t),
          ...(note === undefined ? {} : { note }),
        });
      } else if (open.length === 0) lastTop = [opened, t];
    }
  }
  const innermost = open[open.length - 1];
  if (innermost !== undefined) {
    const more = open.length - 1;
    ds.push({
      code: 'unclosed-brace',
      severity: 'error',
      message: "unclosed '{': no '}' closes it before the end of the file",
      range: tokenRange(lines, innermost),
      ...(more > 0 ? { note: `${more} enclosing '{' ${more === 1 ? 'is' : 'are'} not closed either` } : {}),
    });
  }
  return ds;
};

const syntaxCode = (e: IRecognitionException): string => {
  if (e.token.tokenType.name === 'EOF') return 'unexpected-end-of-file';
  return e.name === 'NotAllInputParsedException' ? 'unexpected-input' : 'syntax-error';
};

/**
 * A syntax error points at the token found, unless that token is on a later line than the one before it
 * (or has no position, like the end of the file): then what is missing belongs at the end of the previous
 * token, and the error points there.
 */
const syntaxDiagnostic = (e: IRecognitionException, lines: LineIndex): Diagnostic => {
  const previous = (e as { previousToken?: IToken }).previousToken;
  const found = e.token;
  const missing =
    previous !== undefined &&
    Number.isFinite(previous.startOffset) &&
    (!Number.isFinite(found.startOffset) || (found.startLine ?? 0) > (previous.endLine ?? previous.startLine ?? 0));
  return {
    code: syntaxCode(e),
    severity: 'error',
    message: e.message,
    range: missing ? tokenRange(lines, undefined, previous) : tokenRange(lines, found, previous),
  };
};

/**
 * Text → spec without the semantic checks: lexing, parsing, CST → AST and AST → spec, with the structural
 * diagnostics of each. `file` names the experiment when the text does not (`name` defaults to the file's
 * base name).
 */
export const parseExperiment = (text: string, file = 'input.sprout'): E.Either<Diagnostics, Parsed> => {
  const r = front(text, file);
  const failed = finish(r.diagnostics, r.unlisted);
  if (failed !== undefined) return failed;
  return E.right({ spec: r.spec!, sourceMap: r.sourceMap! });
};

interface Front {
  readonly diagnostics: readonly Diagnostic[];
  readonly unlisted?: number;
  readonly spec?: Experiment;
  readonly sourceMap?: SourceMap;
  readonly poisoned?: readonly SpecPath[];
}

const baseName = (file: string): string => {
  const b = file.split(/[\\/]/).pop() ?? file;
  return b.replace(/\.sprout$/, '') || 'experiment';
};

/** The CST of a text, or every lexical and syntax diagnostic (with all guards applied before parsing). */
export interface Syntax {
  /** Not yet capped: `capDiagnostics(diagnostics, unlisted)` is the list to report. */
  readonly diagnostics: readonly Diagnostic[];
  /**
   * Problems counted but not built: the lexer's runs past MAX_LEXER_DIAGNOSTICS, and one for the rest of a
   * file whose parse stopped at MAX_SYNTAX_ERRORS.
   */
  readonly unlisted: number;
  readonly lines: LineIndex;
  readonly lexed?: LexResult;
  readonly cst?: SproutFileCstNode;
}

/**
 * The guarded front half: size limit, lexing, token limit, brace balance and depth, parsing. Both
 * `checkText` and `format` go through it, so no text reaches the recursive parser unguarded.
 */
export const parseSyntax = (text: string): Syntax => {
  const lines = new LineIndex(text);
  let unlisted = 0;
  // An array, not rest arguments: a hostile file can have 100,000 lexical diagnostics, too many to spread into a call.
  const fail = (diagnostics: readonly Diagnostic[]): Syntax => ({ diagnostics, unlisted, lines });
  if (text.length > MAX_SOURCE_LENGTH) {
    return fail([
      {
        code: 'file-too-large',
        severity: 'error',
        message: `the file has ${text.length} characters; Sprout reads at most ${MAX_SOURCE_LENGTH} (an experiment is a few kilobytes)`,
        range: lines.range(MAX_SOURCE_LENGTH, MAX_SOURCE_LENGTH + 1),
      },
    ]);
  }
  const lexed = lex(text, lines);
  unlisted = lexed.unlisted;
  if (lexed.tokens.length === 0 && lexed.diagnostics.length === 0) {
    const end = lines.position(text.length);
    return fail([
      {
        code: 'empty-file',
        severity: 'error',
        message: 'the file has no experiment; write experiment "name" { … }',
        range: { start: end, end },
      },
    ]);
  }
  // An unterminated string or comment swallows the rest of its line or file: brace and syntax errors
  // after it would only be echoes.
  if (lexed.diagnostics.some((d) => d.code.startsWith('unterminated-'))) return fail([...lexed.diagnostics]);
  if (lexed.tokens.length > MAX_TOKENS) {
    return fail([
      {
        code: 'too-many-tokens',
        severity: 'error',
        message: `the file has ${lexed.tokens.length} words, numbers and symbols; Sprout reads at most ${MAX_TOKENS}`,
        range: tokenRange(lines, lexed.tokens[MAX_TOKENS]),
      },
    ]);
  }
  const braces = scanBraces(lexed.tokens, lines);
  if (braces.length > 0) return fail([...lexed.diagnostics, ...braces]);
  const parsed = parseTokens(lexed.tokens);
  const syntax = parsed.errors.map((e) => syntaxDiagnostic(e, lines));
  if (parsed.tooComplex !== undefined) {
    return fail([
      ...lexed.diagnostics,
      ...syntax,
      {
        code: 'input-too-complex',
        severity: 'error',
        message: 'the file is too complex to parse here (the parser ran out of stack); it stopped at this point',
        range: tokenRange(lines, parsed.tooComplex, lexed.tokens[lexed.tokens.length - 1]),
      },
    ]);
  }
  // A parse stopped by MAX_SYNTAX_ERRORS leaves the rest of the file unread: one problem more than listed,
  // so capDiagnostics's `too-many-errors` ends the list and says so (the stop needs no diagnostic of its own).
  if (parsed.stopped !== undefined) unlisted += 1;
  if (lexed.diagnostics.length + syntax.length > 0 || parsed.cst === undefined)
    return fail([...lexed.diagnostics, ...syntax]);
  return { diagnostics: [], unlisted, lines, lexed, cst: parsed.cst };
};

const front = (text: string, file: string): Front => {
  const syntax = parseSyntax(text);
  if (syntax.cst === undefined) return { diagnostics: syntax.diagnostics, unlisted: syntax.unlisted };
  const ast = toAst(syntax.cst, syntax.lines);
  const spec = toSpec(ast.ast, baseName(file));
  return {
    diagnostics: [...ast.diagnostics, ...spec.diagnostics],
    spec: spec.spec,
    sourceMap: spec.sourceMap,
    poisoned: spec.poisoned,
  };
};

/** Codes of `check` that concern one value alone, trustworthy even when other parts of the file are broken. */
const LOCAL = /^(unknown-|invalid-|out-of-range$|empty-residual$|too-many-layers$|too-deeply-nested$|input-too-large$)/;

const under = (path: SpecPath, prefix: SpecPath): boolean =>
  prefix.length <= path.length && prefix.every((p, i) => path[i] === p);

/** Gives a `check` diagnostic the source range of its spec path (or of the nearest ancestor that has one). */
export const locate = (d: Diagnostic, sourceMap: SourceMap): Diagnostic => {
  if (d.range !== undefined || d.path === undefined) return d;
  const range = rangeOf(sourceMap, d.path);
  return range === undefined ? d : { ...d, range };
};

/** Every phase and then the spec's semantic checks, each diagnostic with a source range. */
export const checkText = (
  text: string,
  file = 'input.sprout',
  options: CheckOptions = {},
): E.Either<Diagnostics, Parsed> => {
  const r = front(text, file);
  if (r.spec === undefined || r.sourceMap === undefined) return finish(r.diagnostics, r.unlisted)!;
  const sourceMap = r.sourceMap;
  const structural = r.diagnostics.length > 0;
  const checked = check(r.spec, options);
  const semantic = E.isLeft(checked)
    ? checked.left.filter(
        (d) =>
          !structural ||
          (LOCAL.test(d.code) && !(r.poisoned ?? []).some((p) => d.path !== undefined && under(d.path, p))),
      )
    : [];
  // A value already reported by an earlier phase (a malformed or infinite number, say) is not reported
  // again by `check` at the same place.
  const taken = new Set(r.diagnostics.map((d) => `${d.range?.start.offset}:${d.range?.end.offset}`));
  const located = semantic
    .map((d) => locate(d, sourceMap))
    .filter((d) => !taken.has(`${d.range?.start.offset}:${d.range?.end.offset}`));
  const failed = finish([...r.diagnostics, ...located]);
  if (failed !== undefined) return failed;
  return E.right({ spec: r.spec, sourceMap });
};

/** Decodes UTF-8 strictly; an invalid sequence is one `invalid-utf8` diagnostic at its line:column. */
export const decodeText = (bytes: Uint8Array): E.Either<Diagnostics, string> => {
  const bad = firstInvalidUtf8(bytes);
  if (bad === -1) {
    try {
      return E.right(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes));
    } catch {
      // firstInvalidUtf8 and TextDecoder disagree: report at the start rather than crash.
    }
  }
  const at = Math.max(0, bad);
  const prefix = new TextDecoder('utf-8').decode(bytes.subarray(0, at));
  const lines = new LineIndex(prefix);
  const start = lines.position(prefix.length);
  return E.left([
    {
      code: 'invalid-utf8',
      severity: 'error',
      message: `the file is not valid UTF-8: byte ${at} (0x${(bytes[at] ?? 0).toString(16).padStart(2, '0')}) does not start a valid sequence`,
      range: { start, end: { ...start, column: start.column + 1, offset: start.offset + 1 } },
      note: 'Sprout files are UTF-8 text',
    },
  ]);
};

/** `decodeText` then `checkText`. */
export const checkBytes = (bytes: Uint8Array, file = 'input.sprout'): E.Either<Diagnostics, Parsed> =>
  E.flatMap(decodeText(bytes), (text) => checkText(text, file));
