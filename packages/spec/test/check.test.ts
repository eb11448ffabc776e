import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import {
  MAX_WIDTH,
  adam,
  adaptive,
  arm,
  atEpochs,
  avgPool,
  check,
  constant,
  conv,
  cosine,
  csv,
  dataGram,
  dense,
  diagnose,
  dropout,
  every,
  experiment,
  flatten,
  frobenius,
  identity,
  maxPool,
  metricNorm,
  mnist,
  momentum,
  network,
  output,
  position,
  residual,
  scaled,
  sensli,
  sgd,
  spirals,
  threshold,
  stepDecay,
  armijo,
  type Diagnostic,
  type Experiment,
  type ExperimentParts,
  type Layer,
  type SpecPath,
} from '../src/index.js';

/** A cast for names a TypeScript caller could not write but JSON can carry. */
const typo = <T>(v: string): T => v as unknown as T;

const spec = (parts: ExperimentParts): Experiment => experiment('t', parts);
const fnn = (...layers: Layer[]) => network([2], layers, output(2));
const img = (...layers: Layer[]) => network([28, 28, 1], layers, output(10));

const lefts = (e: Experiment): readonly Diagnostic[] => {
  const r = check(e);
  return E.isLeft(r) ? r.left : [];
};

interface Case {
  readonly name: string;
  readonly spec: Experiment;
  readonly code: string;
  readonly path: SpecPath;
}

