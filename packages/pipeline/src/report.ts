/**
 * `report`: the tables and plots of one or several finished (or interrupted) run directories, regenerated
 * from their saved outputs without training. The learning curves and the final metrics come from
 * metrics.csv (the last row of each arm × seed is its final epoch), the insertions and sensitivities from
 * events.jsonl, the experiment's name and report settings from spec.json. One directory: its curves.svg,
 * sensitivities.svg and final.csv are written again (to `out`, default the run directory). Several: one
 * comparison table and one plot with the curves of every run, arms named `<experiment> / <arm>` (or
 * `<label> / <arm>` with `labels`).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { decodeExperiment, type Experiment } from '@sprout/spec';
import * as E from 'fp-ts/lib/Either.js';
import type { TaskEither } from 'fp-ts/lib/TaskEither.js';
import type { ArmSummary, EpochMetrics, RunId } from './Pipeline.js';
import {
  architectureSvg,
  curvesSvg,
  insertionMark,
  sensitivitiesSvg,
  sensitivityBars,
  type CurvePoint,
  type InsertionLayers,
  type InsertionMark,
  type SensitivityBar,
} from './internal/plot.js';
import { csvFields } from './csv.js';
import { FORMER_COLUMN_NAMES, METRIC_COLUMNS, metricColumns } from './internal/outputs.js';
import { writeFileAtomic } from './internal/atomic-write.js';
import { armSummary, finalTable, markBest, type PointOf } from './internal/summary.js';
import { armPlans, metricColumnOptions, pointOf } from './internal/plan.js';

/** The columns of the metrics.csv that a run of `spec` writes (all its arms and sweep points), in order. */
export const metricsHeader = (spec: Experiment): readonly string[] => metricColumns(metricColumnOptions(spec));

export interface ReportOptions {
  /** Folder the tables and plots go to. @default the run directory (one), `report` (several) */
  readonly out?: string;
  /** Write the files; otherwise only return the result. @default true */
  readonly write?: boolean;
  /**
   * With several directories, the name of each run in rows and legends (`<label> / <arm>`), in the order of
   * `dirs`; missing ones take the default. @default each run's experiment name (made unique with `#2`, …)
   */
  readonly labels?: readonly string[];
  /**
   * One directory: its rows and insertion events as already read (`runRecords`, filled by a study while it
   * merges its runs' files), instead of reading its metrics.csv and events.jsonl back.
   */
  readonly records?: RunRecords;
}

/** What `report` reads from a run directory's metrics.csv (its rows) and events.jsonl (its insertions). */
export interface RunRecords {
  readonly rows: (RunId & EpochMetrics)[];
  readonly insertions: InsertionMark[];
  readonly bars: SensitivityBar[];
}

/** Records to fill with `addMetricRows` and `addInsertionEvents`. */
export const runRecords = (): RunRecords => ({ rows: [], insertions: [], bars: [] });

export type ReportError =
  /** A run directory lacks a file or holds one that cannot be read. */
  | { readonly _tag: 'invalid-run-dir'; readonly dir: string; readonly message: string }
  | { readonly _tag: 'output-error'; readonly path: string; readonly message: string };

export interface ReportResult {
  /** Where the files were written (undefined with `write: false`). */
  readonly outDir: string | undefined;
  /** Per arm (`<experiment> / <arm>` with several directories): the final metrics, as in summary.json. */
  readonly arms: readonly ArmSummary[];
  /** The comparison table as CSV (final.csv). */
  readonly table: string;
  /** The files written. */
  readonly files: readonly string[];
}

interface LoadedRun extends RunRecords {
  readonly name: string;
  readonly plots: readonly string[];
  readonly tables: readonly string[];
  /** The arm and sweep point of each (arm, point) name, from spec.json (empty without a sweep). */
  readonly points: ReadonlyMap<string, PointOf>;
}

/** What each metrics column may hold: a count, a finite measurement, or a fraction in [0, 1]. */
type ColumnKind = 'count' | 'measure' | 'fraction';
const COLUMN_KINDS: Readonly<Record<string, ColumnKind>> = {
  repeat: 'count',
  seed: 'count',
  epoch: 'count',
  parameter_count: 'count',
  train_loss: 'measure',
  test_loss: 'measure',
  step_size: 'measure',
  seconds: 'measure',
  test_error_fraction: 'fraction',
};

