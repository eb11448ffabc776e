/**
 * A run's directory and the files in it (ARCHITECTURE.md, "A run's outputs"): spec.json, metrics.csv
 * (one row per epoch, appended as epochs end), events.jsonl (one JSON object per event, appended),
 * summary.json, curves.svg and model/. Rows and events are written as they happen, held back at most 100 ms
 * and written before every checkpoint (to files kept open for the run), so a run that stops keeps everything
 * up to then, and a killed one everything up to its last checkpoint. The directory is created exclusively: two runs never
 * share one. Where the files live is the host's (RunFiles): a disk in Node, memory in a browser.
 */

const utf8 = new TextEncoder();
import type { EpochMetrics, RunEvent, RunId } from '../Pipeline.js';
import type { RunFiles } from '../host.js';
import { csvField } from '../csv.js';

/** Longest suffix tried when a run directory exists already (`-2` … `-999`). */
const MAX_SUFFIX = 999;

/**
 * The columns every metrics.csv has, in order (report reads them back by name). Errors are fractions of the
 * examples in [0, 1], and their columns say so; tables, the terminal and plots show them as percentages.
 */
export const METRIC_COLUMNS = [
  'arm',
  'repeat',
  'seed',
  'epoch',
  'train_loss',
  'test_loss',
  'test_error_fraction',
  'step_size',
  'parameter_count',
  'seconds',
];
const STEP_SIZE_COLUMNS = ['L', 'rho', 'a'];
/** After the step-size columns, in runs with a validation set. */
const VALIDATION_COLUMNS = ['validation_loss', 'validation_error_fraction'];

/** Which optional columns a run's metrics.csv has. */
export interface MetricColumnOptions {
  /** The adaptive controller's L, rho, a. */
  readonly stepSizeColumns: boolean;
  /** validation_loss, validation_error_fraction. */
  readonly validationColumns: boolean;
}

/** A file-system-safe form of a name: letters, digits, `.`, `_` and `-`. */
export const slug = (name: string): string =>
  name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'experiment';

/** The folder of one run (arm, sweep point, seed) inside a run directory: its own spec.json lives there. */
export const runFolder = (files: RunFiles, runDir: string, name: string, seed: number): string =>
  files.join(runDir, 'runs', slug(name), `seed-${seed}`);

/** UTC time as `2026-11-28T02-10-33Z` (no colons, so it is a valid file name everywhere). */
export const timeStamp = (date: Date): string =>
  date
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');

/** Create `dir`, or `dir-2`, `dir-3`, … if it exists; parents are created as needed. Returns the path made. */
export const createExclusiveDir = (
  files: RunFiles,
  dir: string,
  options: { readonly given?: boolean } = {},
): string => {
  files.mkdirs(files.dirname(dir));
  // A folder the user named: made, or taken when it exists and is empty; never another name in its place.
  if (options.given === true) {
    if (files.mkdirExclusive(dir) || files.list(dir).length === 0) return dir;
    throw new Error(`${dir} exists and is not empty; give a new or empty folder to --out`);
  }
  for (let i = 1; i <= MAX_SUFFIX; i++) {
    const candidate = i === 1 ? dir : `${dir}-${i}`;
    if (files.mkdirExclusive(candidate)) return candidate;
  }
  throw new Error(
    `createExclusiveDir: ${dir} and its suffixes up to -${MAX_SUFFIX} exist already; choose another --out`,
  );
};

export interface RunWriter {
  readonly dir: string;
  readonly json: (file: string, value: unknown) => void;
  readonly text: (file: string, value: string) => void;
  readonly event: (event: RunEvent) => void;
  readonly metrics: (id: RunId, m: EpochMetrics) => void;
  /** Write out the rows and events held back (before a checkpoint, so the files hold every row up to it). */
  readonly flush: () => void;
  /** Flush, then close metrics.csv and events.jsonl (further rows and events are dropped). */
  readonly close: () => void;
}

/** Longest time (ms) rows and events are held back before they are written: one write per file per interval. */
const FLUSH_INTERVAL_MS = 100;

/** Header of metrics.csv. */
export const metricColumns = (options: MetricColumnOptions): readonly string[] => [
  ...METRIC_COLUMNS,
  ...(options.stepSizeColumns ? STEP_SIZE_COLUMNS : []),
  ...(options.validationColumns ? VALIDATION_COLUMNS : []),
];

/**
 * A writer for `dir`: creates metrics.csv and events.jsonl (exclusively), or with `append` (a resumed run)
 * appends to the existing ones.
 */
export const runWriter = (
  files: RunFiles,
  dir: string,
  options: MetricColumnOptions & { readonly append?: boolean; readonly durable?: boolean },
): RunWriter => {
  const columns = metricColumns(options);
  const durable = options.durable ?? true;
  // Kept open for the run. Rows and events are held back at most FLUSH_INTERVAL_MS (two write calls per
  // epoch of a tiny net cost more than its training), and always written before a checkpoint, so a killed
  // run loses none that its resume keeps.
  const mode = options.append === true ? 'append' : 'create';
  const metricsFile = files.openLines(files.join(dir, 'metrics.csv'), mode);
  const eventsFile = files.openLines(files.join(dir, 'events.jsonl'), mode);
  if (options.append !== true) metricsFile.write(`${columns.join(',')}\n`);
  let rows = '';
  let events = '';
  let flushed = performance.now();
  const flush = (): void => {
    flushed = performance.now();
    if (rows !== '') {
      const text = rows;
      rows = '';
      metricsFile.write(text);
    }
    if (events !== '') {
      const text = events;
      events = '';
      eventsFile.write(text);
    }
  };
  const due = (): void => {
    if (performance.now() - flushed >= FLUSH_INTERVAL_MS) flush();
  };
  return {
    dir,
    // Replaced atomically: a kill while they are written leaves the previous version.
    json: (file, value) =>
      files.writeAtomic(files.join(dir, file), utf8.encode(`${JSON.stringify(value, null, 2)}\n`), { durable }),
    text: (file, value) => files.writeAtomic(files.join(dir, file), utf8.encode(value), { durable }),
    // The object written is `{ time, ...event }`, spelt out as text (no copy of the event).
    event: (event) => {
      events += `{"time":"${new Date().toISOString()}",${JSON.stringify(event).slice(1)}\n`;
      due();
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
      if (options.validationColumns) row.push(m.validationLoss ?? '', m.validationError ?? '');
      rows += `${row.map(csvField).join(',')}\n`;
      due();
    },
    flush,
    close: () => {
      try {
        flush();
      } finally {
        metricsFile.close();
        eventsFile.close();
      }
    },
  };
};

/** The names an older Sprout wrote for columns since renamed (report still reads such metrics.csv files). */
export const FORMER_COLUMN_NAMES: Readonly<Record<string, string>> = {
  test_error_fraction: 'test_error',
  validation_error_fraction: 'validation_error',
};
