// The optimizer section is described once (src/schema/optimizer.ts) and its types, decoder, defaults,
// builders, checks and test data are derived from it; these tests hold the description to the vocabularies
// the diagnostics name, and show one field travelling through every derived part.
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import {
  DEFAULTS,
  GRAM_SCHEMA,
  METRIC_SCHEMA,
  NAME_KINDS,
  NORM_SCHEMA,
  OPTIMIZER_SCHEMA,
  STEP_SIZE_SCHEMA,
  adam,
  check,
  decodeExperiment,
  experiment,
  settingDefaults,
  type SchemaUnion,
} from '../src/index.js';

const UNIONS: readonly SchemaUnion[] = [OPTIMIZER_SCHEMA, STEP_SIZE_SCHEMA, METRIC_SCHEMA, GRAM_SCHEMA, NORM_SCHEMA];

describe('the described unions', () => {
  it.each(UNIONS.map((u) => [u.kind, u] as const))('%s: its tags are its vocabulary, its names known kinds', (_, u) => {
    expect(Object.hasOwn(NAME_KINDS, u.kind)).toBe(true);
    expect([...NAME_KINDS[u.kind as keyof typeof NAME_KINDS].names]).toEqual(Object.keys(u.variants));
    for (const fields of Object.values(u.variants))
      for (const f of Object.values(fields))
        if (f.type === 'name') expect(Object.hasOwn(NAME_KINDS, f.kind)).toBe(true);
  });

  it("gives DEFAULTS the optimizers' own settings, without the step rule and metric", () => {
    const { step: _step, metric: _metric, ...own } = OPTIMIZER_SCHEMA.variants.adam;
    expect(Object.keys(DEFAULTS.adam)).toEqual(Object.keys(own));
    expect(DEFAULTS.adam).toEqual(settingDefaults(OPTIMIZER_SCHEMA, 'adam'));
    expect(DEFAULTS.adam).toMatchObject({ beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    // The learning rate of a schedule is written after its name, so it is not among the rule's settings.
    expect(DEFAULTS.stepDecay).toEqual({ factor: 0.1, every: 30 });
  });
});

describe('one field through the derived parts', () => {
  const spec = experiment('x', { optimizer: adam({ beta2: 0.99 }) });

  it('the builder fills the other fields from the description, in its order', () => {
    expect(Object.keys(spec.optimizer)).toEqual(['_tag', ...Object.keys(OPTIMIZER_SCHEMA.variants.adam)]);
    expect(Object.keys(spec.optimizer).slice(0, 4)).toEqual(['_tag', 'beta1', 'beta2', 'epsilon']);
    expect(spec.optimizer).toMatchObject({ beta1: 0.9, beta2: 0.99, epsilon: 1e-8 });
  });

  it('the decoder reads it back and reports a wrong type at its path', () => {
    expect(decodeExperiment(JSON.parse(JSON.stringify(spec)))).toEqual(E.right(spec));
    const wrong = decodeExperiment({ ...spec, optimizer: { ...spec.optimizer, beta2: 'high' } });
    expect(E.isLeft(wrong) && wrong.left.map((d) => [d.code, d.path, d.message])).toEqual([
      ['wrong-type', ['optimizer', 'beta2'], "expected a number, got the string 'high'"],
    ]);
  });

  it('the range check names it', () => {
    const bad = check(experiment('x', { optimizer: adam({ beta2: 1 }) }));
    expect(E.isLeft(bad) && bad.left.map((d) => [d.code, d.path, d.message])).toEqual([
      ['out-of-range', ['optimizer', 'beta2'], 'Adam beta2 must be a finite number in [0, 1), got 1'],
    ]);
  });
});
