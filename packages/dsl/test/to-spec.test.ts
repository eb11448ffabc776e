// AST → spec: defaults, the source map, and the structural diagnostics (asserted as rendered text).
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, test } from 'vitest';
import { DEFAULTS, adaptiveReference } from '@sprout/spec';
import { checkText, parseExperiment, print, rangeOf, renderDiagnostics } from '../src/index.js';

const rendered = (text: string): string => {
  const r = checkText(text, 'f.sprout');
  return E.isLeft(r) ? renderDiagnostics(r.left, 'f.sprout', text) : 'valid\n';
};

describe('source map', () => {
  test('a path without a range takes its nearest ancestor’s', () => {
    const r = parseExperiment('experiment "x" {\n  network {\n    input 2\n    dense 5 relu\n  }\n}');
    if (E.isLeft(r)) throw new Error('parse');
    const { sourceMap } = r.right;
    expect(rangeOf(sourceMap, ['network', 'layers', 0, 'units'])?.start).toEqual({ line: 4, column: 11, offset: 51 });
    // `output` was not written: the network keyword stands for it.
    expect(rangeOf(sourceMap, ['network', 'output', 'units'])?.start).toEqual({ line: 2, column: 3, offset: 19 });
    // Nothing about the optimizer was written: the experiment header stands for it.
    expect(rangeOf(sourceMap, ['optimizer', 'step', 'lr'])).toEqual({
      start: { line: 1, column: 1, offset: 0 },
      end: { line: 1, column: 15, offset: 14 },
    });
  });

  test('a semantic error about a default value points at the section that omitted it', () => {
    expect(rendered('experiment "x" {\n  data mnist\n  network { dense 5 relu  output 2 }\n}')).toMatchInlineSnapshot(`
      "f.sprout:3:34 error[output-class-mismatch]: mnist has 10 classes, but the output layer has 2 units
          3 |   network { dense 5 relu  output 2 }
            |                                  ^
      "
    `);
  });
});

describe('defaults', () => {
  test('an empty experiment is DEFAULTS', () => {
    const r = parseExperiment('experiment "x" { }');
    expect(E.isRight(r) && r.right.spec).toEqual({
      _tag: 'experiment',
      version: 1,
      name: 'x',
      seed: DEFAULTS.seed,
      repeat: DEFAULTS.repeat,
      data: DEFAULTS.data,
      network: DEFAULTS.network,
      loss: DEFAULTS.loss,
      optimizer: DEFAULTS.optimizer,
      train: DEFAULTS.train,
      growth: DEFAULTS.growth,
      compare: [],
      report: DEFAULTS.report,
    });
  });

  test('on_increase reaches the adaptive step; an unknown policy gets did-you-mean', () => {
    const r = parseExperiment('experiment "x" { optimizer sgd { step adaptive { variance ema  on_increase reset } } }');
    if (E.isLeft(r)) throw new Error('parse');
    expect(r.right.spec.optimizer.step).toEqual({
      _tag: 'adaptive',
      ...DEFAULTS.adaptive,
      variance: 'ema',
      onIncrease: 'reset',
    });
    const bad = checkText('experiment "x" { optimizer sgd { step adaptive { on_increase rest } } }', 'x.sprout');
    expect(E.isLeft(bad) && bad.left.map((d) => `${d.code}: ${d.message}`)).toEqual([
      "unknown-on-increase: unknown on_increase policy 'rest'; did you mean 'reset'?",
    ]);
  });

  test("preset reference is the SensLI code's rule with a₀ = the number after adaptive; settings next to it win", () => {
    const r = parseExperiment('experiment "x" { optimizer sgd { step adaptive 0.2 { preset reference } } }');
    if (E.isLeft(r)) throw new Error('parse');
    expect(r.right.spec.optimizer.step).toEqual(adaptiveReference(0.2));
    const own = parseExperiment(
      'experiment "x" { optimizer sgd { step adaptive { preset reference, a0 0.05, initial_l first_estimate } } }',
    );
    if (E.isLeft(own)) throw new Error('parse');
    expect(own.right.spec.optimizer.step).toEqual({ ...adaptiveReference(0.05), initialL: 'first_estimate' });
    const twice = checkText('experiment "x" { optimizer sgd { step adaptive 0.2 { a0 0.1 } } }', 'x.sprout');
    expect(E.isLeft(twice) && twice.left.map((d) => d.code)).toEqual(['duplicate']);
    const lrFree = parseExperiment(
      'experiment "x" { optimizer sgd { step dog { r_eps 1e-4 } } compare { run "p" { optimizer sgd { step prodigy } } } }',
    );
    if (E.isLeft(lrFree)) throw new Error('parse');
    expect(lrFree.right.spec.optimizer.step).toEqual({ _tag: 'dog', rEps: 1e-4 });
    expect(lrFree.right.spec.compare[0]!.optimizer!.step).toEqual({ _tag: 'prodigy', d0: DEFAULTS.prodigy.d0 });
  });

  test('omitted settings inside a section take their defaults', () => {
    const r = parseExperiment(
      'experiment "x" { data spirals { points 100 }  optimizer adam { step cosine 0.1 }  grow sensli { every 10 epochs } }',
    );
    if (E.isLeft(r)) throw new Error('parse');
    const s = r.right.spec;
    expect(s.data).toEqual({ ...DEFAULTS.data, points: 100 });
    expect(s.optimizer).toEqual({
      _tag: 'adam',
      ...DEFAULTS.adam,
      step: { _tag: 'cosine', lr: 0.1, ...DEFAULTS.cosine },
      metric: DEFAULTS.metric,
    });
    expect(s.growth).toEqual({
      _tag: 'sensli',
      ...DEFAULTS.sensli,
      schedule: { _tag: 'every', every: 10, max: DEFAULTS.every.max },
    });
  });
});

