// The printer and the parser are inverse: for every generated valid spec, parsing its canonical text gives
// back the same spec (deep equality), the text is already formatted, and it passes every check.
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, test } from 'vitest';
import { check, type Diagnostic } from '@sprout/spec';
import { arbitraryExperiment } from '@sprout/spec/testing';
import { checkText, format, parseExperiment, print, renderDiagnostics } from '../src/index.js';

const parsedSpec = (text: string): unknown => {
  const r = parseExperiment(text, 'generated.sprout');
  if (E.isLeft(r)) throw new Error(renderDiagnostics(r.left, 'generated.sprout', text));
  return r.right.spec;
};

describe('print ∘ parse', () => {
  test('parse(print(spec)) deep-equals spec', () => {
    fc.assert(
      fc.property(arbitraryExperiment(), (spec) => {
        expect(parsedSpec(print(spec))).toStrictEqual(spec);
      }),
      { numRuns: 120, seed: 20261128 },
    );
  });

  test('names with quotes, backslashes, control and astral characters survive', () => {
    fc.assert(
      fc.property(arbitraryExperiment({ text: fc.string({ unit: 'binary', minLength: 1, maxLength: 10 }) }), (spec) => {
        expect(parsedSpec(print(spec))).toStrictEqual(spec);
      }),
      { numRuns: 60, seed: 7 },
    );
  });

  test('print(spec) is already formatted, and checkText reports what check reports, each with a range', () => {
    const codes = (r: E.Either<readonly Diagnostic[], unknown>): string[] =>
      E.isLeft(r) ? r.left.map((d) => `${d.code}: ${d.message}`) : [];
    fc.assert(
      fc.property(arbitraryExperiment(), (spec) => {
        const text = print(spec);
        expect(format(text)).toStrictEqual(E.right(text));
        const checked = checkText(text);
        expect(codes(checked)).toEqual(codes(check(spec)));
        if (E.isLeft(checked)) for (const d of checked.left) expect(d.range).toBeDefined();
      }),
      { numRuns: 60, seed: 3 },
    );
  });
});

describe('print ∘ parse of the papers’ settings', () => {
  test('cifar10 data, the CNN norms and threshold rules print and parse back', async () => {
    const B = await import('@sprout/spec');
    for (const [data, select, norm] of [
      [B.cifar10({ dir: 'c10', trainLimit: 100, normalize: false }), B.threshold(1.5, 'all'), B.op22Reference()],
      [B.cifar10(), B.thresholdAbs(0.001), B.spectralSame()],
    ] as const) {
      const spec = B.experiment('x', {
        data,
        network: B.network([32, 32, 3], [B.conv(4, 3), B.flatten()], B.output(10)),
        train: B.train({ epochs: 4 }),
        growth: B.sensli({ schedule: B.atEpochs(2), norm, select, residualInit: 'inner_zero' }),
      });
      expect(parsedSpec(print(spec))).toStrictEqual(spec);
    }
  });
});
