// Many machines through BullMQ on a real Redis (Debian's redis-server on a free localhost port, with a
// password): a submitter and two `sprout worker` processes; one worker is killed with SIGKILL (with its
// worker processes) in the middle of a run, the other takes its job once the lock expires and continues
// from the run's checkpoint; every run ends with the metrics of a local run. Jobs that are not valid
// experiments, or whose paths leave the worker's data roots, fail at once without a retry; a queue that
// cannot be reached, or a wrong password, is a clear error within seconds.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAME } from '../src/index.js';
import { startRedis, type RedisServer } from './support/redis-server.js';
import { cwd, sprout } from './support/sprout-cli.js';

const root = mkdtempSync(join(tmpdir(), 'sprout-queue-'));
const PASSWORD = 'study-secret';

let redis: RedisServer;
let url: string;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  redis = await startRedis(join(root, 'redis'), PASSWORD);
  url = redis.url;
});

afterAll(() => {
  for (const w of workers)
    try {
      process.kill(-w.pid!, 'SIGKILL');
    } catch {
      // Gone already.
    }
  redis?.stop();
  rmSync(root, { recursive: true, force: true });
});

const SPEC = `experiment "queued" {
  seed 11
  repeat 2
  data spirals { points 60 }
  network { input 2  dense 8 relu  output 2 }
  optimizer momentum { step constant 0.05 }
  train { epochs 1500, batch 30, shuffle true }
  grow sensli { at epoch 500 }
  compare { run "fixed" { grow none } }
}
`;

