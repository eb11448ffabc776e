/**
 * Worker processes on this machine: `jobs` long-lived processes (`sprout __study-worker`), each taking the
 * next task when it is done with one, so runs of different lengths keep every process busy. Their events
 * come back named by the study's run (arm and point, repeat, index), throttled progress turned back into
 * `epoch-end` events for the display. `signal` stops every run in flight after its step, with a
 * checkpoint; tasks not started stay for `--resume`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { RunEvent, StepProgress } from '@sprout/pipeline';
import { lineReader, type FromWorker, type TaskFailure, type ToWorker, type WorkerSettings } from './protocol.js';
import { taskFolder, type RunTask } from './tasks.js';

/** How to start a worker process: the `sprout` command with the hidden `__study-worker` sub-command. */
export interface WorkerCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
}

export interface PoolOptions {
  readonly jobs: number;
  readonly command: WorkerCommand;
  readonly settings?: WorkerSettings;
  /** Every event of every run, named as in the study. */
  readonly onEvent?: (event: RunEvent) => void;
  /** Steps done inside a long epoch of any run, named as in the study. */
  readonly onProgress?: (progress: StepProgress) => void;
  /** A task's run finished (or had finished before): its files no longer change. */
  readonly onFinished?: (index: number) => void;
  readonly signal?: AbortSignal;
}

export interface PoolResult {
  /** Task indices that finished (now or before). */
  readonly finished: ReadonlySet<number>;
  readonly failed: ReadonlyMap<number, TaskFailure>;
  /** Stopped by `signal` (some tasks may not have run). */
  readonly interrupted: boolean;
}

/**
 * An event of a run alone, named as the study's run `task`; a checkpoint's file becomes its path in the
 * study's directory.
 */
export const asStudyEvent = (task: RunTask, event: RunEvent): RunEvent => {
  if (!('arm' in event)) return event;
  const named = { ...event, arm: task.name, repeat: task.repeat } as RunEvent;
  if (named._tag === 'checkpoint') return { ...named, file: join(taskFolder(task.name, task.seed), named.file) };
  return named._tag === 'run-start' ? { ...named, index: task.index } : named;
};

/** Keeps the last bytes of a stream (what a crashed worker said last). */
const tail = (limit: number) => {
  let text = '';
  return {
    add: (chunk: Buffer | string) => {
      text = (text + chunk.toString()).slice(-limit);
    },
    get: () => text.trim(),
  };
};

/** Turns worker messages about `task` into study events; progress becomes the epoch-end events it stands for. */
const eventsOf = () => {
  const lastEpoch = new Map<number, number>();
  return (task: RunTask, m: FromWorker): RunEvent[] => {
    if (m._tag === 'event') {
      if (m.event._tag === 'epoch-end') lastEpoch.set(task.index, m.event.epoch);
      if (m.event._tag === 'run-start') lastEpoch.set(task.index, m.event.resumedAt?.epoch ?? 0);
      return [asStudyEvent(task, m.event)];
    }
    if (m._tag !== 'progress') return [];
    const from = (lastEpoch.get(task.index) ?? 0) + 1;
    lastEpoch.set(task.index, m.epoch);
    const out: RunEvent[] = [];
    const { epoch: _e, id: _id, _tag, ...metrics } = m;
    // Epochs between two progress messages count for the display, without metrics of their own (NaN).
    const unknown = { trainLoss: NaN, testLoss: NaN, testError: NaN, stepSize: NaN };
    for (let epoch = from; epoch <= m.epoch; epoch++)
      out.push({
        _tag: 'epoch-end',
        arm: task.name,
        repeat: task.repeat,
        seed: task.seed,
        epoch,
        ...metrics,
        ...(epoch < m.epoch ? unknown : {}),
      });
    return out;
  };
};

interface Worker {
  readonly child: ChildProcess;
  task: RunTask | undefined;
  ready: boolean;
  readonly stderr: ReturnType<typeof tail>;
}

