// On the wasm backend too (the one `npm start` uses here): the same seed gives the same losses bit for
// bit, a conv net trains and grows (Sprout supplies the missing conv backprop kernels), and no tensor
// leaks.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as E from 'fp-ts/Either';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@sprout/backend';
import { atEpochs, conv, csv, dense, flatten, maxPool, network, sensli } from '@sprout/spec';
import { compile } from '../src/index.js';
import { tiny } from './tiny.js';

let wasm = false;
beforeAll(async () => {
  wasm = E.isRight(await initBackend('wasm'));
});

const losses = async (spec: Parameters<typeof compile>[0]): Promise<number[]> => {
  const p = compile(spec);
  if (E.isLeft(p)) throw new Error(JSON.stringify(p.left));
  const out: number[] = [];
  const r = await p.right.run({
    write: false,
    onEvent: (e) => e._tag === 'epoch-end' && out.push(e.trainLoss, e.testLoss),
  })();
  if (E.isLeft(r)) throw new Error(r.left.message);
  return out;
};

describe('wasm backend', () => {
  it('is deterministic and trains a conv net without leaking', async (ctx) => {
    if (!wasm) ctx.skip();
    expect(tf.getBackend()).toBe('wasm');
    const a = await losses(tiny());
    const b = await losses(tiny());
    expect(a.every((x, i) => Object.is(x, b[i]))).toBe(true);
    // The same numbers as on cpu, up to float32 rounding.
    await tf.setBackend('cpu');
    const onCpu = await losses(tiny());
    await initBackend('wasm');
    expect(tf.getBackend()).toBe('wasm');
    a.forEach((x, i) => expect(Math.abs(x - onCpu[i]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(x))));
    // 2×2 one-channel images (a CSV of 4 features; label: is the top row brighter than the bottom one):
    // a 2×2 conv (same padding), 2×2 max pooling, flatten, dense; a SensLI insertion after epoch 2.
    const file = join(mkdtempSync(join(tmpdir(), 'sprout-wasm-')), 'images.csv');
    const rows = Array.from({ length: 60 }, (_, i) => {
      const v = [0, 1, 2, 3].map((j) => ((i * 7 + j * 13) % 10) / 10);
      return [...v, v[0]! + v[1]! > v[2]! + v[3]! ? 1 : 0].join(',');
    });
    writeFileSync(file, ['a,b,c,d,label', ...rows].join('\n') + '\n');
    const before = tf.memory().numTensors;
    const c = await losses(
      tiny({
        data: csv(file),
        network: network([2, 2, 1], [conv(4, 2, { activation: 'relu' }), maxPool(2), flatten(), dense(4, 'relu')], 2),
        growth: sensli({ schedule: atEpochs(2) }),
      }),
    );
    expect(c.every(Number.isFinite)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    expect(c).toHaveLength(8);
  });
});
