// `sprout run --jobs N`: the runs of a study (arms × sweep points × seeds) on N worker processes give
// metrics bit for bit equal to `--jobs 1` (every column but the wall time), one run directory with each
// run's own folder; Ctrl-C stops and checkpoints every run in flight, and `--resume` continues only the
// unfinished ones, again to the same metrics.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { WorkerCommand } from '@sprout/study';
import { runAction } from '../src/commands/run.js';
import { recordingIo } from './recording-io.js';

const dir = mkdtempSync(join(tmpdir(), 'sprout-cli-jobs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const worker: WorkerCommand = {
  command: process.execPath,
  args: [
    '--conditions=sprout-source',
    '--import',
    'tsx',
    join(import.meta.dirname, '..', 'src', 'main.ts'),
    '__study-worker',
    '--backend',
    'cpu',
  ],
};

const file = join(dir, 'study.sprout');
writeFileSync(
  file,
  `experiment "study" {
  seed 5
  repeat 3
  data spirals { points 40 }
  network { input 2  dense 6 relu  output 2 }
  optimizer momentum { step constant 0.05 }
  train { epochs 600, batch 20, shuffle true }
  grow sensli { at epoch 100 }
  compare {
    run "fixed" { grow none }
  }
  sweep { grid { lr [0.05, 0.2] } }
}
`,
);

/** metrics.csv without the wall-time column, as rows. */
const metrics = (out: string): string[][] => {
  const [header, ...rows] = readFileSync(join(out, 'metrics.csv'), 'utf8').trim().split('\n');
  const seconds = header!.split(',').indexOf('seconds');
  return rows.map((r) => r.split(',').filter((_, i) => i !== seconds));
};
const finals = (out: string) =>
  (
    JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as {
      status: string;
      arms: { arm: string; finished: number; best: boolean; final: { testError: unknown; trainLoss: unknown } }[];
    }
  ).arms.map((a) => ({
    arm: a.arm,
    finished: a.finished,
    best: a.best,
    testError: a.final.testError,
    trainLoss: a.final.trainLoss,
  }));

describe('sprout run --jobs', () => {
  const one = join(dir, 'one');
  const two = join(dir, 'two');

  it('--jobs 2 gives the metrics of --jobs 1, bit for bit', async () => {
    const io1 = recordingIo();
    expect(await runAction(file, { out: one, backend: 'cpu', quiet: true, jobs: 1 }, io1, { isTTY: false })).toBe(0);
    const io2 = recordingIo();
    const code = await runAction(file, { out: two, backend: 'cpu', jobs: 2, workerCommand: worker }, io2, {
      isTTY: false,
    });
    expect(io2.err.join('')).not.toMatch(/error/);
    expect(code).toBe(0);
    expect(metrics(one).length).toBe(2 * 2 * 3 * 600);
    expect(metrics(two)).toEqual(metrics(one));
    expect(finals(two)).toEqual(finals(one));
    // One progress display for all runs, then the table with the best point marked.
    const text = io2.out.join('');
    expect(text).toMatch(/study: 12 runs/);
    expect(text).toMatch(/← best/);
    expect(text).toContain(`Results in ${two}\n`);
    // The checkpoint after each insertion, relayed from the worker processes, its file named in the study's folder.
    const said = [...text.matchAll(/epoch 100: checkpoint written to (\S+) \(after the growth decision\)\n/g)];
    expect(said.map((m) => m[1]).sort()).toEqual(
      ['0.05', '0.2'].flatMap((lr) =>
        [5, 6, 7].map((s) => join('runs', `base-lr-${lr}`, `seed-${s}`, 'checkpoints', 'base', `seed-${s}.ckpt`)),
      ),
    );
    for (const m of said) expect(existsSync(join(two, m[1]!))).toBe(true);
    // Each run in its own folder, with its own resolved spec.json.
    expect(readdirSync(join(two, 'runs')).sort()).toEqual([
      'base-lr-0.05',
      'base-lr-0.2',
      'fixed-lr-0.05',
      'fixed-lr-0.2',
    ]);
    const alone = JSON.parse(readFileSync(join(two, 'runs', 'fixed-lr-0.2', 'seed-7', 'spec.json'), 'utf8'));
    expect([alone.seed, alone.repeat, alone.growth._tag, alone.optimizer.step.lr]).toEqual([7, 1, 'none', 0.2]);
    // The study's spec.json says where its runs trained, as each run's does.
    const study = JSON.parse(readFileSync(join(two, 'spec.json'), 'utf8'));
    expect([study.run.backend, study.run.threads]).toEqual(['cpu', alone.run.threads]);
    expect(study.run.study).toEqual({ mode: 'jobs', jobs: 2 });
    // The plots and the table are drawn once, for the study, not for each run.
    expect(existsSync(join(two, 'curves.svg'))).toBe(true);
    expect(existsSync(join(two, 'final.csv'))).toBe(true);
    expect(existsSync(join(two, 'runs', 'fixed-lr-0.2', 'seed-7', 'summary.json'))).toBe(true);
    expect(existsSync(join(two, 'runs', 'fixed-lr-0.2', 'seed-7', 'curves.svg'))).toBe(false);
    // Insertions of the runs are in the study's events, named by arm and point.
    const events = readFileSync(join(two, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { _tag: string; arm?: string });
    expect(
      events
        .filter((e) => e._tag === 'insertion')
        .map((e) => e.arm)
        .sort(),
    ).toEqual([
      'base [lr=0.05]',
      'base [lr=0.05]',
      'base [lr=0.05]',
      'base [lr=0.2]',
      'base [lr=0.2]',
      'base [lr=0.2]',
    ]);
    // So are the checkpoints, each file named in the study's folder.
    const checkpoints = events.filter((e) => e._tag === 'checkpoint') as unknown as { file: string }[];
    expect(checkpoints.length).toBeGreaterThanOrEqual(12 + 6); // the last epoch of each run, each growth decision
    for (const c of checkpoints) expect(existsSync(join(two, c.file))).toBe(true);
  });

  it('Ctrl-C checkpoints every run in flight (exit 130); --resume continues only the unfinished ones, to the same metrics', async () => {
    const out = join(dir, 'stopped');
    const controller = new AbortController();
    // --json: every event. Stop when two runs are under way (a few epochs into each, far from their end).
    const inFlight = new Map<string, number>();
    const io = recordingIo({
      stdout: (t) => {
        for (const line of t.split('\n')) {
          if (line === '' || controller.signal.aborted) continue;
          const e = JSON.parse(line) as { _tag: string; arm?: string; seed?: number; epoch?: number };
          const key = `${e.arm}/${e.seed}`;
          if (e._tag === 'run-start') inFlight.set(key, 0);
          if (e._tag === 'run-end') inFlight.delete(key);
          if (e._tag === 'epoch-end' && inFlight.has(key)) inFlight.set(key, e.epoch!);
          if (inFlight.size === 2 && [...inFlight.values()].every((n) => n >= 1 && n <= 400)) controller.abort();
        }
      },
    });
    const code = await runAction(
      file,
      { out, backend: 'cpu', json: true, jobs: 2, workerCommand: worker },
      io,
      { isTTY: false },
      controller.signal,
    );
    expect(code).toBe(130);
    expect(io.err.join('')).toContain(`sprout run --resume ${out}`);
    const runs = readdirSync(join(out, 'runs')).flatMap((p) =>
      readdirSync(join(out, 'runs', p)).map((s) => join(out, 'runs', p, s)),
    );
    const status = (d: string) =>
      (JSON.parse(readFileSync(join(d, 'summary.json'), 'utf8')) as { status: string }).status;
    const stopped = runs.filter((d) => existsSync(join(d, 'summary.json')) && status(d) === 'interrupted');
    expect(stopped.length).toBe(2); // the two in flight
    // One checkpoint per stopped run (the one it replaced may be kept beside it as `.prev`).
    for (const d of stopped)
      expect(readdirSync(join(d, 'checkpoints', 'base')).filter((f) => !f.endsWith('.prev')).length).toBe(1);
    const finishedBefore = runs.filter((d) => existsSync(join(d, 'summary.json')) && status(d) === 'finished');
    const mtimes = finishedBefore.map((d) => readFileSync(join(d, 'metrics.csv'), 'utf8'));
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).status).toBe('interrupted');

    const again = recordingIo();
    expect(
      await runAction(undefined, { resume: out, backend: 'cpu', quiet: true, jobs: 2, workerCommand: worker }, again, {
        isTTY: false,
      }),
    ).toBe(0);
    expect(metrics(out)).toEqual(metrics(one));
    expect(finals(out)).toEqual(finals(one));
    // Runs that had finished were not run again.
    expect(finishedBefore.map((d) => readFileSync(join(d, 'metrics.csv'), 'utf8'))).toEqual(mtimes);
  });

  it('a study whose data is missing fails once, naming the file, with no follow-on error', async () => {
    const bad = join(dir, 'no-data.sprout');
    writeFileSync(
      bad,
      'experiment "nodata" {\n  repeat 2\n  data csv "missing.csv"\n  network { input 2  dense 4 relu  output 2 }\n}\n',
    );
    const io = recordingIo();
    const out = join(dir, 'no-data');
    const code = await runAction(bad, { out, backend: 'cpu', quiet: true, jobs: 2, workerCommand: worker }, io, {
      isTTY: false,
    });
    expect(code).toBe(2);
    const err = io.err.join('');
    expect(err).toContain('missing.csv');
    expect(err).not.toContain('lacks the columns');
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'))).toMatchObject({ status: 'failed', arms: [] });
    // Its metrics.csv has the columns, and no rows.
    expect(readFileSync(join(out, 'metrics.csv'), 'utf8')).toBe(
      'arm,repeat,seed,epoch,train_loss,test_loss,test_error_fraction,step_size,parameter_count,seconds\n',
    );
  });
});

