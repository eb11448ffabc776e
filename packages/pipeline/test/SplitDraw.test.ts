// `split_draw fixed` (the SensLI reference's protocol): every repeat trains and tests on the same split,
// drawn with the experiment's first seed; `per_seed` (the default) draws one per run seed.
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { loadData } from '@sprout/data';
import { spirals } from '@sprout/spec';
import { dataSeed } from '../src/internal/run-experiment.js';

describe('split_draw', () => {
  it('fixed gives every repeat the split of the first seed; per_seed (default) the run seed’s own', async () => {
    const fixed = spirals({ points: 40, splitDraw: 'fixed' });
    const perSeed = spirals({ points: 40 });
    expect([dataSeed(fixed, 1, 1), dataSeed(fixed, 1, 2), dataSeed(fixed, 1, 3)]).toEqual([1, 1, 1]);
    expect([dataSeed(perSeed, 1, 2), dataSeed(spirals({ points: 40, splitDraw: 'per_seed' }), 1, 3)]).toEqual([2, 3]);
    // And the seeds give different splits, so the choice matters.
    const testOf = async (seed: number) => {
      const d = await loadData(perSeed, { seed })();
      if (E.isLeft(d)) throw new Error(d.left._tag);
      return Array.from(d.right.testX.subarray(0, 8));
    };
    expect(await testOf(dataSeed(fixed, 1, 2))).toEqual(await testOf(1));
    expect(await testOf(dataSeed(perSeed, 1, 2))).not.toEqual(await testOf(1));
  });
});
