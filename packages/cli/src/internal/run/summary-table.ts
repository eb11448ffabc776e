/**
 * The table `sprout run` prints at the end: per (arm, sweep point), the seeds that finished, the final
 * parameter count (a grown net ends with more than it started with), final train loss
 * and test error (mean ± std, and the test error's least–greatest over the seeds), the validation loss and
 * error when the runs hold a validation set out, the epochs trained when early stopping may have ended a run
 * (or the seeds trained different numbers of epochs), and wall time; the best row is marked.
 */
import type { ArmSummary, RunResult, Spread } from '@sprout/pipeline';

/** A loss: 4 decimals, or 3 significant digits below 0.01. */
const loss = (x: number): string => (x !== 0 && Math.abs(x) < 0.01 ? x.toExponential(2) : x.toFixed(4));
const percent = (x: number): string => (100 * x).toFixed(2);
const seconds = (x: number): string => x.toFixed(1);

/** A count over the seeds (parameters, epochs): one number, or least–greatest when the seeds differ. */
const count = (s: Spread): string => (s.min === s.max ? String(s.min) : `${s.min}–${s.max}`);

const pm = (s: Spread, show: (x: number) => string): string =>
  s.std === 0 ? show(s.mean) : `${show(s.mean)} ± ${show(s.std)}`;

export interface SummaryTableOptions {
  /** Show the epochs trained (set when some arm stops early); shown anyway when the runs' counts differ. */
  readonly epochs?: boolean;
}

interface Column {
  readonly header: string;
  readonly cell: (a: ArmSummary) => string;
}

export const summaryTable = (result: RunResult, options: SummaryTableOptions = {}): string => {
  const arms = result.arms.filter((a) => a.finished > 0);
  const validated = result.arms.some((a) => a.final.validationLoss !== undefined);
  const epochCounts = new Set(arms.flatMap((a) => [a.final.epochs.min, a.final.epochs.max]));
  const epochs = (options.epochs ?? false) || epochCounts.size > 1;
  const columns: Column[] = [
    { header: 'arm', cell: (a) => a.arm },
    { header: 'seeds', cell: (a) => String(a.finished) },
    { header: 'parameters', cell: (a) => (a.finished === 0 ? '' : count(a.final.parameterCount)) },
    ...(epochs ? [{ header: 'epochs', cell: (a: ArmSummary) => (a.finished === 0 ? '' : count(a.final.epochs)) }] : []),
    { header: 'train loss', cell: (a) => pm(a.final.trainLoss, loss) },
    ...(validated
      ? [
          {
            header: 'val loss',
            cell: (a: ArmSummary) => (a.final.validationLoss === undefined ? '' : pm(a.final.validationLoss, loss)),
          },
          {
            header: 'val error %',
            cell: (a: ArmSummary) =>
              a.final.validationError === undefined ? '' : pm(a.final.validationError, percent),
          },
        ]
      : []),
    { header: 'test error %', cell: (a) => pm(a.final.testError, percent) },
    {
      header: 'min–max %',
      cell: (a) => (a.finished === 0 ? '' : `${percent(a.final.testError.min)}–${percent(a.final.testError.max)}`),
    },
    { header: 'wall time s', cell: (a) => pm(a.final.seconds, seconds) },
    { header: '', cell: (a) => (a.best ? '← best' : '') },
  ];
  const header = columns.map((c) => c.header);
  const rows = result.arms.map((a) => columns.map((c) => c.cell(a)));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return (
    [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].map((l) => l.trimEnd()).join('\n') +
    '\n'
  );
};
