/**
 * A study's run directory: spec.json (the whole experiment, with a `run` record saying it is a study) and
 * `runs/<arm and point>/seed-<s>/`, one folder per run written by whichever worker ran it. The runs'
 * metrics.csv and events.jsonl are gathered into the directory's own as they finish (merge.ts: named by arm
 * and point, in a sequential run's order); at the end summary.json, final.csv and the plots are written as a
 * sequential run would (through @sprout/pipeline's `reportRuns`, from the rows and insertions gathered while
 * merging), once for the whole study, so `sprout report` and every tool reading a run directory work unchanged.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { metricsHeader, reportRuns, type RunResult } from '@sprout/pipeline';
import type { Experiment } from '@sprout/spec';
import { studyMerger, type StudyMerger } from './merge.js';
import type { RunTask } from './tasks.js';

/** How a study directory was run: local worker processes or a queue. */
export interface StudyRecord {
  readonly mode: 'jobs' | 'queue';
  readonly jobs?: number;
  readonly queue?: string;
}

/** Create `dir`, or `dir-2`, `dir-3`, … when it exists. */
export const createStudyDir = (dir: string): string => {
  mkdirSync(dirname(dir), { recursive: true });
  for (let i = 1; i < 1000; i++) {
    const candidate = i === 1 ? dir : `${dir}-${i}`;
    try {
      mkdirSync(candidate);
      return candidate;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  throw new Error(`${dir} and its suffixes up to -999 exist already; choose another --out`);
};

const writeAtomic = (path: string, text: string): void => {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
};

/** spec.json of a study: the experiment and its `run` record (seeds, where data is read from, how it runs). */
export const writeStudySpec = (
  dir: string,
  spec: Experiment,
  record: { seeds: readonly number[]; baseDir: string; started: string; study: StudyRecord },
): void => writeAtomic(join(dir, 'spec.json'), `${JSON.stringify({ ...spec, run: record }, null, 2)}\n`);

/**
 * spec.json of a study extended to more epochs (`sprout run --resume DIR --epochs N`): the extended experiment,
 * with its `run` record kept and an `extended` entry saying which epochs it had before (as a single run records it).
 */
export const writeExtendedStudySpec = (dir: string, spec: Experiment, at: Date): void => {
  const before = JSON.parse(readFileSync(join(dir, 'spec.json'), 'utf8')) as {
    run?: Record<string, unknown>;
    train?: { epochs?: unknown };
    compare?: readonly { train?: { epochs?: unknown } }[];
  };
  const record = before.run ?? {};
  const from = {
    base: before.train?.epochs ?? null,
    arms: (before.compare ?? []).map((a) => a.train?.epochs ?? null),
  };
  const extended = [...(Array.isArray(record['extended']) ? record['extended'] : []), { from, at: at.toISOString() }];
  writeAtomic(join(dir, 'spec.json'), `${JSON.stringify({ ...spec, run: { ...record, extended } }, null, 2)}\n`);
};

/** The `study` record of a run directory's spec.json, when it was run as a study. */
export const studyRecord = (dir: string): StudyRecord | undefined => {
  try {
    const json = JSON.parse(readFileSync(join(dir, 'spec.json'), 'utf8')) as { run?: { study?: StudyRecord } };
    return json.run?.study;
  } catch {
    return undefined;
  }
};

/**
 * Where the runs of a study trained, from their own spec.json: the backend and native threads all of them
 * recorded; `mixed` (with each backend's number of runs in `backends`) when queue workers on different
 * machines used different ones; undefined before any run started.
 */
export const runsMachine = (
  tasks: readonly RunTask[],
): { backend: string; backends?: Record<string, number>; threads?: number } | undefined => {
  const backends: Record<string, number> = {};
  const threads = new Set<unknown>();
  for (const t of tasks) {
    let run: { backend?: unknown; threads?: unknown } | undefined;
    try {
      run = (JSON.parse(readFileSync(join(t.dir, 'spec.json'), 'utf8')) as { run?: typeof run }).run;
    } catch {
      continue; // not started
    }
    if (typeof run?.backend !== 'string') continue;
    backends[run.backend] = (backends[run.backend] ?? 0) + 1;
    threads.add(run.threads);
  }
  const names = Object.keys(backends);
  if (names.length === 0) return undefined;
  const [only] = threads;
  return {
    backend: names.length === 1 ? names[0]! : 'mixed',
    ...(names.length > 1 ? { backends } : {}),
    ...(threads.size === 1 && typeof only === 'number' ? { threads: only } : {}),
  };
};

/** spec.json's `run` record with where the runs trained (`runsMachine`), as a single run's records it. */
const recordMachine = (dir: string, tasks: readonly RunTask[]): void => {
  const machine = runsMachine(tasks);
  if (machine === undefined) return;
  const json = JSON.parse(readFileSync(join(dir, 'spec.json'), 'utf8')) as { run?: Record<string, unknown> };
  const { backend: _b, backends: _bs, threads: _t, ...record } = json.run ?? {};
  writeAtomic(join(dir, 'spec.json'), `${JSON.stringify({ ...json, run: { ...record, ...machine } }, null, 2)}\n`);
};

export type StudyStatus = 'finished' | 'interrupted' | 'failed';

/**
 * Merge the runs (the rest of them, with the `merger` that took them as they finished), write the tables,
 * plots and summary.json of the study directory, and return the study's result (the per-(arm, point)
 * summaries over the runs that finished).
 */
export const finishStudy = async (
  dir: string,
  spec: Experiment,
  tasks: readonly RunTask[],
  status: StudyStatus,
  seconds: number,
  failures: readonly { readonly name: string; readonly seed: number; readonly message: string }[] = [],
  merger: StudyMerger = studyMerger(dir, metricsHeader(spec), tasks),
): Promise<E.Either<string, RunResult>> => {
  merger.finish();
  recordMachine(dir, tasks);
  // The rows and insertions the merger gathered: the merged files are not read back.
  const records = merger.records();
  if (E.isLeft(records)) return records;
  const r = await reportRuns([dir], { records: records.right })();
  if (E.isLeft(r)) return E.left(r.left.message);
  const result: RunResult = {
    experiment: spec.name,
    backend: runsMachine(tasks)?.backend ?? 'unknown',
    outDir: dir,
    arms: r.right.arms,
    seconds,
  };
  writeAtomic(
    join(dir, 'summary.json'),
    `${JSON.stringify({ status, ...result, ...(failures.length > 0 ? { failures } : {}) }, null, 2)}\n`,
  );
  return E.right(result);
};

/** Whether `dir` holds a study (its spec.json records one). */
export const isStudyDir = (dir: string): boolean =>
  existsSync(join(dir, 'spec.json')) && studyRecord(dir) !== undefined;
