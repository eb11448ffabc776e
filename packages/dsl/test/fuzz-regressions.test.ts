// Inputs the fuzz harness (tools/src/fuzz.ts, seed 1) found to crash, hang or break the formatter, reduced
// by hand. Each test fails when its bug comes back; none asserts a timing (a hang shows up as the test
// timing out, and the counts below bound the work instead).
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, test } from 'vitest';
import {
  MAX_DIAGNOSTICS,
  MAX_SOURCE_LENGTH,
  MAX_SYNTAX_ERRORS,
  checkText,
  format,
  lex,
  parseTokens,
} from '../src/index.js';
import { MAX_LEXER_DIAGNOSTICS } from '../src/lexer.js';

const brokenGrow = (repeats: number): string =>
  `experiment "x" {\n  train { epochs 10 }\n  grow sensli {\n    at epochs 2, 3, 5,\n${'    lr_factor 4.5\n    optimizer_state\n'.repeat(repeats)}  }\n}\n`;

const codes = (r: E.Either<readonly { code: string }[], unknown>): string[] =>
  E.isLeft(r) ? r.left.map((d) => d.code) : [];

describe('error recovery is bounded (fuzz inputs 30984 and 27997)', () => {
  test('2,568 broken settings in a grow block: diagnostics, no stack overflow', () => {
    const r = checkText(brokenGrow(2568), 'x.sprout');
    expect(E.isLeft(r)).toBe(true);
    expect(codes(r)).toContain('too-many-errors');
  });

  test('the parser stops recovering after MAX_SYNTAX_ERRORS errors and says where', () => {
    const r = parseTokens(lex(brokenGrow(2568)).tokens);
    expect(r.errors.length).toBeLessThanOrEqual(MAX_SYNTAX_ERRORS + 1);
    expect(r.stopped?.startLine).toBeGreaterThan(4);
    expect(r.tooComplex).toBeUndefined();
  });

  test('without the cap the recovery would overflow the stack: the RangeError becomes tooComplex', () => {
    const r = parseTokens(lex(brokenGrow(4000)).tokens, { maxErrors: Infinity });
    expect(r.tooComplex).toBeDefined();
    expect(r.cst).toBeUndefined();
    // The shared parser is usable again afterwards.
    expect(E.isRight(checkText('experiment "x" { train { epochs 3 } }'))).toBe(true);
  });

  test('37,879 `dense` words in a row: at most MAX_SYNTAX_ERRORS syntax errors and a stop', () => {
    const text = `experiment "x" {\n  network {\n    input 2\n    pool avg 1 ${'dense '.repeat(37879)}\n  }\n}\n`;
    const r = checkText(text, 'x.sprout');
    const cs = codes(r);
    expect(cs).toContain('too-many-errors');
    expect(cs.filter((c) => c === 'syntax-error').length).toBeLessThanOrEqual(MAX_SYNTAX_ERRORS);
    // format goes through the same guards and reports the same capped, sorted list.
    expect(format(text)).toEqual(r);
  });
});

describe('runs of rejected characters are one token (fuzz finding: ~1 M `#` took 2 s in the lexer)', () => {
  test.each([
    ['#', "unexpected characters '####################…'"],
    ['\u0301', "unexpected characters '\u0301\u0301"],
    ['-', "unexpected characters '--------------------…'"],
    ['\ud83c\udf31', "unexpected characters '🌱🌱🌱🌱🌱🌱🌱🌱🌱🌱🌱🌱🌱🌱🌱🌱🌱🌱🌱🌱…'"],
  ])('a megabyte of %j: one unexpected-character diagnostic covering the run', (c, message) => {
    const text = c.repeat(Math.ceil(1_000_000 / c.length));
    const r = lex(text);
    expect(r.tokens).toEqual([]);
    expect(
      r.diagnostics.map((d) => [d.code, d.message.slice(0, 24), d.range?.start.offset, d.range?.end.offset]),
    ).toEqual([['unexpected-character', message.slice(0, 24), 0, text.length]]);
  });

  test('stray signs, dots and slashes next to valid tokens: the run stops where a token can start', () => {
    const r = lex('seed -- 1 #-5 .x /x -.5 +');
    expect(r.tokens.map((t) => t.image)).toEqual(['seed', '1', '-5', 'x', 'x', '-.5']);
    expect(r.diagnostics.map((d) => d.message)).toEqual([
      "unexpected characters '--'",
      "unexpected character '#'",
      "unexpected character '.'",
      "unexpected character '/'",
      "unexpected character '+'",
    ]);
  });

  test('131,072 separate stray slashes: MAX_LEXER_DIAGNOSTICS diagnostics and a count of the rest, all counted in the one cap', () => {
    const r = lex('/ '.repeat(MAX_SOURCE_LENGTH / 2));
    expect(r.diagnostics).toHaveLength(MAX_LEXER_DIAGNOSTICS);
    expect(r.unlisted).toBe(MAX_SOURCE_LENGTH / 2 - MAX_LEXER_DIAGNOSTICS);
    const checked = checkText('/ '.repeat(MAX_SOURCE_LENGTH / 2));
    expect(codes(checked)).toHaveLength(MAX_DIAGNOSTICS + 1);
    const last = E.isLeft(checked) ? checked.left[MAX_DIAGNOSTICS] : undefined;
    // Every run is counted, plus the syntax error of a file without an experiment.
    expect([last?.code, last?.message]).toEqual([
      'too-many-errors',
      `stopping after ${MAX_DIAGNOSTICS} errors (${MAX_SOURCE_LENGTH / 2 + 1 - MAX_DIAGNOSTICS} more)`,
    ]);
    // format reports the same capped list.
    expect(format('/ '.repeat(MAX_SOURCE_LENGTH / 2))).toEqual(checked);
  });

  test('a file over MAX_SOURCE_LENGTH (256 KiB) is one file-too-large diagnostic', () => {
    expect(codes(checkText('#'.repeat(MAX_SOURCE_LENGTH + 1)))).toEqual(['file-too-large']);
    const under = codes(checkText('#'.repeat(MAX_SOURCE_LENGTH)));
    expect(under).toContain('unexpected-character');
    expect(under).not.toContain('file-too-large');
  });
});
