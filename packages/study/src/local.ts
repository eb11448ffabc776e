/**
 * `sprout run FILE --jobs N`: the runs of an experiment on N worker processes of this machine, into one
 * run directory (study-dir.ts). Each run computes exactly what it computes in a sequential run (same spec,
 * seed, data and kernels), so its metrics are bit for bit those of `--jobs 1`; only wall times differ.
 */
import { join, resolve } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { metricsHeader, type RunEvent, type RunResult, type StepProgress } from '@sprout/pipeline';
import { runSeeds, type Experiment } from '@sprout/spec';
import { studyMerger, type StudyMerger } from './merge.js';
import { runPool, type WorkerCommand } from './pool.js';
import type { TaskFailure } from './protocol.js';
import { taskDone } from './run-task.js';
import { createStudyDir, finishStudy, writeExtendedStudySpec, writeStudySpec, type StudyStatus } from './study-dir.js';
import { studyTasks, type RunTask } from './tasks.js';

export interface LocalStudyOptions {
  readonly jobs: number;
  readonly command: WorkerCommand;
  /** The run directory to create (exclusively; `-2`, … when it exists). Ignored with `resume`. */
  readonly out?: string;
  /** Continue the study in this directory: finished runs are kept, the others continue from their checkpoints. */
  readonly resume?: string;
  /**
   * With `resume`: `spec` asks for more epochs than the study trained (`sprout run --resume DIR --epochs N`);
   * spec.json becomes `spec`, and every run, finished ones too, trains on to the new count from its last checkpoint.
   */
  readonly extend?: boolean;
  /** Folder that relative data paths are read from. */
  readonly baseDir: string;
  readonly engine?: 'auto' | 'tfjs';
  /** Send every epoch's event (for --json); otherwise progress comes at most five times a second per run. */
  readonly allEvents?: boolean;
  readonly onEvent?: (event: RunEvent) => void;
  /** Steps done inside a long epoch of any run in flight (for a progress display). */
  readonly onProgress?: (progress: StepProgress) => void;
  readonly signal?: AbortSignal;
}

export interface StudyOutcome {
  readonly status: StudyStatus;
  readonly outDir: string;
  readonly result?: RunResult;
  /** Runs that failed, with why. */
  readonly failures: readonly { readonly name: string; readonly seed: number; readonly failure: TaskFailure }[];
  /** A problem with the run directory itself (it could not be written or merged), or an unreachable queue. */
  readonly error?: string;
  /** The queue could not be reached (nothing was submitted). */
  readonly unreachable?: boolean;
}

const timeStamp = (date: Date): string =>
  date
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
const slug = (name: string): string => name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'experiment';

/** The event that opens a study's display: every run of every (arm, point). */
export const studyStarted = (
  spec: Experiment,
  tasks: readonly RunTask[],
  outDir: string,
  workers: string,
): RunEvent => {
  const names = [...new Set(tasks.map((t) => t.name))];
  return {
    _tag: 'started',
    experiment: spec.name,
    outDir,
    backend: workers,
    workers,
    // Each worker process trains one run at a time on one thread.
    threads: 1,
    arms: names,
    repeats: spec.repeat,
    epochs: Math.max(...tasks.map((t) => t.spec.train.epochs)),
    runs: tasks.length,
    totalEpochs: tasks.reduce((n, t) => n + t.spec.train.epochs, 0),
  };
};

/** Run every run of `spec` on local worker processes. */
export const runLocalStudy = async (spec: Experiment, options: LocalStudyOptions): Promise<StudyOutcome> => {
  const t0 = performance.now();
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
        study: { mode: 'jobs', jobs: options.jobs },
      });
    }
  } catch (e) {
    return {
      status: 'failed',
      outDir: options.resume ?? options.out ?? '',
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
    return {
      status: 'failed',
      outDir: dir,
      failures: [],
      error: `cannot write the run directory: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
  for (const t of tasks) if (!todo.includes(t)) merger.finished(t.index);
  options.onEvent?.(studyStarted(spec, tasks, dir, `${options.jobs} worker process${options.jobs === 1 ? '' : 'es'}`));
  // Runs finished before a resume count towards the display at once.
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
  const pool = await runPool(todo, {
    jobs: options.jobs,
    command: options.command,
    settings: {
      ...(options.engine !== undefined ? { engine: options.engine } : {}),
      allEvents: options.allEvents ?? false,
    },
    ...(options.onEvent !== undefined ? { onEvent: options.onEvent } : {}),
    ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
    onFinished: merger.finished,
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  });
  const failures = [...pool.failed].map(([index, failure]) => ({
    name: tasks[index]!.name,
    seed: tasks[index]!.seed,
    failure,
  }));
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
