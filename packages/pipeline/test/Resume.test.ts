// Checkpoints and resume: a run interrupted (RunOptions.signal) before and after a SensLI
// insertion, and resumed from its run directory, writes the same metrics bit for bit as a run that was not
// interrupted; completed runs are skipped, no row is duplicated, and a live lock refuses a second writer.
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as E from 'fp-ts/Either';
import { beforeAll, describe, expect, it } from 'vitest';
import { adam, adaptive, atEpochs, constant, dense, network, sensli, sgd } from '@sprout/spec';
import { compile, nodeHost, type RunEvent, type RunOptions } from '../src/index.js';
import { decodeCheckpoint } from '../src/internal/checkpoint.js';
import { metricRows } from '../../../test-support/metric-rows.mjs';
import { tiny, useCpu } from './tiny.js';

beforeAll(useCpu);

const spec = tiny({
  repeat: 2,
  network: network(2, [dense(6, 'relu')], 2),
  optimizer: adam({ step: constant(0.02) }),
  train: { epochs: 5, batch: 16 },
  growth: sensli({ schedule: atEpochs(2), optimizerState: 'keep', lrFactor: 0.5 }),
});

const run = async (options: RunOptions) => {
  const p = compile(spec);
  if (E.isLeft(p)) throw new Error(JSON.stringify(p.left));
  return p.right.run(options)();
};

