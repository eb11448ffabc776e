/**
 * Many machines: the runs of a study as BullMQ jobs on Redis. The submitter (`sprout run FILE --queue URL`)
 * creates the run directory, which must be on a file system every worker machine mounts at the same path,
 * enqueues one job per unfinished run and follows them to the end; each `sprout worker --queue URL` takes
 * jobs and runs them in its worker processes, writing into the run's folder. A job carries an experiment and
 * paths, never code: a worker checks it (a valid experiment; every path inside its `--data-root`s) and
 * fails a job that is not, without retrying it. A crash is retried a bounded number of times; a worker
 * killed mid-run loses its job only until the job's lock expires, after which another worker takes it and
 * continues from the run's last checkpoint.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { Queue, QueueEvents, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import * as E from 'fp-ts/lib/Either.js';
import { metricsHeader, type RunEvent, type StepProgress } from '@sprout/pipeline';
import { runSeeds, type Experiment } from '@sprout/spec';
import { studyMerger, type StudyMerger } from './merge.js';
import { asStudyEvent, type WorkerCommand } from './pool.js';
import { PROGRESS_INTERVAL_MS, type TaskFailure, type WorkerSettings } from './protocol.js';
import { checkTaskSpec, taskDone } from './run-task.js';
import { workerSlots } from './slots.js';
import { createStudyDir, finishStudy, writeExtendedStudySpec, writeStudySpec, type StudyStatus } from './study-dir.js';
import { studyStarted, type StudyOutcome } from './local.js';
import { studyTasks, type RunTask } from './tasks.js';

/** The BullMQ queue every Sprout submitter and worker use (one Redis can serve several studies at once). */
export const QUEUE_NAME = 'sprout-runs';
/** Attempts of a job whose run crashed (a worker process died, a non-finite loss is not a crash). */
export const JOB_ATTEMPTS = 3;
/** How long a connection to Redis may take before the queue counts as unreachable. */
export const CONNECT_TIMEOUT_MS = 5000;

/** `url` with its password replaced by `***`, for messages and records. */
export const redactUrl = (url: string): string => {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
  }
};

/** The options of every connection: TLS for rediss:// trusts SPROUT_REDIS_CA as well when it names a CA file. */
const connectionOptions = (url: string, extra: RedisOptions): RedisOptions => {
  const ca = process.env['SPROUT_REDIS_CA'];
  return {
    ...(url.startsWith('rediss://') && ca !== undefined && ca !== '' ? { tls: { ca: readFileSync(ca) } } : {}),
    ...extra,
  };
};

/** How the failure of a job that no attempt can fix begins (it is not retried). */
const REFUSED = 'cannot run here: ';

/** A connection that has answered PING, or why there is none (within CONNECT_TIMEOUT_MS, never a hang). */
export const connectQueue = async (url: string): Promise<E.Either<string, Redis>> => {
  if (!/^rediss?:\/\//.test(url))
    return E.left(
      `'${redactUrl(url)}' is not a Redis URL; write redis://HOST:PORT, rediss://HOST:PORT (TLS) or redis://USER:PASSWORD@HOST:PORT`,
    );
  let client: Redis;
  try {
    client = new Redis(
      url,
      connectionOptions(url, {
        lazyConnect: true,
        connectTimeout: CONNECT_TIMEOUT_MS,
        maxRetriesPerRequest: null,
        retryStrategy: () => null,
        enableOfflineQueue: true,
      }),
    );
  } catch (e) {
    return E.left(`cannot use the queue ${redactUrl(url)}: ${e instanceof Error ? e.message : String(e)}`);
  }
  let lastError: Error | undefined;
  client.on('error', (e: Error) => (lastError = e)); // the cause, reported below
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`no answer within ${CONNECT_TIMEOUT_MS / 1000} s`)), CONNECT_TIMEOUT_MS).unref(),
  );
  try {
    await Promise.race([client.connect().then(() => client.ping()), timeout]);
  } catch (e) {
    client.disconnect();
    const message = lastError?.message ?? (e instanceof Error ? e.message : String(e));
    return E.left(
      `cannot reach the queue at ${redactUrl(url)}: ${message}${/NOAUTH|WRONGPASS|AUTH/.test(message) ? ' (check the user and password in the URL)' : ''}`,
    );
  }
  // BullMQ's blocking commands need connections that retry for ever once established.
  client.options.maxRetriesPerRequest = null;
  client.options.retryStrategy = (times) => Math.min(times * 200, 2000);
  return E.right(client);
};

