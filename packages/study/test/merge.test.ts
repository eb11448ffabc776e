// The study's metrics.csv and events.jsonl gathered from its runs' own: each run appended once it and every
// earlier run have finished, in a sequential run's order, named by the study's arm and repeat; the files in
// place only at the end; the header even when no run trained. The lines equal those of parsing each row and
// event and writing it again with the study's names (what the merge did before it rewrote text). The rows
// and insertions it gathers on the way are those of reading the merged files back.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { addInsertionEvents, addMetricRows, csvFields, runRecords } from '@sprout/pipeline';
import { studyMerger, type RunTask } from '../src/index.js';

const HEADER = ['arm', 'repeat', 'seed', 'epoch', 'train_loss', 'test_loss', 'test_error_fraction', 'step_size'];
const csv = (v: string | number): string =>
  typeof v === 'string' && /[",]/.test(v) ? `"${v.replace(/"/g, '""')}"` : String(v);

/** A run's folder as a worker leaves it: the single run names itself `base`, repeat 0. */
const run = (
  root: string,
  index: number,
  name: string,
  repeat: number,
  options: { header?: string[]; epochs?: number; cut?: boolean } = {},
): RunTask => {
  const dir = join(root, 'runs', String(index));
  mkdirSync(dir, { recursive: true });
  const header = options.header ?? HEADER;
  const seed = 10 + repeat;
  const epochs = Array.from({ length: options.epochs ?? 3 }, (_, i) => i + 1);
  const value = (c: string, epoch: number): string | number =>
    c === 'arm'
      ? 'base'
      : c === 'repeat'
        ? 0
        : c === 'seed'
          ? seed
          : c === 'epoch'
            ? epoch
            : c === 'parameter_count'
              ? 27
              : 1 / (epoch + index + 3);
  writeFileSync(
    join(dir, 'metrics.csv'),
    [header.join(','), ...epochs.map((e) => header.map((c) => csv(value(c, e))).join(','))].join('\n') +
      (options.cut === true ? '\nbase,0,1' : '\n'),
  );
  const id = { arm: 'base', repeat: 0, seed };
  const events = [
    { _tag: 'started', experiment: 'x', arms: ['base'] },
    { _tag: 'run-start', ...id, index: 0, epochs: epochs.length },
    ...epochs.map((epoch) => ({ _tag: 'epoch-end', ...id, epoch, trainLoss: 1 / (epoch + index + 3), testLoss: 0.1 })),
    { _tag: 'insertion', ...id, epoch: 2, chosen: 0, positions: [{ index: 0, description: 'arm "base", 0' }] },
    { _tag: 'run-end', ...id, final: { epoch: epochs.length } },
    { _tag: 'finished', result: { arms: [] } },
  ];
  writeFileSync(
    join(dir, 'events.jsonl'),
    events.map((e) => `${JSON.stringify({ time: '2026-12-07T19:00:00.000Z', ...e })}\n`).join('') +
      (options.cut === true ? '{"time":"2026-12-07T19:00:01' : ''),
  );
  return { index, name, repeat, seed, dir, baseDir: root, spec: {} as RunTask['spec'] };
};

/** The study's lines as parsing and writing again gives them. */
const expected = (tasks: readonly RunTask[]): { metrics: string; events: string } => {
  let metrics = `${HEADER.join(',')}\n`;
  let events = '';
  for (const t of tasks) {
    const [first, ...rows] = readFileSync(join(t.dir, 'metrics.csv'), 'utf8').split('\n');
    const h = first!.split(',');
    for (const row of rows) {
      const f = row.split(',');
      if (f.length !== h.length) continue;
      const v = (c: string) => (c === 'arm' ? t.name : c === 'repeat' ? String(t.repeat) : (f[h.indexOf(c)] ?? ''));
      metrics += `${HEADER.map((c) => csv(v(c))).join(',')}\n`;
    }
    for (const line of readFileSync(join(t.dir, 'events.jsonl'), 'utf8').split('\n')) {
      let e: Record<string, unknown>;
      try {
        e = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      if (e['_tag'] === 'started' || e['_tag'] === 'finished') continue;
      Object.assign(e, { arm: t.name, repeat: t.repeat }, e['_tag'] === 'run-start' ? { index: t.index } : {});
      events += `${JSON.stringify(e)}\n`;
    }
  }
  return { metrics, events };
};

describe('studyMerger', () => {
  it("appends each run once it and the runs before it have finished, in order, under the study's names", () => {
    const root = mkdtempSync(join(tmpdir(), 'sprout-merge-'));
    const tasks = [
      run(root, 0, 'base [lr=0.1]', 0),
      run(root, 1, 'wide, "deep"', 0, { header: HEADER.filter((c) => c !== 'step_size'), cut: true }),
      run(root, 2, 'base [lr=0.1]', 1, { epochs: 5 }),
      run(root, 3, 'wide, "deep"', 1),
    ];
    const merger = studyMerger(root, HEADER, tasks);
    const inProgress = join(root, `metrics.csv.tmp-${process.pid}`);
    merger.finished(1);
    expect(readFileSync(inProgress, 'utf8')).toBe(`${HEADER.join(',')}\n`); // waits for run 0
    merger.finished(0);
    expect(readFileSync(inProgress, 'utf8')).toBe(expected(tasks.slice(0, 2)).metrics);
    expect(existsSync(join(root, 'metrics.csv'))).toBe(false);
    merger.finished(3);
    merger.finish(); // run 2 never said it finished: appended at the end, in its place
    const want = expected(tasks);
    expect(readFileSync(join(root, 'metrics.csv'), 'utf8')).toBe(want.metrics);
    expect(readFileSync(join(root, 'events.jsonl'), 'utf8')).toBe(want.events);
    expect(existsSync(inProgress)).toBe(false);
    // Spot checks of the expectation itself: names quoted in CSV, a missing column left empty, the cut line gone.
    const lines = readFileSync(join(root, 'metrics.csv'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1 + 3 + 3 + 5 + 3);
    expect(lines[4]).toMatch(/^"wide, ""deep""",0,10,1,[0-9.e-]+,[0-9.e-]+,[0-9.e-]+,$/);
    const runStarts = want.events
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { _tag: string; index?: number; arm: string; repeat: number })
      .filter((e) => e._tag === 'run-start');
    expect(runStarts.map((e) => [e.index, e.arm, e.repeat])).toEqual([
      [0, 'base [lr=0.1]', 0],
      [1, 'wide, "deep"', 0],
      [2, 'base [lr=0.1]', 1],
      [3, 'wide, "deep"', 1],
    ]);
  });

  it('gathers the rows and insertions that reading the merged files back gives', () => {
    const root = mkdtempSync(join(tmpdir(), 'sprout-merge-'));
    const full = [...HEADER, 'parameter_count', 'seconds'];
    const tasks = [
      run(root, 0, 'base [lr=0.1]', 0, { header: full }),
      // Columns in another order: rewritten field by field.
      run(root, 1, 'wide, "deep"', 0, { header: [...full].reverse(), cut: true }),
      run(root, 2, 'base [lr=0.1]', 1, { header: full, epochs: 5 }),
    ];
    const merger = studyMerger(root, full, tasks);
    merger.finished(1);
    merger.finished(0);
    merger.finish();
    const gathered = merger.records();
    const back = runRecords();
    const [header, ...lines] = readFileSync(join(root, 'metrics.csv'), 'utf8').trim().split('\n');
    expect(addMetricRows(back, csvFields(header!), lines)).toBeUndefined();
    addInsertionEvents(back, readFileSync(join(root, 'events.jsonl'), 'utf8').split('\n'));
    expect(gathered).toEqual(E.right(back));
    expect(back.rows).toHaveLength(3 + 3 + 5);
    expect(back.rows[3]).toMatchObject({ arm: 'wide, "deep"', repeat: 0, seed: 10, epoch: 1 });
    expect(back.insertions.map((m) => [m.arm, m.seed, m.epoch])).toEqual([
      ['base [lr=0.1]', 10, 2],
      ['wide, "deep"', 10, 2],
      ['base [lr=0.1]', 11, 2],
    ]);
  });

  it("names a run's row that no run writes by the run's file, line and column", () => {
    const root = mkdtempSync(join(tmpdir(), 'sprout-merge-'));
    const full = [...HEADER, 'parameter_count', 'seconds'];
    const tasks = [run(root, 0, 'base', 0, { header: full }), run(root, 1, 'base', 1, { header: full })];
    const file = join(tasks[1]!.dir, 'metrics.csv');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/\n(base,0,11,2,[^,]*,[^,]*,)[^,]*/, '\n$11.5'));
    const merger = studyMerger(root, full, tasks);
    merger.finish();
    expect(merger.records()).toEqual(
      E.left(`${file}:3:7: test_error_fraction 1.5 is outside [0, 1] (a fraction of the test set)`),
    );
  });

  it('writes the header of a study in which no run trained, and clears what a killed merge left', () => {
    const root = mkdtempSync(join(tmpdir(), 'sprout-merge-'));
    writeFileSync(join(root, 'metrics.csv.tmp-999999'), 'half');
    const tasks: RunTask[] = [0, 1].map((index) => ({
      index,
      name: 'base',
      repeat: index,
      seed: index,
      dir: join(root, 'runs', String(index)),
      baseDir: root,
      spec: {} as RunTask['spec'],
    }));
    studyMerger(root, HEADER, tasks).finish();
    expect(readFileSync(join(root, 'metrics.csv'), 'utf8')).toBe(`${HEADER.join(',')}\n`);
    expect(readFileSync(join(root, 'events.jsonl'), 'utf8')).toBe('');
    expect(existsSync(join(root, 'metrics.csv.tmp-999999'))).toBe(false);
  });
});
