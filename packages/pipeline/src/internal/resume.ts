/**
 * Continuing a run directory: what of its metrics.csv and events.jsonl a resumed run keeps (the lock is the
 * host's: lock-file.ts on disk). Rows and events written after a run's checkpoint are dropped (the resumed
 * run writes them again), so that no row is duplicated; a line cut short by a kill is dropped too.
 */
import type { RunFiles } from '../host.js';
import { csvFields } from '../csv.js';

const utf8 = new TextEncoder();
const text = (files: RunFiles, path: string): string => {
  const bytes = files.read(path);
  if (bytes === undefined) throw new Error(`${path} does not exist`);
  return new TextDecoder().decode(bytes);
};

/** Where each (arm, seed) run of a directory stands: ended, or checkpointed after `epoch` epochs (and `step` steps). */
export interface RunProgress {
  readonly ended: ReadonlySet<string>;
  readonly checkpointed: ReadonlyMap<string, { readonly epoch: number; readonly step: number }>;
}

export const runKey = (arm: string, seed: number): string => JSON.stringify([arm, seed]);

const keepEpoch = (p: RunProgress, arm: string, seed: number, epoch: number): boolean => {
  const key = runKey(arm, seed);
  if (p.ended.has(key)) return true;
  const c = p.checkpointed.get(key);
  return c !== undefined && epoch <= c.epoch;
};

/** Lines of a file that end with a newline (a last line cut short by a kill is left out). */
const completeLines = (text: string): string[] => {
  const lines = text.split('\n');
  lines.pop();
  return lines;
};

/** Rewrites metrics.csv (atomically) with the rows a resume keeps. */
export const trimMetrics = (files: RunFiles, dir: string, header: readonly string[], p: RunProgress): void => {
  const path = files.join(dir, 'metrics.csv');
  const lines = completeLines(text(files, path));
  const kept = [header.join(',')];
  for (const line of lines.slice(1)) {
    const f = csvFields(line);
    if (f.length !== header.length) continue;
    if (keepEpoch(p, f[0]!, Number(f[2]), Number(f[3]))) kept.push(line);
  }
  files.writeAtomic(path, utf8.encode(kept.map((l) => `${l}\n`).join('')));
};

/** Rewrites events.jsonl (atomically) with the events a resume keeps; returns them (without their `time`). */
export const trimEvents = (files: RunFiles, dir: string, p: RunProgress): Record<string, unknown>[] => {
  const path = files.join(dir, 'events.jsonl');
  const kept: string[] = [];
  const events: Record<string, unknown>[] = [];
  for (const line of completeLines(text(files, path))) {
    let e: Record<string, unknown>;
    try {
      e = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (typeof e['arm'] === 'string' && typeof e['seed'] === 'number') {
      const key = runKey(e['arm'], e['seed']);
      const tag = e['_tag'];
      if (!p.ended.has(key)) {
        const c = p.checkpointed.get(key);
        if (c === undefined) continue;
        if (tag === 'run-end') continue;
        if ((tag === 'epoch-end' || tag === 'insertion') && !((e['epoch'] as number) <= c.epoch)) continue;
        if (tag === 'step') {
          const ep = e['epoch'] as number;
          const st = e['step'] as number;
          if (!(ep <= c.epoch || (ep === c.epoch + 1 && st <= c.step))) continue;
        }
        // A checkpoint's epoch counts epochs done, its step the steps of the next (as the manifest's).
        if (tag === 'checkpoint') {
          const ep = e['epoch'] as number;
          const st = e['step'] as number;
          if (!(ep < c.epoch || (ep === c.epoch && st <= c.step))) continue;
        }
      }
    }
    kept.push(line);
    const { time: _time, ...rest } = e;
    events.push(rest);
  }
  files.writeAtomic(path, utf8.encode(kept.map((l) => `${l}\n`).join('')));
  return events;
};

/** The runs that ended (a `run-end` event) in a directory's events.jsonl. */
export const endedRuns = (files: RunFiles, dir: string): Set<string> => {
  const ended = new Set<string>();
  let content = '';
  try {
    content = text(files, files.join(dir, 'events.jsonl'));
  } catch {
    return ended;
  }
  for (const line of completeLines(content)) {
    try {
      const e = JSON.parse(line) as { _tag?: string; arm?: string; seed?: number };
      if (e._tag === 'run-end' && e.arm !== undefined && e.seed !== undefined) ended.add(runKey(e.arm, e.seed));
    } catch {
      // A damaged line: ignored.
    }
  }
  return ended;
};

/** Removes the temporary files of atomic writes cut short by a kill (`<name>.tmp-<pid>`), in `dir` and its checkpoints. */
export const removeStaleTemporaries = (files: RunFiles, dir: string): number => {
  let removed = 0;
  const sweep = (folder: string, depth: number): void => {
    for (const e of files.list(folder)) {
      const path = files.join(folder, e.name);
      if (e.directory && depth > 0) sweep(path, depth - 1);
      else if (!e.directory && /\.tmp-\d+$/.test(e.name)) {
        files.remove(path);
        removed += 1;
      }
    }
  };
  sweep(dir, 0);
  sweep(files.join(dir, 'checkpoints'), 1);
  return removed;
};