/**
 * Why a metrics row cannot be the output of a run (with the 0-based column at fault), or undefined; the
 * checked columns' numbers go to `values`, in `checked`'s order. A loss may be `NaN` (a diverged run), but a
 * number too large for a float (`1e400`, read as Infinity) or a test error outside [0, 1] is a damaged or
 * hand-edited file, not a result.
 */
const rowProblem = (
  fields: readonly string[],
  checked: readonly { readonly column: number; readonly name: string; readonly kind: ColumnKind }[],
  values: number[],
): { column: number; message: string } | undefined => {
  for (let j = 0; j < checked.length; j++) {
    const { column, name, kind } = checked[j]!;
    const text = fields[column] ?? '';
    const x = Number(text);
    values[j] = x;
    if (kind === 'measure' && text === 'NaN') continue;
    // Only blank text (or none) reads as 0 without being a number.
    if (Number.isNaN(x) || (x === 0 && text.trim() === ''))
      return { column, message: `${name} ${JSON.stringify(text)} is not a number` };
    if (!Number.isFinite(x)) return { column, message: `${name} ${text} is out of the range of a number` };
    if (kind === 'count' && !(Number.isInteger(x) && x >= 0))
      return { column, message: `${name} ${text} is not a whole number ≥ 0` };
    if (kind === 'fraction' && !(x >= 0 && x <= 1))
      return { column, message: `${name} ${text} is outside [0, 1] (a fraction of the test set)` };
  }
  return undefined;
};

/**
 * Adds the validation metrics of a row to it, when metrics.csv has their columns (`loss`, `error`: their
 * indices, -1 without) and the row's run held a validation set out (an empty field otherwise); a value that
 * is not a number, or an error outside [0, 1], is left out.
 */
const addValidation = (row: EpochMetrics, fields: readonly string[], lossAt: number, errorAt: number): void => {
  if (lossAt < 0 || errorAt < 0) return;
  const loss = fields[lossAt] ?? '';
  const error = fields[errorAt] ?? '';
  if (loss.trim() === '' || error.trim() === '') return;
  const l = Number(loss);
  const e = Number(error);
  if (Number.isNaN(e) || !(e >= 0 && e <= 1) || (Number.isNaN(l) && loss !== 'NaN')) return;
  Object.assign(row, { validationLoss: l, validationError: e });
};

/**
 * Adds the rows of a metrics.csv to `records`: `header` (its first line, split) and the lines after it; a row
 * with too few or too many fields (a line cut short by a kill) is left out. `as`: the arm and repeat the rows
 * are given instead of their own (a study's run). A row that cannot be the output of a run stops the reading:
 * its 0-based index among `lines`, column and why.
 */
export const addMetricRows = (
  records: RunRecords,
  header: readonly string[],
  lines: readonly string[],
  as?: { readonly arm: string; readonly repeat: number },
): { readonly line: number; readonly column: number; readonly message: string } | undefined => {
  // A column by name, or by the name an older Sprout gave it (test_error before test_error_fraction).
  const col = (name: string): number => {
    const i = header.indexOf(name);
    return i >= 0 || FORMER_COLUMN_NAMES[name] === undefined ? i : header.indexOf(FORMER_COLUMN_NAMES[name]);
  };
  // The columns each row is checked in, named as the file names them (an older file: test_error).
  const names = Object.keys(COLUMN_KINDS);
  const checked = Object.entries(COLUMN_KINDS).map(([name, kind]) => ({
    column: col(name),
    name: header[col(name)] ?? name,
    kind,
  }));
  // Where each checked column's number lands in `values`.
  const at = (name: string): number => names.indexOf(name);
  // METRIC_COLUMNS after 'arm', in their order.
  const [repeat, seed, epoch, trainLoss, testLoss, testError, stepSize, parameterCount, seconds] = METRIC_COLUMNS.slice(
    1,
  ).map(at) as [number, number, number, number, number, number, number, number, number];
  const arm = col('arm');
  const lossAt = col('validation_loss');
  const errorAt = col('validation_error_fraction');
  const values: number[] = [];
  for (let k = 0; k < lines.length; k++) {
    const f = csvFields(lines[k]!);
    if (f.length !== header.length) continue; // a line cut short by a kill
    const wrong = rowProblem(f, checked, values);
    if (wrong !== undefined) return { line: k, ...wrong };
    const row: RunId & EpochMetrics = {
      arm: as?.arm ?? f[arm]!,
      repeat: as?.repeat ?? values[repeat]!,
      seed: values[seed]!,
      epoch: values[epoch]!,
      trainLoss: values[trainLoss]!,
      testLoss: values[testLoss]!,
      testError: values[testError]!,
      stepSize: values[stepSize]!,
      parameterCount: values[parameterCount]!,
      seconds: values[seconds]!,
    };
    addValidation(row, f, lossAt, errorAt);
    records.rows.push(row);
  }
  return undefined;
};