const cases: Case[] = [
  // names
  {
    name: 'unknown activation',
    spec: spec({ network: fnn(dense(5, typo('rleu'))) }),
    code: 'unknown-activation',
    path: ['network', 'layers', 0, 'activation'],
  },
  {
    name: 'unknown layer',
    spec: spec({ network: fnn(typo({ _tag: 'dens', units: 5 } as never)) }),
    code: 'unknown-layer',
    path: ['network', 'layers', 0, '_tag'],
  },
  {
    name: 'unknown padding',
    spec: spec({ data: mnist(), network: img(conv(4, 3, { padding: typo('sam') }), flatten()) }),
    code: 'unknown-padding',
    path: ['network', 'layers', 0, 'padding'],
  },
  {
    name: 'unknown pool kind',
    spec: spec({ data: mnist(), network: img({ _tag: 'pool', kind: typo('mx'), size: 2, stride: 2 }, flatten()) }),
    code: 'unknown-pool',
    path: ['network', 'layers', 0, 'kind'],
  },
  {
    name: 'unknown data',
    spec: spec({ data: typo({ _tag: 'spiral', points: 3 } as never) }),
    code: 'unknown-data',
    path: ['data', '_tag'],
  },
  { name: 'unknown loss', spec: spec({ loss: typo('crossentropy') }), code: 'unknown-loss', path: ['loss'] },
  {
    name: 'unknown optimizer',
    spec: spec({ optimizer: typo({ ...sgd(), _tag: 'sdg' } as never) }),
    code: 'unknown-optimizer',
    path: ['optimizer', '_tag'],
  },
  {
    name: 'unknown step',
    spec: spec({ optimizer: sgd({ step: typo({ _tag: 'constnt', lr: 1 } as never) }) }),
    code: 'unknown-step',
    path: ['optimizer', 'step', '_tag'],
  },
  {
    name: 'unknown variance',
    spec: spec({ optimizer: sgd({ step: adaptive({ variance: typo('per-sample') }) }) }),
    code: 'unknown-variance',
    path: ['optimizer', 'step', 'variance'],
  },
  {
    name: 'unknown metric',
    spec: spec({ optimizer: sgd({ metric: { ...frobenius(identity(), identity()), _tag: typo('frobenious') } }) }),
    code: 'unknown-metric',
    path: ['optimizer', 'metric', '_tag'],
  },
  {
    name: 'unknown gram',
    spec: spec({ optimizer: sgd({ metric: frobenius(typo({ _tag: 'widht' } as never), identity()) }) }),
    code: 'unknown-gram',
    path: ['optimizer', 'metric', 'domain', '_tag'],
  },
  {
    name: 'unknown gram structure',
    spec: spec({ optimizer: sgd({ metric: frobenius(dataGram({ structure: typo('diag') }), identity()) }) }),
    code: 'unknown-gram-structure',
    path: ['optimizer', 'metric', 'domain', 'structure'],
  },
  {
    name: 'unknown gram estimate',
    spec: spec({ optimizer: sgd({ metric: frobenius(identity(), dataGram({ estimate: typo('emma') })) }) }),
    code: 'unknown-gram-estimate',
    path: ['optimizer', 'metric', 'codomain', 'estimate'],
  },
  {
    name: 'unknown growth',
    spec: spec({ growth: typo({ _tag: 'sensly' } as never) }),
    code: 'unknown-growth',
    path: ['growth', '_tag'],
  },
  {
    name: 'unknown schedule',
    spec: spec({ growth: sensli({ schedule: typo({ _tag: 'att', epochs: [1] } as never) }) }),
    code: 'unknown-schedule',
    path: ['growth', 'schedule', '_tag'],
  },
  {
    name: 'unknown norm',
    spec: spec({ growth: sensli({ schedule: atEpochs(5), norm: typo({ _tag: 'frob' } as never) }) }),
    code: 'unknown-norm',
    path: ['growth', 'norm', '_tag'],
  },
  {
    name: 'unknown selection',
    spec: spec({ growth: sensli({ schedule: atEpochs(5), select: typo({ _tag: 'maxx' } as never) }) }),
    code: 'unknown-selection',
    path: ['growth', 'select', '_tag'],
  },
  {
    name: 'unknown optimizer state',
    spec: spec({ growth: sensli({ schedule: atEpochs(5), optimizerState: typo('kept') }) }),
    code: 'unknown-optimizer-state',
    path: ['growth', 'optimizerState'],
  },
  {
    name: 'unknown plot',
    spec: spec({ report: { plots: [typo('curve')] } }),
    code: 'unknown-plot',
    path: ['report', 'plots', 0],
  },
  {
    name: 'unknown table',
    spec: spec({ report: { tables: [typo('finale')] } }),
    code: 'unknown-table',
    path: ['report', 'tables', 0],
  },
  // ranges
  {
    name: 'zero width',
    spec: spec({ network: fnn(dense(0)) }),
    code: 'invalid-width',
    path: ['network', 'layers', 0, 'units'],
  },
  {
    name: 'fractional width',
    spec: spec({ network: fnn(dense(2.5)) }),
    code: 'invalid-width',
    path: ['network', 'layers', 0, 'units'],
  },
  {
    name: 'absurd width',
    spec: spec({ network: fnn(dense(MAX_WIDTH + 1)) }),
    code: 'invalid-width',
    path: ['network', 'layers', 0, 'units'],
  },
  {
    name: 'negative filters',
    spec: spec({ data: mnist(), network: img(conv(-3, 3), flatten()) }),
    code: 'invalid-width',
    path: ['network', 'layers', 0, 'filters'],
  },
  {
    name: 'zero input size',
    spec: spec({ data: csv('x.csv'), network: network([0], [], output(2)) }),
    code: 'invalid-width',
    path: ['network', 'input', 0],
  },
  {
    name: 'zero output units',
    spec: spec({ data: csv('x.csv'), network: network([3], [], output(0)) }),
    code: 'invalid-width',
    path: ['network', 'output', 'units'],
  },
  {
    name: 'negative learning rate',
    spec: spec({ optimizer: sgd({ step: constant(-0.1) }) }),
    code: 'invalid-learning-rate',
    path: ['optimizer', 'step', 'lr'],
  },
  {
    name: 'zero learning rate',
    spec: spec({ optimizer: sgd({ step: constant(0) }) }),
    code: 'invalid-learning-rate',
    path: ['optimizer', 'step', 'lr'],
  },
  {
    name: 'infinite learning rate',
    spec: spec({ optimizer: sgd({ step: stepDecay(Infinity) }) }),
    code: 'invalid-learning-rate',
    path: ['optimizer', 'step', 'lr'],
  },
  {
    name: 'NaN Armijo initial step',
    spec: spec({ optimizer: sgd({ step: armijo({ initial: NaN }) }) }),
    code: 'invalid-learning-rate',
    path: ['optimizer', 'step', 'initial'],
  },
  { name: 'zero epochs', spec: spec({ train: { epochs: 0 } }), code: 'invalid-epochs', path: ['train', 'epochs'] },
  { name: 'negative epochs', spec: spec({ train: { epochs: -5 } }), code: 'invalid-epochs', path: ['train', 'epochs'] },
  { name: 'split of 1', spec: spec({ data: spirals({ split: 1 }) }), code: 'out-of-range', path: ['data', 'split'] },
  {
    name: 'dropout of 1',
    spec: spec({ network: fnn(dropout(1)) }),
    code: 'out-of-range',
    path: ['network', 'layers', 0, 'rate'],
  },
  {
    name: 'momentum beta of 1',
    spec: spec({ optimizer: momentum(1) }),
    code: 'out-of-range',
    path: ['optimizer', 'beta'],
  },
  {
    name: 'Adam beta2 below 0',
    spec: spec({ optimizer: adam({ beta2: -0.1 }) }),
    code: 'out-of-range',
    path: ['optimizer', 'beta2'],
  },
  {
    name: 'zero Adam epsilon',
    spec: spec({ optimizer: adam({ epsilon: 0 }) }),
    code: 'out-of-range',
    path: ['optimizer', 'epsilon'],
  },
  { name: 'repeat 0', spec: spec({ repeat: 0 }), code: 'out-of-range', path: ['repeat'] },
  { name: 'negative seed', spec: spec({ seed: -1 }), code: 'out-of-range', path: ['seed'] },
  { name: 'batch 0', spec: spec({ train: { batch: 0 } }), code: 'out-of-range', path: ['train', 'batch'] },
  { name: 'fractional batch', spec: spec({ train: { batch: 1.5 } }), code: 'out-of-range', path: ['train', 'batch'] },
  {
    name: 'negative position',
    spec: spec({ growth: sensli({ schedule: atEpochs(5), select: position(-1) }) }),
    code: 'out-of-range',
    path: ['growth', 'select', 'index'],
  },
  {
    name: 'zero threshold',
    spec: spec({ growth: sensli({ schedule: atEpochs(5), select: threshold(0) }) }),
    code: 'out-of-range',
    path: ['growth', 'select', 'tau'],
  },
  {
    name: 'zero lrFactor',
    spec: spec({ growth: sensli({ schedule: atEpochs(5), lrFactor: 0 }) }),
    code: 'out-of-range',
    path: ['growth', 'lrFactor'],
  },
  {
    name: 'zero Gram scale',
    spec: spec({ optimizer: sgd({ metric: frobenius(scaled(0), identity()) }) }),
    code: 'out-of-range',
    path: ['optimizer', 'metric', 'domain', 'c'],
  },
  {
    name: 'bad metric inside a norm',
    spec: spec({
      growth: sensli({ schedule: atEpochs(5), norm: metricNorm(frobenius(identity(), dataGram({ damping: -1 }))) }),
    }),
    code: 'out-of-range',
    path: ['growth', 'norm', 'metric', 'codomain', 'damping'],
  },
  {
    name: 'one variance chunk',
    spec: spec({ optimizer: sgd({ step: adaptive({ chunks: 1 }) }) }),
    code: 'out-of-range',
    path: ['optimizer', 'step', 'chunks'],
  },
  {
    name: 'cosine minLr above lr',
    spec: spec({ optimizer: sgd({ step: cosine(0.1, { minLr: 0.2 }) }) }),
    code: 'out-of-range',
    path: ['optimizer', 'step', 'minLr'],
  },
  { name: 'empty experiment name', spec: experiment(''), code: 'invalid-name', path: ['name'] },
  {
    name: 'empty csv path',
    spec: spec({ data: csv(''), network: network([3], [], output(2)) }),
    code: 'invalid-path',
    path: ['data', 'path'],
  },
  {
    name: 'empty residual',
    spec: spec({ network: fnn(residual()) }),
    code: 'empty-residual',
    path: ['network', 'layers', 0, 'body'],
  },
  {
    name: 'too many layers',
    spec: spec({ network: fnn(...Array.from({ length: 1001 }, () => dense(2))) }),
    code: 'too-many-layers',
    path: ['network', 'layers'],
  },
  {
    name: 'residual nesting too deep',
    spec: spec({ network: fnn(Array.from({ length: 40 }, () => 0).reduce<Layer>((body) => residual(body), dense(2))) }),
    code: 'too-deeply-nested',
    path: ['network', 'layers', 0, ...Array.from({ length: 32 }, () => ['body', 0]).flat()],
  },
  {
    name: 'huge input',
    spec: spec({ data: csv('x.csv'), network: network([5000, 5000, 1], [flatten()], output(2)) }),
    code: 'input-too-large',
    path: ['network', 'input'],
  },
  // shapes
  {
    name: 'conv after flatten',
    spec: spec({ data: mnist(), network: img(flatten(), conv(4, 3)) }),
    code: 'conv-after-flatten',
    path: ['network', 'layers', 1],
  },
  {
    name: 'conv on a vector input',
    spec: spec({ network: fnn(conv(4, 3)) }),
    code: 'conv-on-vector',
    path: ['network', 'layers', 0],
  },
  {
    name: 'pool after flatten',
    spec: spec({ data: mnist(), network: img(flatten(), maxPool(2)) }),
    code: 'pool-after-flatten',
    path: ['network', 'layers', 1],
  },
  {
    name: 'pool on a vector input',
    spec: spec({ network: fnn(avgPool(2)) }),
    code: 'pool-on-vector',
    path: ['network', 'layers', 0],
  },
  {
    name: 'dense on an image',
    spec: spec({ data: mnist(), network: img(dense(5), flatten()) }),
    code: 'dense-needs-flatten',
    path: ['network', 'layers', 0],
  },
  {
    name: 'output on an image',
    spec: spec({ data: mnist(), network: img(conv(4, 3)) }),
    code: 'output-needs-flatten',
    path: ['network', 'output'],
  },
  {
    name: 'window larger than the image',
    spec: spec({
      data: mnist(),
      network: img(conv(4, 5, { padding: 'valid', stride: 4 }), conv(4, 7, { padding: 'valid' }), flatten()),
    }),
    code: 'spatial-size-too-small',
    path: ['network', 'layers', 1],
  },
  {
    name: 'residual body changes the shape',
    spec: spec({ network: fnn(dense(5), residual(dense(3))) }),
    code: 'residual-shape-mismatch',
    path: ['network', 'layers', 1],
  },
  {
    name: 'output units differ from the classes',
    spec: spec({ network: network([2], [dense(5)], output(3)) }),
    code: 'output-class-mismatch',
    path: ['network', 'output', 'units'],
  },
  {
    name: 'input differs from the data',
    spec: spec({ data: mnist(), network: network([28, 28, 3], [flatten()], output(10)) }),
    code: 'input-data-mismatch',
    path: ['network', 'input'],
  },
  {
    name: 'input of rank 2',
    spec: spec({ data: csv('x.csv'), network: network([28, 28], [flatten()], output(10)) }),
    code: 'input-rank',
    path: ['network', 'input'],
  },
  {
    name: 'too many parameters',
    spec: spec({ network: fnn(dense(100_000), dense(100_000)) }),
    code: 'too-many-parameters',
    path: ['network'],
  },
  // schedule
  {
    name: 'insertion after the last epoch',
    spec: spec({ train: { epochs: 100 }, growth: sensli({ schedule: atEpochs(100) }) }),
    code: 'schedule-out-of-range',
    path: ['growth', 'schedule', 'epochs', 0],
  },
  {
    name: 'insertion at epoch 0',
    spec: spec({ growth: sensli({ schedule: atEpochs(0) }) }),
    code: 'schedule-out-of-range',
    path: ['growth', 'schedule', 'epochs', 0],
  },
  {
    name: 'insertion period beyond the run',
    spec: spec({ train: { epochs: 50 }, growth: sensli({ schedule: every(50, 2) }) }),
    code: 'schedule-out-of-range',
    path: ['growth', 'schedule', 'every'],
  },
  {
    name: 'decreasing insertion epochs',
    spec: spec({ growth: sensli({ schedule: atEpochs(20, 10) }) }),
    code: 'schedule-not-increasing',
    path: ['growth', 'schedule', 'epochs', 1],
  },
  {
    name: 'growth with one epoch',
    spec: spec({ train: { epochs: 1 }, growth: sensli({ schedule: atEpochs(1) }) }),
    code: 'schedule-out-of-range',
    path: ['growth', 'schedule'],
  },
  {
    name: 'zero max insertions',
    spec: spec({ growth: sensli({ schedule: every(10, 0) }) }),
    code: 'out-of-range',
    path: ['growth', 'schedule', 'max'],
  },
  // compare
  {
    name: 'duplicate arm names',
    spec: spec({ compare: [arm('a'), arm('a')] }),
    code: 'duplicate-arm-name',
    path: ['compare', 1, 'name'],
  },
  { name: 'empty arm name', spec: spec({ compare: [arm('')] }), code: 'invalid-name', path: ['compare', 0, 'name'] },
  {
    name: 'too many arms',
    spec: spec({ compare: Array.from({ length: 101 }, (_, i) => arm(`a${i}`)) }),
    code: 'too-many-arms',
    path: ['compare'],
  },
  {
    name: 'bad width inside an arm',
    spec: spec({ compare: [arm('big', { network: fnn(dense(0)) })] }),
    code: 'invalid-width',
    path: ['compare', 0, 'network', 'layers', 0, 'units'],
  },
  {
    name: 'bad epochs inside an arm',
    spec: spec({ compare: [arm('short', { train: { epochs: 0, batch: 'full', shuffle: true } })] }),
    code: 'invalid-epochs',
    path: ['compare', 0, 'train', 'epochs'],
  },
];

