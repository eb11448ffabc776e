import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as E from 'fp-ts/lib/Either.js';
import { disposeNet, forward } from '@sprout/model';
import { growBySensitivity, selectPosition, shouldGrowAt } from '../src/index.js';
import { fnn, inputs, maxAbsDiff } from '@sprout/growth/testing';

const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(JSON.stringify(e.left));
  return e.right;
};

describe('selection rules', () => {
  const scores = [0.3, 0.9, 0.1, 0.9];
  it('max picks the largest (first on ties), min the smallest, position k picks k', () => {
    expect(right(selectPosition({ _tag: 'max' }, { scores }))).toEqual({ _tag: 'insert', position: 1, score: 0.9 });
    expect(right(selectPosition({ _tag: 'min' }, { scores }))).toEqual({ _tag: 'insert', position: 2, score: 0.1 });
    expect(right(selectPosition({ _tag: 'position', index: 3 }, { scores }))).toEqual({
      _tag: 'insert',
      position: 3,
      score: 0.9,
    });
    const out = selectPosition({ _tag: 'position', index: 4 }, { scores });
    expect(E.isLeft(out) && out.left._tag).toBe('position-out-of-range');
  });

  it('threshold inserts only above τ × the existing mean, and may decline', () => {
    expect(right(selectPosition({ _tag: 'threshold', tau: 1 }, { scores, existingMean: 0.5 }))).toEqual({
      _tag: 'insert',
      position: 1,
      score: 0.9,
    });
    expect(right(selectPosition({ _tag: 'threshold', tau: 2 }, { scores, existingMean: 0.5 }))).toEqual({
      _tag: 'decline',
      best: 1,
      score: 0.9,
      bar: 1,
    });
    // Equal to the bar declines (the reference inserts only when best/denominator > τ).
    expect(right(selectPosition({ _tag: 'threshold', tau: 1 }, { scores, existingMean: 0.9 }))._tag).toBe('decline');
    const missing = selectPosition({ _tag: 'threshold', tau: 1 }, { scores });
    expect(E.isLeft(missing) && missing.left._tag).toBe('missing-existing-scores');
  });

  it("threshold with mean 'all' divides by the mean over the existing AND the virtual layers (the CNN reference)", () => {
    // existing [0.2, 0.4] (mean 0.3), virtual [0.3, 0.9, 0.1, 0.9]: mean over all six = 2.8 / 6.
    const existing = [{ score: 0.2 }, { score: 0.4 }];
    const all = 2.8 / 6;
    expect(
      right(selectPosition({ _tag: 'threshold', tau: 1.9, mean: 'all' }, { scores, existingMean: 0.3, existing })),
    ).toEqual({
      _tag: 'insert',
      position: 1,
      score: 0.9,
    });
    const declined = right(
      selectPosition({ _tag: 'threshold', tau: 2, mean: 'all' }, { scores, existingMean: 0.3, existing }),
    );
    expect(declined._tag === 'decline' && declined.bar).toBeCloseTo(2 * all, 12);
    // With the existing layers' mean alone the same τ = 2 inserts (0.9 > 0.6): the option changes decisions.
    expect(
      right(selectPosition({ _tag: 'threshold', tau: 2, mean: 'existing' }, { scores, existingMean: 0.3, existing }))
        ._tag,
    ).toBe('insert');
  });

  it('threshold_abs inserts only when the best score exceeds the bar', () => {
    expect(right(selectPosition({ _tag: 'threshold_abs', bar: 0.5 }, { scores }))).toEqual({
      _tag: 'insert',
      position: 1,
      score: 0.9,
    });
    expect(right(selectPosition({ _tag: 'threshold_abs', bar: 0.9 }, { scores }))).toEqual({
      _tag: 'decline',
      best: 1,
      score: 0.9,
      bar: 0.9,
    });
  });

  it('rejects empty and non-finite scores', () => {
    const empty = selectPosition({ _tag: 'max' }, { scores: [] });
    expect(E.isLeft(empty) && empty.left._tag).toBe('no-positions');
    const nan = selectPosition({ _tag: 'max' }, { scores: [1, Number.NaN] });
    expect(E.isLeft(nan) && nan.left._tag).toBe('non-finite-sensitivity');
  });
});

describe('schedules', () => {
  it('at given epochs (completed epochs)', () => {
    const at = { _tag: 'at', epochs: [450, 900] } as const;
    expect([0, 449, 450, 451, 900].map((e) => shouldGrowAt(at, e, 0))).toEqual([false, false, true, false, true]);
  });
  it('every k epochs up to a maximum number of insertions', () => {
    const every = { _tag: 'every', every: 100, max: 2 } as const;
    expect([0, 50, 100, 150, 200].map((e) => shouldGrowAt(every, e, 0))).toEqual([false, false, true, false, true]);
    expect(shouldGrowAt(every, 300, 2)).toBe(false);
    expect(shouldGrowAt(every, 300, 1)).toBe(true);
  });
});

describe('growBySensitivity', () => {
  it('inserts at the rule’s position and records the event', () => {
    const net = fnn(2);
    const x = inputs(net, 16, 3);
    const y = tf.tensor1d(
      Array.from({ length: 16 }, (_, i) => i % 2),
      'int32',
    );
    const step = right(growBySensitivity(net, { x, y }, { select: { _tag: 'min' }, epoch: 450 }));
    const s = step.sensitivities.scores;
    const argmin = s.indexOf(Math.min(...s));
    expect(step.choice).toEqual({ _tag: 'insert', position: argmin, score: s[argmin] });
    const w = step.sensitivities.positions[argmin]!.width;
    expect(step.event).toMatchObject({
      _tag: 'insertion',
      epoch: 450,
      architecture: 'fnn',
      rule: { _tag: 'min' },
      norm: { _tag: 'fro' },
      chosen: argmin,
      declined: false,
      paramsBefore: 2 * 5 + 5 + 5 * 4 + 4 + 4 * 2 + 2,
      paramsAfter: 2 * 5 + 5 + 5 * 4 + 4 + 4 * 2 + 2 + w * w + w,
    });
    expect(step.event.positions.map((p) => p.sensitivity)).toEqual(s);
    expect(JSON.parse(JSON.stringify(step.event))).toEqual(step.event);
    const a = tf.tidy(() => forward(net, x));
    const b = tf.tidy(() => forward(step.net, x));
    expect(maxAbsDiff(a, b)).toBeLessThan(1e-6);
    // A threshold no position can pass declines and returns the same net.
    const declined = right(growBySensitivity(net, { x, y }, { select: { _tag: 'threshold', tau: 1e9 } }));
    expect(declined.choice._tag).toBe('decline');
    expect(declined.net).toBe(net);
    expect(declined.event).toMatchObject({ chosen: null, declined: true });
    expect(declined.event.existing).toHaveLength(3);
    tf.dispose([a, b, x, y]);
    disposeNet(step.net);
  });
});
