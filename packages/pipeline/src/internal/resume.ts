/**
 * Continuing a run directory (issue 7): its lock file, and what of its metrics.csv and events.jsonl a
 * resumed run keeps. A run holds `run.lock` (its pid) while it writes; a resume refuses a directory whose
 * lock names a live process, and takes over a stale one (the process was killed). Rows and events written
 * after a run's checkpoint are dropped (the resumed run writes them again), so that no row is duplicated;
 * a line cut short by a kill is dropped too.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';

export const LOCK_FILE = 'run.lock';

const alive = (pid: number): boolean => {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * When process `pid` started, in clock ticks since boot (Linux: field 22 of /proc/<pid>/stat), or undefined
 * where that cannot be read. A pid is reused by the system after its process ends; the pair (pid, start)
 * names one process.
 */
const processStart = (pid: number): string | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after its ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
};

interface LockRecord {
  readonly pid: number;
  readonly start?: string;
  readonly since?: string;
}

const readLock = (path: string): LockRecord | undefined => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const r = JSON.parse(text) as Partial<LockRecord>;
    if (typeof r.pid === 'number')
      return {
        pid: r.pid,
        ...(typeof r.start === 'string' ? { start: r.start } : {}),
        ...(typeof r.since === 'string' ? { since: r.since } : {}),
      };
  } catch {
    // The older format: the pid alone.
  }
  const pid = Number(text.trim());
  return Number.isInteger(pid) ? { pid } : undefined;
};

/** Whether the process that wrote `lock` still runs: its pid is alive and, where it can be told, started when the lock says. */
const holderAlive = (lock: LockRecord): boolean => {
  if (!alive(lock.pid)) return false;
  if (lock.start === undefined) return true;
  const now = processStart(lock.pid);
  return now === undefined || now === lock.start;
};

/**
 * Take the lock of `dir`: `{ ok: true, release }`, or `{ ok: false, pid, since }` naming the live process
 * that holds it. A lock whose process has ended, or whose pid now belongs to another process (started at
 * another time), is stale and taken over; `force` takes over any lock (for a holder this cannot tell apart).
 */
export const takeLock = (
  dir: string,
  options: { readonly force?: boolean } = {},
): { ok: true; release: () => void } | { ok: false; pid: number; since: string } => {
  const path = join(dir, LOCK_FILE);
  const start = processStart(process.pid);
  const record = JSON.stringify({
    pid: process.pid,
    ...(start !== undefined ? { start } : {}),
    since: new Date().toISOString(),
  });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, `${record}\n`, { flag: 'wx' });
      return {
        ok: true,
        release: () => {
          try {
            if (readLock(path)?.pid === process.pid) rmSync(path);
          } catch {
            // Already gone.
          }
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const held = readLock(path);
      if (held !== undefined && held.pid !== process.pid && holderAlive(held) && options.force !== true)
        return { ok: false, pid: held.pid, since: held.since ?? 'an unknown time' };
      rmSync(path, { force: true });
    }
  }
  throw new Error(`cannot take the lock ${path}`);
};

/** Where each (arm, seed) run of a directory stands: ended, or checkpointed after `epoch` epochs (and `step` steps). */
export interface RunProgress {
  readonly ended: ReadonlySet<string>;
  readonly checkpointed: ReadonlyMap<string, { readonly epoch: number; readonly step: number }>;
}

export const runKey = (arm: string, seed: number): string => JSON.stringify([arm, seed]);

/** Splits one CSV line (fields as written by outputs.ts: quotes double embedded quotes). */
export const csvFields = (line: string): string[] => {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let v = '';
      i++;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') {
          v += '"';
          i += 2;
        } else if (line[i] === '"') break;
        else v += line[i++];
      }
      out.push(v);
      i += 2;
    } else {
      const j = line.indexOf(',', i);
      const end = j < 0 ? line.length : j;
      out.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return out;
};

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
export const trimMetrics = (dir: string, header: readonly string[], p: RunProgress): void => {
  const path = join(dir, 'metrics.csv');
  const lines = completeLines(readFileSync(path, 'utf8'));
  const kept = [header.join(',')];
  for (const line of lines.slice(1)) {
    const f = csvFields(line);
    if (f.length !== header.length) continue;
    if (keepEpoch(p, f[0]!, Number(f[2]), Number(f[3]))) kept.push(line);
  }
  writeFileAtomic(path, Buffer.from(kept.map((l) => `${l}\n`).join(''), 'utf8'));
};

/** Rewrites events.jsonl (atomically) with the events a resume keeps; returns them (without their `time`). */
export const trimEvents = (dir: string, p: RunProgress): Record<string, unknown>[] => {
  const path = join(dir, 'events.jsonl');
  const kept: string[] = [];
  const events: Record<string, unknown>[] = [];
  for (const line of completeLines(readFileSync(path, 'utf8'))) {
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
      }
    }
    kept.push(line);
    const { time: _time, ...rest } = e;
    events.push(rest);
  }
  writeFileAtomic(path, Buffer.from(kept.map((l) => `${l}\n`).join(''), 'utf8'));
  return events;
};

/** The runs that ended (a `run-end` event) in a directory's events.jsonl. */
export const endedRuns = (dir: string): Set<string> => {
  const ended = new Set<string>();
  let text = '';
  try {
    text = readFileSync(join(dir, 'events.jsonl'), 'utf8');
  } catch {
    return ended;
  }
  for (const line of completeLines(text)) {
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
export const removeStaleTemporaries = (dir: string): number => {
  let removed = 0;
  const sweep = (folder: string, depth: number): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const path = join(folder, e.name);
      if (e.isDirectory() && depth > 0) sweep(path, depth - 1);
      else if (e.isFile() && /\.tmp-\d+$/.test(e.name)) {
        rmSync(path, { force: true });
        removed += 1;
      }
    }
  };
  sweep(dir, 0);
  sweep(join(dir, 'checkpoints'), 1);
  return removed;
};
