// The formatter: canonical layout, every comment kept in order, idempotent, meaning unchanged, and files
// that do not parse are refused with their diagnostics (never rewritten).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { arbitraryExperiment } from '@sprout/spec/testing';
import { format, lex, parseExperiment, print } from '../src/index.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const examples = join(import.meta.dirname, '..', '..', '..', 'examples');
/** examples/*.sprout and examples/reference/*.sprout. */
function exampleFiles(): string[] {
  return [
    ...readdirSync(examples)
      .filter((f) => f.endsWith('.sprout'))
      .map((f) => join(examples, f)),
    ...readdirSync(join(examples, 'reference'))
      .filter((f) => f.endsWith('.sprout'))
      .map((f) => join(examples, 'reference', f)),
  ];
}
const files = [
  ...readdirSync(join(fixtures, 'valid')).map((c) => join(fixtures, 'valid', c, 'input.sprout')),
  ...readdirSync(join(fixtures, 'invalid')).map((c) => join(fixtures, 'invalid', c, 'input.sprout')),
  ...exampleFiles(),
];

const formatted = (text: string): string => {
  const r = format(text);
  if (E.isLeft(r)) throw new Error(r.left.map((d) => d.message).join('\n'));
  return r.right;
};
const comments = (text: string): string[] => lex(text).comments.map((c) => c.image);

describe('format', () => {
  test('a messy file in the canonical layout', () => {
    const text = [
      '// header',
      'experiment "x" { seed 1, repeat 2',
      '',
      '',
      '',
      '  data spirals {points 300 turns 1}   // trailing',
      'network { input 2  dense 5 relu,dense 5 relu nobias',
      '  /* before the output */ output 2 }',
      '  train {',
      '     epochs 10 // ten',
      '     batch full }',
      '  grow sensli { at epochs 450, 900  norm fro select max, lr_factor 1 }',
      '  compare { run "a" { grow none } run "b" {} }',
      '}',
      '// the end',
    ].join('\n');
    expect(formatted(text)).toMatchInlineSnapshot(`
      "// header
      experiment "x" {
        seed 1
        repeat 2

        data spirals { points 300, turns 1 } // trailing
        network {
          input 2
          dense 5 relu
          dense 5 relu nobias
          /* before the output */
          output 2
        }
        train {
          epochs 10 // ten
          batch full
        }
        grow sensli {
          at epochs 450, 900
          norm fro
          select max
          lr_factor 1
        }
        compare {
          run "a" {
            grow none
          }
          run "b" { }
        }
      }
      // the end
      "
    `);
  });

  test.each(files.map((f) => [f.split('/').slice(-2).join('/'), f]))(
    '%s: idempotent, comments kept, meaning unchanged',
    (_, file) => {
      const text = readFileSync(file, 'utf8');
      const r = format(text);
      if (E.isLeft(r)) return; // files that do not parse are covered below
      const once = r.right;
      expect(formatted(once)).toBe(once);
      expect(comments(once)).toEqual(comments(text));
      const before = parseExperiment(text, 'f.sprout');
      const after = parseExperiment(once, 'f.sprout');
      const meaning = (r: typeof before): unknown =>
        E.isRight(r) ? r.right.spec : r.left.map((d) => `${d.code}: ${d.message}`); // ranges move, messages do not
      expect(meaning(after)).toEqual(meaning(before));
    },
  );

  test('the examples are formatted', () => {
    for (const f of exampleFiles()) {
      const text = readFileSync(f, 'utf8');
      expect(formatted(text), f).toBe(text);
    }
  });

  test('a file that does not parse is refused with its diagnostics', () => {
    const r = format('experiment "x" {\n  seed\n}\n');
    expect(E.isLeft(r) && r.left.map((d) => `${d.code}: ${d.message}`)).toEqual([
      "syntax-error: expected a number after 'seed' but found '}'",
    ]);
    expect(E.isLeft(format('experiment "x" { /* never closed }'))).toBe(true);
    expect(E.isLeft(format(''))).toBe(true);
  });

  test('hostile input is refused by the same guards as check (no stack overflow)', () => {
    const deep = format(`experiment "x" ${'{'.repeat(20_000)}${'}'.repeat(20_000)}`);
    expect(E.isLeft(deep) && deep.left.map((d) => d.code)).toEqual(['too-deeply-nested']);
    const long = format(`experiment "x" { ${'seed 1 '.repeat(200_000)} }`);
    expect(E.isLeft(long) && long.left.map((d) => d.code)).toEqual(['file-too-large']);
  });

  test('unknown names do not stop formatting (they are not syntax errors)', () => {
    expect(format('experiment "x" { network { dense 5 rleu } }')).toEqual(
      E.right('experiment "x" {\n  network {\n    dense 5 rleu\n  }\n}\n'),
    );
  });
});