describe('structural diagnostics', () => {
  test('statements in the wrong place, repeated, or with the wrong arguments', () => {
    const text = [
      'experiment "x" {',
      '  seed 1',
      '  seed 2',
      '  data csv { split 0.5 }',
      '  network { dense 5 relu  input 2  output 2  dense 3 relu }',
      '  optimizer sgd 0.9 { step armijo 0.1  metric euclidean { domain width } }',
      '  grow sensli { at epoch 5  max 2  select position }',
      '  compare { run "a" { repeat 2 } }',
      '}',
    ].join('\n');
    expect(rendered(text)).toMatchInlineSnapshot(`
      "f.sprout:3:3 error[duplicate]: 'seed' is given twice; the first is at line 2
          3 |   seed 2
            |   ^^^^

      f.sprout:4:8 error[wrong-arguments]: 'csv' takes one file path: data csv "file.csv" { … }
          4 |   data csv { split 0.5 }
            |        ^^^

      f.sprout:5:27 error[misplaced-layer]: 'input' must be the first layer of the network
          5 |   network { dense 5 relu  input 2  output 2  dense 3 relu }
            |                           ^^^^^^^

      f.sprout:5:36 error[misplaced-layer]: 'output' must be the last layer of the network
          5 |   network { dense 5 relu  input 2  output 2  dense 3 relu }
            |                                    ^^^^^^^^

      f.sprout:6:17 error[unexpected-argument]: 'sgd' takes no number; only 'momentum β' does
          6 |   optimizer sgd 0.9 { step armijo 0.1  metric euclidean { domain width } }
            |                 ^^^

      f.sprout:6:35 error[unexpected-argument]: 'armijo' takes no learning rate; set 'initial' in its { … }
          6 |   optimizer sgd 0.9 { step armijo 0.1  metric euclidean { domain width } }
            |                                   ^^^

      f.sprout:6:40 error[unexpected-argument]: 'euclidean' takes no { … }: it is frobenius with identity on both sides
          6 |   optimizer sgd 0.9 { step armijo 0.1  metric euclidean { domain width } }
            |                                        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^

      f.sprout:7:29 error[unexpected-argument]: 'max' belongs to an 'every K epochs' schedule; 'at' lists its epochs
          7 |   grow sensli { at epoch 5  max 2  select position }
            |                             ^^^^^

      f.sprout:7:43 error[missing-argument]: 'select position' needs the position: select position K
          7 |   grow sensli { at epoch 5  max 2  select position }
            |                                           ^^^^^^^^

      f.sprout:8:23 error[not-allowed-here]: 'repeat' cannot appear inside a compare arm; an arm may replace data, network, loss, optimizer, train, grow and have its own sweep
          8 |   compare { run "a" { repeat 2 } }
            |                       ^^^^^^
      "
    `);
  });

  test('names that decide a section’s shape are checked here, with suggestions', () => {
    const text = [
      'experiment "x" {',
      '  optimizer sdg { step constnt 0.1  metric frobenius { domain widht } }',
      '  grow sensly',
      '  train { epoch 10, shufle true }',
      '}',
    ].join('\n');
    expect(rendered(text)).toMatchInlineSnapshot(`
      "f.sprout:2:13 error[unknown-optimizer]: unknown optimizer 'sdg'; did you mean 'sgd'?
          2 |   optimizer sdg { step constnt 0.1  metric frobenius { domain widht } }
            |             ^^^

      f.sprout:2:24 error[unknown-step]: unknown step size 'constnt'; did you mean 'constant'?
          2 |   optimizer sdg { step constnt 0.1  metric frobenius { domain widht } }
            |                        ^^^^^^^

      f.sprout:2:63 error[unknown-gram]: unknown Gram matrix 'widht'; did you mean 'width'?
          2 |   optimizer sdg { step constnt 0.1  metric frobenius { domain widht } }
            |                                                               ^^^^^

      f.sprout:3:8 error[unknown-growth]: unknown growth policy 'sensly'; did you mean 'sensli'?
          3 |   grow sensly
            |        ^^^^^^

      f.sprout:4:11 error[unknown-setting]: unknown setting 'epoch'; did you mean 'epochs'?
          4 |   train { epoch 10, shufle true }
            |           ^^^^^
            = note: 'train' takes 'epochs', 'batch', 'shuffle', 'patience', 'monitor', 'min_delta'

      f.sprout:4:21 error[unknown-setting]: unknown setting 'shufle'; did you mean 'shuffle'?
          4 |   train { epoch 10, shufle true }
            |                     ^^^^^^
            = note: 'train' takes 'epochs', 'batch', 'shuffle', 'patience', 'monitor', 'min_delta'
      "
    `);
  });
});

