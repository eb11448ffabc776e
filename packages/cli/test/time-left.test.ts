// The progress bar's time left: the whole time is rounded before it is split into hours and minutes (or
// minutes and seconds), so no field reads 60 (cli-progress's own format printed "6h60m" and "3m60s"); and
// with runs in parallel, each epoch on the bar is named by its own run.
import { describe, expect, it } from 'vitest';
import { barReporter } from '../src/internal/run/reporters.js';
import { timeLeft } from '../src/internal/run/time-left.js';
import { terminalStream } from './recording-io.js';

/** Seconds a `7h05m`, `3m05s` or `45s` stands for, with its fields (undefined for another form). */
const parse = (s: string): { seconds: number; fields: number[] } | undefined => {
  const m = /^(?:(\d+)h(\d\d)m|(\d+)m(\d\d)s|(\d+)s)$/.exec(s);
  if (m === null) return undefined;
  if (m[1] !== undefined) return { seconds: 3600 * +m[1] + 60 * +m[2]!, fields: [+m[2]!] };
  if (m[3] !== undefined) return { seconds: 60 * +m[3] + +m[4]!, fields: [+m[4]!] };
  return { seconds: +m[5]!, fields: [] };
};

describe('time left on the progress bar', () => {
  it('never shows 60 in a field, and stays within the rounding step of the estimate', () => {
    const wrong: string[] = [];
    for (let t = 0; t <= 30 * 3600; t += 0.75) {
      const shown = timeLeft(t);
      const p = parse(shown);
      const step = t > 3600 ? 300 : t > 10 ? 5 : 1;
      if (p === undefined || p.fields.some((f) => f >= 60) || Math.abs(p.seconds - t) > step / 2)
        wrong.push(`${t} s → ${shown}`);
    }
    expect(wrong).toEqual([]);
  });

  it('rounds across a unit: just under 7 hours is 7h00m, just under 4 minutes is 4m00s', () => {
    expect(timeLeft(6 * 3600 + 59 * 60 + 58)).toBe('7h00m');
    expect(timeLeft(3 * 60 + 58)).toBe('4m00s');
    expect(timeLeft(3599)).toBe('1h00m');
    expect(timeLeft(59.6)).toBe('1m00s');
  });

  it('shows ? while there is no estimate', () => {
    for (const eta of ['NULL', 'INF', '0', Number.NaN, Number.POSITIVE_INFINITY, -1]) expect(timeLeft(eta)).toBe('?');
  });
});

describe('the progress bar of runs in parallel', () => {
  it('shows each epoch with the run it belongs to, out of its own epochs', () => {
    const { stream, text } = terminalStream();
    const reporter = barReporter({ out: () => {}, err: () => {}, progressStream: stream });
    reporter.onEvent({
      _tag: 'started',
      experiment: 'x',
      outDir: undefined,
      backend: 'cpu',
      workers: '2 worker processes',
      threads: 1,
      arms: ['a', 'b'],
      repeats: 1,
      epochs: 3,
      runs: 2,
      totalEpochs: 5,
    });
    reporter.onEvent({
      _tag: 'run-start',
      arm: 'a',
      repeat: 0,
      seed: 1,
      index: 0,
      epochs: 2,
      stepsPerEpoch: 1,
      parameterCount: 10,
      engine: 'host',
    });
    reporter.onEvent({
      _tag: 'run-start',
      arm: 'b',
      repeat: 0,
      seed: 1,
      index: 1,
      epochs: 3,
      stepsPerEpoch: 1,
      parameterCount: 10,
      engine: 'host',
    });
    // An epoch of the first run, after the second started: named as the first, out of its own 2 epochs.
    const metrics = { trainLoss: 0.5, testLoss: 0.5, testError: 0.25, stepSize: 0.1, parameterCount: 10, seconds: 0 };
    reporter.onEvent({ _tag: 'epoch-end', arm: 'a', repeat: 0, seed: 1, epoch: 1, ...metrics });
    reporter.close();
    const frames = text()
      .split(/\r|\n|\x1b\[[0-9;]*[A-Za-z]/)
      .filter((f) => f.includes('|'));
    expect(frames.at(-1)).toMatch(/\[1\/2 a #1\] .*epoch 1\/2 /);
    expect(frames.at(-1)).toMatch(/\| (\?|\d+h\d\dm|\d+m\d\ds|\d+s) left/);
  });
});
