// Inputs the fuzz harness (tools/src/fuzz.ts, seed 1) found to crash, hang or break the formatter, reduced
// by hand. Each test fails when its bug comes back; none asserts a timing (a hang shows up as the test
// timing out, and the counts below bound the work instead).
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, test } from 'vitest';
import { MAX_SYNTAX_ERRORS, checkText, lex, parseTokens } from '../src/index.js';

const brokenGrow = (repeats: number): string =>
  `experiment "x" {\n  train { epochs 10 }\n  grow sensli {\n    at epochs 2, 3, 5,\n${'    lr_factor 4.5\n    optimizer_state\n'.repeat(repeats)}  }\n}\n`;

const codes = (r: E.Either<readonly { code: string }[], unknown>): string[] => (E.isLeft(r) ? r.left.map((d) => d.code) : []);

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
  });
});
