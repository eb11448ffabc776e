/**
 * The study directory's metrics.csv and events.jsonl, gathered from its runs' own while the study runs: a
 * run's rows and events are appended as soon as it has finished, in a sequential run's order (a run that
 * finishes before an earlier one waits for it), named by the study's arm and point and repeat. Rows and
 * epoch events are rewritten as text (only their arm and repeat change), not parsed: appending a run costs
 * about a copy of its files. Both files are written under temporary names and renamed into place at the
 * end, so a reader sees the previous complete merge (of a study being resumed) or the new one.
 */
import { closeSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { addInsertionEvents, addMetricRows, csvField, csvFields, runRecords, type RunRecords } from '@sprout/pipeline';
import { taskFolder, type RunTask } from './tasks.js';

export interface StudyMerger {
  /** Run `index` has finished: its files no longer change. */
  readonly finished: (index: number) => void;
  /** Append every run not appended yet (finished or not), then put both files in place. */
  readonly finish: () => void;
  /** Close and remove the temporary files. */
  readonly abandon: () => void;
  /**
   * The rows and insertions appended so far, as `report` reads them (the study's summary and plots are drawn
   * from them without reading the merged files back), or why a run's metrics.csv has a row that is not a run's.
   */
  readonly records: () => E.Either<string, RunRecords>;
}

/** The lines of a file that end with a newline (a last line cut short by a kill is left out); none if it is missing. */
const completeLines = (path: string): string[] => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const lines = text.split('\n');
  lines.pop();
  return lines.filter((l) => l.length > 0);
};

/** Where the third field of a CSV line starts (after arm and repeat), or -1. */
const afterTwoFields = (line: string): number => {
  let i = 0;
  if (line[0] === '"') {
    i = 1;
    for (;;) {
      const q = line.indexOf('"', i);
      if (q < 0) return -1;
      if (line[q + 1] === '"') i = q + 2;
      else {
        i = q + 1;
        break;
      }
    }
    if (line[i] !== ',') return -1;
  } else {
    i = line.indexOf(',');
    if (i < 0) return -1;
  }
  const j = line.indexOf(',', i + 1);
  return j < 0 ? -1 : j + 1;
};

/**
 * metrics.csv rows of `task`'s run under the study's `header`, named as in the study; they are added to
 * `records` as well (a row that is not a run's: why, naming the run's file, line and column).
 */
const metricRows = (
  task: RunTask,
  header: readonly string[],
  records: RunRecords,
): { readonly text: string; readonly problem?: string } => {
  const file = join(task.dir, 'metrics.csv');
  const [first, ...rows] = completeLines(file);
  if (first === undefined) return { text: '' };
  const prefix = `${csvField(task.name)},${task.repeat},`;
  let out = '';
  let wrong: ReturnType<typeof addMetricRows>;
  if (first === header.join(',') && header[0] === 'arm' && header[1] === 'repeat') {
    // The run wrote the study's columns: only its arm and repeat change.
    for (const row of rows) {
      const rest = afterTwoFields(row);
      if (rest > 0) out += `${prefix}${row.slice(rest)}\n`;
    }
    wrong = addMetricRows(records, header, rows, { arm: task.name, repeat: task.repeat });
  } else {
    const h = csvFields(first);
    const lines: string[] = [];
    for (const line of rows) {
      const row = csvFields(line);
      if (row.length !== h.length) continue;
      const value = (c: string): string =>
        c === 'arm' ? task.name : c === 'repeat' ? String(task.repeat) : (row[h.indexOf(c)] ?? '');
      lines.push(header.map((c) => csvField(value(c))).join(','));
    }
    for (const line of lines) out += `${line}\n`;
    wrong = addMetricRows(records, header, lines);
  }
  return wrong === undefined
    ? { text: out }
    : { text: out, problem: `${file}:${wrong.line + 2}:${wrong.column + 1}: ${wrong.message}` };
};

const EPOCH_END = '"_tag":"epoch-end"';

