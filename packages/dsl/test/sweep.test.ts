// Sweeps in the language: parsing to the spec, the whole plan checked with diagnostics at the swept value,
// printing and formatting (round trip), and the plan's runs.
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, test } from 'vitest';
import { experiment, planArms, sweep, sweepPoints, type Experiment } from '@sprout/spec';
import { checkText, format, parseExperiment, print, renderDiagnostics } from '../src/index.js';

const rendered = (text: string): string => {
  const r = checkText(text, 'f.sprout');
  return E.isLeft(r) ? renderDiagnostics(r.left, 'f.sprout', text) : 'valid\n';
};
const specOf = (text: string): Experiment => {
  const r = checkText(text, 'f.sprout');
  if (E.isLeft(r)) throw new Error(renderDiagnostics(r.left, 'f.sprout', text));
  return r.right.spec;
};

const FILE = `experiment "s" {
  repeat 2
  network { input 2  dense 5 relu  output 2 }
  optimizer sgd { step constant 0.1 }
  train { epochs 10, batch full }
  compare {
    run "adam" { optimizer adam { step constant 1e-3 } }
  }
  sweep {
    grid { lr [0.01, 0.1, 1]  network.layers[0].units [5, 10] }
    zip { train.epochs [10, 20]  train.shuffle [true, false] }
  }
}
`;

describe('parsing', () => {
  test('grid and zip axes become the spec sweep, paths and aliases as written', () => {
    expect(specOf(FILE).sweep).toEqual({
      grid: [
        { path: 'lr', values: [0.01, 0.1, 1] },
        { path: 'network.layers[0].units', values: [5, 10] },
      ],
      zip: [
        [
          { path: 'train.epochs', values: [10, 20] },
          { path: 'train.shuffle', values: [true, false] },
        ],
      ],
    });
  });

  test('names are swept as names; commas between values are optional', () => {
    const s = specOf(
      'experiment "v" { optimizer sgd { step adaptive { } }  sweep { grid { optimizer.step.variance [none per_example, ema] } } }',
    );
    expect(s.sweep?.grid[0]?.values).toEqual(['none', 'per_example', 'ema']);
  });

  test('the typed builder gives the same spec as the language', () => {
    const built = experiment('s', {
      ...(({ name: _n, _tag: _t, version: _v, sweep: _s, ...rest }) => rest)(specOf(FILE)),
      sweep: sweep({
        grid: { lr: [0.01, 0.1, 1], 'network.layers[0].units': [5, 10] },
        zip: [{ 'train.epochs': [10, 20], 'train.shuffle': [true, false] }],
      }),
    });
    expect(built).toEqual(specOf(FILE));
  });
});

describe('the plan', () => {
  test('arms × points, each run its own resolved experiment; stable names', () => {
    const spec = specOf(FILE);
    expect(sweepPoints(spec.sweep!).length).toBe(3 * 2 * 2);
    const plan = planArms(spec, 'base');
    expect(plan.length).toBe(2 * 12);
    expect(plan.map((p) => p.name).slice(0, 3)).toEqual([
      'base [lr=0.01 network.layers[0].units=5 train.epochs=10 train.shuffle=true]',
      'base [lr=0.01 network.layers[0].units=5 train.epochs=20 train.shuffle=false]',
      'base [lr=0.01 network.layers[0].units=10 train.epochs=10 train.shuffle=true]',
    ]);
    const last = plan[plan.length - 1]!;
    expect(last.arm).toBe('adam');
    expect(last.experiment.optimizer._tag).toBe('adam');
    expect(last.experiment.optimizer.step).toEqual({ _tag: 'constant', lr: 1 });
    expect(last.experiment.network.layers[0]).toMatchObject({ units: 10 });
    expect(last.experiment.train).toMatchObject({ epochs: 20, shuffle: false });
    expect(last.experiment.compare).toEqual([]);
    expect(last.experiment.sweep).toBeUndefined();
    expect(new Set(plan.map((p) => p.name)).size).toBe(plan.length);
  });

  test('width sets every dense layer, and leaves layers without units alone', () => {
    const s = specOf(
      'experiment "w" { network { input 2  dense 5 relu  dropout 0.1  dense 5 relu  output 2 }  sweep { grid { width [3, 7] } } }',
    );
    const plan = planArms(s, 'base');
    expect(plan[1]!.experiment.network.layers).toEqual([
      { _tag: 'dense', units: 7, activation: 'relu', bias: true },
      { _tag: 'dropout', rate: 0.1 },
      { _tag: 'dense', units: 7, activation: 'relu', bias: true },
    ]);
  });
});

