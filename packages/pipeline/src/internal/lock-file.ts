/**
 * The lock of a run directory on disk: a run holds `run.lock` (its pid and start time) while it writes; a
 * resume refuses a directory whose lock names a live process, and takes over a stale one (the process was
 * killed).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { LockResult } from '../host.js';

const LOCK_FILE = 'run.lock';

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
  /** The machine the holder runs on: a run folder on a shared file system may be locked from another one. */
  readonly host?: string;
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
        ...(typeof r.host === 'string' ? { host: r.host } : {}),
      };
  } catch {
    // The older format: the pid alone.
  }
  const pid = Number(text.trim());
  return Number.isInteger(pid) ? { pid } : undefined;
};

/**
 * Whether the process that wrote `lock` still runs: its pid is alive and, where it can be told, started when
 * the lock says. A holder on another machine cannot be looked at from here, so it counts as alive.
 */
const holderAlive = (lock: LockRecord): boolean => {
  if (lock.host !== undefined && lock.host !== hostname()) return true;
  if (!alive(lock.pid)) return false;
  if (lock.start === undefined) return true;
  const now = processStart(lock.pid);
  return now === undefined || now === lock.start;
};

/**
 * Take the lock of `dir`: `{ ok: true, release }`, or `{ ok: false, pid, since, host }` naming the live
 * process that holds it (a holder on another host always counts as live). A lock whose process has ended, or whose pid now belongs to another process (started at
 * another time), is stale and taken over; `force` takes over any lock (for a holder this cannot tell apart).
 */
export const takeLock = (dir: string, options: { readonly force?: boolean } = {}): LockResult => {
  const path = join(dir, LOCK_FILE);
  const start = processStart(process.pid);
  const record = JSON.stringify({
    pid: process.pid,
    ...(start !== undefined ? { start } : {}),
    since: new Date().toISOString(),
    host: hostname(),
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
        return { ok: false, pid: held.pid, since: held.since ?? 'an unknown time', host: held.host ?? hostname() };
      rmSync(path, { force: true });
    }
  }
  throw new Error(`cannot take the lock ${path}`);
};
