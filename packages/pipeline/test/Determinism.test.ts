// Every random choice (initialisation, split, batch order, dropout) derives from the seed: two runs with
// the same seed on the same backend give the same losses bit for bit; another seed gives others.
import * as tf from '@tensorflow/tfjs';
import * as E from 'fp-ts/Either';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile, type RunEvent } from '../src/index.js';
import { tiny, useCpu } from './tiny.js';

beforeAll(useCpu);

const losses = async (seed: number): Promise<number[]> => {
  const p = compile(tiny({ seed }));
  if (E.isLeft(p)) throw new Error(JSON.stringify(p.left));
  const out: number[] = [];
  const r = await p.right.run({
    write: false,
    onEvent: (e: RunEvent) => e._tag === 'epoch-end' && out.push(e.trainLoss, e.testLoss),
  })();
  expect(E.isRight(r)).toBe(true);
  return out;
};

describe('determinism', () => {
  it('gives the same losses bit for bit for the same seed, and others for another seed', async () => {
    const a = await losses(3);
    const b = await losses(3);
    const c = await losses(4);
    expect(a).toHaveLength(8);
    expect(a.every((x, i) => Object.is(x, b[i]))).toBe(true);
    expect(c).not.toEqual(a);
  });

  it('does not grow the tensor count across epochs or runs', async () => {
    const p = compile(tiny({ train: { epochs: 6, batch: 10 }, repeat: 2 }));
    if (E.isLeft(p)) throw new Error(JSON.stringify(p.left));
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const r = await p.right.run({
      write: false,
      onEvent: (e) => e._tag === 'epoch-end' && counts.push(tf.memory().numTensors),
    })();
    expect(E.isRight(r)).toBe(true);
    expect(counts).toHaveLength(12);
    expect(new Set(counts.slice(0, 6)).size).toBe(1);
    expect(new Set(counts.slice(6)).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  });
});
