/**
 * Running one task in this process: its run folder is created, or continued from its checkpoint when an
 * earlier attempt left one (a worker that was stopped or killed), or skipped when the run finished before.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { compile, type RunEvent, type StepProgress } from '@sprout/pipeline';
import { decodeExperiment, type Experiment } from '@sprout/spec';
import type { TaskFailure, WorkerSettings } from './protocol.js';
import type { RunTask } from './tasks.js';

/** Whether the run in `dir` finished (its summary.json says so). */
export const runFinished = (dir: string): boolean => {
  try {
    return (JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as { status?: unknown }).status === 'finished';
  } catch {
    return false;
  }
};

const describe = (ds: readonly { code: string; message: string }[]): string =>
  ds.map((d) => `${d.code}: ${d.message}`).join('; ');

/**
 * A task's experiment checked again: a task from a queue is untrusted JSON. `left` with the reason when it
 * is not a valid experiment the pipeline can run.
 */
export const checkTaskSpec = (spec: unknown): E.Either<string, Experiment> => {
  const decoded = decodeExperiment(spec);
  if (E.isLeft(decoded)) return E.left(`not a valid experiment: ${describe(decoded.left)}`);
  const p = compile(decoded.right);
  return E.isLeft(p) ? E.left(`not a valid experiment: ${describe(p.left)}`) : E.right(decoded.right);
};

/** The epochs the run in `dir` is set to train (its spec.json), when it has one. */
const recordedEpochs = (dir: string): number | undefined => {
  try {
    const epochs = (JSON.parse(readFileSync(join(dir, 'spec.json'), 'utf8')) as { train?: { epochs?: unknown } }).train
      ?.epochs;
    return typeof epochs === 'number' ? epochs : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Whether `task` needs no more training: its run finished, with the epochs the task asks for (a study
 * extended by `sprout run --resume DIR --epochs N` asks its finished runs for more).
 */
export const taskDone = (task: RunTask): boolean =>
  runFinished(task.dir) && (recordedEpochs(task.dir) ?? 0) >= task.spec.train.epochs;

export type TaskOutcome =
  { readonly ok: true; readonly skipped: boolean } | { readonly ok: false; readonly failure: TaskFailure };

/** Run `task` to its end (or until `signal`), sending its events to `onEvent` and in-epoch progress to `onProgress`. */
export const runTask = async (
  task: RunTask,
  settings: WorkerSettings,
  signal: AbortSignal,
  onEvent: (e: RunEvent) => void,
  onProgress?: (p: StepProgress) => void,
): Promise<TaskOutcome> => {
  if (taskDone(task)) return { ok: true, skipped: true };
  const p = compile(task.spec, { baseDir: task.baseDir });
  if (E.isLeft(p))
    return { ok: false, failure: { kind: 'invalid', message: `not a valid experiment: ${describe(p.left)}` } };
  const resume = existsSync(join(task.dir, 'spec.json'));
  // A folder without its spec.json was left by an attempt killed before it wrote anything worth keeping.
  if (!resume && existsSync(task.dir)) rmSync(task.dir, { recursive: true, force: true });
  // A run set to fewer epochs than the task's (a study being extended) continues to them from its last checkpoint.
  const recorded = resume ? recordedEpochs(task.dir) : undefined;
  const extend = recorded !== undefined && recorded < task.spec.train.epochs;
  const r = await p.right.run({
    ...(resume ? { resume: task.dir } : { out: task.dir }),
    ...(extend ? { extend: true } : {}),
    ...(settings.engine !== undefined ? { engine: settings.engine } : {}),
    ...(settings.takeOverLock === true ? { forceUnlock: true } : {}),
    // The study draws the plots and tables once over all its runs, and can rerun a run whose files are lost.
    report: false,
    durable: false,
    onEvent,
    ...(onProgress !== undefined ? { onProgress } : {}),
    signal,
  })();
  if (E.isRight(r)) return { ok: true, skipped: false };
  const error = r.left;
  const kind = error._tag === 'interrupted' ? 'interrupted' : error._tag === 'data-error' ? 'invalid' : 'failed';
  return { ok: false, failure: { kind, message: error.message, error } };
};
