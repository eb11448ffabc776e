// Properties over many specs: check and decode never throw, and every diagnostic path points into the spec
// (the language maps these paths to source ranges, so a dangling path would lose the location).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryExperiment } from '@sprout/spec/testing';
import { decodeExperiment, diagnose, type Experiment, type SpecPath } from '../src/index.js';

type Json = Record<string | number, unknown>;

const leaves = (v: unknown, path: (string | number)[] = []): (string | number)[][] =>
  typeof v === 'number'
    ? [path]
    : typeof v === 'object' && v !== null
      ? Object.entries(v).flatMap(([k, x]) => leaves(x, [...path, Array.isArray(v) ? Number(k) : k]))
      : [];

const set = (root: unknown, path: readonly (string | number)[], value: unknown): void => {
  let node = root as Json;
  for (const k of path.slice(0, -1)) node = node[k] as Json;
  node[path[path.length - 1]!] = value;
};

const resolves = (root: unknown, path: SpecPath): boolean => {
  let node: unknown = root;
  for (const k of path) {
    if (typeof node !== 'object' || node === null || !(k in node)) return false;
    node = (node as Json)[k];
  }
  return true;
};

/** A valid spec with a few numbers replaced by values that are often out of range. */
const mutated: fc.Arbitrary<Experiment> = fc
  .tuple(
    arbitraryExperiment({ maxArms: 2 }),
    fc.array(fc.tuple(fc.nat(), fc.constantFrom(0, -1, 0.5, 1, 1.5, 2, NaN, Infinity, -Infinity, 1e12, -1e-4)), {
      minLength: 1,
      maxLength: 4,
    }),
  )
  .map(([spec, edits]) => {
    const copy = structuredClone(spec);
    const numbers = leaves(copy);
    for (const [i, value] of edits) if (numbers.length > 0) set(copy, numbers[i % numbers.length]!, value);
    return copy;
  });

describe('check on mutated specs', () => {
  it('never throws, and every diagnostic has a code, a message and a path that resolves in the spec', () => {
    fc.assert(
      fc.property(mutated, (spec) => {
        for (const d of diagnose(spec)) {
          expect(d.code).toMatch(/^[a-z]+(-[a-z]+)*$/);
          expect(d.message.length).toBeGreaterThan(0);
          expect(d.path).toBeDefined();
          expect(resolves(spec, d.path!), `${d.code} at ${JSON.stringify(d.path)}`).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('decodeExperiment on arbitrary input', () => {
  it('never throws on any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (json) => {
        expect(decodeExperiment(json)._tag).toBe('Left');
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on a valid spec with one value replaced by arbitrary JSON', () => {
    fc.assert(
      fc.property(arbitraryExperiment({ maxArms: 1 }), fc.nat(), fc.jsonValue({ maxDepth: 2 }), (spec, i, value) => {
        const copy = JSON.parse(JSON.stringify(spec)) as unknown;
        const all = leaves(copy);
        if (all.length > 0) set(copy, all[i % all.length]!, value);
        const r = decodeExperiment(copy);
        if (r._tag === 'Left') for (const d of r.left) expect(d.path).toBeDefined();
      }),
      { numRuns: 300 },
    );
  });
});
