// The parser: recovery reports every syntax error; a token the parser invented (or the end of the file) has
// no position of its own and takes the end of the token before it; messages use Sprout's words.
import * as E from 'fp-ts/lib/Either.js';
import type { CstNode, IToken } from 'chevrotain';
import { describe, expect, test } from 'vitest';
import { LineIndex, tokenRange } from '../src/internal/positions.js';
import { checkText, lex, parseExperiment, parseTokens, renderDiagnostics } from '../src/index.js';
import { SproutParser } from '../src/parser.js';

const rendered = (text: string): string => {
  const r = checkText(text, 'f.sprout');
  return E.isLeft(r) ? renderDiagnostics(r.left, 'f.sprout', text) : 'valid\n';
};

test("the grammar passes all of chevrotain's validations (no ambiguity, no left recursion)", () => {
  expect(() => new SproutParser({ validate: true })).not.toThrow();
});

describe('error positions', () => {
  test('a recovered token with no position takes the end of the previous token', () => {
    const lines = new LineIndex('seed 12');
    const tokens = lex('seed 12').tokens;
    const invented = { ...tokens[1]!, startOffset: NaN, endOffset: NaN, startLine: NaN, startColumn: NaN };
    expect(tokenRange(lines, invented, tokens[1])).toEqual({
      start: { line: 1, column: 8, offset: 7 },
      end: { line: 1, column: 8, offset: 7 },
    });
  });

  test('a token the parser inserted while recovering takes the end of the token before it', () => {
    // `at epoch` needs a number; `}` may follow one, so chevrotain inserts a virtual number and goes on.
    const text = 'experiment "x" { grow sensli { at epoch } }';
    const { cst, errors } = parseTokens(lex(text).tokens);
    expect(errors.map((e) => e.message)).toEqual(["expected a number after 'epoch' but found '}'"]);
    const find = (node: CstNode, name: string): CstNode => {
      if (node.name === name) return node;
      for (const children of Object.values(node.children))
        for (const c of children ?? [])
          if (!('image' in c)) {
            try {
              return find(c, name);
            } catch {
              // not in this branch
            }
          }
      throw new Error(`no ${name}`);
    };
    const at = find(cst!, 'atClause');
    const inserted = at.children['NumberLiteral']![0] as IToken;
    const epoch = at.children['Kw_epoch']![0] as IToken;
    expect(inserted.isInsertedInRecovery).toBe(true);
    expect(Number.isNaN(inserted.startOffset)).toBe(true);
    const end = { line: 1, column: 40, offset: 39 };
    expect(tokenRange(new LineIndex(text), inserted, epoch)).toEqual({ start: end, end });
  });

  test('a missing value at the end of a line is reported there, not on the next line', () => {
    expect(rendered('experiment "x" {\n  seed\n  repeat 2\n}')).toMatchInlineSnapshot(`
      "f.sprout:2:7 error[syntax-error]: expected a number after 'seed' but found 'repeat'
          2 |   seed
            |       ^
      "
    `);
  });

  test('an error at the end of the file points just after the last token', () => {
    expect(rendered('experiment "x"   \n\n')).toMatchInlineSnapshot(`
      "f.sprout:1:15 error[unexpected-end-of-file]: expected '{' after the string "x" but found the end of the file
          1 | experiment "x"
            |               ^
      "
    `);
  });
});

describe('recovery', () => {
  test('every syntax error is reported, not only the first', () => {
    const text = [
      'experiment "x" {',
      '  seed',
      '  repeat "3"',
      '  train { epochs }',
      '  grow sensli { at epoch }',
      '}',
    ].join('\n');
    expect(rendered(text)).toMatchInlineSnapshot(`
      "f.sprout:2:7 error[syntax-error]: expected a number after 'seed' but found 'repeat'
          2 |   seed
            |       ^

      f.sprout:3:10 error[syntax-error]: expected a number after 'repeat' but found the string "3"
          3 |   repeat "3"
            |          ^^^

      f.sprout:4:18 error[syntax-error]: expected a number, a string or a name after 'epochs' but found '}'
          4 |   train { epochs }
            |                  ^

      f.sprout:5:26 error[syntax-error]: expected a number after 'epoch' but found '}'
          5 |   grow sensli { at epoch }
            |                          ^
      "
    `);
  });

  test('a misspelt keyword where one is required gets a suggestion', () => {
    expect(rendered('experimant "x" { }')).toMatchInlineSnapshot(`
      "f.sprout:1:1 error[syntax-error]: expected 'experiment' but found 'experimant'; did you mean 'experiment'?
          1 | experimant "x" { }
            | ^^^^^^^^^^
      "
    `);
  });
});

describe('defaults', () => {
  test('a file with only a name is a whole experiment', () => {
    const r = parseExperiment('experiment "x" { }');
    expect(E.isRight(r) && r.right.spec.name).toBe('x');
  });
  test('the name defaults to the file name', () => {
    const r = parseExperiment('experiment { }', 'dir/spirals.sprout');
    expect(E.isRight(r) && r.right.spec.name).toBe('spirals');
  });
  test('a network without input and output takes them from the data set', () => {
    const r = parseExperiment('experiment { data mnist  network { dense 5 relu } }');
    expect(E.isRight(r) && [r.right.spec.network.input, r.right.spec.network.output]).toEqual([
      [784],
      { units: 10, activation: 'linear' },
    ]);
  });
});
