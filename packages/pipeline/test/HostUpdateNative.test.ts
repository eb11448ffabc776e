// The host engine's parameter update through @sprout/native's compiled loops (`hostUpdate` with a kernel)
// gives the bits of `hostUpdate`'s JavaScript loops, for SGD, momentum and Adam, over several steps with
// changing step sizes, on arrays long enough to be split over the addon's threads.
import { describe, expect, it } from 'vitest';
import { dense, euclidean, network, type Optimizer } from '@sprout/spec';
import { createNet, disposeNet, toHostNet } from '@sprout/model';
import { useCpu } from './tiny.js';
import { hostUpdate, type HostSlots } from '@sprout/step-size';

const EUCLID = euclidean();
const OPTIMIZERS: readonly Optimizer[] = [
  { _tag: 'sgd', step: { _tag: 'constant', lr: 0.1 }, metric: EUCLID },
  { _tag: 'momentum', beta: 0.9, step: { _tag: 'constant', lr: 0.1 }, metric: EUCLID },
  { _tag: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, step: { _tag: 'constant', lr: 0.1 }, metric: EUCLID },
];

/** Deterministic values of mixed magnitudes (1e-6 … 1e2) and both signs. */
const values = (n: number, seed: number): Float32Array =>
  Float32Array.from({ length: n }, (_, i) => {
    const u = Math.sin(12.9898 * (i + 1) + 78.233 * seed) * 43758.5453;
    const f = u - Math.floor(u);
    return (f - 0.5) * Math.pow(10, ((i * 7 + seed) % 9) - 6);
  });

/** The addon the host engine passes to `hostUpdate` (a host net's), or null where it is not built. */
const hostAddon = () => {
  const net = createNet(network(2, [dense(3)], 2), { seed: 1 });
  const addon = toHostNet(net, { loss: 'cross_entropy' })?.addon ?? null;
  disposeNet(net);
  return addon;
};
await useCpu();
const addon = hostAddon();

describe.runIf(addon !== null)('hostUpdate through the native addon', () => {
  for (const optimizer of OPTIMIZERS)
    it(`${optimizer._tag}: 4 steps on 150,000 + 7 parameters give the JavaScript loops' bits`, () => {
      const sizes = { w: 150_000, b: 7 };
      const slotCount = optimizer._tag === 'sgd' ? 0 : optimizer._tag === 'momentum' ? 1 : 2;
      const make = () => {
        const params = new Map(Object.entries(sizes).map(([name, n], i) => [name, values(n, i + 1)]));
        const slots = new Map<string, HostSlots>(
          Object.entries(sizes).map(([name, n]) => [
            name,
            { t: 0, slots: Array.from({ length: slotCount }, () => new Float32Array(n)) },
          ]),
        );
        return { params, slots };
      };
      const js = make();
      const native = make();
      for (let k = 0; k < 4; k++) {
        const lr = 0.037 * (k + 1);
        const grads = new Map(Object.entries(sizes).map(([name, n], i) => [name, values(n, 10 * k + i + 3)]));
        hostUpdate(js.params, grads, js.slots, optimizer, lr);
        hostUpdate(native.params, grads, native.slots, optimizer, lr, addon!);
      }
      const differing = (a: Float32Array, b: Float32Array): number => {
        const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
        const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
        let count = 0;
        for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) count++;
        return count;
      };
      for (const [name, theta] of js.params) {
        const start = values(theta.length, 1 + Object.keys(sizes).indexOf(name));
        expect(differing(theta, start), `${name} moved`).toBeGreaterThan(theta.length / 2);
        expect(differing(native.params.get(name)!, theta), `${name}`).toBe(0);
        js.slots
          .get(name)!
          .slots.forEach((s, j) =>
            expect(differing(native.slots.get(name)!.slots[j]!, s), `${name} slot ${j}`).toBe(0),
          );
        expect(native.slots.get(name)!.t).toBe(js.slots.get(name)!.t);
      }
    });
});