/** A worker in its own process group, so that SIGKILL takes its worker processes with it (a machine that dies). */
const startWorker = (name: string) => {
  const [cmd, args] = sprout(
    'worker',
    '--queue',
    url,
    '--concurrency',
    '1',
    '--data-root',
    root,
    '--lock-seconds',
    '2',
    '--backend',
    'cpu',
  );
  const w = spawn(cmd, [...args], { cwd, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  const log: string[] = [];
  w.stderr!.on('data', (c: Buffer) =>
    log.push(
      ...c
        .toString()
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => `${name}: ${l}`),
    ),
  );
  workers.push(w);
  return { w, log };
};

const metrics = (out: string): string[][] => {
  const [header, ...rows] = readFileSync(join(out, 'metrics.csv'), 'utf8').trim().split('\n');
  const seconds = header!.split(',').indexOf('seconds');
  return rows.map((r) => r.split(',').filter((_, i) => i !== seconds));
};

describe('sprout run --queue and sprout worker', () => {
  const file = join(root, 'queued.sprout');
  writeFileSync(file, SPEC);

  it(
    'two workers, one killed mid-run: every run finishes with the metrics of a local run',
    { timeout: 900_000 },
    async () => {
      const local = join(root, 'local');
      const [c0, a0] = sprout('run', file, '--out', local, '--backend', 'cpu', '--jobs', '1', '--quiet');
      expect(spawnSync(c0, [...a0], { cwd, encoding: 'utf8' }).status).toBe(0);

      const first = startWorker('w1');
      const second = startWorker('w2');
      const out = join(root, 'queued');
      const [cmd, args] = sprout('run', file, '--queue', url, '--out', out, '--backend', 'cpu');
      const submitter = spawn(cmd, [...args], { cwd });
      let stdout = '';
      submitter.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
      submitter.stderr!.on('data', (c: Buffer) => (stdout += c.toString()));
      // Kill the first worker (and its worker processes) once it is well into a run.
      let killed = false;
      const killer = setInterval(() => {
        if (!killed && first.log.some((l) => /job .*: .*seed/.test(l))) {
          killed = true;
          setTimeout(() => process.kill(-first.w.pid!, 'SIGKILL'), 1000);
        }
      }, 100);
      const code = await new Promise<number | null>((resolve) => submitter.on('close', resolve));
      clearInterval(killer);
      expect(killed).toBe(true);
      expect(code, `${stdout}\n${first.log.join('\n')}\n${second.log.join('\n')}`).toBe(0);
      expect(stdout).toMatch(/queued: 4 runs/);
      expect(stdout).toContain(`Results in ${out}`);
      // The second worker finished the run the first was killed in, continuing from its checkpoint.
      const firstJob = first.log
        .find((l) => /job .*: .*seed/.test(l))!
        .replace(/^w1: sprout worker: /, '')
        .replace(/ \(attempt.*$/, '');
      expect(
        second.log.some((l) => l.includes(firstJob.split(':')[0]!) && /finished/.test(l)) ||
          second.log.some((l) => l.includes(firstJob)),
      ).toBe(true);
      expect(metrics(out)).toEqual(metrics(local));
    },
  );

  it('a job that is not a valid experiment, or leaves the data roots, fails at once without a retry', async () => {
    const connection = new Redis(url, { maxRetriesPerRequest: null });
    const queue = new Queue(QUEUE_NAME, { connection });
    const good = JSON.parse(readFileSync(join(root, 'queued', 'runs', 'base', 'seed-11', 'spec.json'), 'utf8'));
    delete good.run;
    const task = {
      index: 0,
      name: 'x',
      repeat: 0,
      seed: 11,
      dir: join(root, 'elsewhere', 'x'),
      baseDir: root,
      spec: good,
    };
    const bad = await queue.add(
      'bad',
      {
        task: {
          ...task,
          spec: {
            ...good,
            network: { ...good.network, layers: [{ _tag: 'dense', units: -3, activation: 'relu', bias: true }] },
          },
        },
        settings: {},
        study: root,
      },
      { attempts: 3 },
    );
    const outside = await queue.add(
      'outside',
      { task: { ...task, dir: '/etc/sprout-run' }, settings: {}, study: root },
      { attempts: 3 },
    );
    const code = await queue.add('code', { task: 'process.exit(1)', settings: {}, study: root }, { attempts: 3 });
    for (const job of [bad, outside, code]) {
      let state = '';
      for (let i = 0; i < 200 && state !== 'failed'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        state = await job.getState();
      }
      expect(state).toBe('failed');
      const again = (await queue.getJob(job.id!))!;
      expect(again.attemptsMade).toBe(1);
    }
    expect((await queue.getJob(bad.id!))!.failedReason).toMatch(
      /^cannot run here: not a valid experiment: invalid-width/,
    );
    expect((await queue.getJob(outside.id!))!.failedReason).toMatch(
      /^cannot run here: the path \/etc\/sprout-run is outside the data roots/,
    );
    expect((await queue.getJob(code.id!))!.failedReason).toMatch(/^cannot run here: not a run of a Sprout study/);
    await queue.close();
    connection.disconnect();
  });

  it(
    'a worker stopped with SIGTERM ends, exit 0 (it closes every connection it opened)',
    { timeout: 300_000 },
    async () => {
      const w = startWorker('w3');
      while (!w.log.some((l) => l.includes('taking runs from the queue'))) await new Promise((r) => setTimeout(r, 100));
      const closed = new Promise<number | null>((resolve) => w.w.on('close', resolve));
      process.kill(w.w.pid!, 'SIGTERM');
      expect(await closed).toBe(0);
    },
  );

  it('an unreachable queue or a wrong password is a clear error within seconds (exit 1)', { timeout: 600_000 }, () => {
    const file2 = join(root, 'queued.sprout');
    for (const [target, message] of [
      ['redis://127.0.0.1:1', /cannot reach the queue at redis:\/\/127\.0\.0\.1:1.*ECONNREFUSED/],
      [
        url.replace(PASSWORD, 'wrong'),
        /cannot reach the queue at redis:\/\/default:\*\*\*@127\.0\.0\.1:\d+.*(WRONGPASS|password)/,
      ],
    ] as const) {
      const t0 = Date.now();
      const [cmd, args] = sprout('run', file2, '--queue', target, '--out', join(root, 'never'), '--backend', 'cpu');
      const r = spawnSync(cmd, [...args], { cwd, encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toContain('wrong@');
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(Date.now() - t0).toBeLessThan(30_000);
      const [wc, wa] = sprout('worker', '--queue', target);
      const w = spawnSync(wc, [...wa], { cwd, encoding: 'utf8', timeout: 60_000 });
      expect(w.status).toBe(1);
      expect(w.stderr).toMatch(message);
    }
  });
});
