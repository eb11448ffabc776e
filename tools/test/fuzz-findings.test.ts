// Bugs the fuzz harness found in @sprout/dsl (seed 1 of the 100,000-input run), reduced by hand to small
// inputs. Both are fixed and kept as ordinary regression tests (packages/dsl/test/fuzz-regressions.test.ts
// and format.test.ts hold the package's own). A third finding, a run of ~5,000+ repeated `dense` tokens
// costing over a second of CPU in the parser's error recovery, was fixed by capping recovery at
// MAX_SYNTAX_ERRORS; it is a timing and is not asserted here.
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { checkText, format } from '@sprout/dsl';

describe('open fuzz findings in @sprout/dsl', () => {
  // Fixed: the parser stops recovering after MAX_SYNTAX_ERRORS errors (regression test in @sprout/dsl).
  it('checkText does not overflow the stack on a long run of broken settings in a grow block (fuzz input 30984)', () => {
    const text = `experiment "x" {\n  train { epochs 10 }\n  grow sensli {\n    at epochs 2, 3, 5,\n${'    lr_factor 4.5\n    optimizer_state\n'.repeat(2568)}  }\n}\n`;
    expect(() => checkText(text)).not.toThrow();
  });

  // Fixed: format keeps a comma that separates statements (property test over mutated files in @sprout/dsl).
  it('format is idempotent when a comma ends a layer statement before a word (fuzz input 27751)', () => {
    const text = 'experiment "x" {\n  network {\n    input 2\n    output 2,tablefinal}}\n';
    const once = format(text);
    expect(E.isRight(once)).toBe(true);
    if (E.isRight(once)) expect(format(once.right)).toEqual(once);
  });
});
