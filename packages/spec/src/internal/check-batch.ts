/**
 * Concern: the adaptive step's `split` variance has examples to split. Its K chunks cut each batch into K
 * equal parts (ALGORITHMS.md §2), so every batch needs at least K examples: the batch size, and the last,
 * smaller batch of an epoch when the data fixes the training-set size.
 */
import type { Diagnostic } from '../Diagnostic.js';
import { trainingExamples } from '../memory.js';
import type { Experiment } from '../Spec.js';
import { error } from './diagnostic.js';

export const checkChunks = (e: Experiment): readonly Diagnostic[] => {
  const step = e.optimizer.step;
  if (step._tag !== 'adaptive' || step.variance !== 'split' || !Number.isInteger(step.chunks) || step.chunks < 2)
    return [];
  const K = step.chunks;
  const n = trainingExamples(e.data);
  const batch = e.train.batch === 'full' ? n : n === undefined ? e.train.batch : Math.min(e.train.batch, n);
  const path = ['optimizer', 'step', 'chunks'];
  if (batch !== undefined && Number.isInteger(batch) && batch < K)
    return [
      error(
        'too-many-chunks',
        `split variance with ${K} chunks needs at least ${K} examples per batch; a batch here has ${batch}`,
        path,
        {
          expected: `at most ${batch}`,
          actual: String(K),
        },
      ),
    ];
  const last = n !== undefined && typeof e.train.batch === 'number' && e.train.batch < n ? n % e.train.batch : 0;
  if (last > 0 && last < K)
    return [
      error(
        'too-many-chunks',
        `split variance with ${K} chunks needs at least ${K} examples per batch; the last batch of each epoch has ${last} (${n} training examples in batches of ${e.train.batch})`,
        path,
        { expected: `at most ${last}, or a batch size that divides ${n}`, actual: String(K) },
      ),
    ];
  return [];
};