/** A job: the run, how to run it, and which study it belongs to. */
export interface RunJob {
  readonly task: RunTask;
  readonly settings: WorkerSettings;
  readonly study: string;
}

/**
 * What a worker reports while a run trains (BullMQ job progress): the attempt, the run's events but its
 * epochs and routine checkpoints, its latest epoch and checkpoint (so the progress stays small however long
 * the run), and the steps done in the epoch under way when it is a long one.
 */
export interface JobProgress {
  readonly attempt: number;
  readonly events: readonly RunEvent[];
  readonly latest?: RunEvent & { readonly _tag: 'epoch-end' };
  /** Its latest routine checkpoint (`reason` `interval`): these come about every second, so only the last is kept. */
  readonly checkpoint?: RunEvent & { readonly _tag: 'checkpoint' };
  readonly step?: Pick<StepProgress, 'epoch' | 'step' | 'steps' | 'examples' | 'seconds'>;
}

/**
 * A run's new events with its latest routine checkpoint (kept apart in the job progress) put back in their
 * order: before the first event that came after it (a later epoch's).
 */
const withCheckpoint = (
  fresh: readonly RunEvent[],
  checkpoint: (RunEvent & { readonly _tag: 'checkpoint' }) | undefined,
): readonly RunEvent[] => {
  if (checkpoint === undefined) return fresh;
  const later = fresh.findIndex((e) =>
    e._tag === 'checkpoint'
      ? e.epoch > checkpoint.epoch || (e.epoch === checkpoint.epoch && e.step > checkpoint.step)
      : e._tag === 'run-end'
        ? true
        : 'epoch' in e && e.epoch > checkpoint.epoch,
  );
  return later < 0 ? [...fresh, checkpoint] : [...fresh.slice(0, later), checkpoint, ...fresh.slice(later)];
};

// ─── Submitter ─────────────────────────────────────────────────────────────────────────────────────────

export interface QueueStudyOptions {
  readonly url: string;
  readonly out?: string;
  readonly resume?: string;
  /**
   * With `resume`: `spec` asks for more epochs than the study trained (`sprout run --resume DIR --epochs N`);
   * spec.json becomes `spec`, and every run, finished ones too, is submitted again and trains on to the new
   * count from its last checkpoint.
   */
  readonly extend?: boolean;
  readonly baseDir: string;
  readonly engine?: 'auto' | 'tfjs';
  readonly onEvent?: (event: RunEvent) => void;
  /** Steps done inside a long epoch of any run in flight, as often as the submitter looks (for a progress display). */
  readonly onProgress?: (progress: StepProgress) => void;
  readonly signal?: AbortSignal;
  /**
   * How often the submitter asks for the state of its open jobs. It follows them through Redis' event stream
   * (progress, completed, failed) as they happen; this check only catches events it missed (a stream trimmed
   * while the submitter was cut off). @default 5000 ms
   */
  readonly pollMs?: number;
}

const timeStamp = (date: Date): string =>
  date
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
const slug = (name: string): string => name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'experiment';

