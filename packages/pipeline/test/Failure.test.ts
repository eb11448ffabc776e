// A non-finite loss stops the run: `failed` is the last event, the error names the epoch and step, and
// what was written before stays. A feature that is not implemented yet is rejected at compile.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as E from 'fp-ts/Either';
import { beforeAll, describe, expect, it } from 'vitest';
import { adaptive, atEpochs, constant, momentum, network, dense, residual, sensli, sgd } from '@sprout/spec';
import { compile, type RunEvent } from '../src/index.js';
import { tiny, useCpu } from './tiny.js';

beforeAll(useCpu);

describe('failures', () => {
  it('stops on a non-finite loss and names the epoch and step', async () => {
    // lr 1e30: the first update throws the weights to ~1e30, the second step's logits overflow.
    const p = compile(
      tiny({
        optimizer: sgd({ step: constant(1e30) }),
        train: { epochs: 5, batch: 16 },
        network: network(2, [dense(8, 'relu')], 2),
      }),
    );
    if (E.isLeft(p)) throw new Error(JSON.stringify(p.left));
    const events: RunEvent[] = [];
    const out = join(mkdtempSync(join(tmpdir(), 'sprout-nan-')), 'run');
    const r = await p.right.run({ out, onEvent: (e) => events.push(e) })();
    expect(E.isLeft(r)).toBe(true);
    if (E.isRight(r) || r.left._tag !== 'non-finite-loss') throw new Error('expected non-finite-loss');
    expect(r.left.epoch).toBeGreaterThanOrEqual(1);
    expect(r.left.step).toBeGreaterThanOrEqual(1);
    expect(r.left.message).toContain(`epoch ${r.left.epoch}, step ${r.left.step}`);
    expect(events.at(-1)).toEqual({ _tag: 'failed', error: r.left });
    const epochEnds = events.filter((e) => e._tag === 'epoch-end');
    expect(epochEnds).toHaveLength(r.left.epoch - 1);
    const rows = readFileSync(join(out, 'metrics.csv'), 'utf8').trim().split('\n');
    expect(rows).toHaveLength(r.left.epoch);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.status).toBe('failed');
    expect(summary.error.step).toBe(r.left.step);
  });

  it('stops after the current step when its signal is aborted, keeping the outputs', async () => {
    const p = compile(tiny({ train: { epochs: 5, batch: 20 } }));
    if (E.isLeft(p)) throw new Error(JSON.stringify(p.left));
    const controller = new AbortController();
    const out = join(mkdtempSync(join(tmpdir(), 'sprout-abort-')), 'run');
    const events: RunEvent[] = [];
    const before = tf.memory().numTensors;
    const r = await p.right.run({
      out,
      signal: controller.signal,
      onEvent: (e) => {
        events.push(e);
        if (e._tag === 'epoch-end' && e.epoch === 2) controller.abort();
      },
    })();
    if (E.isRight(r) || r.left._tag !== 'interrupted') throw new Error('expected interrupted');
    expect([r.left.epoch, r.left.step]).toEqual([3, 1]);
    expect(events.at(-1)).toEqual({ _tag: 'failed', error: r.left });
    expect(readFileSync(join(out, 'metrics.csv'), 'utf8').trim().split('\n')).toHaveLength(3);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).status).toBe('interrupted');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects momentum with a step-size controller at compile, saying what to use', () => {
    const p = compile(tiny({ optimizer: momentum(0.9, { step: adaptive() }) }));
    expect(E.isLeft(p)).toBe(true);
    if (E.isRight(p)) return;
    expect(p.left.map((d) => [d.code, d.path])).toEqual([['unsupported-combination', ['optimizer', 'step']]]);
    expect(p.left[0]!.message).toContain("step 'adaptive' needs optimizer sgd");
  });

  it('rejects SensLI growth of a network without candidate positions at compile, not after training', () => {
    const resnetWithTail = network(
      2,
      [dense(4, 'tanh'), residual(dense(4, 'tanh'), dense(4, 'linear', { bias: false })), dense(3, 'sigmoid')],
      2,
    );
    const p = compile(tiny({ network: resnetWithTail, growth: sensli({ schedule: atEpochs(2) }) }));
    expect(E.isLeft(p)).toBe(true);
    if (E.isRight(p)) return;
    expect(p.left.map((d) => [d.code, d.path])).toEqual([['not-implemented', ['growth']]]);
    expect(p.left[0]!.message).toContain('follows a residual block');
    // The same network without growth compiles.
    expect(E.isRight(compile(tiny({ network: resnetWithTail })))).toBe(true);
  });

  it('rejects insert_batchnorm on a feed-forward net at compile, at the setting', () => {
    const p = compile(
      tiny({
        network: network(2, [dense(5, 'relu')], 2),
        growth: sensli({ schedule: atEpochs(2), insertBatchnorm: 'preserve' }),
      }),
    );
    expect(E.isLeft(p) && p.left.map((d) => [d.code, d.path])).toEqual([
      ['not-implemented', ['growth', 'insertBatchnorm']],
    ]);
    expect(E.isLeft(p) && p.left[0]!.message).toContain('insert_batchnorm on a feed-forward net');
  });

  it('returns the spec check diagnostics', () => {
    const p = compile(tiny({ train: { epochs: 0 } }));
    expect(E.isLeft(p) && p.left.length > 0).toBe(true);
  });
});
