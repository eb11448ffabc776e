// Share links carry the experiment text in the URL hash; a hostile or broken link is a diagnostic, never code.
import { describe, expect, it } from 'vitest';
import { MAX_SOURCE_LENGTH } from '@sprout/dsl';
import { decodeShare, encodeShare, MAX_HASH_LENGTH } from '../src/share.js';

describe('share links', () => {
  it('round-trip any text, Unicode and markup included, in URL-safe characters', () => {
    for (const text of ['experiment "a" {}', 'run "<script>alert(1)</script>" ⟨ü, 😀⟩', '', 'x'.repeat(10_000)]) {
      const hash = encodeShare(text);
      expect(hash).toMatch(/^#sprout=[A-Za-z0-9_-]*$/);
      expect(decodeShare(hash)).toEqual({ _tag: 'text', text });
    }
  });

  it('a hash without an experiment is no link', () => {
    expect(decodeShare('')).toEqual({ _tag: 'none' });
    expect(decodeShare('#other=1')).toEqual({ _tag: 'none' });
  });

  it('malformed and oversized links give a diagnostic at 1:1 that says why', () => {
    const bad = (hash: string) => {
      const r = decodeShare(hash);
      if (r._tag !== 'bad') throw new Error(`accepted: ${hash.slice(0, 40)}`);
      expect(r.diagnostic.range?.start).toEqual({ line: 1, column: 1, offset: 0 });
      return r.diagnostic.message;
    };
    expect(bad('#sprout=%%%')).toMatch(/malformed \(its data is not base64url\)/);
    expect(bad('#sprout=abcde')).toMatch(/malformed/); // a length no base64 has
    expect(bad(`#sprout=${btoa('\xff\xfe\xfd').replace(/\//g, '_').replace(/=+$/, '')}`)).toMatch(/not UTF-8/);
    expect(bad(`#sprout=${'A'.repeat(MAX_HASH_LENGTH + 1)}`)).toMatch(/too long/);
    // The longest text the language reads still opens.
    expect(decodeShare(encodeShare('x'.repeat(MAX_SOURCE_LENGTH)))._tag).toBe('text');
  });
});