describe('sprout run --resume STUDY --epochs N', () => {
  const study = (epochs: number): string => {
    const f = join(dir, `extend-${epochs}.sprout`);
    writeFileSync(
      f,
      `experiment "extend" {
  seed 2
  repeat 1
  data spirals { points 30 }
  network { input 2  dense 5 relu  output 2 }
  optimizer sgd { step constant 0.1 }
  train { epochs ${epochs}, batch 15, shuffle true }
  grow sensli { at epoch 2 }
  compare {
    run "fixed" { grow none }
  }
}
`,
    );
    return f;
  };
  const options = { backend: 'cpu' as const, quiet: true, jobs: 2, workerCommand: worker };

  it('extends every run of a study made with --jobs, bit for bit as the study trained to N epochs at once', async () => {
    const short = join(dir, 'extend-short');
    const long = join(dir, 'extend-long');
    expect(await runAction(study(4), { ...options, out: short }, recordingIo(), { isTTY: false })).toBe(0);
    expect(await runAction(study(7), { ...options, out: long }, recordingIo(), { isTTY: false })).toBe(0);
    expect(metrics(short)).toHaveLength(2 * 4);
    const io = recordingIo();
    expect(await runAction(undefined, { ...options, resume: short, epochs: '7' }, io, { isTTY: false })).toBe(0);
    expect(metrics(short)).toEqual(metrics(long));
    expect(finals(short)).toEqual(finals(long));
    const spec = JSON.parse(readFileSync(join(short, 'spec.json'), 'utf8')) as {
      train: { epochs: number };
      run: { study: unknown; extended: { from: { base: number } }[] };
    };
    expect(spec.train.epochs).toBe(7);
    expect(spec.run.study).toBeDefined();
    expect(spec.run.extended.map((e) => e.from.base)).toEqual([4]);

    // Fewer epochs than trained: refused before any run starts.
    const fewer = recordingIo();
    expect(await runAction(undefined, { ...options, resume: short, epochs: '5' }, fewer, { isTTY: false })).toBe(2);
    expect(fewer.err.join('')).toContain('to fewer epochs than it was trained for');
    expect(metrics(short)).toEqual(metrics(long));
  }, 300_000);
});
