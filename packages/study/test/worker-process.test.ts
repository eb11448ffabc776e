// The worker process's protocol, run in this process on a stream: a task's events, its in-epoch progress
// (so that a study's display moves inside long epochs too), and its outcome.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { constant, dense, experiment, network, sgd, spirals } from '@sprout/spec';
import type { FromWorker } from '../src/protocol.js';
import { studyTasks } from '../src/tasks.js';
import { workerProcess } from '../src/worker-process.js';

const dir = mkdtempSync(join(tmpdir(), 'sprout-worker-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the study worker process', () => {
  it('sends the steps of a long epoch as step-progress, then the run outcome', async () => {
    // One epoch of 400 single-example steps on TensorFlow.js: far longer than the 100 ms between two reports.
    const spec = experiment('long-epoch', {
      data: spirals({ points: 250, split: 0.8 }),
      network: network(2, [dense(8, 'relu')], 2),
      optimizer: sgd({ step: constant(0.05) }),
      train: { epochs: 1, batch: 1 },
    });
    const [task] = studyTasks(spec, join(dir, 'study'), dir);
    const input = new PassThrough();
    const lines: FromWorker[] = [];
    const done = workerProcess({
      backend: 'cpu',
      input,
      write: (line) => {
        const m = JSON.parse(line) as FromWorker;
        lines.push(m);
        if (m._tag === 'done' || m._tag === 'failed') input.end();
      },
    });
    input.write(`${JSON.stringify({ _tag: 'task', task, settings: { engine: 'tfjs' } })}\n`);
    expect(await done).toBe(0);
    const steps = lines.filter((m) => m._tag === 'step-progress');
    expect(steps.length).toBeGreaterThan(0);
    for (const s of steps) {
      expect(s).toMatchObject({ id: task!.index, epoch: 1, steps: 400 });
      expect(s.step).toBeGreaterThan(0);
      expect(s.step).toBeLessThanOrEqual(400);
      expect(s.examples).toBe(s.step);
      expect(s.seconds).toBeGreaterThan(0); // the run's own time of those steps, for the display's pace
    }
    const seconds = steps.map((s) => s.seconds);
    expect(seconds).toEqual([...seconds].sort((a, b) => a - b));
    expect(lines.at(-1)).toEqual({ _tag: 'done', id: task!.index, skipped: false });
  });
});