describe('check', () => {
  it('accepts the default experiment', () => {
    expect(check(experiment('ok'))).toStrictEqual(E.right(experiment('ok')));
  });

  it.each(cases)('reports $name as $code, and nothing else', ({ spec, code, path }) => {
    const found = lefts(spec);
    expect(found.map((d) => [d.code, d.path])).toStrictEqual([[code, path]]);
    const [d] = found;
    expect(d?.severity).toBe('error');
    expect(d?.message.length).toBeGreaterThan(10);
  });

  it('states expected and actual values', () => {
    const [d] = lefts(spec({ network: fnn(dense(-4)) }));
    expect(d).toStrictEqual({
      code: 'invalid-width',
      severity: 'error',
      message: 'dense units must be an integer in [1, 100_000], got -4',
      path: ['network', 'layers', 0, 'units'],
      expected: 'an integer in [1, 100_000]',
      actual: '-4',
    });
  });

  it('suggests a close name', () => {
    const [d] = lefts(spec({ network: fnn(dense(5, typo('rleu'))) }));
    expect(d?.message).toBe("unknown activation 'rleu'; did you mean 'relu'?");
  });

  it('lists every problem of a spec at once', () => {
    const all = experiment('', {
      repeat: 0,
      data: mnist(),
      network: network(
        [28, 28, 1],
        [conv(8, 3), flatten(), conv(4, 3), dense(0, typo('rleu')), residual(dense(3))],
        output(3),
      ),
      optimizer: sgd({ step: constant(-1) }),
      train: { epochs: 0 },
      growth: sensli({ schedule: atEpochs(5, 3) }),
      compare: [arm('a', { data: spirals() }), arm('a')],
    });
    expect(lefts(all).map((d) => d.code)).toStrictEqual([
      'unknown-activation',
      'invalid-name',
      'out-of-range',
      'invalid-width',
      'invalid-learning-rate',
      'invalid-epochs',
      'conv-after-flatten',
      'output-class-mismatch',
      'schedule-not-increasing',
      'duplicate-arm-name',
      'input-data-mismatch',
      'output-class-mismatch',
    ]);
  });

  it('checks each arm with the base sections it inherits, naming the arm', () => {
    const found = lefts(spec({ compare: [arm('images', { data: mnist() })] }));
    expect(found.map((d) => [d.code, d.path, d.note])).toStrictEqual([
      ['input-data-mismatch', ['network', 'input'], "in compare arm 'images'"],
      ['output-class-mismatch', ['network', 'output', 'units'], "in compare arm 'images'"],
    ]);
  });

  it('reports an error of the base once, not again for every arm', () => {
    const found = lefts(spec({ train: { epochs: 0 }, compare: [arm('a'), arm('b', { growth: { _tag: 'none' } })] }));
    expect(found.map((d) => d.code)).toStrictEqual(['invalid-epochs']);
  });

  it('checks a growth schedule against the epochs of the arm that runs it', () => {
    const found = lefts(
      spec({
        train: { epochs: 500 },
        growth: sensli({ schedule: atEpochs(450) }),
        compare: [arm('short', { train: { epochs: 100, batch: 'full', shuffle: true } })],
      }),
    );
    expect(found.map((d) => [d.code, d.path, d.note])).toStrictEqual([
      ['schedule-out-of-range', ['growth', 'schedule', 'epochs', 0], "in compare arm 'short'"],
    ]);
  });

  it('reports hostile nesting once, without overflowing the stack', () => {
    let deep: Layer = dense(2);
    for (let i = 0; i < 20_000; i++) deep = residual(deep);
    expect(lefts(spec({ network: fnn(deep) })).map((d) => d.code)).toStrictEqual(['too-deeply-nested']);
  });

  it('never throws on the tags of a spec cast from foreign JSON', () => {
    expect(() =>
      diagnose(
        spec({
          data: typo({ _tag: 'nope' } as never),
          optimizer: typo({
            _tag: 'x',
            step: { _tag: 'y' },
            metric: { _tag: 'z', domain: { _tag: 'q' }, codomain: { _tag: 'identity' } },
          } as never),
        }),
      ),
    ).not.toThrow();
  });
});
