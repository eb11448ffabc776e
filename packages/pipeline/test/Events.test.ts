// The order of events over a compare arm and repeats, and the mean and spread of the final metrics.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as E from 'fp-ts/Either';
import { beforeAll, describe, expect, it } from 'vitest';
import { arm, adam, constant, momentum, stepDecay, cosine, sgd } from '@sprout/spec';
import { BASE_ARM, compile, type RunEvent } from '../src/index.js';
import { tiny, useCpu } from './tiny.js';

beforeAll(useCpu);

describe('events', () => {
  it('come in order: started, per run (run-start, epoch-end…, run-end), finished', async () => {
    const spec = tiny({
      repeat: 2,
      train: { epochs: 3, batch: 20 },
      compare: [arm('adam', { optimizer: adam({ step: constant(0.01) }) })],
    });
    const p = compile(spec);
    if (E.isLeft(p)) throw new Error(JSON.stringify(p.left));
    const events: RunEvent[] = [];
    for await (const e of p.right.events({ write: false, stepEvery: 2 })) events.push(e);
    const tags = events.map((e) => e._tag).filter((t) => t !== 'step');
    const oneRun = ['run-start', 'epoch-end', 'epoch-end', 'epoch-end', 'run-end'];
    expect(tags).toEqual(['started', ...oneRun, ...oneRun, ...oneRun, ...oneRun, 'finished']);
    const runs = events.flatMap((e) => (e._tag === 'run-start' ? [[e.arm, e.seed, e.index]] : []));
    expect(runs).toEqual([
      [BASE_ARM, 7, 0],
      ['adam', 7, 1],
      [BASE_ARM, 8, 2],
      ['adam', 8, 3],
    ]);
    // 60 training examples in batches of 20: 3 steps per epoch; a step event every 2nd step of a run,
    // counted over its epochs: global steps 2, 4, 6, 8 = (epoch 1, step 2), (2, 1), (2, 3), (3, 2).
    const steps = events.flatMap((e) => (e._tag === 'step' && Number.isFinite(e.loss) ? [[e.epoch, e.step]] : []));
    expect(steps).toEqual(
      Array.from({ length: 4 }, () => [
        [1, 2],
        [2, 1],
        [2, 3],
        [3, 2],
      ]).flat(),
    );
  });

  it('stops the run when the consumer leaves the loop early', async () => {
    const p = compile(tiny({ train: { epochs: 50, batch: 20 } }));
    if (E.isLeft(p)) throw new Error(JSON.stringify(p.left));
    const before = tf.memory().numTensors;
    const out = join(mkdtempSync(join(tmpdir(), 'sprout-break-')), 'run');
    let epochs = 0;
    for await (const e of p.right.events({ out })) {
      if (e._tag === 'epoch-end') epochs += 1;
      if (epochs === 2) break;
    }
    // The run ends after its current step, writes its summary and releases its tensors.
    const ended = () => existsSync(join(out, 'summary.json')) && tf.memory().numTensors === before;
    for (let i = 0; i < 500 && !ended(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).status).toBe('interrupted');
    expect(readFileSync(join(out, 'metrics.csv'), 'utf8').trim().split('\n').length).toBeLessThanOrEqual(4);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports the mean and sample standard deviation of every final metric over the repeats', async () => {
    const p = compile(tiny({ repeat: 3, train: { epochs: 2, batch: 'full' } }));
    if (E.isLeft(p)) throw new Error(JSON.stringify(p.left));
    const r = await p.right.run({ write: false })();
    if (E.isLeft(r)) throw new Error(r.left.message);
    const base = r.right.arms[0]!;
    expect(base.runs.map((x) => x.seed)).toEqual([7, 8, 9]);
    const xs = base.runs.map((x) => x.final.trainLoss);
    const mean = (xs[0]! + xs[1]! + xs[2]!) / 3;
    const std = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / 2);
    expect(base.final.trainLoss.mean).toBeCloseTo(mean, 12);
    expect(base.final.trainLoss.std).toBeCloseTo(std, 12);
    expect(base.final.trainLoss.std).toBeGreaterThan(0);
    expect(base.final.parameterCount).toEqual({ mean: 42, std: 0, min: 42, max: 42 });
  });

  it('starts compare arms with the same architecture from the same weights', async () => {
    // lr 1e-30 (float32 updates of ~1e-31 vanish against weights ~0.1): each arm's test loss after one
    // epoch is that of its initial weights, so equal losses mean equal initial weights.
    const spec = tiny({
      optimizer: sgd({ step: constant(1e-30) }),
      train: { epochs: 1, batch: 'full' },
      compare: [arm('momentum', { optimizer: momentum(0.9, { step: constant(1e-30) }) })],
    });
    const p = compile(spec);
    if (E.isLeft(p)) throw new Error(JSON.stringify(p.left));
    const r = await p.right.run({ write: false })();
    if (E.isLeft(r)) throw new Error(r.left.message);
    expect(r.right.arms[0]!.final.testLoss.mean).toBe(r.right.arms[1]!.final.testLoss.mean);
  });

  it('follows step and cosine schedules', async () => {
    const got = async (step: Parameters<typeof sgd>[0]) => {
      const p = compile(tiny({ optimizer: sgd(step), train: { epochs: 4, batch: 'full' } }));
      if (E.isLeft(p)) throw new Error(JSON.stringify(p.left));
      const lrs: number[] = [];
      await p.right.run({ write: false, onEvent: (e) => e._tag === 'epoch-end' && lrs.push(e.stepSize) })();
      return lrs;
    };
    expect(await got({ step: stepDecay(0.4, { factor: 0.5, every: 2 }) })).toEqual([0.4, 0.4, 0.2, 0.2]);
    const cos = await got({ step: cosine(0.4, { minLr: 0 }) });
    expect(cos[0]).toBe(0.4);
    expect(cos[2]).toBeCloseTo(0.2, 12);
  });
});