/** Run `tasks` on `jobs` worker processes. */
export const runPool = (tasks: readonly RunTask[], options: PoolOptions): Promise<PoolResult> =>
  new Promise((resolve) => {
    const pending = [...tasks];
    const finished = new Set<number>();
    const failed = new Map<number, TaskFailure>();
    const workers: Worker[] = [];
    const toEvents = eventsOf();
    let stopping = options.signal?.aborted ?? false;
    let settled = false;
    const send = (w: Worker, m: ToWorker): void => {
      if (w.child.stdin?.writable === true) w.child.stdin.write(`${JSON.stringify(m)}\n`);
    };
    const finish = (): void => {
      if (settled || workers.some((w) => w.child.exitCode === null && w.child.signalCode === null)) return;
      settled = true;
      options.signal?.removeEventListener('abort', stopAll);
      resolve({ finished, failed, interrupted: stopping });
    };
    const next = (w: Worker): void => {
      const task = stopping ? undefined : pending.shift();
      w.task = task;
      if (task === undefined) {
        w.child.stdin?.end(); // no more work: the worker ends
        return;
      }
      send(w, { _tag: 'task', task, settings: options.settings ?? {} });
    };
    const stopAll = (): void => {
      stopping = true;
      for (const w of workers) send(w, { _tag: 'stop' });
    };
    options.signal?.addEventListener('abort', stopAll, { once: true });
    const jobs = Math.max(1, Math.min(options.jobs, tasks.length));
    for (let i = 0; i < jobs; i++) {
      const child = spawn(options.command.command, [...options.command.args], {
        stdio: ['pipe', 'pipe', 'pipe'],
        ...(options.command.env !== undefined ? { env: options.command.env } : {}),
      });
      const w: Worker = { child, task: undefined, ready: false, stderr: tail(4000) };
      workers.push(w);
      child.stderr?.on('data', (c: Buffer) => w.stderr.add(c));
      child.stdin?.on('error', () => {}); // a worker that died: its exit is handled below
      child.stdout?.on(
        'data',
        lineReader((line) => {
          let m: FromWorker;
          try {
            m = JSON.parse(line) as FromWorker;
          } catch {
            w.stderr.add(`${line}\n`);
            return;
          }
          if (m._tag === 'ready') {
            w.ready = true;
            next(w);
            return;
          }
          const task = w.task;
          if (task === undefined) return;
          if (m._tag === 'done') {
            finished.add(task.index);
            next(w); // the worker goes on at once; the run's files are read while it trains the next
            options.onFinished?.(task.index);
          } else if (m._tag === 'failed') {
            if (m.failure.kind !== 'interrupted') failed.set(task.index, m.failure);
            // A spec or data that cannot run fails every run alike: stop instead of failing them one by one.
            if (m.failure.kind === 'invalid') stopAll();
            next(w);
          } else if (m._tag === 'step-progress') {
            const { _tag: _t, id: _id, ...steps } = m;
            options.onProgress?.({ arm: task.name, repeat: task.repeat, seed: task.seed, ...steps });
          } else for (const e of toEvents(task, m)) options.onEvent?.(e);
        }),
      );
      child.on('error', (e) => {
        w.stderr.add(`cannot start the worker process: ${e.message}`);
      });
      child.on('close', (code, signal) => {
        if (w.task !== undefined && !finished.has(w.task.index) && !failed.has(w.task.index) && !stopping)
          failed.set(w.task.index, {
            kind: 'failed',
            message: `the worker process (pid ${child.pid ?? '?'}) ended with ${signal ?? `exit status ${String(code)}`} during this run${w.stderr.get() === '' ? '' : `: ${w.stderr.get().split('\n').slice(-3).join(' | ')}`}`,
          });
        w.task = undefined;
        // Tasks a dead worker would have taken go to the others; when none is left they are not run.
        if (
          !w.ready &&
          workers.every((o) => o.child.exitCode !== null || o.child.signalCode !== null) &&
          pending.length > 0 &&
          !stopping
        )
          for (const t of pending.splice(0))
            failed.set(t.index, {
              kind: 'failed',
              message: `no worker process could start: ${w.stderr.get() || `exit status ${String(code)}`}`,
            });
        finish();
      });
    }
    if (tasks.length === 0) resolve({ finished, failed, interrupted: stopping });
  });