describe('image data sets from folders', () => {
  test('cifar10 takes a folder (default cifar-10-batches-bin), limits and normalize; its input is 32×32×3', () => {
    const spec = (text: string) => {
      const r = parseExperiment(text);
      if (E.isLeft(r)) throw new Error(renderDiagnostics(r.left, 'f.sprout', text));
      return r.right.spec;
    };
    expect(
      spec(
        'experiment "x" {\n  data cifar10 { dir "c10", train_limit 500, normalize false }\n  network { input 32 32 3  flatten  output 10 }\n}',
      ).data,
    ).toEqual({
      _tag: 'cifar10',
      dir: 'c10',
      trainLimit: 500,
      normalize: false,
    });
    expect(spec('experiment "x" {\n  data cifar10\n  network { input 32 32 3  flatten  output 10 }\n}').data).toEqual({
      _tag: 'cifar10',
      dir: 'cifar-10-batches-bin',
      normalize: true,
    });
    expect(
      spec(
        'experiment "x" {\n  data fashion_mnist { dir "fashion" }\n  network { input 28 28 1  flatten  output 10 }\n}',
      ).data,
    ).toEqual({
      _tag: 'fashion_mnist',
      dir: 'fashion',
    });
    expect(
      rendered('experiment "x" {\n  data cifar10 { dir 3 }\n  network { input 32 32 3  flatten  output 10 }\n}'),
    ).toContain('error[');
  });
});

