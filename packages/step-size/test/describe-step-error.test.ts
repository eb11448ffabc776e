// Every step error reads as one sentence: no JSON, no tag names, what to change where a setting decides it.
import { describe, expect, it } from 'vitest';
import { describeStepError, type StepError } from '../src/index.js';

// One of each kind: a new kind of StepError fails to compile here until it is listed (and described).
const examples: { readonly [K in StepError['_tag']]: Extract<StepError, { _tag: K }> } = {
  'non-finite-loss': { _tag: 'non-finite-loss', where: 'trial', value: Number.POSITIVE_INFINITY, step: 3 },
  'non-finite-gradient': { _tag: 'non-finite-gradient', step: 3 },
  'missing-gradient': { _tag: 'missing-gradient', name: 'dense_1' },
  'missing-statistics': { _tag: 'missing-statistics', message: 'armijo steps need ctx.lossAt' },
  'invalid-options': { _tag: 'invalid-options', message: 'shrink must lie in (0, 1)' },
  unsupported: { _tag: 'unsupported', message: 'adam takes schedules only' },
  'line-search-failed': { _tag: 'line-search-failed', step: 0, tries: 4, smallest: 0.125 },
  'inner-product': {
    _tag: 'inner-product',
    error: {
      _tag: 'not-positive-definite',
      side: 'domain',
      message: 'E[··ᵀ] + εI on the domain is not positive definite; raise the damping',
    },
  },
};

describe('describeStepError', () => {
  it('words every step error as a sentence, without JSON or its tag', () => {
    const messages = Object.values(examples).map((e) => describeStepError(e));
    for (const [i, m] of messages.entries()) {
      expect(m, Object.keys(examples)[i]).not.toMatch(/[{}]|_tag|undefined/);
      expect(m.length).toBeGreaterThan(10);
    }
    expect(new Set(messages).size).toBe(messages.length);
  });

  it('says how many tries the Armijo line search made and which settings to change', () => {
    expect(describeStepError(examples['line-search-failed'])).toBe(
      'the Armijo line search found no step with sufficient decrease in 4 tries (the smallest tried: 0.125); raise max_backtracks or lower initial',
    );
    expect(describeStepError(examples['non-finite-loss'])).toBe(
      'the batch loss after the trial step is Infinity, not a finite number',
    );
    expect(describeStepError(examples['inner-product'])).toContain('raise the damping');
  });
});