describe('format keeps comments wherever they are', () => {
  test('a comment before the first value of a sweep list gets no comma after it', () => {
    const text = 'experiment "x" {\n  sweep {\n    grid {\n      lr [ /* first */ 0.1, 1]\n    }\n  }\n}\n';
    const once = formatted(text);
    expect(once).toContain('lr [ /* first */ 0.1, 1]');
    expect(formatted(once)).toBe(once);
  });
  test('comments inserted between any two tokens of a generated file: all kept, in order; idempotent; same spec', () => {
    fc.assert(
      fc.property(
        arbitraryExperiment({ maxArms: 1 }),
        fc.array(fc.tuple(fc.nat(), fc.boolean()), { minLength: 1, maxLength: 8 }),
        (spec, inserts) => {
          const text = print(spec);
          const tokens = lex(text).tokens;
          // Insert after token k: a line comment (with its line break) or a block comment.
          const at = new Map<number, string[]>();
          inserts.forEach(([k, line], i) => {
            const after = tokens[k % tokens.length]!.endOffset! + 1;
            at.set(after, [...(at.get(after) ?? []), line ? ` // c${i}\n` : ` /* c${i} */ `]);
          });
          let commented = '';
          let last = 0;
          for (const offset of [...at.keys()].sort((a, b) => a - b)) {
            commented += text.slice(last, offset) + at.get(offset)!.join('');
            last = offset;
          }
          commented += text.slice(last);
          const once = formatted(commented);
          expect(comments(once)).toEqual(comments(commented));
          expect(formatted(once)).toBe(once);
          const back = parseExperiment(once, 'f.sprout');
          expect(E.isRight(back) && back.right.spec).toStrictEqual(spec);
        },
      ),
      { numRuns: 80, seed: 11 },
    );
  });
});

describe('format on mutated files (fuzz findings 27751, 92200 and 23 more: dropped commas joined statements)', () => {
  test('a comma that separates two statements is kept: output 2, tablefinal', () => {
    const once = formatted('experiment "x" {\n  network {\n    input 2\n    output 2,tablefinal}}\n');
    expect(once).toBe('experiment "x" {\n  network {\n    input 2\n    output 2,\n    tablefinal\n  }\n}\n');
    expect(formatted(once)).toBe(once);
  });

  test('commas before unknown statements are kept; before statement keywords they go', () => {
    const text =
      'experiment "x" { network { input 2, dense 4, turns 0.5, radius 3, pool 2, stride 2, output 2 } grow sensli { at 5, lr_factor 2, every 3, select max, beta 1 } }';
    expect(formatted(text)).toBe(
      'experiment "x" {\n  network {\n    input 2\n    dense 4,\n    turns 0.5,\n    radius 3\n    pool 2,\n    stride 2\n    output 2\n  }\n  grow sensli {\n    at 5\n    lr_factor 2\n    every 3\n    select max\n    beta 1\n  }\n}\n',
    );
  });

  const EOL_WORDS = [
    ',',
    ', tablefinal',
    ', turns 1',
    ', stride 2',
    ', nobias',
    ', relu',
    ', kernel 3',
    ', epochs 2',
    ', lr_factor 2',
    ', x "s"',
    ' relu',
    ' y',
  ];
  const WORDS = [
    ',',
    ', tablefinal',
    ', tablefinal',
    ', turns 1',
    ', turns 1',
    ', stride 2',
    ', nobias',
    ', relu',
    ', kernel 3',
    'tablefinal',
    'turns',
    'relu',
    'nobias',
    'kernel',
    'stride',
    'epochs',
    'padding',
    '3',
    '0.5',
    '"s"',
    'dense',
    'lr_factor',
    'pool',
    'output',
    'at',
    'every',
    'select',
    'max',
    '{',
    '}',
    '// c\n',
  ];
  test('mutated printed specs: format is idempotent, its output parses to the same result, and the safety net never fires', () => {
    fc.assert(
      fc.property(
        arbitraryExperiment({ maxArms: 1 }),
        fc.array(
          fc.tuple(
            fc.nat(),
            fc.constantFrom('eol', 'eol', 'eol', 'eol', 'eol', 'eol', 'insert', 'delete', 'duplicate'),
            fc.constantFrom(...WORDS),
          ),
          { minLength: 1, maxLength: 4 },
        ),
        (spec, mutations) => {
          let text = print(spec);
          for (const [k, kind, word] of mutations) {
            const tokens = lex(text).tokens;
            if (tokens.length === 0) break;
            const t = tokens[k % tokens.length]!;
            const end = t.endOffset! + 1;
            if (kind === 'eol') {
              // At the end of a line of the printed text: between statements, where commas matter.
              const ends = [...text.matchAll(/\n/g)].map((m) => m.index);
              const at = ends[k % ends.length]!;
              text = `${text.slice(0, at)}${EOL_WORDS[k % EOL_WORDS.length]!}${text.slice(at)}`;
            } else if (kind === 'insert')
              text = `${text.slice(0, end)}${word.startsWith(',') ? '' : ' '}${word} ${text.slice(end)}`;
            else if (kind === 'delete') text = text.slice(0, t.startOffset) + text.slice(end);
            else text = `${text.slice(0, end)} ${t.image}${text.slice(end)}`;
          }
          const once = format(text);
          if (E.isLeft(once)) {
            expect(once.left.map((d) => d.code)).not.toContain('format-failed');
            return;
          }
          expect(format(once.right)).toEqual(once);
          const before = parseExperiment(text, 'm.sprout');
          const after = parseExperiment(once.right, 'm.sprout');
          expect(E.isRight(after)).toBe(E.isRight(before));
          if (E.isRight(before) && E.isRight(after)) expect(after.right.spec).toStrictEqual(before.right.spec);
          if (E.isLeft(before) && E.isLeft(after))
            expect(after.left.map((d) => d.code)).toEqual(before.left.map((d) => d.code));
        },
      ),
      { numRuns: 300, seed: 1 },
    );
  });
});
