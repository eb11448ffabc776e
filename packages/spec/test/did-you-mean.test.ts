import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ACTIVATION_NAMES, DATA_NAMES, LAYER_NAMES, didYouMean, editDistance } from '../src/index.js';

describe('editDistance', () => {
  it('counts a transposition as one edit', () => {
    expect(editDistance('rleu', 'relu')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
  it('is a symmetric distance that is zero only on equal strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), (a, b) => {
        expect(editDistance(a, b)).toBe(editDistance(b, a));
        expect(editDistance(a, b) === 0).toBe(a === b);
        expect(editDistance(a, b)).toBeLessThanOrEqual(Math.max(a.length, b.length));
      }),
    );
  });
});

describe('didYouMean', () => {
  it('suggests the close name', () => {
    expect(didYouMean('rleu', ACTIVATION_NAMES)).toBe('relu');
    expect(didYouMean('sigmod', ACTIVATION_NAMES)).toBe('sigmoid');
    expect(didYouMean('denes', LAYER_NAMES)).toBe('dense');
    expect(didYouMean('fashion-mnist', DATA_NAMES)).toBe('fashion_mnist');
    expect(didYouMean('ReLU', ACTIVATION_NAMES)).toBe('relu');
  });
  it('stays silent when nothing is close, or the name is known', () => {
    expect(didYouMean('banana', ACTIVATION_NAMES)).toBeUndefined();
    expect(didYouMean('relu', ACTIVATION_NAMES)).toBeUndefined();
    expect(didYouMean('', ACTIVATION_NAMES)).toBeUndefined();
    expect(didYouMean('x'.repeat(100_000), ACTIVATION_NAMES)).toBeUndefined();
  });
});
