import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { check, diagnose } from '../src/index.js';
import { arbitraryExperiment } from '@sprout/spec/testing';

const hasUndefined = (v: unknown): boolean =>
  v === undefined || (typeof v === 'object' && v !== null && Object.values(v).some(hasUndefined));

describe('arbitraryExperiment', () => {
  it('generates only specs that pass every check', () => {
    fc.assert(
      fc.property(arbitraryExperiment(), (spec) => {
        expect(diagnose(spec)).toEqual([]);
        expect(check(spec)._tag).toBe('Right');
      }),
      { numRuns: 300 },
    );
  });

  it('generates specs with no undefined-valued keys', () => {
    fc.assert(
      fc.property(arbitraryExperiment(), (spec) => !hasUndefined(spec)),
      { numRuns: 100 },
    );
  });

  it('covers every data set, layer and growth variant', () => {
    const seen = new Set<string>();
    const visit = (v: unknown): void => {
      if (typeof v !== 'object' || v === null) return;
      const tag = (v as { _tag?: unknown })._tag;
      if (typeof tag === 'string') seen.add(tag);
      Object.values(v).forEach(visit);
    };
    fc.sample(arbitraryExperiment(), { numRuns: 400, seed: 42 }).forEach(visit);
    for (const tag of [
      'spirals',
      'mnist',
      'fashion_mnist',
      'csv',
      'idx',
      'dense',
      'conv',
      'pool',
      'flatten',
      'residual',
      'dropout',
      'batchnorm',
      'sgd',
      'momentum',
      'adam',
      'constant',
      'step',
      'cosine',
      'armijo',
      'adaptive',
      'identity',
      'scaled',
      'width',
      'data',
      'none',
      'sensli',
      'at',
      'every',
      'fro',
      'fro_numel',
      'metric',
      'spectral',
      'max',
      'min',
      'position',
      'threshold',
    ])
      expect(seen, tag).toContain(tag);
  });
});