/** Adds the insertions (curve marks and sensitivity bars) among events.jsonl `lines` to `records`. */
export const addInsertionEvents = (records: RunRecords, lines: readonly string[]): void => {
  for (const line of lines) {
    // Only insertions matter here; the text test spares parsing the (many) other events.
    if (!line.includes('insertion')) continue;
    let e: {
      _tag?: string;
      arm?: string;
      seed?: number;
      epoch?: number;
      chosen?: number | null;
      positions?: { index: number; description: string; sensitivity: number }[];
      layers?: InsertionLayers;
    };
    try {
      e = JSON.parse(line) as typeof e;
    } catch {
      continue;
    }
    if (e._tag !== 'insertion' || e.arm === undefined || e.seed === undefined || e.epoch === undefined) continue;
    const mark = insertionMark({ ...e, arm: e.arm, seed: e.seed, epoch: e.epoch });
    if (mark !== undefined) records.insertions.push(mark);
    records.bars.push(
      ...sensitivityBars({ arm: e.arm, seed: e.seed, epoch: e.epoch, chosen: e.chosen, positions: e.positions ?? [] }),
    );
  }
};

/** The columns every metrics.csv has (older names accepted), or the ones `header` lacks. */
const missingColumns = (header: readonly string[]): string[] =>
  METRIC_COLUMNS.filter(
    (n) => !header.includes(n) && (FORMER_COLUMN_NAMES[n] === undefined || !header.includes(FORMER_COLUMN_NAMES[n])),
  );

const loadRun = (dir: string, given?: RunRecords): E.Either<ReportError, LoadedRun> => {
  const bad = (message: string): E.Either<ReportError, LoadedRun> => E.left({ _tag: 'invalid-run-dir', dir, message });
  let json: unknown;
  let metrics = '';
  try {
    json = JSON.parse(readFileSync(join(dir, 'spec.json'), 'utf8'));
    if (given === undefined) metrics = readFileSync(join(dir, 'metrics.csv'), 'utf8');
  } catch (e) {
    return bad(`${dir} is not a run directory: ${e instanceof Error ? e.message : String(e)}`);
  }
  // spec.json must be the experiment a run wrote (its `run` record apart), not any JSON.
  const { run: _run, ...body } =
    typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : { run: undefined };
  const decoded = decodeExperiment(body);
  if (E.isLeft(decoded)) {
    const first = decoded.left[0];
    return bad(
      `${join(dir, 'spec.json')} is not the experiment of a run: ${first.path !== undefined && first.path.length > 0 ? `${first.path.join('.')}: ` : ''}${first.message}`,
    );
  }
  const spec = decoded.right;
  let records = given;
  if (records === undefined) {
    records = runRecords();
    const lines = metrics.split('\n').filter((l) => l.length > 0);
    const header = csvFields(lines[0] ?? '');
    const missing = missingColumns(header);
    if (missing.length > 0) return bad(`${join(dir, 'metrics.csv')} lacks the columns ${missing.join(', ')}`);
    const wrong = addMetricRows(records, header, lines.slice(1));
    if (wrong !== undefined)
      return bad(`${join(dir, 'metrics.csv')}:${wrong.line + 2}:${wrong.column + 1}: ${wrong.message}`);
    let events = '';
    try {
      events = readFileSync(join(dir, 'events.jsonl'), 'utf8');
    } catch {
      // No events: curves without insertion marks.
    }
    addInsertionEvents(records, events.split('\n'));
  }
  const list = (x: unknown): string[] => (Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : []);
  const points = new Map<string, PointOf>();
  if (spec.sweep !== undefined || spec.compare.some((a) => a.sweep !== undefined))
    try {
      for (const plan of armPlans(spec)) {
        const p = pointOf(plan);
        if (p !== undefined) points.set(plan.name, p);
      }
    } catch {
      // A spec.json whose sweep does not apply: the table without the points.
    }
  return E.right({
    points,
    name: spec.name,
    plots: list(spec.report.plots),
    tables: list(spec.report.tables),
    rows: records.rows,
    insertions: records.insertions,
    bars: records.bars,
  });
};

