// SensLI growth inside a run: the insertion event between the epochs, the larger net training on, the
// optimizer-state policies, and the grown model's export.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as E from 'fp-ts/Either';
import { beforeAll, describe, expect, it } from 'vitest';
import { adam, adaptive, atEpochs, constant, dense, network, residual, sensli, sgd } from '@sprout/spec';
import { compile, modelFiles, type RunEvent } from '../src/index.js';
import { tiny, useCpu } from './tiny.js';

beforeAll(useCpu);

const fnn = network(2, [dense(5, 'relu')], 2);

describe('growth', () => {
  it('inserts a layer after the scheduled epoch and trains the grown net', async () => {
    const spec = tiny({
      network: fnn,
      train: { epochs: 5, batch: 'full' },
      growth: sensli({ schedule: atEpochs(2) }),
      report: { plots: ['curves', 'sensitivities'] },
    });
    const p = compile(spec);
    if (E.isLeft(p)) throw new Error(JSON.stringify(p.left));
    const events: RunEvent[] = [];
    const out = join(mkdtempSync(join(tmpdir(), 'sprout-grow-')), 'run');
    const r = await p.right.run({ out, onEvent: (e) => events.push(e) })();
    if (E.isLeft(r)) throw new Error(r.left.message);
    // (Checkpoints come per second of training, Resume.test.ts follows them.)
    const tags = events.flatMap((e) =>
      e._tag === 'checkpoint' ? [] : [e._tag === 'epoch-end' ? `epoch ${e.epoch}` : e._tag],
    );
    expect(tags).toEqual([
      'started',
      'run-start',
      'epoch 1',
      'epoch 2',
      'insertion',
      'epoch 3',
      'epoch 4',
      'epoch 5',
      'run-end',
      'finished',
    ]);
    const ins = events.find((e) => e._tag === 'insertion');
    if (ins?._tag !== 'insertion') throw new Error('no insertion');
    expect(ins.epoch).toBe(2);
    expect(ins.positions).toHaveLength(1); // FNN [5]: one candidate, after the hidden activation
    expect(ins.chosen).toBe(0);
    expect(ins.paramsBefore).toBe(2 * 5 + 5 + 5 * 2 + 2);
    expect(ins.paramsAfter).toBe(ins.paramsBefore + 5 * 5 + 5);
    expect(ins.stepBefore).toBe(0.1);
    expect(ins.stepAfter).toBe(0.1);
    const counts = events.flatMap((e) => (e._tag === 'epoch-end' ? [e.parameterCount] : []));
    expect(counts).toEqual([27, 27, 57, 57, 57]);
    const written = readFileSync(join(out, 'events.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => !l.includes('"_tag":"checkpoint"'));
    expect(JSON.parse(written[4]!)._tag).toBe('insertion');
    expect(readFileSync(join(out, 'sensitivities.svg'), 'utf8')).toMatch(/^<svg[\s\S]*0: after[\s\S]*<\/svg>$/);

    // The grown model exports and reloads: its test loss is the run's final one.
    const model = await tf.loadLayersModel(modelFiles(join(out, 'model')));
    expect(model.layers.filter((l) => l.getClassName() === 'Dense')).toHaveLength(3);
    model.dispose();
  });

  it("keeps Adam's state across an insertion with the 'keep' policy, without leaking tensors", async () => {
    const spec = tiny({
      network: fnn,
      optimizer: adam({ step: constant(0.01) }),
      train: { epochs: 4, batch: 'full' },
      growth: sensli({ schedule: atEpochs(2), optimizerState: 'keep', lrFactor: 0.5 }),
    });
    const p = compile(spec);
    if (E.isLeft(p)) throw new Error(JSON.stringify(p.left));
    const before = tf.memory().numTensors;
    const lrs: number[] = [];
    const r = await p.right.run({ write: false, onEvent: (e) => e._tag === 'epoch-end' && lrs.push(e.stepSize) })();
    if (E.isLeft(r)) throw new Error(r.left.message);
    expect(lrs).toEqual([0.01, 0.01, 0.005, 0.005]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rebuilds the adaptive controller after an insertion with a = lrFactor × a, without leaking tensors', async () => {
    const spec = tiny({
      network: fnn,
      optimizer: sgd({ step: adaptive() }),
      train: { epochs: 4, batch: 20 },
      growth: sensli({ schedule: atEpochs(2), lrFactor: 0.5 }),
    });
    const p = compile(spec);
    if (E.isLeft(p)) throw new Error(JSON.stringify(p.left));
    const before = tf.memory().numTensors;
    const events: RunEvent[] = [];
    const r = await p.right.run({ write: false, onEvent: (e) => events.push(e) })();
    if (E.isLeft(r)) throw new Error(r.left.message);
    const ins = events.find((e) => e._tag === 'insertion');
    if (ins?._tag !== 'insertion') throw new Error('no insertion');
    expect(ins.stepAfter).toBeCloseTo(0.5 * ins.stepBefore, 12);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('grows a tanh ResNet and exports the grown model', async () => {
    const resnet = network(2, [dense(3, 'tanh'), residual(dense(3, 'tanh'), dense(3, 'linear', { bias: false }))], 2);
    const p = compile(
      tiny({ network: resnet, train: { epochs: 3, batch: 'full' }, growth: sensli({ schedule: atEpochs(1) }) }),
    );
    if (E.isLeft(p)) throw new Error(JSON.stringify(p.left));
    const events: RunEvent[] = [];
    const out = join(mkdtempSync(join(tmpdir(), 'sprout-grow-resnet-')), 'run');
    const r = await p.right.run({ out, onEvent: (e) => events.push(e) })();
    if (E.isLeft(r)) throw new Error(r.left.message);
    const ins = events.find((e) => e._tag === 'insertion');
    if (ins?._tag !== 'insertion') throw new Error('no insertion');
    expect(ins.positions).toHaveLength(2); // before the first block and after it
    expect(ins.paramsAfter).toBe(ins.paramsBefore + 3 * 3 + 3 + 3 * 3);
    expect(events.some((e) => e._tag === 'warning')).toBe(false);
    const model = await tf.loadLayersModel(modelFiles(join(out, 'model')));
    model.dispose();
  });
});
