// A sweep runs every (arm, point, seed): each under its own name in metrics.csv and the summary, with its
// own resolved spec.json that reruns it alone to the same metrics; the summary gives per (arm, point) the
// mean, spread, least and greatest over the seeds, the seeds that finished and the best point; `report`
// rebuilds the same table from the files.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/Either';
import { beforeAll, describe, expect, it } from 'vitest';
import { arm, constant, decodeExperiment, sgd, sweep } from '@sprout/spec';
import {
  addInsertionEvents,
  addMetricRows,
  compile,
  csvFields,
  reportRuns,
  runRecords,
  type RunResult,
} from '../src/index.js';
import { tiny, useCpu } from './tiny.js';

beforeAll(useCpu);

const metricRows = (dir: string): string[][] =>
  readFileSync(join(dir, 'metrics.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));

describe('a sweep crossed with an arm and repeats', () => {
  const spec = tiny({
    repeat: 2,
    train: { epochs: 3, batch: 16 },
    compare: [arm('slow', { optimizer: sgd({ step: constant(0.01) }) })],
    sweep: sweep({ grid: { lr: [0.05, 0.5] } }),
  });
  let result: RunResult<string>;
  const root = mkdtempSync(join(tmpdir(), 'sprout-sweep-'));

  beforeAll(async () => {
    const p = compile(spec);
    if (E.isLeft(p)) throw new Error(JSON.stringify(p.left));
    const r = await p.right.run({ out: join(root, 'run'), saveModel: false })();
    if (E.isLeft(r)) throw new Error(JSON.stringify(r.left));
    result = r.right;
  });

  it('runs every (arm, point) for every seed, named by arm and point', () => {
    expect(result.arms.map((a) => a.arm)).toEqual([
      'base [lr=0.05]',
      'base [lr=0.5]',
      'slow [lr=0.05]',
      'slow [lr=0.5]',
    ]);
    expect(result.arms.map((a) => [a.group, a.point])).toEqual([
      ['base', { lr: 0.05 }],
      ['base', { lr: 0.5 }],
      ['slow', { lr: 0.05 }],
      ['slow', { lr: 0.5 }],
    ]);
    const rows = metricRows(result.outDir);
    expect(rows.length).toBe(4 * 2 * 3);
    // The swept rate is the step size each run trained with (the arm's own 0.01 is replaced too).
    for (const r of rows) expect(Number(r[7])).toBe(r[0]!.includes('lr=0.05') ? 0.05 : 0.5);
  });

  it('aggregates over the seeds: mean, std, min, max, finished; marks the best point', () => {
    for (const a of result.arms) {
      expect(a.finished).toBe(2);
      const errors = a.runs.map((r) => r.final.testError);
      expect(a.final.testError.min).toBe(Math.min(...errors));
      expect(a.final.testError.max).toBe(Math.max(...errors));
      expect(a.final.testError.mean).toBeCloseTo((errors[0]! + errors[1]!) / 2, 12);
    }
    const best = result.arms.filter((a) => a.best);
    expect(best.length).toBe(1);
    const lowest = Math.min(...result.arms.map((a) => a.final.testError.mean));
    expect(best[0]!.final.testError.mean).toBe(lowest);
    const summary = JSON.parse(readFileSync(join(result.outDir, 'summary.json'), 'utf8'));
    expect(summary.arms.map((a: { best: boolean }) => a.best)).toEqual(result.arms.map((a) => a.best));
    const table = readFileSync(join(result.outDir, 'final.csv'), 'utf8').split('\n');
    expect(table[0]).toMatch(/^arm,group,point,runs,best,trainLoss_mean,trainLoss_std,trainLoss_min,trainLoss_max,/);
    expect(table.filter((l) => l.split(',')[4] === '1').length).toBe(1);
  });

  it('report rebuilds the same table from the run directory', async () => {
    const r = await reportRuns([result.outDir], { write: false })();
    if (E.isLeft(r)) throw new Error(r.left.message);
    expect(r.right.table).toBe(readFileSync(join(result.outDir, 'final.csv'), 'utf8'));
  });

  it('report draws from rows and insertions read already (a study merging its runs) without reading them back', async () => {
    const bare = join(root, 'bare');
    mkdirSync(bare);
    copyFileSync(join(result.outDir, 'spec.json'), join(bare, 'spec.json'));
    const records = runRecords();
    const [header, ...lines] = readFileSync(join(result.outDir, 'metrics.csv'), 'utf8').trim().split('\n');
    expect(addMetricRows(records, csvFields(header!), lines)).toBeUndefined();
    addInsertionEvents(records, readFileSync(join(result.outDir, 'events.jsonl'), 'utf8').split('\n'));
    const r = await reportRuns([bare], { write: false, records })();
    if (E.isLeft(r)) throw new Error(r.left.message);
    expect(r.right.table).toBe(readFileSync(join(result.outDir, 'final.csv'), 'utf8'));
    // Without them the folder (no metrics.csv) is not a run directory.
    expect(E.isLeft(await reportRuns([bare], { write: false })())).toBe(true);
  });

  it('writes each run its own resolved spec.json, which reruns it alone with the same metrics', async () => {
    const file = join(result.outDir, 'runs', 'slow-lr-0.5', 'seed-8', 'spec.json');
    const alone = decodeExperiment(JSON.parse(readFileSync(file, 'utf8')));
    if (E.isLeft(alone)) throw new Error(JSON.stringify(alone.left));
    expect(alone.right.seed).toBe(8);
    expect(alone.right.repeat).toBe(1);
    expect(alone.right.compare).toEqual([]);
    expect(alone.right.sweep).toBeUndefined();
    expect(alone.right.optimizer.step).toEqual({ _tag: 'constant', lr: 0.5 });
    const p = compile(alone.right);
    if (E.isLeft(p)) throw new Error(JSON.stringify(p.left));
    const r = await p.right.run({ out: join(root, 'alone'), saveModel: false })();
    if (E.isLeft(r)) throw new Error(JSON.stringify(r.left));
    const strip = (row: string[]) => [row[3], ...row.slice(4, 9)]; // epoch and the metrics, not the name or the wall time
    const mine = metricRows(result.outDir)
      .filter((row) => row[0] === 'slow [lr=0.5]' && row[2] === '8')
      .map(strip);
    expect(metricRows(r.right.outDir).map(strip)).toEqual(mine);
  });
});
