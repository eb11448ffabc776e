// Every example in examples/ passes every check (CI runs `sprout check examples/*.sprout` too).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { expect, test } from 'vitest';
import { checkText, renderDiagnostics } from '../src/index.js';

const examples = join(import.meta.dirname, '..', '..', '..', 'examples');
const names = readdirSync(examples).filter((f) => f.endsWith('.sprout'));

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
  expect(fnn.compare.map((a) => a.name)).toEqual(['fixed small', 'fixed large', 'validity']);
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
  expect([b45.train.batch, b45.optimizer.step]).toEqual([45, { _tag: 'constant', lr: 0.01 }]);
  const cnn = spec('mnist-cnn.sprout');
  expect([cnn.network.input, cnn.growth._tag === 'sensli' && cnn.growth.norm]).toEqual([
    [28, 28, 1],
    { _tag: 'fro_numel' },
  ]);
});
