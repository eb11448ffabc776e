// final.csv: one row per (arm, point), its names written in the pipeline's one CSV form (csv.ts), so a
// name with a comma or a quote reads back whole and an ordinary name is written as it is.
import { describe, expect, it } from 'vitest';
import { csvFields } from '../src/index.js';
import type { EpochMetrics } from '../src/index.js';
import { armSummary, finalTable, markBest } from '../src/internal/summary.js';

const final = (testError: number, seed: number): EpochMetrics => ({
  epoch: 3,
  trainLoss: 0.5 + seed / 10,
  testLoss: 0.6 + seed / 10,
  testError,
  stepSize: 0.1,
  parameterCount: 27,
  seconds: 1.5,
});

const runsOf = (arm: string, errors: readonly number[]) =>
  errors.map((e, repeat) => ({ arm, repeat, seed: 1 + repeat, final: final(e, repeat) }));

describe('finalTable', () => {
  const names = ['grown', 'wide, then narrow', 'the "reference" net', 'two\nlines'];
  const arms = markBest(names.map((n, i) => armSummary(n, runsOf(n, [0.1 * (i + 1), 0.1 * (i + 2)]))));
  const lines = finalTable(arms).split('\n');

  it('writes an ordinary name as it is and quotes one with a comma, a quote or a line break', () => {
    expect(lines[1]!.startsWith('grown,grown,,2,1,')).toBe(true);
    const text = finalTable(arms);
    expect(text).toContain('"wide, then narrow","wide, then narrow",,2,0,');
    expect(text).toContain('"the ""reference"" net","the ""reference"" net",,2,0,');
    expect(text).toContain('"two\nlines","two\nlines",,2,0,');
  });

  it('reads back with csvFields: every row has the header’s columns and its names whole', () => {
    const header = csvFields(lines[0]!);
    // The line-break name spans two physical lines; join those back before splitting.
    const rows = finalTable(arms).replaceAll('"two\nlines"', '"two\u0000lines"').trim().split('\n').slice(1);
    const parsed = rows.map((r) => csvFields(r).map((f) => f.replaceAll('\u0000', '\n')));
    expect(parsed.map((r) => r.length)).toEqual(names.map(() => header.length));
    expect(parsed.map((r) => r[0])).toEqual(names);
    expect(parsed.map((r) => r[header.indexOf('group')])).toEqual(names);
    expect(parsed.map((r) => r[header.indexOf('testErrorFraction_mean')])).toEqual(
      arms.map((a) => String(a.final.testError.mean)),
    );
  });
});
