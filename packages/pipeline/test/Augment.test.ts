// Seeded augmentation in training: it changes what a run trains on, `crop 0, flip none` changes nothing, and
// a run interrupted and resumed augments (and so trains) bit for bit as an uninterrupted one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/Either';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cifar10, constant, conv, experiment, flatten, maxPool, network, sgd, type Augment } from '@sprout/spec';
import { syntheticCifar10, writeCifar10 } from '@sprout/data';
import { compile, type RunOptions } from '../src/index.js';
import { metricRows } from '../../../test-support/metric-rows.mjs';
import { useCpu } from './tiny.js';

const root = mkdtempSync(join(tmpdir(), 'sprout-augment-'));
beforeAll(async () => {
  await useCpu();
  await writeCifar10(join(root, 'cifar'), { train: syntheticCifar10(48, 1), test: syntheticCifar10(16, 2) });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const spec = (augment?: Augment) =>
  experiment('augment', {
    seed: 3,
    data: cifar10({ dir: 'cifar', ...(augment !== undefined ? { augment } : {}) }),
    network: network([32, 32, 3], [conv(2, 3), maxPool(4), flatten()], 10),
    optimizer: sgd({ step: constant(0.05) }),
    train: { epochs: 3, batch: 16 },
  });

const run = async (s: ReturnType<typeof spec>, out: string, options: RunOptions = {}) => {
  const p = compile(s, { baseDir: root });
  if (E.isLeft(p)) throw new Error(JSON.stringify(p.left));
  return p.right.run({ out: join(root, out), saveModel: false, checkpointInterval: 0, ...options })();
};

describe('augment { crop, flip }', () => {
  it('trains on other images than without it; crop 0 and flip none train on the same', async () => {
    expect(E.isRight(await run(spec(), 'plain'))).toBe(true);
    expect(E.isRight(await run(spec({ crop: 4, flip: 'horizontal' }), 'augmented'))).toBe(true);
    expect(E.isRight(await run(spec({ crop: 0, flip: 'none' }), 'identity'))).toBe(true);
    const plain = metricRows(join(root, 'plain'));
    expect(metricRows(join(root, 'identity'))).toEqual(plain);
    // Same weights at the start, other batches: the first epoch's training loss differs.
    expect(metricRows(join(root, 'augmented'))[1]).not.toEqual(plain[1]);
  });

  it('gives the same metrics bit for bit after an interruption inside an epoch and a resume', async () => {
    const s = spec({ crop: 4, flip: 'horizontal' });
    expect(E.isRight(await run(s, 'full'))).toBe(true);
    const c = new AbortController();
    let steps = 0;
    const first = await run(s, 'resumed', {
      signal: c.signal,
      stepEvery: 1,
      onEvent: (e) => e._tag === 'step' && ++steps === 5 && c.abort(),
    });
    expect(E.isLeft(first) && first.left._tag).toBe('interrupted');
    expect(E.isRight(await run(s, 'ignored', { resume: join(root, 'resumed') }))).toBe(true);
    expect(metricRows(join(root, 'resumed'))).toEqual(metricRows(join(root, 'full')));
  });
});