/** Enqueue the unfinished runs of `spec` and follow them until every one finished or failed. */
export const runQueueStudy = async (spec: Experiment, options: QueueStudyOptions): Promise<StudyOutcome> => {
  const t0 = performance.now();
  const connected = await connectQueue(options.url);
  if (E.isLeft(connected))
    return {
      status: 'failed',
      outDir: options.resume ?? options.out ?? '',
      failures: [],
      error: connected.left,
      unreachable: true,
    };
  const connection = connected.right;
  const queue = new Queue<RunJob>(QUEUE_NAME, { connection });
  queue.on('error', () => {});
  const started = new Date();
  let dir: string;
  try {
    if (options.resume !== undefined) {
      dir = resolve(options.resume);
      if (options.extend === true) writeExtendedStudySpec(dir, spec, started);
    } else {
      dir = createStudyDir(resolve(options.out ?? join('runs', slug(spec.name), timeStamp(started))));
      writeStudySpec(dir, spec, {
        seeds: runSeeds(spec),
        baseDir: resolve(options.baseDir),
        started: started.toISOString(),
        study: { mode: 'queue', queue: redactUrl(options.url) },
      });
    }
  } catch (e) {
    await queue.close();
    connection.disconnect();
    return {
      status: 'failed',
      outDir: options.out ?? '',
      failures: [],
      error: `cannot write the run directory: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
  const tasks = studyTasks(spec, dir, resolve(options.baseDir));
  const todo = tasks.filter((t) => !taskDone(t));
  let merger: StudyMerger;
  try {
    merger = studyMerger(dir, metricsHeader(spec), tasks);
  } catch (e) {
    await queue.close();
    connection.disconnect();
    return {
      status: 'failed',
      outDir: dir,
      failures: [],
      error: `cannot write the run directory: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
  for (const t of tasks) if (!todo.includes(t)) merger.finished(t.index);
  options.onEvent?.(studyStarted(spec, tasks, dir, `queue ${redactUrl(options.url)}`));
  for (const t of tasks)
    if (!todo.includes(t))
      for (let epoch = 1; epoch <= t.spec.train.epochs; epoch++)
        options.onEvent?.({
          _tag: 'epoch-end',
          arm: t.name,
          repeat: t.repeat,
          seed: t.seed,
          epoch,
          trainLoss: NaN,
          testLoss: NaN,
          testError: NaN,
          stepSize: NaN,
          parameterCount: 0,
          seconds: 0,
        });
  // Job ids: the study folder and the run, and this submission (a resumed study submits new jobs).
  const study = createHash('sha256').update(dir).digest('hex').slice(0, 16);
  const submission = Date.now().toString(36);
  const jobId = (t: RunTask) => `${study}-${submission}-${t.index}`;
  const settings: WorkerSettings = { ...(options.engine !== undefined ? { engine: options.engine } : {}) };
  // The jobs are followed through the queue's event stream, read from its last entry before they are added
  // (on a connection of its own: the read blocks), so that no event of theirs is missed.
  const last = await connection.xrevrange(queue.keys['events']!, '+', '-', 'COUNT', 1);
  const eventsConnection = connection.duplicate();
  const events = new QueueEvents(QUEUE_NAME, {
    connection: eventsConnection,
    lastEventId: last[0]?.[0] ?? '0-0',
  });
  await queue.addBulk(
    todo.map((t) => ({
      name: t.name,
      data: { task: t, settings, study: dir },
      opts: {
        jobId: jobId(t),
        attempts: JOB_ATTEMPTS,
        backoff: { type: 'fixed', delay: 1000 },
        removeOnComplete: { age: 24 * 3600 },
        removeOnFail: { age: 7 * 24 * 3600 },
      },
    })),
  );
  const failures: { name: string; seed: number; failure: TaskFailure }[] = [];
  const open = new Map(todo.map((t) => [jobId(t), t] as const));
  // Progress shown, per job: its attempt, events, epochs and in-epoch steps.
  const seen = new Map<string, { attempt: number; events: number; epoch: number; step: string; checkpoint: string }>();
  /** Shows what is new in a job's progress (the worker's JobProgress). */
  const show = (id: string, task: RunTask, p: Partial<JobProgress> | number | undefined): void => {
    if (typeof p !== 'object' || p === null || !Array.isArray(p.events)) return;
    const was = seen.get(id) ?? { attempt: -1, events: 0, epoch: 0, step: '', checkpoint: '' };
    const now =
      was.attempt === p.attempt ? was : { attempt: p.attempt ?? 0, events: 0, epoch: 0, step: '', checkpoint: '' };
    const checkpoint = p.checkpoint === undefined ? now.checkpoint : JSON.stringify(p.checkpoint);
    const fresh = withCheckpoint(
      p.events.slice(now.events),
      p.checkpoint !== undefined && checkpoint !== now.checkpoint ? p.checkpoint : undefined,
    );
    for (const e of fresh) if (e._tag !== 'run-end') options.onEvent?.(asStudyEvent(task, e));
    if (p.latest !== undefined)
      for (let epoch = now.epoch + 1; epoch <= p.latest.epoch; epoch++)
        options.onEvent?.(
          asStudyEvent(task, {
            ...p.latest,
            epoch,
            ...(epoch < p.latest.epoch ? { trainLoss: NaN, testLoss: NaN, testError: NaN, stepSize: NaN } : {}),
          }),
        );
    for (const e of fresh) if (e._tag === 'run-end') options.onEvent?.(asStudyEvent(task, e));
    const epoch = Math.max(now.epoch, p.latest?.epoch ?? 0);
    // Steps of the epoch under way (not of one whose end was shown), once each.
    const steps = p.step !== undefined && p.step.epoch > epoch ? p.step : undefined;
    const step = steps === undefined ? now.step : JSON.stringify(steps);
    if (steps !== undefined && step !== now.step)
      options.onProgress?.({ arm: task.name, repeat: task.repeat, seed: task.seed, ...steps });
    seen.set(id, { attempt: now.attempt, events: p.events.length, epoch, step, checkpoint });
  };
  // What the event stream said since the loop below last looked: each job's latest progress, jobs that ended.
  const progressed = new Map<string, unknown>();
  const ended = new Set<string>();
  let wake: (() => void) | undefined;
  const heard = (): void => {
    wake?.();
  };
  events.on('progress', ({ jobId: id, data }) => {
    if (!open.has(id)) return; // another study's job, or one this study is done with
    progressed.set(id, data);
    heard();
  });
  const end = ({ jobId: id }: { jobId: string }): void => {
    if (!open.has(id)) return;
    ended.add(id);
    heard();
  };
  events.on('completed', end);
  events.on('failed', end);
  events.on('error', () => {});
  let interrupted = options.signal?.aborted ?? false;
  const stop = () => {
    interrupted = true;
    heard();
  };
  options.signal?.addEventListener('abort', stop, { once: true });
  const pollMs = options.pollMs ?? 5000;
  let polled = performance.now();
  try {
    while (open.size > 0 && !interrupted) {
      if (progressed.size === 0 && ended.size === 0) {
        const wait = Math.max(0, polled + pollMs - performance.now());
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((r) => {
          wake = r;
          timer = setTimeout(r, wait);
        });
        // Woken by an event: no timer may keep the process alive once the study is over.
        clearTimeout(timer);
        wake = undefined;
      }
      for (const [id, p] of [...progressed]) {
        progressed.delete(id);
        const task = open.get(id);
        if (task !== undefined) show(id, task, p as Partial<JobProgress>);
      }
      if (performance.now() - polled >= pollMs) {
        polled = performance.now();
        for (const id of open.keys()) {
          const state = await queue.getJobState(id);
          if (state === 'completed' || state === 'failed') ended.add(id);
        }
      }
      for (const id of [...ended]) {
        ended.delete(id);
        const task = open.get(id);
        if (task === undefined) continue;
        const job = await queue.getJob(id);
        if (job === undefined) continue;
        // The last progress, in case its event was missed (the display then still ends complete).
        show(id, task, job.progress as Partial<JobProgress>);
        const state = await job.getState();
        if (state === 'completed') {
          open.delete(id);
          merger.finished(task.index);
        } else if (state === 'failed') {
          open.delete(id);
          const unrecoverable = (job.failedReason ?? '').startsWith(REFUSED);
          failures.push({
            name: task.name,
            seed: task.seed,
            failure: {
              kind: unrecoverable ? 'invalid' : 'failed',
              message: `${job.failedReason ?? 'failed'} (after ${job.attemptsMade} attempt${job.attemptsMade === 1 ? '' : 's'})`,
            },
          });
        }
      }
    }
    if (interrupted)
      // Runs not yet taken are withdrawn; runs in flight finish on their workers (or stop with them).
      for (const id of open.keys()) {
        const job = await queue.getJob(id);
        if (job !== undefined && ((await job.getState()) === 'waiting' || (await job.getState()) === 'delayed'))
          await job.remove().catch(() => {});
      }
  } finally {
    options.signal?.removeEventListener('abort', stop);
    await events.close();
    eventsConnection.disconnect();
    await queue.close();
    connection.disconnect();
  }
  const complete = tasks.every((t) => taskDone(t));
  const status: StudyStatus = failures.length > 0 ? 'failed' : complete ? 'finished' : 'interrupted';
  try {
    const merged = await finishStudy(
      dir,
      spec,
      tasks,
      status,
      (performance.now() - t0) / 1000,
      failures.map((f) => ({ name: f.name, seed: f.seed, message: f.failure.message })),
      merger,
    );
    if (E.isLeft(merged)) return { status, outDir: dir, failures, error: merged.left };
    return { status, outDir: dir, result: merged.right, failures };
  } catch (e) {
    merger.abandon();
    return {
      status,
      outDir: dir,
      failures,
      error: `cannot merge the runs in ${dir}: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
};

// ─── Worker ────────────────────────────────────────────────────────────────────────────────────────────

export interface QueueWorkerOptions {
  readonly url: string;
  /** Runs trained at once on this machine. @default 1 */
  readonly concurrency?: number;
  /** Folders a job's data paths and run folder must lie in. @default [process.cwd()] */
  readonly dataRoots?: readonly string[];
  readonly command: WorkerCommand;
  /** Seconds a job's lock lasts without renewal (a killed worker's job is taken again after it). @default 30 */
  readonly lockSeconds?: number;
  readonly signal?: AbortSignal;
  /** Told about every job taken, finished or failed. */
  readonly log?: (line: string) => void;
  /** Called once the worker is connected and takes jobs. */
  readonly onReady?: () => void;
}

/** The nearest existing ancestor of `p`, resolved through symbolic links, with the rest appended. */
const real = (p: string): string => {
  let head = resolve(p);
  const rest: string[] = [];
  while (!existsSync(head) && dirname(head) !== head) {
    rest.unshift(head.slice(dirname(head).length + 1));
    head = dirname(head);
  }
  return join(realpathSync(head), ...rest);
};
const inside = (root: string, p: string): boolean => {
  const r = relative(root, p);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
};

/** Every path a task reads or writes: its folder, its data folder and the data files of its spec. */
const taskPaths = (task: RunTask): string[] => {
  const d = task.spec.data;
  const files = d._tag === 'csv' ? [d.path] : d._tag === 'idx' ? [d.images, d.labels] : [];
  return [task.dir, task.baseDir, ...files.map((f) => resolve(task.baseDir, f))];
};

/** Why a job cannot be run here (never retried), or its task. */
export const validateJob = (data: unknown, roots: readonly string[]): E.Either<string, RunTask> => {
  const job = data as Partial<RunJob> | null;
  const t = job?.task as Partial<RunTask> | undefined;
  if (
    typeof t !== 'object' ||
    t === null ||
    !Number.isInteger(t.index) ||
    typeof t.name !== 'string' ||
    !Number.isInteger(t.repeat) ||
    !Number.isInteger(t.seed) ||
    typeof t.dir !== 'string' ||
    !isAbsolute(t.dir) ||
    typeof t.baseDir !== 'string' ||
    !isAbsolute(t.baseDir)
  )
    return E.left(
      'not a run of a Sprout study: the job lacks its task (index, name, repeat, seed, absolute dir and baseDir)',
    );
  const spec = checkTaskSpec(t.spec);
  if (E.isLeft(spec)) return spec;
  const task: RunTask = { ...(t as RunTask), spec: spec.right };
  if (spec.right.seed !== task.seed)
    return E.left(`not a valid run: its spec has seed ${spec.right.seed}, its task ${task.seed}`);
  const realRoots = roots.map(real);
  for (const p of taskPaths(task))
    if (!realRoots.some((root) => inside(root, real(p))))
      return E.left(
        `the path ${p} is outside the data roots of this worker (${roots.join(', ')}); start the worker with --data-root for the folder that holds it`,
      );
  return E.right(task);
};

/** Take jobs until `signal`; resolves when the worker has stopped (runs in flight checkpointed). */
export const runQueueWorker = async (options: QueueWorkerOptions): Promise<E.Either<string, void>> => {
  const connected = await connectQueue(options.url);
  if (E.isLeft(connected)) return connected;
  const connection = connected.right;
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const roots = (options.dataRoots ?? [process.cwd()]).map((r) => resolve(r));
  const slots = workerSlots(concurrency, options.command);
  const log = options.log ?? (() => {});
  const lockDuration = (options.lockSeconds ?? 30) * 1000;
  const jobs = connection.duplicate();
  const worker = new Worker<RunJob>(
    QUEUE_NAME,
    async (job: Job<RunJob>) => {
      const valid = validateJob(job.data, roots);
      if (E.isLeft(valid)) {
        log(`job ${job.id}: refused: ${valid.left}`);
        throw new UnrecoverableError(`${REFUSED}${valid.left}`);
      }
      const task = valid.right;
      log(`job ${job.id}: ${task.name}, seed ${task.seed} (attempt ${job.attemptsMade + 1})`);
      const events: RunEvent[] = [];
      let latest: JobProgress['latest'];
      let checkpoint: JobProgress['checkpoint'];
      let step: JobProgress['step'];
      let stepReported = 0;
      let pending: Promise<unknown> = Promise.resolve();
      const report = () => {
        const progress: JobProgress = {
          attempt: job.attemptsMade,
          events: [...events],
          ...(latest !== undefined ? { latest } : {}),
          ...(checkpoint !== undefined ? { checkpoint } : {}),
          ...(step !== undefined ? { step } : {}),
        };
        pending = pending.then(() => job.updateProgress(progress as unknown as object).catch(() => {}));
      };
      const outcome = await slots.run(task, { ...job.data.settings, takeOverLock: true }, (m) => {
        if (m._tag === 'event') {
          if (m.event._tag === 'epoch-end') latest = m.event;
          else if (m.event._tag === 'checkpoint' && m.event.reason === 'interval') checkpoint = m.event;
          else events.push(m.event);
          report();
        } else if (m._tag === 'progress') {
          const { _tag, id: _id, ...metrics } = m;
          latest = { _tag: 'epoch-end', arm: task.name, repeat: task.repeat, seed: task.seed, ...metrics };
          report();
        } else if (m._tag === 'step-progress') {
          // A long epoch's steps (the worker process sends them about every 100 ms): to Redis at most every
          // PROGRESS_INTERVAL_MS.
          const { _tag, id: _id, ...steps } = m;
          step = steps;
          const now = performance.now();
          if (now - stepReported >= PROGRESS_INTERVAL_MS) {
            stepReported = now;
            report();
          }
        }
      });
      await pending;
      if (outcome.ok) {
        log(`job ${job.id}: ${outcome.skipped ? 'had finished before' : 'finished'}`);
        return { skipped: outcome.skipped };
      }
      log(`job ${job.id}: ${outcome.failure.kind}: ${outcome.failure.message}`);
      if (outcome.failure.kind === 'invalid') throw new UnrecoverableError(`${REFUSED}${outcome.failure.message}`);
      throw new Error(outcome.failure.message);
    },
    {
      connection: jobs,
      concurrency,
      lockDuration,
      stalledInterval: Math.max(1000, lockDuration / 2),
      maxStalledCount: JOB_ATTEMPTS,
      autorun: true,
    },
  );
  worker.on('error', (e) => log(`queue: ${e.message}`));
  options.onReady?.();
  await new Promise<void>((resolveStop) => {
    if (options.signal?.aborted === true) resolveStop();
    options.signal?.addEventListener('abort', () => resolveStop(), { once: true });
  });
  // Stop the runs first (they checkpoint); their jobs fail this attempt and go back to the queue.
  await slots.close();
  await worker.close();
  // BullMQ leaves a connection it was given open: without this the process would not end.
  jobs.disconnect();
  connection.disconnect();
  return E.right(undefined);
};
