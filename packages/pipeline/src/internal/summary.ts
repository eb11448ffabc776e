/**
 * The summary of an experiment's runs per (arm, sweep point): mean, spread, least and greatest of the final
 * metrics over the seeds that finished, the best point marked, and its comparison table, final.csv. Used by
 * the run (summary.json, RunResult) and by `report`, which rebuilds them from metrics.csv. No TensorFlow.js.
 */
import type { SweepValue } from '@sprout/spec';
import type { ArmSummary, EpochMetrics, RunId } from '../Pipeline.js';
import { csvField } from '../csv.js';
import { spread } from './stats.js';

const FINAL_METRICS = ['trainLoss', 'testLoss', 'testError', 'parameterCount', 'seconds'] as const;

/** Which arm and sweep point a summary belongs to (absent without a sweep). */
export interface PointOf {
  readonly group: string;
  readonly point: Readonly<Record<string, SweepValue>>;
}

/** The summary of `arm` from the final metrics of its runs (one per finished seed); `best` is decided by `markBest`. */
export const armSummary = (
  arm: string,
  runs: readonly (RunId & { readonly final: EpochMetrics })[],
  of?: PointOf,
): ArmSummary => {
  const over = (k: (typeof FINAL_METRICS)[number]) => spread(runs.map((r) => r.final[k]));
  const validated = runs.length > 0 && runs.every((r) => r.final.validationLoss !== undefined);
  return {
    arm,
    ...(of === undefined ? {} : { group: of.group, point: of.point }),
    runs,
    finished: runs.length,
    best: false,
    final: {
      trainLoss: over('trainLoss'),
      testLoss: over('testLoss'),
      testError: over('testError'),
      parameterCount: over('parameterCount'),
      seconds: over('seconds'),
      ...(validated
        ? {
            validationLoss: spread(runs.map((r) => r.final.validationLoss ?? Number.NaN)),
            validationError: spread(runs.map((r) => r.final.validationError ?? Number.NaN)),
          }
        : {}),
      epochs: spread(runs.map((r) => r.final.epoch)),
    },
  };
};

/**
 * Marks the best of two or more summaries: the lowest mean final test error among those with a finished
 * run, the lower mean test loss breaking a tie.
 */
export const markBest = (arms: readonly ArmSummary[]): ArmSummary[] => {
  const candidates = arms.filter((a) => a.finished > 0 && Number.isFinite(a.final.testError.mean));
  if (arms.length < 2 || candidates.length === 0) return [...arms];
  const best = candidates.reduce((b, a) =>
    a.final.testError.mean < b.final.testError.mean ||
    (a.final.testError.mean === b.final.testError.mean && a.final.testLoss.mean < b.final.testLoss.mean)
      ? a
      : b,
  );
  return arms.map((a) => (a === best ? { ...a, best: true } : a));
};

/**
 * The comparison table (`table final`) as CSV: per (arm, point) its arm and point, the seeds that finished,
 * and the mean, spread, least and greatest of every final metric; `best` is 1 on the best row.
 */
/** A metric's name in final.csv: errors say that they are fractions, as in metrics.csv. */
const columnName = (metric: string): string => (metric.endsWith('Error') ? `${metric}Fraction` : metric);

export const finalTable = (arms: readonly ArmSummary[]): string => {
  // The validation columns only when some (arm, point) has a validation set.
  const validation = arms.some((a) => a.final.validationLoss !== undefined)
    ? (['validationLoss', 'validationError'] as const)
    : [];
  const header = [
    'arm',
    'group',
    'point',
    'runs',
    'best',
    ...[...FINAL_METRICS, ...validation]
      .map(columnName)
      .flatMap((c) => [`${c}_mean`, `${c}_std`, `${c}_min`, `${c}_max`]),
  ];
  const label = (p: ArmSummary['point']) =>
    p === undefined
      ? ''
      : Object.entries(p)
          .map(([k, v]) => `${k}=${String(v)}`)
          .join(' ');
  const rows = arms.map((a) => [
    csvField(a.arm),
    csvField(a.group ?? a.arm),
    csvField(label(a.point)),
    String(a.finished),
    a.best ? '1' : '0',
    ...FINAL_METRICS.flatMap((c) => [a.final[c].mean, a.final[c].std, a.final[c].min, a.final[c].max].map(String)),
    ...validation.flatMap((c) => {
      const v = a.final[c];
      return v === undefined ? ['', '', '', ''] : [v.mean, v.std, v.min, v.max].map(String);
    }),
  ]);
  return [header, ...rows].map((r) => r.join(',')).join('\n') + '\n';
};
