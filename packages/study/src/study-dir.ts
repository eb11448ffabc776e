/**
 * A study's run directory: spec.json (the whole experiment, with a `run` record saying it is a study) and
 * `runs/<arm and point>/seed-<s>/`, one folder per run written by whichever worker ran it. Merging gathers
 * the runs' metrics.csv and events.jsonl into the directory's own (named by arm and point, in a sequential
 * run's order), and writes summary.json, final.csv and the plots as a sequential run would (through
 * @sprout/pipeline's `reportRuns`), so `sprout report` and every tool reading a run directory work unchanged.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { reportRuns, type RunResult } from '@sprout/pipeline';
import type { Experiment } from '@sprout/spec';
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

/** Fields of one CSV line as written by the pipeline (quotes around fields with commas, doubled quotes inside). */
const csvFields = (line: string): string[] => {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let v = '';
      i++;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') {
          v += '"';
          i += 2;
        } else if (line[i] === '"') break;
        else v += line[i++];
      }
      out.push(v);
      i += 2;
    } else {
      const j = line.indexOf(',', i);
      const end = j < 0 ? line.length : j;
      out.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return out;
};
const csvField = (v: string): string => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

const readLines = (path: string): string[] => {
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l.length > 0);
  } catch {
    return [];
  }
};

/** Gathers every run's metrics.csv and events.jsonl into the study directory's own. */
export const mergeRuns = (dir: string, tasks: readonly RunTask[]): void => {
  const tables = tasks.map((t) => {
    const lines = readLines(join(t.dir, 'metrics.csv'));
    return { task: t, header: csvFields(lines[0] ?? ''), rows: lines.slice(1).map(csvFields) };
  });
  const header: string[] = [];
  for (const { header: h } of tables) for (const c of h) if (c !== '' && !header.includes(c)) header.push(c);
  const metricsTmp = join(dir, `metrics.csv.tmp-${process.pid}`);
  const eventsTmp = join(dir, `events.jsonl.tmp-${process.pid}`);
  const metrics = openSync(metricsTmp, 'w');
  const events = openSync(eventsTmp, 'w');
  try {
    writeSync(metrics, `${header.join(',')}\n`);
    for (const { task, header: h, rows } of tables)
      for (const row of rows) {
        if (row.length !== h.length) continue; // a line cut short by a kill
        const value = (c: string): string =>
          c === 'arm' ? task.name : c === 'repeat' ? String(task.repeat) : (row[h.indexOf(c)] ?? '');
        writeSync(metrics, `${header.map((c) => csvField(value(c))).join(',')}\n`);
      }
    for (const task of tasks)
      for (const line of readLines(join(task.dir, 'events.jsonl'))) {
        let e: Record<string, unknown>;
        try {
          e = JSON.parse(line) as Record<string, unknown>;
        } catch {
          continue;
        }
        if (e['_tag'] === 'started' || e['_tag'] === 'finished' || e['_tag'] === 'failed') continue;
        if ('arm' in e)
          Object.assign(
            e,
            { arm: task.name, repeat: task.repeat },
            e['_tag'] === 'run-start' ? { index: task.index } : {},
          );
        writeSync(events, `${JSON.stringify(e)}\n`);
      }
  } finally {
    closeSync(metrics);
    closeSync(events);
  }
  renameSync(metricsTmp, join(dir, 'metrics.csv'));
  renameSync(eventsTmp, join(dir, 'events.jsonl'));
};

/** The backend the runs trained on (from their spec.json), or `unknown`. */
const backendOf = (tasks: readonly RunTask[]): string => {
  for (const t of tasks)
    try {
      const b = (JSON.parse(readFileSync(join(t.dir, 'spec.json'), 'utf8')) as { run?: { backend?: unknown } }).run
        ?.backend;
      if (typeof b === 'string') return b;
    } catch {
      // Not run yet.
    }
  return 'unknown';
};

export type StudyStatus = 'finished' | 'interrupted' | 'failed';

/**
 * Merge the runs, write the tables, plots and summary.json of the study directory, and return the study's
 * result (the per-(arm, point) summaries over the runs that finished).
 */
export const finishStudy = async (
  dir: string,
  spec: Experiment,
  tasks: readonly RunTask[],
  status: StudyStatus,
  seconds: number,
  failures: readonly { readonly name: string; readonly seed: number; readonly message: string }[] = [],
): Promise<E.Either<string, RunResult>> => {
  mergeRuns(dir, tasks);
  // No run got as far as its first metrics (every one failed at once): nothing to report but the failures.
  const trained = tasks.some((t) => existsSync(join(t.dir, 'metrics.csv')));
  const r = trained ? await reportRuns([dir])() : E.right({ arms: [] });
  if (E.isLeft(r)) return E.left(r.left.message);
  const result: RunResult = {
    experiment: spec.name,
    backend: backendOf(tasks),
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
