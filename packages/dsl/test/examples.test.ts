// Every example in examples/ passes every check (CI runs `sprout check examples/*.sprout` too).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { expect, test } from 'vitest';
import { checkText, renderDiagnostics } from '../src/index.js';

const examples = join(import.meta.dirname, '..', '..', '..', 'examples');
const names = [
  ...readdirSync(examples).filter((f) => f.endsWith('.sprout')),
  ...readdirSync(join(examples, 'reference'))
    .filter((f) => f.endsWith('.sprout'))
    .map((f) => join('reference', f)),
];

test('the examples include the quickstart and the paper protocols', () => {
  expect(names.sort()).toEqual(
    expect.arrayContaining([
      'mnist-cnn.sprout',
      'mnist-mlp.sprout',
      'quickstart.sprout',
      'spirals-fnn-batch45.sprout',
      'spirals-fnn.sprout',
      'spirals-resnet.sprout',
    ]),
  );
});

test.each(names)('%s passes check', (name) => {
  const text = readFileSync(join(examples, name), 'utf8');
  const r = checkText(text, name);
  expect(E.isLeft(r) ? renderDiagnostics(r.left, name, text) : '').toBe('');
});

test('the reference protocols say what ALGORITHMS.md §3 says', () => {
  const spec = (name: string) => {
    const r = checkText(readFileSync(join(examples, name), 'utf8'), name);
    if (E.isLeft(r)) throw new Error(name);
    return r.right.spec;
  };
  const fnn = spec('spirals-fnn.sprout');
  expect([fnn.repeat, fnn.train, fnn.optimizer.step, fnn.growth._tag === 'sensli' && fnn.growth.schedule]).toEqual([
    30,
    { epochs: 1850, batch: 'full', shuffle: true },
    { _tag: 'constant', lr: 0.2 },
    { _tag: 'at', epochs: [450] },
  ]);
  expect(fnn.compare.map((a) => a.name)).toEqual(['fixed small', 'fixed large']);
  const resnet = spec('spirals-resnet.sprout');
  expect(resnet.network.layers).toEqual([
    { _tag: 'dense', units: 3, activation: 'tanh', bias: true },
    {
      _tag: 'residual',
      body: [
        { _tag: 'dense', units: 3, activation: 'tanh', bias: true },
        { _tag: 'dense', units: 3, activation: 'linear', bias: false },
      ],
    },
  ]);
  expect(resnet.optimizer.step).toEqual({ _tag: 'constant', lr: 0.1 });
  const b45 = spec('spirals-fnn-batch45.sprout');
  expect([b45.repeat, b45.train.batch, b45.optimizer.step]).toEqual([40, 45, { _tag: 'constant', lr: 0.01 }]);
  const cnn = spec('mnist-cnn.sprout');
  expect([cnn.network.input, cnn.growth._tag === 'sensli' && cnn.growth.norm]).toEqual([
    [28, 28, 1],
    { _tag: 'fro_numel' },
  ]);
});

test('the reference protocols Exp2–Exp7: architectures, seed counts, one split, norms and validity arms', () => {
  const spec = (name: string) => {
    const r = checkText(readFileSync(join(examples, 'reference', name), 'utf8'), name);
    if (E.isLeft(r)) throw new Error(name);
    return r.right.spec;
  };
  const hidden = (s: ReturnType<typeof spec>) => s.network.layers.map((l) => (l._tag === 'dense' ? l.units : l._tag));
  const rows = ['exp2-fnn', 'exp3-resnet', 'exp4-fnn-batch45', 'exp6-fnn-validity', 'exp7-resnet-validity'].map((n) => {
    const s = spec(`${n}.sprout`);
    const g = s.growth;
    return [
      n,
      s.repeat,
      s.data._tag === 'spirals' && s.data.splitDraw,
      hidden(s),
      s.train.batch,
      s.optimizer.step._tag === 'constant' && s.optimizer.step.lr,
      g._tag === 'sensli' && [g.norm._tag, g.lrFactor],
      s.compare.map((a) => a.name),
    ];
  });
  expect(rows).toEqual([
    ['exp2-fnn', 30, 'fixed', [5], 'full', 0.2, ['fro', 1], ['fixed small', 'fixed large']],
    ['exp3-resnet', 30, 'fixed', [3, 'residual'], 'full', 0.1, ['fro', 1], ['validity', 'fixed small', 'fixed large']],
    ['exp4-fnn-batch45', 40, 'fixed', [5], 45, 0.01, ['fro', 1], ['fixed small', 'fixed large']],
    ['exp6-fnn-validity', 30, 'fixed', [4, 4], 'full', 0.2, ['fro', 1], ['validity', 'fixed small', 'fixed large']],
    [
      'exp7-resnet-validity',
      30,
      'fixed',
      [3, 'residual', 'residual'],
      'full',
      0.1,
      ['fro', 0.7],
      ['validity', 'fixed small', 'fixed large'],
    ],
  ]);
  // The validity arms select min on the same net; the large nets are the reference's 2·widths.
  const large = (n: string) => spec(n).compare.find((a) => a.name === 'fixed large')!.network!.layers.length;
  expect([
    large('exp3-resnet.sprout'),
    large('exp6-fnn-validity.sprout'),
    large('exp7-resnet-validity.sprout'),
  ]).toEqual([4, 4, 6]);
  const v = spec('exp6-fnn-validity.sprout').compare[0]!.growth!;
  expect(v._tag === 'sensli' && v.select).toEqual({ _tag: 'min' });
  const cnn = checkText(readFileSync(join(examples, 'cifar10-vgg.sprout'), 'utf8'), 'cifar10-vgg.sprout');
  if (E.isLeft(cnn)) throw new Error('cifar10-vgg');
  const c = cnn.right.spec;
  expect([c.data._tag, c.data.augment, c.train, c.growth._tag === 'sensli' && c.growth.norm]).toEqual([
    'cifar10',
    { crop: 4, flip: 'horizontal' },
    { epochs: 100, batch: 128, shuffle: true },
    { _tag: 'op22_reference' },
  ]);
});