describe('selection rules and norms of the reference', () => {
  const growth = (grow: string) => {
    const text = `experiment "x" {\n  train { epochs 10 }\n  grow sensli { at epoch 2 ${grow} }\n}`;
    const r = parseExperiment(text);
    if (E.isLeft(r)) throw new Error(renderDiagnostics(r.left, 'f.sprout', text));
    const g = r.right.spec.growth;
    if (g._tag !== 'sensli') throw new Error('expected sensli');
    return g;
  };
  test('threshold_mean all goes onto the threshold rule; threshold_abs takes a bar (default 1e-4); the new norms parse', () => {
    expect(growth('select threshold 1.5  threshold_mean all').select).toEqual({
      _tag: 'threshold',
      tau: 1.5,
      mean: 'all',
    });
    expect(growth('select threshold_abs').select).toEqual({ _tag: 'threshold_abs', bar: 1e-4 });
    expect(growth('select threshold_abs 0.01').select).toEqual({ _tag: 'threshold_abs', bar: 0.01 });
    expect(growth('norm spectral_same').norm).toEqual({ _tag: 'spectral_same' });
    expect(growth('norm op22_reference').norm).toEqual({ _tag: 'op22_reference' });
    expect(growth('residual_init inner_zero').residualInit).toBe('inner_zero');
    expect(growth('select max').residualInit).toBeUndefined();
  });
  test('insert_batchnorm and batchnorm with an activation reach the spec; a misspelt activation or init is an error at its word', () => {
    expect(growth('insert_batchnorm preserve').insertBatchnorm).toBe('preserve');
    expect(growth('insert_batchnorm reference').insertBatchnorm).toBe('reference');
    expect(growth('select max').insertBatchnorm).toBeUndefined();
    const r = parseExperiment(
      'experiment "x" {\n  network { input 8 8 1  conv 4 kernel 3 linear  batchnorm relu  batchnorm  flatten  output 2 }\n}',
    );
    if (E.isLeft(r)) throw new Error('parse');
    expect(r.right.spec.network.layers.slice(1, 3)).toEqual([
      { _tag: 'batchnorm', activation: 'relu' },
      { _tag: 'batchnorm' },
    ]);
    expect(
      rendered(
        'experiment "x" {\n  network { input 8 8 1  conv 4 kernel 3 linear  batchnorm rellu  flatten  output 2 }\n}',
      ),
    ).toContain('f.sprout:2:60 error[unknown-activation]');
    expect(
      rendered('experiment "x" {\n  train { epochs 10 }\n  grow sensli { at epoch 2  insert_batchnorm keep }\n}'),
    ).toContain('error[unknown-batchnorm-init]');
  });
  test('threshold_mean without a threshold rule, or with an unknown word, is an error at the setting', () => {
    expect(
      rendered('experiment "x" {\n  train { epochs 10 }\n  grow sensli { at epoch 2  threshold_mean all }\n}'),
    ).toContain("error[misplaced-setting]: 'threshold_mean' applies to 'select threshold τ' only");
    expect(
      rendered(
        'experiment "x" {\n  train { epochs 10 }\n  grow sensli { at epoch 2  select threshold  threshold_mean al }\n}',
      ),
    ).toContain('unknown-threshold-mean');
  });
});

describe('the base arm’s name', () => {
  test('`base "…"` in compare names the arm with the experiment’s own settings, and prints back', () => {
    const r = parseExperiment(
      'experiment "x" { grow sensli { at epoch 2 } compare { base "grown", run "fixed" { grow none } } }',
    );
    if (E.isLeft(r)) throw new Error(renderDiagnostics(r.left, 'f.sprout', ''));
    expect(r.right.spec.baseArm).toBe('grown');
    expect(r.right.spec.compare.map((a) => a.name)).toEqual(['fixed']);
    const printed = print(r.right.spec);
    expect(printed).toContain('base "grown"');
    const again = parseExperiment(printed);
    expect(E.isRight(again) && again.right.spec).toEqual(r.right.spec);
  });

  test('without it the base arm is `base`; a second name, or a compare arm of the same name, is an error', () => {
    const plain = parseExperiment('experiment "x" { compare { run "fixed" { grow none } } }');
    expect(E.isRight(plain) && plain.right.spec.baseArm).toBeUndefined();
    expect(rendered('experiment "x" {\n  compare { base "a"  base "b" }\n}')).toContain(
      "f.sprout:2:28 error[duplicate]: the base arm's name is given twice; the first is at line 2",
    );
    expect(rendered('experiment "x" {\n  compare { base "fixed"  run "fixed" { grow none } }\n}')).toContain(
      "error[duplicate-arm-name]: compare arm 0 has the base arm's name 'fixed'",
    );
    expect(rendered('experiment "x" {\n  compare { run "base" { grow none } }\n}')).toContain(
      "error[duplicate-arm-name]: compare arm 0 has the base arm's name 'base'",
    );
    expect(rendered('experiment "x" {\n  base "a"\n}')).toContain("'base' cannot appear in experiment { … }");
  });
});

