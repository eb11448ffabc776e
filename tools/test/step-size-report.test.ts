// The step-size study's table: a run that diverged (its loss Infinity, `null` after a JSON round trip of a
// merged part) is reported as diverged and ranks its setting last, never as a loss of 0 within the goal.
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../src/bench-step-size.js';
import { studyReport } from '../src/step-size-report.js';

const meta = {
  command: 'test',
  started: '2026-12-07T00:00:00.000Z',
  minutes: 1,
  loadBefore: [0, 0, 0],
  loadAfter: [0, 0, 0],
  cpus: 2,
  seeds: 2,
  protocols: [{ name: 'p', description: 'a protocol' }],
  settings: [
    { name: 'steady', note: '' },
    { name: 'wild', note: '' },
  ],
};

const record = (setting: string, seed: number, loss: number): RunRecord => ({
  protocol: 'p',
  setting,
  seed,
  loss,
  seconds: 1,
  engine: 'host',
});

describe('the step-size study report', () => {
  it('reports diverged runs as diverged, also after JSON, and ranks their setting last', () => {
    const records = [
      record('constant 0.1', 1, 0.5),
      record('constant 0.1', 2, 0.7),
      record('steady', 1, 0.6),
      record('steady', 2, 0.6),
      record('wild', 1, Infinity),
      record('wild', 2, 0.1),
    ];
    const viaJson = JSON.parse(JSON.stringify(records)) as RunRecord[];
    for (const rs of [records, viaJson]) {
      const { markdown } = studyReport(meta, rs);
      expect(markdown).toContain('| p | 0.600 ± 0.141 (0.1) | 0.600 ± 0.0e+0 (1.00 ✓) | diverged in 1 of 2 runs |');
      expect(markdown).toContain('(smaller is better): steady 1.00, wild ∞.');
    }
  });
});
