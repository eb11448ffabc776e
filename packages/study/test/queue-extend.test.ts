// `sprout run --resume DIR --epochs N --queue URL` extends a study that ran through the queue: every run,
// finished ones too, is submitted again and a worker continues it from its checkpoint, to the metrics of a
// queue study that trained N epochs at once, bit for bit (every column but the wall time). A real
// redis-server, a queue worker in this process with its worker process, and the sprout CLI as the submitter
// of the extension.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  arm,
  atEpochs,
  constant,
  dense,
  experiment,
  momentum,
  network,
  none,
  sensli,
  spirals,
  type Experiment,
} from '@sprout/spec';
import { runQueueStudy, runQueueWorker } from '../src/index.js';
import { startRedis, type RedisServer } from './support/redis-server.js';
import { cwd, sprout } from './support/sprout-cli.js';

const root = mkdtempSync(join(tmpdir(), 'sprout-queue-extend-'));
let redis: RedisServer;
const stop = new AbortController();
let worker: Promise<unknown>;

beforeAll(async () => {
  redis = await startRedis(join(root, 'redis'), 'extend-secret');
  const [command, args] = sprout('__study-worker', '--backend', 'cpu');
  worker = runQueueWorker({ url: redis.url, command: { command, args }, dataRoots: [root], signal: stop.signal });
});

afterAll(async () => {
  stop.abort();
  await worker;
  redis?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** Two arms × two seeds; SensLI inserts a layer in the first epochs, before the extension. */
const study = (epochs: number): Experiment =>
  experiment('extended', {
    seed: 5,
    repeat: 2,
    data: spirals({ points: 40 }),
    network: network(2, [dense(6, 'relu')], 2),
    optimizer: momentum(0.9, { step: constant(0.05) }),
    train: { epochs, batch: 20, shuffle: true },
    growth: sensli({ schedule: atEpochs(2) }),
    compare: [arm('fixed', { growth: none() })],
  });

const metrics = (out: string): string[][] => {
  const [header, ...rows] = readFileSync(join(out, 'metrics.csv'), 'utf8').trim().split('\n');
  const seconds = header!.split(',').indexOf('seconds');
  return rows.map((r) => r.split(',').filter((_, i) => i !== seconds));
};

describe('sprout run --resume DIR --epochs N --queue URL', () => {
  it(
    'extends every run of a queue study, bit for bit as the study trained N epochs at once',
    { timeout: 600_000 },
    async () => {
      const short = join(root, 'short');
      const long = join(root, 'long');
      for (const [out, epochs] of [
        [short, 3],
        [long, 6],
      ] as const) {
        const o = await runQueueStudy(study(epochs), { url: redis.url, out, baseDir: root });
        expect(o.status, o.error ?? JSON.stringify(o.failures)).toBe('finished');
      }
      expect(metrics(short)).toHaveLength(4 * 3);
      const [cmd, args] = sprout('run', '--resume', short, '--epochs', '6', '--queue', redis.url, '--backend', 'cpu');
      // Spawned without blocking: the queue worker in this process takes the jobs meanwhile.
      const submitter = spawn(cmd, [...args], { cwd });
      let stdout = '';
      let stderr = '';
      submitter.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      submitter.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const status = await new Promise<number | null>((resolve) => submitter.on('close', resolve));
      expect(status, stderr).toBe(0);
      expect(stdout).toContain(`Results in ${short}`);
      expect(metrics(short)).toEqual(metrics(long));
      const spec = JSON.parse(readFileSync(join(short, 'spec.json'), 'utf8')) as {
        train: { epochs: number };
        run: { study: { mode: string }; extended: { from: { base: number } }[] };
      };
      expect(spec.train.epochs).toBe(6);
      expect(spec.run.study.mode).toBe('queue');
      expect(spec.run.extended.map((e) => e.from.base)).toEqual([3]);
      // The summaries agree in everything but the wall times.
      const summary = (dir: string) => {
        const json = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as {
          status: string;
          arms: { arm: string; final: Record<string, unknown> }[];
        };
        return [json.status, json.arms.map((a) => [a.arm, { ...a.final, seconds: undefined }])];
      };
      expect(summary(short)).toEqual(summary(long));
      expect(summary(short)[0]).toBe('finished');
    },
  );
});