describe('validation sets and early stopping', () => {
  const spec = (text: string) => {
    const r = parseExperiment(text);
    if (E.isLeft(r)) throw new Error(renderDiagnostics(r.left, 'f.sprout', text));
    return r.right.spec;
  };
  test('`validation` in a data section, `patience`/`monitor`/`min_delta` in train become data.validation and train.stop', () => {
    const s = spec(
      'experiment "x" {\n  data spirals { split_draw fixed, validation 0.2 }\n  train { epochs 50, patience 5, min_delta 0.001 }\n}',
    );
    expect(s.data).toEqual({ ...DEFAULTS.data, splitDraw: 'fixed', validation: 0.2 });
    expect(s.train).toEqual({
      epochs: 50,
      batch: 'full',
      shuffle: true,
      stop: { patience: 5, monitor: 'validation_loss', minDelta: 0.001 },
    });
    expect(spec('experiment "x" {\n  train { patience 3, monitor train_loss }\n}').train.stop).toEqual({
      patience: 3,
      monitor: 'train_loss',
      minDelta: 0,
    });
    expect(spec('experiment "x" {\n  data mnist { validation 0.1 }\n}').data).toEqual({
      _tag: 'mnist',
      validation: 0.1,
    });
  });
  test('early stopping without patience, on a validation metric without a validation set, or out of range', () => {
    expect(rendered('experiment "x" {\n  train { monitor train_loss }\n}')).toMatchInlineSnapshot(`
      "f.sprout:2:19 error[missing-patience]: early stopping needs 'patience N' (the epochs without improvement before a run stops)
          2 |   train { monitor train_loss }
            |                   ^^^^^^^^^^
      "
    `);
    expect(rendered('experiment "x" {\n  train { patience 5 }\n}')).toMatchInlineSnapshot(`
      "f.sprout:2:20 error[no-validation-set]: early stopping on validation_loss needs a validation set; hold one out of the training data with 'validation 0.1' in the data section, or stop on train_loss
          2 |   train { patience 5 }
            |                    ^
      "
    `);
    expect(
      rendered('experiment "x" {\n  data spirals { validation 1 }\n  train { patience 0, monitor validaton_loss }\n}'),
    ).toMatchInlineSnapshot(`
      "f.sprout:2:29 error[out-of-range]: validation fraction must be a finite number in (0, 1), got 1
          2 |   data spirals { validation 1 }
            |                             ^

      f.sprout:3:20 error[out-of-range]: patience must be an integer in [1, 1_000_000], got 0
          3 |   train { patience 0, monitor validaton_loss }
            |                    ^

      f.sprout:3:31 error[unknown-monitor]: unknown early-stopping monitor 'validaton_loss'; did you mean 'validation_loss'?
          3 |   train { patience 0, monitor validaton_loss }
            |                               ^^^^^^^^^^^^^^
      "
    `);
  });
});

describe('augmentation', () => {
  const spec = (text: string) => {
    const r = parseExperiment(text);
    if (E.isLeft(r)) throw new Error(renderDiagnostics(r.left, 'f.sprout', text));
    return r.right.spec;
  };
  const net = 'network { input 32 32 3  flatten  output 10 }';
  test('`crop` and `flip` in an image data section become data.augment, and print back', () => {
    const s = spec(`experiment "x" {\n  data cifar10 { crop 4, flip horizontal }\n  ${net}\n}`);
    expect(s.data).toEqual({
      _tag: 'cifar10',
      dir: 'cifar-10-batches-bin',
      normalize: true,
      augment: { crop: 4, flip: 'horizontal' },
    });
    expect(print(s)).toContain('data cifar10 { dir "cifar-10-batches-bin", normalize true, crop 4, flip horizontal }');
    expect(spec(print(s))).toEqual(s);
    expect(spec(`experiment "x" {\n  data cifar10 { flip horizontal }\n  ${net}\n}`).data.augment).toEqual({
      crop: 0,
      flip: 'horizontal',
    });
  });
  test('augmentation of vectors, a crop as large as the image, an unknown flip, or on spirals are errors', () => {
    expect(rendered('experiment "x" {\n  data mnist { crop 2, flip vertical }\n  network { input 784  output 10 }\n}'))
      .toMatchInlineSnapshot(`
      "f.sprout:2:21 error[augment-needs-images]: augmentation (crop, flip) needs images, but the network input is [784]; give it as height width channels
          2 |   data mnist { crop 2, flip vertical }
            |                     ^

      f.sprout:2:29 error[unknown-flip]: unknown flip 'vertical'
          2 |   data mnist { crop 2, flip vertical }
            |                             ^^^^^^^^
      "
    `);
    expect(rendered(`experiment "x" {\n  data cifar10 { crop 32 }\n  ${net}\n}`)).toMatchInlineSnapshot(`
      "f.sprout:2:23 error[out-of-range]: crop padding 32 must be smaller than the image (32×32)
          2 |   data cifar10 { crop 32 }
            |                       ^^
      "
    `);
    expect(rendered('experiment "x" {\n  data spirals { crop 2 }\n}')).toContain("unknown setting 'crop'");
  });
});