describe('checking the whole plan', () => {
  test('a bad value is reported at the value in the sweep, once, with the setting in the note', () => {
    expect(rendered('experiment "b" {\n  sweep {\n    grid { lr [0.1, -1]  width [5, 0] }\n  }\n}\n'))
      .toMatchInlineSnapshot(`
      "f.sprout:3:21 error[invalid-learning-rate]: learning rate must be a finite number > 0, got -1
          3 |     grid { lr [0.1, -1]  width [5, 0] }
            |                     ^^
            = note: lr = -1

      f.sprout:3:36 error[invalid-width]: dense units must be an integer in [1, 100_000], got 0
          3 |     grid { lr [0.1, -1]  width [5, 0] }
            |                                    ^
            = note: width = 0
      "
    `);
  });

  test('a value that is bad only in one arm says which arm', () => {
    expect(
      rendered(
        'experiment "b" {\n  network { input 2  dense 5 relu  output 2 }\n  compare { run "deep" { network { input 2  dense 5 relu  dense 5 relu  output 2 } } }\n  sweep { grid { network.layers[1].units [3] } }\n}\n',
      ),
    ).toMatchInlineSnapshot(`
      "f.sprout:4:18 error[sweep-not-applicable]: 'network.layers[1].units': network.layers has 1 item, so there is no item 1 in the base experiment
          4 |   sweep { grid { network.layers[1].units [3] } }
            |                  ^^^^^^^^^^^^^^^^^^^^^^^
      "
    `);
  });

  test('an unknown path, a section, a wrong kind of value, a bad name', () => {
    expect(
      rendered(
        'experiment "b" {\n  sweep {\n    grid { optimizer.step.valu [1]  optimizer [1]  train.epochs [fast]  network.layers[0].activation [rleu] }\n  }\n}\n',
      ),
    ).toMatchInlineSnapshot(`
      "f.sprout:3:12 error[sweep-not-applicable]: 'optimizer.step.valu': there is no setting 'valu' at optimizer.step (optimizer.step is constant); did you mean 'value'?
          3 |     grid { optimizer.step.valu [1]  optimizer [1]  train.epochs [fast]  network.layers[0].activation…
            |            ^^^^^^^^^^^^^^^^^^^

      f.sprout:3:37 error[sweep-not-applicable]: 'optimizer' names a whole section; a sweep sets single values (numbers, names, true/false)
          3 |     grid { optimizer.step.valu [1]  optimizer [1]  train.epochs [fast]  network.layers[0].activation…
            |                                     ^^^^^^^^^

      f.sprout:3:66 error[sweep-not-applicable]: 'train.epochs' takes a number, not a name
          3 | …{ optimizer.step.valu [1]  optimizer [1]  train.epochs [fast]  network.layers[0].activation [rleu] }
            |                                                          ^^^^
      "
    `);
  });

  test('a name is checked like a hand-written one, at the value', () => {
    expect(rendered('experiment "b" {\n  sweep { grid { network.layers[0].activation [relu, rleu] } }\n}\n'))
      .toMatchInlineSnapshot(`
      "f.sprout:2:54 error[unknown-activation]: unknown activation 'rleu'; did you mean 'relu'?
          2 |   sweep { grid { network.layers[0].activation [relu, rleu] } }
            |                                                      ^^^^
            = note: network.layers[0].activation = rleu
      "
    `);
  });

  test('zip settings of unequal length', () => {
    expect(rendered('experiment "b" {\n  sweep { zip { lr [0.1, 1]  epochs [10] } }\n}\n')).toMatchInlineSnapshot(`
      "f.sprout:2:30 error[zip-length-mismatch]: the settings of a zip go together value by value, but 'epochs' has 1 value and 'lr' has 2
          2 |   sweep { zip { lr [0.1, 1]  epochs [10] } }
            |                              ^^^^^^
      "
    `);
  });

  test('an empty sweep, an empty axis, a repeated value or path', () => {
    expect(rendered('experiment "b" {\n  sweep { }\n}\n')).toMatchInlineSnapshot(`
      "f.sprout:2:3 error[empty-sweep]: the sweep has no settings; give grid { setting [values] } or zip { … }
          2 |   sweep { }
            |   ^^^^^
      "
    `);
    expect(rendered('experiment "b" {\n  sweep { grid { lr []  train.epochs [3, 3]  epochs [4] } }\n}\n'))
      .toMatchInlineSnapshot(`
      "f.sprout:2:18 error[empty-sweep-axis]: 'lr' has no values; give at least one: lr [a, b]
          2 |   sweep { grid { lr []  train.epochs [3, 3]  epochs [4] } }
            |                  ^^

      f.sprout:2:42 error[duplicate-sweep-value]: 'train.epochs' takes the value 3 twice (values 0 and 1)
          2 |   sweep { grid { lr []  train.epochs [3, 3]  epochs [4] } }
            |                                          ^

      f.sprout:2:46 error[duplicate]: the sweep sets 'epochs' twice (also as 'train.epochs')
          2 |   sweep { grid { lr []  train.epochs [3, 3]  epochs [4] } }
            |                                              ^^^^^^
      "
    `);
  });

  test('a compare arm may have its own sweep, in place of the experiment’s; its diagnostics point into it', () => {
    const text =
      'experiment "b" {\n  sweep { grid { lr [0.1, 1] } }\n  compare {\n    run "adaptive" { optimizer sgd { step adaptive { } }  sweep { grid { variance [none, ema, emma] } } }\n  }\n}\n';
    expect(rendered(text)).toMatchInlineSnapshot(`
      "f.sprout:4:95 error[unknown-variance]: unknown variance mode 'emma'; did you mean 'ema'?
          4 | …un "adaptive" { optimizer sgd { step adaptive { } }  sweep { grid { variance [none, ema, emma] } } }
            |                                                                                           ^^^^
            = note: variance = emma
      "
    `);
    const fixed = specOf(text.replace(', emma', ''));
    expect(planArms(fixed, 'base').map((p) => p.name)).toEqual([
      'base [lr=0.1]',
      'base [lr=1]',
      'adaptive [variance=none]',
      'adaptive [variance=ema]',
    ]);
    const again = parseExperiment(print(fixed));
    expect(E.isRight(again) && again.right.spec).toEqual(fixed);
  });
});

