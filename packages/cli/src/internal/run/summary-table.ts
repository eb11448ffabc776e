/**
 * The table `sprout run` prints at the end: per (arm, sweep point), the seeds that finished, the final
 * parameter count (a grown net ends with more than it started with), final train loss
 * and test error (mean ± std, and the test error's least–greatest over the seeds) and wall time; the best
 * row is marked.
 */
import type { RunResult, Spread } from '@sprout/pipeline';

/** A loss: 4 decimals, or 3 significant digits below 0.01. */
const loss = (x: number): string => (x !== 0 && Math.abs(x) < 0.01 ? x.toExponential(2) : x.toFixed(4));
const percent = (x: number): string => (100 * x).toFixed(2);
const seconds = (x: number): string => x.toFixed(1);

/** The final parameter count: one number, or least–greatest when the seeds grew differently. */
const parameters = (s: Spread): string => (s.min === s.max ? String(s.min) : `${s.min}–${s.max}`);

const pm = (s: Spread, show: (x: number) => string): string =>
  s.std === 0 ? show(s.mean) : `${show(s.mean)} ± ${show(s.std)}`;

export const summaryTable = (result: RunResult): string => {
  const header = ['arm', 'seeds', 'parameters', 'train loss', 'test error %', 'min–max %', 'wall time s', ''];
  const rows = result.arms.map((a) => [
    a.arm,
    String(a.finished),
    a.finished === 0 ? '' : parameters(a.final.parameterCount),
    pm(a.final.trainLoss, loss),
    pm(a.final.testError, percent),
    a.finished === 0 ? '' : `${percent(a.final.testError.min)}–${percent(a.final.testError.max)}`,
    pm(a.final.seconds, seconds),
    a.best ? '← best' : '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return (
    [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].map((l) => l.trimEnd()).join('\n') +
    '\n'
  );
};
