// Bugs the fuzz harness found in @sprout/dsl (seed 1 of the 100,000-input run), reduced by hand to small
// inputs. They are open: each test is `it.fails`, so CI stays green while the bug exists and turns red the
// day it is fixed, as a reminder to make it an ordinary test. (A third finding, a run of ~5,000+ repeated
// `dense` tokens costing over a second of CPU in the parser's error recovery, is a timing and is not
// asserted here; see the fuzz report.)
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { checkText, format } from '@sprout/dsl';

describe('open fuzz findings in @sprout/dsl', () => {
  // Fixed: the parser stops recovering after MAX_SYNTAX_ERRORS errors (regression test in @sprout/dsl).
  it('checkText does not overflow the stack on a long run of broken settings in a grow block (fuzz input 30984)', () => {
    const text = `experiment "x" {\n  train { epochs 10 }\n  grow sensli {\n    at epochs 2, 3, 5,\n${'    lr_factor 4.5\n    optimizer_state\n'.repeat(2568)}  }\n}\n`;
    expect(() => checkText(text)).not.toThrow();
  });

  it.fails('format is idempotent when a comma ends a layer statement before a word (fuzz input 27751)', () => {
    const text = 'experiment "x" {\n  network {\n    input 2\n    output 2,tablefinal}}\n';
    const once = format(text);
    expect(E.isRight(once)).toBe(true);
    if (E.isRight(once)) expect(format(once.right)).toEqual(once);
  });
});