describe('printing and formatting', () => {
  test('print then parse gives the same spec, and the printed text is formatted', () => {
    const spec = specOf(FILE);
    const text = print(spec);
    expect(text).toContain(
      '  sweep {\n    grid {\n      lr [0.01, 0.1, 1]\n      network.layers[0].units [5, 10]\n    }\n    zip {\n      train.epochs [10, 20]\n      train.shuffle [true, false]\n    }\n  }\n',
    );
    const again = parseExperiment(text);
    expect(E.isRight(again) && again.right.spec).toEqual(spec);
    expect(format(text)).toEqual(E.right(text));
  });

  test('strings that are not words are quoted, and come back as the same strings', () => {
    const spec = experiment('q', { sweep: sweep({ grid: { 'optimizer.step.variance': ['per_example', 'true'] } }) });
    const again = parseExperiment(print(spec));
    expect(E.isRight(again) && again.right.spec.sweep).toEqual(spec.sweep);
  });

  test('format lays a sweep out one setting a line, values as [a, b], comments kept', () => {
    const text = 'experiment "f" { sweep { grid { lr [ 0.1 1 ,3 ] // rates\n width[5,10] } zip{epochs [1,2]} } }\n';
    expect(format(text)).toEqual(
      E.right(
        'experiment "f" {\n  sweep {\n    grid {\n      lr [0.1, 1, 3] // rates\n      width [5, 10]\n    }\n    zip {\n      epochs [1, 2]\n    }\n  }\n}\n',
      ),
    );
  });
});