/**
 * events.jsonl lines of `task`'s run, named as in the study, without the run's own started/finished/failed;
 * its insertions are added to `records`.
 */
const eventLines = (task: RunTask, records: RunRecords): string => {
  const other: string[] = [];
  let out = '';
  // How the run named itself in its events ("arm":…,"repeat":…,), learnt from its first parsed event.
  let own: string | undefined;
  const study = `"arm":${JSON.stringify(task.name)},"repeat":${task.repeat},`;
  for (const line of completeLines(join(task.dir, 'events.jsonl'))) {
    // Epoch events are nearly all of a run's events: their name is replaced in the text.
    if (own !== undefined && line.includes(EPOCH_END)) {
      const at = line.indexOf(own);
      if (at >= 0) {
        out += `${line.slice(0, at)}${study}${line.slice(at + own.length)}\n`;
        continue;
      }
    }
    let e: Record<string, unknown>;
    try {
      e = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (e['_tag'] === 'started' || e['_tag'] === 'finished' || e['_tag'] === 'failed') continue;
    if ('arm' in e) {
      own ??= `"arm":${JSON.stringify(e['arm'])},"repeat":${JSON.stringify(e['repeat'])},`;
      Object.assign(e, { arm: task.name, repeat: task.repeat }, e['_tag'] === 'run-start' ? { index: task.index } : {});
      // A checkpoint's file, relative to the run's folder, as a path in the study's directory.
      if (e['_tag'] === 'checkpoint' && typeof e['file'] === 'string')
        e['file'] = join(taskFolder(task.name, task.seed), e['file']);
    }
    const named = JSON.stringify(e);
    other.push(named);
    out += `${named}\n`;
  }
  addInsertionEvents(records, other);
  return out;
};

const write = (fd: number, text: string): void => {
  const bytes = Buffer.from(text, 'utf8');
  let written = 0;
  while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
};

/** Temporary files of a merge that did not end (its process was killed). */
const STALE = /^(metrics\.csv|events\.jsonl)\.tmp-\d+$/;

/**
 * A merger of `tasks`' files into `dir`'s metrics.csv (with the columns `header`, written at once, so a
 * study without any run that trained still has it) and events.jsonl.
 */
export const studyMerger = (dir: string, header: readonly string[], tasks: readonly RunTask[]): StudyMerger => {
  for (const f of readdirSync(dir)) if (STALE.test(f)) rmSync(join(dir, f), { force: true });
  const metricsTmp = join(dir, `metrics.csv.tmp-${process.pid}`);
  const eventsTmp = join(dir, `events.jsonl.tmp-${process.pid}`);
  const metrics = openSync(metricsTmp, 'w');
  const events = openSync(eventsTmp, 'w');
  let open = true;
  const close = (): void => {
    if (!open) return;
    open = false;
    closeSync(metrics);
    closeSync(events);
  };
  write(metrics, `${header.join(',')}\n`);
  const done = new Set<number>();
  let next = 0; // tasks[0 … next-1] are appended
  let failure: unknown;
  const records = runRecords();
  let problem: string | undefined;
  const append = (): void => {
    const task = tasks[next++]!;
    const rows = metricRows(task, header, records);
    problem ??= rows.problem;
    write(metrics, rows.text);
    write(events, eventLines(task, records));
  };
  return {
    finished: (index) => {
      if (!open || failure !== undefined) return;
      done.add(index);
      try {
        while (next < tasks.length && done.has(tasks[next]!.index)) append();
      } catch (e) {
        failure = e; // reported by `finish`; the study's runs go on
      }
    },
    finish: () => {
      try {
        if (failure !== undefined) throw failure;
        while (next < tasks.length) append();
      } finally {
        close();
      }
      renameSync(metricsTmp, join(dir, 'metrics.csv'));
      renameSync(eventsTmp, join(dir, 'events.jsonl'));
    },
    abandon: () => {
      close();
      rmSync(metricsTmp, { force: true });
      rmSync(eventsTmp, { force: true });
    },
    records: () => (problem === undefined ? E.right(records) : E.left(problem)),
  };
};
