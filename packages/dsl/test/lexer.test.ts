// The lexer: numbers, names and keywords, comments in their own group, and one diagnostic per bad run.
import { describe, expect, test } from 'vitest';
import { lex } from '../src/index.js';
import { createSproutLexer } from '../src/lexer.js';

const kinds = (text: string): string[] => lex(text).tokens.map((t) => `${t.tokenType.name}:${t.image}`);

test("the token definitions pass chevrotain's lexer validations (the shared lexer skips them at start-up)", () => {
  const validated = createSproutLexer({ validate: true });
  expect(validated.lexerDefinitionErrors).toEqual([]);
  expect(validated.tokenize('experiment "x" { }').tokens.map((t) => t.image)).toEqual(['experiment', '"x"', '{', '}']);
});

describe('lex', () => {
  test('numbers: sign, fraction, exponent; digits run into letters are one malformed number', () => {
    expect(kinds('1e-3 1e999 2.5E+4 .5 1. -3 +2 1e 0x10 5relu')).toEqual([
      'NumberLiteral:1e-3',
      'NumberLiteral:1e999',
      'NumberLiteral:2.5E+4',
      'NumberLiteral:.5',
      'NumberLiteral:1.',
      'NumberLiteral:-3',
      'NumberLiteral:+2',
      'MalformedNumber:1e',
      'MalformedNumber:0x10',
      'MalformedNumber:5relu',
    ]);
  });

  test('keywords are whole words; longer words are identifiers', () => {
    expect(kinds('epoch epochs epochsx dense dense_2 max max_pool')).toEqual([
      'Kw_epoch:epoch',
      'Kw_epochs:epochs',
      'Identifier:epochsx',
      'Kw_dense:dense',
      'Identifier:dense_2',
      'Kw_max:max',
      'Identifier:max_pool',
    ]);
  });

  test('comments are kept apart for the formatter', () => {
    const r = lex('seed /* a */ 1 // b\n');
    expect(r.tokens.map((t) => t.image)).toEqual(['seed', '1']);
    expect(r.comments.map((t) => t.image)).toEqual(['/* a */', '// b']);
  });

  test('a run of unexpected characters is one diagnostic; control characters are named by code point', () => {
    const r = lex('seed @@@ 1 \u0001');
    expect(r.diagnostics.map((d) => [d.code, d.message, d.range?.start.column])).toEqual([
      ['unexpected-character', "unexpected characters '@@@'", 6],
      ['unexpected-character', 'unexpected character U+0001', 12],
    ]);
  });
});