/** Per arm, the final metrics: the last epoch of every (arm, seed), in the order the arms first appear. */
const armSummaries = (rows: readonly (RunId & EpochMetrics)[], points: ReadonlyMap<string, PointOf>): ArmSummary[] => {
  // Per arm (in the order they first appear), per seed, the row of its last epoch.
  const last = new Map<string, Map<number, RunId & EpochMetrics>>();
  for (const r of rows) {
    const seeds = last.get(r.arm) ?? last.set(r.arm, new Map()).get(r.arm)!;
    const prev = seeds.get(r.seed);
    if (prev === undefined || r.epoch >= prev.epoch) seeds.set(r.seed, r);
  }
  return markBest(
    [...last].map(([arm, seeds]) =>
      armSummary(
        arm,
        [...seeds.values()].map(({ arm: a, repeat, seed, ...final }) => ({ arm: a, repeat, seed, final })),
        points.get(arm),
      ),
    ),
  );
};

/**
 * Run labels for the comparison: the given label, else the run's experiment name; names that repeat are
 * made unique with `#2`, `#3`, … (in the order of the directories).
 */
const labels = (runs: readonly LoadedRun[], given: readonly string[]): string[] => {
  const wanted = runs.map((r, i) => given[i] ?? r.name);
  const total = new Map<string, number>();
  for (const w of wanted) total.set(w, (total.get(w) ?? 0) + 1);
  const seen = new Map<string, number>();
  return wanted.map((w) => {
    const n = (seen.get(w) ?? 0) + 1;
    seen.set(w, n);
    return (total.get(w) ?? 0) > 1 && n > 1 ? `${w} #${n}` : w;
  });
};

/** Regenerate the tables and plots of `dirs` (one run directory, or several to compare). */
export const reportRuns =
  (dirs: readonly string[], options: ReportOptions = {}): TaskEither<ReportError, ReportResult> =>
  async () => {
    if (dirs.length === 0) return E.left({ _tag: 'invalid-run-dir', dir: '', message: 'no run directory given' });
    const abs = dirs.map((d) => resolve(d));
    const runs: LoadedRun[] = [];
    for (const d of abs) {
      const r = loadRun(d, abs.length === 1 ? options.records : undefined);
      if (E.isLeft(r)) return r;
      runs.push(r.right);
    }
    const single = runs.length === 1;
    const names = labels(runs, options.labels ?? []);
    const rename = (i: number, arm: string) => (single ? arm : `${names[i]} / ${arm}`);
    const rows = single
      ? runs[0]!.rows
      : runs.flatMap((r, i) => r.rows.map((row) => ({ ...row, arm: rename(i, row.arm) })));
    const marks = runs.flatMap((r, i) => r.insertions.map((m) => ({ ...m, arm: rename(i, m.arm) })));
    const bars = runs.flatMap((r, i) => r.bars.map((b) => ({ ...b, arm: rename(i, b.arm) })));
    const points = new Map(runs.flatMap((r, i) => [...r.points].map(([name, p]) => [rename(i, name), p] as const)));
    const arms = armSummaries(rows, points);
    const table = finalTable(arms);
    const title = single ? runs[0]!.name : `comparison: ${names.join(', ')}`;
    const files: string[] = [];
    const outDir = (options.write ?? true) ? resolve(options.out ?? (single ? abs[0]! : 'report')) : undefined;
    if (outDir !== undefined) {
      // Replaced atomically, as the run writes them (outputs.ts): a kill leaves the previous version.
      const write = (file: string, text: string) => {
        writeFileAtomic(join(outDir, file), Buffer.from(text, 'utf8'));
        files.push(join(outDir, file));
      };
      try {
        mkdirSync(outDir, { recursive: true });
        const plots = single ? runs[0]!.plots : ['curves', 'sensitivities'];
        if (plots.includes('curves') && rows.length > 0)
          write('curves.svg', await curvesSvg(title, rows as CurvePoint[], marks));
        if (plots.includes('sensitivities') && bars.length > 0)
          write('sensitivities.svg', await sensitivitiesSvg(`${title}: sensitivities`, bars));
        if (plots.includes('sensitivities') && marks.some((m) => m.layers !== undefined))
          write('architecture.svg', await architectureSvg(`${title}: architecture at each insertion`, marks));
        if (!single || runs[0]!.tables.includes('final')) write('final.csv', table);
      } catch (e) {
        return E.left({
          _tag: 'output-error',
          path: outDir,
          message: `cannot write the report to ${outDir}: ${e instanceof Error ? e.message : String(e)}`,
        });
      }
    }
    return E.right({ outDir, arms, table, files });
  };
