/**
 * A run's directory and the files in it (ARCHITECTURE.md, "A run's outputs"): spec.json, metrics.csv
 * (one row per epoch, appended as epochs end), events.jsonl (one JSON object per event, appended),
 * summary.json, curves.svg and model/. Rows and events are written synchronously as they happen (to files kept
 * open for the run), so a run that stops keeps everything written up to then. The directory is created exclusively: two runs never
 * share one.
 */
import { closeSync, fstatSync, ftruncateSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import type { EpochMetrics, RunEvent, RunId } from '../Pipeline.js';

/** Longest suffix tried when a run directory exists already (`-2` … `-999`). */
const MAX_SUFFIX = 999;

/** The columns every metrics.csv has, in order (report reads them back by name). */
export const METRIC_COLUMNS = [
  'arm',
  'repeat',
  'seed',
  'epoch',
  'train_loss',
  'test_loss',
  'test_error',
  'step_size',
  'parameter_count',
  'seconds',
];
const STEP_SIZE_COLUMNS = ['L', 'rho', 'a'];

/** A file-system-safe form of a name: letters, digits, `.`, `_` and `-`. */
export const slug = (name: string): string =>
  name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'experiment';

/** The folder of one run (arm, sweep point, seed) inside a run directory: its own spec.json lives there. */
export const runFolder = (runDir: string, name: string, seed: number): string =>
  join(runDir, 'runs', slug(name), `seed-${seed}`);

/** UTC time as `2026-11-28T02-10-33Z` (no colons, so it is a valid file name everywhere). */
export const timeStamp = (date: Date): string =>
  date
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');

/** Create `dir`, or `dir-2`, `dir-3`, … if it exists; parents are created as needed. Returns the path made. */
export const createExclusiveDir = (dir: string): string => {
  mkdirSync(dirname(dir), { recursive: true });
  for (let i = 1; i <= MAX_SUFFIX; i++) {
    const candidate = i === 1 ? dir : `${dir}-${i}`;
    try {
      mkdirSync(candidate);
      return candidate;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  throw new Error(
    `createExclusiveDir: ${dir} and its suffixes up to -${MAX_SUFFIX} exist already; choose another --out`,
  );
};

const csvField = (v: string | number): string => {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/**
 * Appends whole lines to an open file: a write that fails part-way (a full disk) is cut back off, so the
 * file never ends in half a row; the error is then rethrown.
 */
const wholeLines = (fd: number): ((line: string) => void) => {
  let end = fstatSync(fd).size;
  return (line) => {
    const bytes = Buffer.from(line, 'utf8');
    let written = 0;
    try {
      while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    } catch (e) {
      if (written > 0)
        try {
          ftruncateSync(fd, end);
        } catch {
          // The original error says more than a failed cleanup; resume drops a cut line anyway.
        }
      throw e;
    }
    end += written;
  };
};

export interface RunWriter {
  readonly dir: string;
  readonly json: (file: string, value: unknown) => void;
  readonly text: (file: string, value: string) => void;
  readonly event: (event: RunEvent) => void;
  readonly metrics: (id: RunId, m: EpochMetrics) => void;
  /** Close metrics.csv and events.jsonl (further rows and events are dropped). */
  readonly close: () => void;
}

/** Header of metrics.csv. */
export const metricColumns = (stepSizeColumns: boolean): readonly string[] =>
  stepSizeColumns ? [...METRIC_COLUMNS, ...STEP_SIZE_COLUMNS] : METRIC_COLUMNS;

/**
 * A writer for `dir`: creates metrics.csv and events.jsonl (exclusively), or with `append` (a resumed run)
 * appends to the existing ones.
 */
export const runWriter = (
  dir: string,
  options: { readonly stepSizeColumns: boolean; readonly append?: boolean },
): RunWriter => {
  const columns = metricColumns(options.stepSizeColumns);
  // Kept open for the run: a row costs one write(2), not an open, a write and a close (1850 epochs of a
  // spirals run spent ~0.1 s there). Each row still reaches the operating system when it is written.
  const flag = options.append === true ? 'a' : 'wx';
  let metricsFd: number | undefined = openSync(join(dir, 'metrics.csv'), flag);
  let eventsFd: number | undefined = openSync(join(dir, 'events.jsonl'), flag);
  const metricsLine = wholeLines(metricsFd);
  const eventLine = wholeLines(eventsFd);
  if (options.append !== true) metricsLine(`${columns.join(',')}\n`);
  return {
    dir,
    // Replaced atomically: a kill while they are written leaves the previous version.
    json: (file, value) => writeFileAtomic(join(dir, file), Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8')),
    text: (file, value) => writeFileAtomic(join(dir, file), Buffer.from(value, 'utf8')),
    event: (event) => {
      if (eventsFd !== undefined) eventLine(`${JSON.stringify({ time: new Date().toISOString(), ...event })}\n`);
    },
    metrics: (id, m) => {
      const row: (string | number)[] = [
        id.arm,
        id.repeat,
        id.seed,
        m.epoch,
        m.trainLoss,
        m.testLoss,
        m.testError,
        m.stepSize,
        m.parameterCount,
        m.seconds,
      ];
      if (options.stepSizeColumns)
        row.push(m.stepSizeState?.L ?? '', m.stepSizeState?.rho ?? '', m.stepSizeState?.a ?? '');
      if (metricsFd !== undefined) metricsLine(`${row.map(csvField).join(',')}\n`);
    },
    close: () => {
      for (const fd of [metricsFd, eventsFd]) if (fd !== undefined) closeSync(fd);
      metricsFd = eventsFd = undefined;
    },
  };
};
