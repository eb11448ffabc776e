/**
 * The per-arm summary of an experiment's runs (mean and spread of the final metrics over the repeats) and
 * its comparison table, final.csv. Used by the run (summary.json, RunResult) and by `report`, which
 * rebuilds them from metrics.csv. No TensorFlow.js.
 */
import type { ArmSummary, EpochMetrics, RunId } from '../Pipeline.js';
import { spread } from './stats.js';

const FINAL_METRICS = ['trainLoss', 'testLoss', 'testError', 'parameterCount', 'seconds'] as const;

/** The summary of arm `arm` from the final metrics of its runs (one per repeat). */
export const armSummary = (arm: string, runs: readonly (RunId & { readonly final: EpochMetrics })[]): ArmSummary => {
  const of = (k: (typeof FINAL_METRICS)[number]) => spread(runs.map((r) => r.final[k]));
  return {
    arm,
    runs,
    final: {
      trainLoss: of('trainLoss'),
      testLoss: of('testLoss'),
      testError: of('testError'),
      parameterCount: of('parameterCount'),
      seconds: of('seconds'),
    },
  };
};

/** The comparison table (`table final`): per arm the mean and spread of the final metrics, as CSV. */
export const finalTable = (arms: readonly ArmSummary[]): string => {
  const header = ['arm', 'runs', ...FINAL_METRICS.flatMap((c) => [`${c}_mean`, `${c}_std`])];
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const rows = arms.map((a) => [
    quote(a.arm),
    String(a.runs.length),
    ...FINAL_METRICS.flatMap((c) => [String(a.final[c].mean), String(a.final[c].std)]),
  ]);
  return [header, ...rows].map((r) => r.join(',')).join('\n') + '\n';
};
