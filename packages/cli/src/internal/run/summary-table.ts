/** The table `sprout run` prints at the end: per arm, final train loss and test error (mean ± std) and wall time. */
import type { RunResult, Spread } from '@sprout/pipeline';

const num = (x: number, digits: number): string => (x !== 0 && Math.abs(x) < 10 ** -digits ? x.toExponential(2) : x.toFixed(digits));
const pm = (s: Spread, digits: number, scale = 1): string =>
  s.std === 0 ? num(scale * s.mean, digits) : `${num(scale * s.mean, digits)} ± ${num(scale * s.std, digits)}`;

export const summaryTable = (result: RunResult): string => {
  const header = ['arm', 'runs', 'train loss', 'test error %', 'wall time s'];
  const rows = result.arms.map((a) => [a.arm, String(a.runs.length), pm(a.final.trainLoss, 4), pm(a.final.testError, 2, 100), pm(a.final.seconds, 1)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n') + '\n';
};
