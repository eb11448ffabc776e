// Hostile inputs that are too big to commit as fixtures: generated here, each must give one clear set of
// diagnostics (no crash, no hang, no stack overflow). Speed is not asserted (see `npm run bench`); these
// run in well under a second each on the CI machine.
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, test } from 'vitest';
import { MAX_BRACE_DEPTH, checkBytes, checkText, renderDiagnostics } from '../src/index.js';

const rendered = (text: string): string => {
  const r = checkText(text, 'input.sprout');
  return E.isLeft(r) ? renderDiagnostics(r.left, 'input.sprout', text) : 'valid\n';
};

describe('hostile input', () => {
  test('20,000 nested braces are one diagnostic, before the recursive parser sees them', () => {
    const text = `experiment "deep" ${'{'.repeat(20_000)}${'}'.repeat(20_000)}`;
    const out = rendered(text);
    expect(out.split('\n')[0]).toBe(
      `input.sprout:1:${19 + MAX_BRACE_DEPTH} error[too-deeply-nested]: braces nest more than 64 deep here; Sprout accepts at most 64 levels of { … }`,
    );
    // The 2 MB of braces are shown as a window of the line.
    expect(out.split('\n')[1]!.length).toBeLessThan(120);
    expect(out.split('\n')).toHaveLength(4);
  });

  test('5,000 nested residual blocks: the same guard', () => {
    const text = `experiment "deep" { network { input 2 ${'residual { '.repeat(5_000)}${'} '.repeat(5_000)} output 2 } }`;
    const r = checkText(text);
    expect(E.isLeft(r) && r.left.map((d) => d.code)).toEqual(['too-deeply-nested']);
  });

  test('a 2 MB line is refused before lexing, the line shown as a window', () => {
    const filler = 'dense 5 relu '.repeat(160_000);
    const text = `experiment "long" { network { input 2 ${filler} dense 5 rleu output 2 } }`;
    expect(text.length).toBeGreaterThan(2_000_000);
    expect(rendered(text)).toMatchInlineSnapshot(`
      "input.sprout:1:262145 error[file-too-large]: the file has 2080064 characters; Sprout reads at most 262144 (an experiment is a few kilobytes)
          1 | … dense 5 relu dense 5 relu dense 5 relu dense 5 relu dense 5 relu dense 5 relu dense 5 relu dense 5 …
            |                                          ^
      "
    `);
  });

  test('a long line under the size limit: the caret sits in a window of the line', () => {
    const filler = 'dense 5 relu '.repeat(2_000);
    const text = `experiment "long" { network { input 2 ${filler} dense 5 rleu output 2 } }`;
    expect(rendered(text)).toMatchInlineSnapshot(`
      "input.sprout:1:21 error[too-many-layers]: the network has 2001 layers, more than the limit 1000
          1 | experiment "long" { network { input 2 dense 5 relu dense 5 relu dense 5 relu dense 5 relu dense 5 re…
            |                     ^^^^^^^

      input.sprout:1:26048 error[unknown-activation]: unknown activation 'rleu'; did you mean 'relu'?
          1 | …e 5 relu dense 5 relu dense 5 relu dense 5 relu dense 5 relu dense 5 relu  dense 5 rleu output 2 } }
            |                                                                                     ^^^^
      "
    `);
  });

  test('more than MAX_TOKENS tokens: one diagnostic, the parser never runs', () => {
    const text = `experiment "many" { network { input 2 ${'dense 5 relu '.repeat(20_000)} output 2 } }`;
    const r = checkText(text);
    expect(E.isLeft(r) && r.left.map((d) => d.code)).toEqual(['too-many-tokens']);
  });

  test('a 200 KB name (under MAX_SOURCE_LENGTH) is cut in the message', () => {
    const text = `experiment "long" { ${'x'.repeat(200_000)} 1 }`;
    const out = rendered(text);
    expect(out).toContain("error[unknown-statement]: unknown statement 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…'");
    expect(out.length).toBeLessThan(1_000);
  });

  test('a 200 KB string: one unterminated-string diagnostic with a windowed line', () => {
    const text = `experiment "${'s'.repeat(200_000)}\n`;
    const out = rendered(text);
    expect(out.split('\n')[0]).toBe(
      'input.sprout:1:12 error[unterminated-string]: unterminated string: a string must close with `"` on the same line',
    );
    expect(out.length).toBeLessThan(400);
  });

  test('many lexical errors stop at MAX_DIAGNOSTICS with one too-many-errors line', () => {
    const text = `experiment "x" { ${'@ seed 1 '.repeat(500)} }`;
    const r = checkText(text);
    expect(E.isLeft(r)).toBe(true);
    if (E.isLeft(r)) {
      expect(r.left).toHaveLength(51);
      expect(r.left[50]!.message).toBe('stopping after 50 errors (450 more)');
    }
  });

  test('random bytes that happen to be valid UTF-8 (printable ASCII noise) give diagnostics, not a crash', () => {
    let state = 12345;
    const rand = (): number => {
      state = (state * 1103515245 + 12345) & 0x7fffffff;
      return state;
    };
    for (let run = 0; run < 20; run++) {
      const bytes = Uint8Array.from({ length: 2000 }, () => 32 + (rand() % 95));
      const r = checkBytes(bytes);
      expect(E.isLeft(r)).toBe(true);
    }
  });

  test('many unmatched braces: reported, capped', () => {
    const r = checkText(`experiment "x" { } ${'} '.repeat(10_000)}`);
    expect(E.isLeft(r) && r.left.length).toBe(51);
  });
});
