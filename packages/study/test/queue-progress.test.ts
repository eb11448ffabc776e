// The submitter of a queue study hears of the batches done inside a long epoch (BullMQ job progress from the
// worker), so its progress bar moves within the epoch as with --jobs; it hears of them, and of the job's end,
// through the queue's event stream as they happen. A real redis-server, a queue worker in
// this process and its worker process (the sprout CLI through tsx).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent, StepProgress } from '@sprout/pipeline';
import { constant, dense, experiment, network, sgd, spirals } from '@sprout/spec';
import { runQueueStudy, runQueueWorker } from '../src/index.js';
import { startRedis, type RedisServer } from './support/redis-server.js';
import { sprout } from './support/sprout-cli.js';

const root = mkdtempSync(join(tmpdir(), 'sprout-queue-progress-'));
let redis: RedisServer;

beforeAll(async () => {
  redis = await startRedis(join(root, 'redis'), 'progress-secret');
});

afterAll(() => {
  redis?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('sprout run --queue: progress inside an epoch', () => {
  it('reaches the submitter as step progress of the epoch under way', { timeout: 300_000 }, async () => {
    // Two epochs of 600 single-example steps on TensorFlow.js: each far longer than the worker's 100 ms
    // between two step reports and the 200 ms between two job-progress updates.
    const spec = experiment('long-epochs', {
      seed: 3,
      data: spirals({ points: 375, split: 0.8 }),
      network: network(2, [dense(8, 'relu')], 2),
      optimizer: sgd({ step: constant(0.05) }),
      train: { epochs: 2, batch: 1 },
    });
    const stop = new AbortController();
    const [command, args] = sprout('__study-worker', '--backend', 'cpu');
    const worker = runQueueWorker({
      url: redis.url,
      command: { command, args },
      dataRoots: [root],
      signal: stop.signal,
    });
    // What the submitter shows, in order: epoch ends and in-epoch steps.
    const seen: (RunEvent | (StepProgress & { readonly _tag: 'steps' }))[] = [];
    const outcome = await runQueueStudy(spec, {
      url: redis.url,
      out: join(root, 'study'),
      baseDir: root,
      engine: 'tfjs',
      // Everything comes through Redis' event stream: the check of the jobs' states would come only after an hour.
      pollMs: 3_600_000,
      onEvent: (e) => seen.push(e),
      onProgress: (p) => seen.push({ _tag: 'steps', ...p }),
    });
    stop.abort();
    await worker;
    expect(outcome.status, outcome.error ?? JSON.stringify(outcome.failures)).toBe('finished');
    const steps = seen.filter((e) => e._tag === 'steps');
    expect(steps.length).toBeGreaterThan(0);
    for (const s of steps) {
      expect(s).toMatchObject({ arm: 'base', repeat: 0, seed: 3, steps: 600 });
      expect(s.step).toBeGreaterThan(0);
      expect(s.step).toBeLessThan(600);
      expect(s.examples).toBe(s.step);
      expect(s.seconds).toBeGreaterThan(0); // the run's own time of those steps, for the display's pace
      // Always the epoch under way: its end comes after, the previous one's before.
      const at = seen.indexOf(s);
      const ended = seen.slice(0, at).filter((e) => e._tag === 'epoch-end').length;
      expect(s.epoch).toBe(ended + 1);
    }
    // Each (epoch, step) once, in order.
    const keys = steps.map((s) => s.epoch * 1e6 + s.step);
    expect(keys).toEqual([...new Set(keys)].sort((a, b) => a - b));
    // Checkpoints: the routine one after epoch 1 (kept apart from the job's events, the latest only) and the
    // last epoch's, once each, in order, each file named in the study's folder.
    const file = join('runs', 'base', 'seed-3', 'checkpoints', 'base', 'seed-3.ckpt');
    expect(
      seen.flatMap((e) => (e._tag === 'checkpoint' ? [`${e.arm} ${e.epoch}.${e.step} ${e.reason} ${e.file}`] : [])),
    ).toEqual([`base 1.0 interval ${file}`, `base 2.0 last-epoch ${file}`]);
    expect(seen.at(-1)?._tag).toBe('run-end');
    // The study's spec.json says where its run trained, as the run's own does.
    const record = (dir: string) =>
      (JSON.parse(readFileSync(join(dir, 'spec.json'), 'utf8')) as { run: { backend?: string; threads?: number } }).run;
    const own = record(join(root, 'study', 'runs', 'base', 'seed-3'));
    expect(own.backend).toBe('cpu');
    expect(record(join(root, 'study'))).toMatchObject({ backend: own.backend, threads: own.threads });
  });
});