describe('checkpoints and resume', () => {
  it('gives the same metrics bit for bit after interruptions before and after an insertion', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sprout-resume-'));
    const reference = join(root, 'reference');
    const full = await run({ out: reference, saveModel: false });
    expect(E.isRight(full)).toBe(true);

    const out = join(root, 'interrupted');
    // 1st interruption: seed 7, in epoch 2 (before the insertion after epoch 2).
    const c1 = new AbortController();
    const r1 = await run({
      out,
      saveModel: false,
      signal: c1.signal,
      onEvent: (e: RunEvent) => e._tag === 'epoch-end' && e.seed === 7 && e.epoch === 1 && c1.abort(),
    });
    expect(E.isLeft(r1) && r1.left._tag).toBe('interrupted');
    const ckpt = decodeCheckpoint(readFileSync(join(out, 'checkpoints', 'base', 'seed-7.ckpt')), nodeHost.sha256);
    expect([ckpt.manifest.epoch, ckpt.manifest.step]).toEqual([1, 1]);
    expect(ckpt.manifest.metrics).toHaveLength(1);
    expect(readdirSync(join(out, 'checkpoints', 'base')).sort()).toEqual(['seed-7.ckpt', 'seed-7.ckpt.prev']); // the latest, the one before it, and no temporary file

    // 2nd interruption: seed 8 (seed 7 completes), after its insertion.
    const c2 = new AbortController();
    const events2: RunEvent[] = [];
    const r2 = await run({
      resume: out,
      saveModel: false,
      signal: c2.signal,
      onEvent: (e: RunEvent) => {
        events2.push(e);
        if (e._tag === 'insertion' && e.seed === 8) c2.abort();
      },
    });
    expect(E.isLeft(r2) && r2.left._tag).toBe('interrupted');
    // Seed 7 resumed from its checkpoint (its run-start says where), seed 8 started afresh.
    const starts = events2.flatMap((e) => (e._tag === 'run-start' ? [e] : []));
    expect(starts.map((e) => e.seed)).toEqual([7, 8]);
    expect(starts[0]!.resumedAt?.epoch).toBeGreaterThan(0);
    expect(starts[1]!.resumedAt).toBeUndefined();
    const ckpt8 = decodeCheckpoint(readFileSync(join(out, 'checkpoints', 'base', 'seed-8.ckpt')), nodeHost.sha256);
    expect(ckpt8.manifest.insertions).toBe(1);
    expect(ckpt8.manifest.layers.length).toBe(3); // hidden dense, the inserted dense, output (2 before)

    // Resume to the end: seed 7 is skipped, seed 8 continues.
    const events3: RunEvent[] = [];
    const r3 = await run({ resume: out, saveModel: false, onEvent: (e) => events3.push(e) });
    expect(E.isRight(r3)).toBe(true);
    expect(
      events3
        .filter((e) => e._tag === 'epoch-end')
        .map((e) => `${(e as { seed: number }).seed}:${(e as { epoch: number }).epoch}`),
    ).toEqual(['8:3', '8:4', '8:5']);
    expect(metricRows(out)).toEqual(metricRows(reference));
    expect(metricRows(out)).toHaveLength(1 + 2 * 5);
    const finalOf = (dir: string) =>
      (
        JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as {
          arms: { runs: { final: { testLoss: number } }[] }[];
        }
      ).arms[0]!.runs.map((r) => r.final.testLoss);
    expect(finalOf(out)).toEqual(finalOf(reference));
    // events.jsonl: one run-end and one insertion per seed, no epoch twice.
    const ev = readFileSync(join(out, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { _tag: string; seed?: number; epoch?: number });
    expect(ev.filter((e) => e._tag === 'run-end')).toHaveLength(2);
    expect(ev.filter((e) => e._tag === 'insertion')).toHaveLength(2);
    expect(ev.filter((e) => e._tag === 'epoch-end')).toHaveLength(10);
    expect(existsSync(join(out, 'run.lock'))).toBe(false);
  }, 60_000);

  it('resumes the adaptive step size (preconditioned optimizer) bit for bit after an insertion', async () => {
    const adaptiveSpec = tiny({
      network: network(2, [dense(6, 'relu')], 2),
      optimizer: sgd({ step: adaptive({ variance: 'none' }) }),
      train: { epochs: 5, batch: 16 },
      growth: sensli({ schedule: atEpochs(2) }),
    });
    const go = async (options: RunOptions) => {
      const p = compile(adaptiveSpec);
      if (E.isLeft(p)) throw new Error(JSON.stringify(p.left));
      return p.right.run(options)();
    };
    const root = mkdtempSync(join(tmpdir(), 'sprout-resume-adaptive-'));
    await go({ out: join(root, 'reference'), saveModel: false });
    const c = new AbortController();
    await go({
      out: join(root, 'run'),
      saveModel: false,
      signal: c.signal,
      onEvent: (e) => e._tag === 'epoch-end' && e.epoch === 3 && c.abort(),
    });
    expect(E.isRight(await go({ resume: join(root, 'run'), saveModel: false }))).toBe(true);
    expect(metricRows(join(root, 'run'))).toEqual(metricRows(join(root, 'reference')));
  }, 60_000);

  it('drops rows written after the checkpoint and a line cut short', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sprout-resume-cut-'));
    const reference = join(root, 'reference');
    await run({ out: reference, saveModel: false, checkpoints: false });
    const out = join(root, 'run');
    const c = new AbortController();
    await run({
      out,
      saveModel: false,
      signal: c.signal,
      onEvent: (e) => e._tag === 'epoch-end' && e.seed === 7 && e.epoch === 3 && c.abort(),
    });
    // As if killed after a later row was appended but before its checkpoint, in the middle of a line.
    const metrics = join(out, 'metrics.csv');
    writeFileSync(metrics, `${readFileSync(metrics, 'utf8')}base,0,7,4,0.1,0.2,0.3,0.01,57,1\nbase,0,7,5,0.`);
    writeFileSync(
      join(out, 'events.jsonl'),
      `${readFileSync(join(out, 'events.jsonl'), 'utf8')}{"_tag":"epoch-end","arm":"base","seed":7,"epoch":4}\n{"_tag":"ep`,
    );
    // …and as if killed in the middle of writing a checkpoint: the temporary file is removed.
    writeFileSync(join(out, 'checkpoints', 'base', 'seed-7.ckpt.tmp-12345'), 'half');
    const r = await run({ resume: out, saveModel: false });
    expect(E.isRight(r)).toBe(true);
    expect(metricRows(out)).toEqual(metricRows(reference));
    expect(readdirSync(join(out, 'checkpoints', 'base')).sort()).toEqual([
      'seed-7.ckpt',
      'seed-7.ckpt.prev',
      'seed-8.ckpt',
      'seed-8.ckpt.prev',
    ]);
  }, 60_000);

  it('says every checkpoint it writes in a checkpoint event (when, why, which file), kept over a resume', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'sprout-resume-said-')), 'run');
    type Said = Extract<RunEvent, { _tag: 'checkpoint' }>;
    const said = (events: readonly RunEvent[]): string[] =>
      events.flatMap((e) => (e._tag === 'checkpoint' ? [`${e.seed}:${e.epoch}.${e.step} ${e.reason} ${e.file}`] : []));
    const c = new AbortController();
    const first: RunEvent[] = [];
    await run({
      out,
      saveModel: false,
      checkpointInterval: 3600, // per interval, only the first epoch's
      signal: c.signal,
      onEvent: (e) => {
        first.push(e);
        if (e._tag === 'epoch-end' && e.seed === 7 && e.epoch === 3) c.abort();
      },
    });
    const file = join('checkpoints', 'base', 'seed-7.ckpt');
    expect(said(first)).toEqual([`7:1.0 interval ${file}`, `7:2.0 growth ${file}`, `7:3.1 interrupted ${file}`]);
    // Each event comes after its file is written: the checkpoint on disk is the last one said.
    const onDisk = decodeCheckpoint(readFileSync(join(out, file)), nodeHost.sha256).manifest;
    expect([onDisk.epoch, onDisk.step]).toEqual([3, 1]);
    // As if a later checkpoint had been said but not kept (the resume goes back to the one on disk).
    const events = join(out, 'events.jsonl');
    writeFileSync(
      events,
      `${readFileSync(events, 'utf8')}{"_tag":"checkpoint","arm":"base","repeat":0,"seed":7,"epoch":4,"step":0,"file":"${file}","reason":"interval"}\n`,
    );
    const second: RunEvent[] = [];
    expect(E.isRight(await run({ resume: out, saveModel: false, onEvent: (e) => second.push(e) }))).toBe(true);
    const file8 = join('checkpoints', 'base', 'seed-8.ckpt');
    expect(said(second)).toEqual([
      `7:4.0 interval ${file}`,
      `7:5.0 last-epoch ${file}`,
      `8:1.0 interval ${file8}`,
      `8:2.0 growth ${file8}`,
      `8:5.0 last-epoch ${file8}`,
    ]);
    const recorded = readFileSync(events, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as RunEvent)
      .filter((e): e is Said => e._tag === 'checkpoint');
    expect(recorded.map((e) => `${e.seed}:${e.epoch}.${e.step} ${e.reason}`)).toEqual([
      '7:1.0 interval',
      '7:2.0 growth',
      '7:3.1 interrupted',
      '7:4.0 interval',
      '7:5.0 last-epoch',
      '8:1.0 interval',
      '8:2.0 growth',
      '8:5.0 last-epoch',
    ]);
  }, 60_000);

  it('refuses to resume a run directory that a live process holds', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'sprout-resume-lock-')), 'run');
    const c = new AbortController();
    await run({ out, saveModel: false, signal: c.signal, onEvent: (e) => e._tag === 'epoch-end' && c.abort() });
    writeFileSync(join(out, 'run.lock'), `${process.ppid}\n`); // a live process that is not this one
    const r = await run({ resume: out, saveModel: false });
    expect(E.isLeft(r) && r.left._tag).toBe('output-error');
    expect(E.isLeft(r) && r.left.message).toMatch(/in use by process/);
    writeFileSync(join(out, 'run.lock'), '999999999\n'); // a stale lock (no such process) is taken over
    expect(E.isRight(await run({ resume: out, saveModel: false }))).toBe(true);
    expect(tf.memory().numTensors).toBeLessThan(1000);
  }, 60_000);
});
