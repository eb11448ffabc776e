// One module of update rules for both engines: `updateRule` (TensorFlow.js variables) and `hostUpdate`
// (host arrays) give the same parameters, step for step, for SGD, momentum and Adam (float32 rounding),
// and match the closed forms of their first steps.
import * as tf from '@tensorflow/tfjs';
import type { Optimizer } from '@sprout/spec';
import { describe, expect, it } from 'vitest';
import { hostUpdate, updateRule, type HostSlots } from '../src/index.js';
import { EUCLID, normals } from './problems.js';

const OPTIMIZERS: readonly Optimizer[] = [
  { _tag: 'sgd', step: { _tag: 'constant', lr: 0.1 }, metric: EUCLID },
  { _tag: 'momentum', beta: 0.9, step: { _tag: 'constant', lr: 0.1 }, metric: EUCLID },
  { _tag: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, step: { _tag: 'constant', lr: 0.1 }, metric: EUCLID },
];

describe('update rules: TensorFlow.js and host parity', () => {
  for (const optimizer of OPTIMIZERS)
    it(`${optimizer._tag}: 6 steps with changing gradients and step sizes agree to float32 rounding`, () => {
      const shapes = { w: [3, 4], b: [4] } as const;
      const vars = Object.entries(shapes).map(([name, shape], i) => ({
        name,
        variable: tf.variable(
          tf.tensor(
            normals(
              shape.reduce((a, b) => a * b, 1),
              10 + i,
            ),
            [...shape],
          ),
        ),
      }));
      const host = new Map(vars.map((v) => [v.name, Float32Array.from(v.variable.dataSync() as Float32Array)]));
      const slotCount = optimizer._tag === 'sgd' ? 0 : optimizer._tag === 'momentum' ? 1 : 2;
      const slots = new Map<string, HostSlots>(
        vars.map((v) => [
          v.name,
          { t: 0, slots: Array.from({ length: slotCount }, () => new Float32Array(v.variable.size)) },
        ]),
      );
      const rule = updateRule(optimizer);
      for (let k = 0; k < 6; k++) {
        const lr = 0.05 * (k + 1);
        const grads = new Map(
          vars.map((v, i) => [v.name, tf.tensor(normals(v.variable.size, 100 * k + i), v.variable.shape)]),
        );
        tf.tidy(() => rule.apply(vars, grads, lr));
        hostUpdate(host, new Map([...grads].map(([n, g]) => [n, g.dataSync() as Float32Array])), slots, optimizer, lr);
        tf.dispose([...grads.values()]);
      }
      for (const v of vars) {
        const a = v.variable.dataSync();
        const b = host.get(v.name)!;
        a.forEach((x, i) => expect(Math.abs(x - b[i]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(x))));
      }
      rule.dispose();
      tf.dispose(vars.map((v) => v.variable));
    });

  it('first steps equal their closed forms: sgd θ − αg; momentum θ − α(βg₁ + g₂) at step 2; Adam θ − α·sign(g) at step 1', () => {
    const run = (optimizer: Optimizer, gs: readonly number[]): number => {
      const params = new Map([['x', Float32Array.of(1)]]);
      const slots = new Map<string, HostSlots>([['x', { t: 0, slots: [new Float32Array(1), new Float32Array(1)] }]]);
      for (const g of gs) hostUpdate(params, new Map([['x', Float32Array.of(g)]]), slots, optimizer, 0.1);
      return params.get('x')![0]!;
    };
    expect(run(OPTIMIZERS[0]!, [2])).toBeCloseTo(1 - 0.2, 6);
    // v₁ = g₁ = 2, v₂ = 0.9·2 + 3 = 4.8: x = 1 − 0.1·2 − 0.1·4.8.
    expect(run(OPTIMIZERS[1]!, [2, 3])).toBeCloseTo(1 - 0.2 - 0.48, 6);
    // m̂₁ = g, v̂₁ = g²: the first Adam step is α·g/(|g| + ε).
    expect(run(OPTIMIZERS[2]!, [-4])).toBeCloseTo(1 + 0.1, 6);
  });
});
