// `sprout report`: the tables and plots of saved runs regenerated without training, one run or several
// side by side.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runAction } from '../src/commands/run.js';
import { reportAction } from '../src/commands/report.js';
import { recordingIo } from './recording-io.js';

const dir = mkdtempSync(join(tmpdir(), 'sprout-report-'));

const experimentFile = (name: string, lr: number): string => {
  const file = join(dir, `${name}.sprout`);
  writeFileSync(
    file,
    `experiment "${name}" {
  seed 2
  repeat 2
  data spirals { points 60 }
  network {
    input 2
    dense 5 relu
    output 2
  }
  optimizer sgd { step constant ${lr} }
  train { epochs 4, batch full }
  grow sensli { at epoch 2 }
  report { plot curves, plot sensitivities, table final }
}
`,
  );
  return file;
};

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('sprout report', () => {
  it('regenerates final.csv and the plots of one run exactly, and compares two runs in one table and plot', async () => {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    expect(
      await runAction(experimentFile('fast', 0.2), { out: a, backend: 'cpu', quiet: true }, recordingIo(), {
        isTTY: false,
      }),
    ).toBe(0);
    expect(
      await runAction(experimentFile('slow', 0.05), { out: b, backend: 'cpu', quiet: true }, recordingIo(), {
        isTTY: false,
      }),
    ).toBe(0);

    const original = readFileSync(join(a, 'final.csv'), 'utf8');
    rmSync(join(a, 'final.csv'));
    rmSync(join(a, 'curves.svg'));
    rmSync(join(a, 'sensitivities.svg'));
    const io = recordingIo();
    expect(await reportAction([a], {}, io)).toBe(0);
    expect(readFileSync(join(a, 'final.csv'), 'utf8')).toBe(original);
    expect(readFileSync(join(a, 'curves.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>$/);
    expect(readFileSync(join(a, 'sensitivities.svg'), 'utf8')).toMatch(/^<svg/);
    expect(io.out.join('')).toMatch(/base\s+2/);

    const out = join(dir, 'compare');
    const io2 = recordingIo();
    expect(await reportAction([a, b], { out }, io2)).toBe(0);
    const table = readFileSync(join(out, 'final.csv'), 'utf8').trim().split('\n');
    expect(table.map((l) => l.split(',')[0])).toEqual(['arm', 'fast / base', 'slow / base']);
    const curves = readFileSync(join(out, 'curves.svg'), 'utf8');
    expect(curves).toContain('fast / base');
    expect(curves).toContain('slow / base');

    // Named with --label; the same experiment twice is told apart.
    const labelled = join(dir, 'labelled');
    expect(await reportAction([a, b], { out: labelled, label: ['lr 0.2', 'lr 0.05'] }, recordingIo())).toBe(0);
    const rows = readFileSync(join(labelled, 'final.csv'), 'utf8').trim().split('\n');
    expect(rows.map((l) => l.split(',')[0])).toEqual(['arm', 'lr 0.2 / base', 'lr 0.05 / base']);
    expect(readFileSync(join(labelled, 'curves.svg'), 'utf8')).toContain('lr 0.05 / base');
    const twice = join(dir, 'twice');
    expect(await reportAction([a, a], { out: twice }, recordingIo())).toBe(0);
    const twiceRows = readFileSync(join(twice, 'final.csv'), 'utf8').trim().split('\n');
    expect(twiceRows.map((l) => l.split(',')[0])).toEqual(['arm', 'fast / base', 'fast #2 / base']);
    const tooMany = recordingIo();
    expect(await reportAction([a], { label: ['x', 'y'] }, tooMany)).toBe(2);
    expect(tooMany.err.join('')).toContain('2 labels for 1 run directory');
  }, 60_000);

  it('exits 2 for a folder that is not a run directory', async () => {
    const io = recordingIo();
    expect(await reportAction([dir], {}, io)).toBe(2);
    expect(io.err.join('')).toMatch(/not a run directory/);
  });
});
