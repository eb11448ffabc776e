// Where a study's runs trained, as its own spec.json records it: read from the runs' spec.json.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runsMachine } from '../src/study-dir.js';
import type { RunTask } from '../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'sprout-study-dir-'));

/** Runs whose spec.json records these backends and threads (undefined: the run never started). */
const runs = (name: string, recorded: readonly ({ backend: string; threads: number } | undefined)[]): RunTask[] =>
  recorded.map((run, index) => {
    const dir = join(root, name, String(index));
    mkdirSync(dir, { recursive: true });
    if (run !== undefined) writeFileSync(join(dir, 'spec.json'), JSON.stringify({ name: 'x', run }));
    return { dir } as RunTask;
  });

describe("a study's backend", () => {
  it('is the backend and threads every run recorded', () => {
    const tasks = runs('same', [{ backend: 'wasm', threads: 1 }, undefined, { backend: 'wasm', threads: 1 }]);
    expect(runsMachine(tasks)).toEqual({ backend: 'wasm', threads: 1 });
  });

  it('is mixed, with each backend counted, when runs trained on different ones (threads only when all agree)', () => {
    const tasks = runs('mixed', [
      { backend: 'wasm', threads: 1 },
      { backend: 'cpu', threads: 2 },
      { backend: 'wasm', threads: 1 },
    ]);
    expect(runsMachine(tasks)).toEqual({ backend: 'mixed', backends: { wasm: 2, cpu: 1 } });
  });

  it('is unknown before any run started', () => {
    expect(runsMachine(runs('none', [undefined, undefined]))).toBeUndefined();
  });
});
