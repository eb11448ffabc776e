// The editor's language support: token classes from the chevrotain lexer, diagnostics placed where
// `checkText` puts them, and the did-you-mean quick fix.
import { describe, expect, it } from 'vitest';
import { diagnosticsOf, highlightSpans, suggestionOf, toCmDiagnostic } from '../src/language.js';

const text = `// a comment
experiment "x" {
  seed 1
  data spirals { points 40 }
  network {
    input 2
    dense 8 rellu
    output 2
  }
  loss cross_entropy
  optimizer sgd { step constant 0.1 }
  train { epochs 2, batch full }
}
`;

describe('Sprout language mode', () => {
  it('classes keywords, words, numbers, strings, comments and brackets from the lexer', () => {
    const spans = highlightSpans(text).map(([from, to, cls]) => [text.slice(from, to), cls]);
    expect(spans).toContainEqual(['// a comment', 'sp-comment']);
    expect(spans).toContainEqual(['experiment', 'sp-keyword']);
    expect(spans).toContainEqual(['"x"', 'sp-string']);
    expect(spans).toContainEqual(['40', 'sp-number']);
    expect(spans).toContainEqual(['rellu', 'sp-word']);
    expect(spans).toContainEqual(['{', 'sp-bracket']);
    expect(highlightSpans('"never closed')[0]![2]).toBe('sp-invalid');
  });

  it('puts each diagnostic on its range, with a quick fix for a did-you-mean', () => {
    const ds = diagnosticsOf(text);
    expect(ds).toHaveLength(1);
    const cm = toCmDiagnostic(ds[0]!, text.length);
    expect(text.slice(cm.from, cm.to)).toBe('rellu');
    expect(cm.severity).toBe('error');
    expect(cm.actions?.map((a) => a.name)).toEqual(["use 'relu'"]);
    expect(suggestionOf("unknown activation 'rellu'; did you mean 'relu'?")).toBe('relu');
    expect(suggestionOf('expected a number')).toBeUndefined();
  });

  it('adds diagnostics from outside the text (a link that did not open)', () => {
    const extra = { code: 'shared-link', severity: 'error' as const, message: 'bad link' };
    expect(diagnosticsOf('', [extra])[0]).toBe(extra);
  });
});
