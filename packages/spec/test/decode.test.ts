import { readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryExperiment } from '@sprout/spec/testing';
import {
  adaptive,
  decodeExperiment,
  DEFAULTS,
  experiment,
  momentum,
  residual,
  dense,
  network,
  type Diagnostic,
  type Experiment,
  type Layer,
} from '../src/index.js';

const json = (): Record<string, unknown> => JSON.parse(JSON.stringify(experiment('x')));
const problems = (u: unknown): readonly Diagnostic[] => {
  const r = decodeExperiment(u);
  return E.isLeft(r) ? r.left : [];
};
const brief = (u: unknown) => problems(u).map((d) => [d.code, d.path, d.message]);

describe('decodeExperiment', () => {
  it('reads a saved spec back', () => {
    expect(decodeExperiment(json())).toStrictEqual(E.right(experiment('x')));
  });

  it('rejects what is not an experiment', () => {
    expect(brief(null)).toStrictEqual([['wrong-type', [], 'expected an experiment, got null']]);
    expect(brief([1])).toStrictEqual([['wrong-type', [], 'expected an experiment, got a list']]);
  });

  it('reports a different format version alone', () => {
    const d = problems({ ...json(), version: 2, seed: 'x' });
    expect(d.map((x) => [x.code, x.path, x.message])).toStrictEqual([
      ['version-mismatch', ['version'], 'this spec has format version 2, but this Sprout reads version 1'],
    ]);
  });

  it('reports every wrong type, missing field, unknown field and unknown name at once, with paths', () => {
    const bad = json();
    bad['seed'] = '1';
    delete bad['loss'];
    bad['raport'] = {};
    bad['network'] = {
      input: [2],
      layers: [{ _tag: 'dense', units: 5, activation: 'rleu', bias: true }, { _tag: 'dens' }],
      output: { units: 2, activation: 'linear' },
    };
    bad['optimizer'] = {
      _tag: 'sgd',
      step: { _tag: 'constant', lr: null },
      metric: { _tag: 'frobenius', domain: { _tag: 'identity' }, codomain: { _tag: 'widht' } },
    };
    bad['train'] = { epochs: 10, batch: 'all', shuffle: true };
    expect(brief(bad)).toStrictEqual([
      ['wrong-type', ['seed'], "expected a number, got the string '1'"],
      ['unknown-activation', ['network', 'layers', 0, 'activation'], "unknown activation 'rleu'; did you mean 'relu'?"],
      ['unknown-layer', ['network', 'layers', 1, '_tag'], "unknown layer 'dens'; did you mean 'dense'?"],
      ['missing-field', ['loss'], "missing field 'loss'"],
      ['wrong-type', ['optimizer', 'step', 'lr'], 'expected a number, got null'],
      [
        'unknown-gram',
        ['optimizer', 'metric', 'codomain', '_tag'],
        "unknown Gram matrix 'widht'; did you mean 'width'?",
      ],
      ['wrong-type', ['train', 'batch'], "expected a batch size or 'full', got the string 'all'"],
      ['unknown-field', ['raport'], "unknown field 'raport'; did you mean 'report'?"],
    ]);
  });

  it('keeps absent optional fields absent', () => {
    const r = decodeExperiment({ ...json(), data: { _tag: 'mnist', trainLimit: 5 } });
    expect(E.isRight(r) && r.right.data).toStrictEqual({ _tag: 'mnist', trainLimit: 5 });
  });

  it('reads a spec.json written before a field existed, the field taking its default', () => {
    // A run's spec.json (its `run` record removed) from before the adaptive step had emaDecay and minDirectionNorm2.
    const old = JSON.parse(readFileSync(new URL('fixtures/spec-before-ema-decay.json', import.meta.url), 'utf8'));
    expect(old.optimizer.step).not.toHaveProperty('emaDecay');
    const r = decodeExperiment(old);
    if (E.isLeft(r)) throw new Error(JSON.stringify(r.left));
    const step = r.right.optimizer.step;
    expect(step).toStrictEqual({ _tag: 'adaptive', ...DEFAULTS.adaptive });
    // In the order of the description, as a spec built today serialises.
    expect(JSON.stringify(step)).toBe(JSON.stringify(adaptive()));
    expect({ ...r.right, optimizer: old.optimizer }).toStrictEqual(old);
  });

  it('fills a missing nested section with its default; a field without a default is still required', () => {
    const bad = json();
    bad['optimizer'] = { _tag: 'momentum', beta: 0.5, metric: { _tag: 'frobenius', codomain: { _tag: 'scaled' } } };
    expect(brief(bad)).toStrictEqual([
      ['missing-field', ['optimizer', 'metric', 'codomain', 'c'], "missing field 'c'"],
    ]);
    bad['optimizer'] = { _tag: 'momentum', beta: 0.5 };
    const r = decodeExperiment(bad);
    expect(E.isRight(r) && JSON.stringify(r.right.optimizer)).toBe(
      JSON.stringify(experiment('x', { optimizer: momentum(0.5) }).optimizer),
    );
  });

  it('stops at hostile nesting without overflowing the stack', () => {
    let layer: unknown = { _tag: 'flatten' };
    for (let i = 0; i < 20_000; i++) layer = { _tag: 'residual', body: [layer] };
    const d = problems({
      ...json(),
      network: { input: [2], layers: [layer], output: { units: 2, activation: 'linear' } },
    });
    expect(d.map((x) => x.code)).toStrictEqual(['too-deeply-nested']);
    expect(d[0]?.path?.length).toBe(3 + 2 * 32);
  });

  it('accepts nesting up to the limit', () => {
    let layer: Layer = dense(2);
    for (let i = 0; i < 32; i++) layer = residual(layer);
    const spec = experiment('x', { network: network(2, [layer], 2) });
    expect(decodeExperiment(JSON.parse(JSON.stringify(spec)))).toStrictEqual(E.right(spec));
  });
});

describe('decodeExperiment on generated specs', () => {
  it('reads back every valid spec from its JSON', () => {
    fc.assert(
      fc.property(arbitraryExperiment(), (spec: Experiment) => {
        const decoded = decodeExperiment(JSON.parse(JSON.stringify(spec)));
        expect(decoded).toStrictEqual({ _tag: 'Right', right: spec });
      }),
      { numRuns: 300 },
    );
  });
});
