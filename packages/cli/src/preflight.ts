/**
 * Checks on a run's output folder before training starts: the folder can be created and
 * written to, and its file system has room for a rough estimate of the run's outputs. A full disk or an
 * unwritable folder is then one clear error at the start instead of a crash hours into the run.
 *
 * The folder is created one level at a time (not with `mkdirSync(…, { recursive: true })`, which on Node 20
 * spins for ever on paths under /proc), written with a probe file that is removed again, and measured with
 * `statfs` (free bytes available to this user = `bavail × bsize`).
 */
import { closeSync, mkdirSync, openSync, rmSync, statfsSync, statSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { estimateMemory, resolveArm, type Experiment } from '@sprout/spec';

export type PreflightError =
  /** The folder cannot be created or written (`code` is the system error: EACCES, EROFS, ENOTDIR, …). */
  | { readonly _tag: 'not-writable'; readonly dir: string; readonly code: string; readonly reason: string }
  /** The file system has less free space than the run's outputs need. */
  | { readonly _tag: 'disk-full'; readonly dir: string; readonly freeBytes: number; readonly neededBytes: number };

export interface PreflightOk {
  readonly dir: string;
  readonly freeBytes: number;
  readonly neededBytes: number;
}

const MIB = 1024 * 1024;
/** Room kept free beyond the estimate, for logs and file-system overhead. */
const MARGIN_BYTES = 16 * MIB;
/** Checkpoints of a run on disk at once (the latest, the one before it, and the one being written). */
const CHECKPOINTS_ON_DISK = 3;
/** Bytes per metrics row (one per epoch), events included. */
const BYTES_PER_EPOCH = 512;

const codeOf = (e: unknown): string => (e as { code?: string }).code ?? 'EUNKNOWN';
const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Creates `dir` and its missing parents one level at a time. */
const makeDir = (dir: string): void => {
  const missing: string[] = [];
  let d = dir;
  for (let i = 0; i < 4096; i++) {
    try {
      if (!statSync(d).isDirectory())
        throw Object.assign(new Error(`'${d}' exists and is not a folder`), { code: 'ENOTDIR' });
      break;
    } catch (e) {
      if (codeOf(e) !== 'ENOENT') throw e;
      missing.push(d);
      const up = dirname(d);
      if (up === d) break;
      d = up;
    }
  }
  for (const m of missing.reverse()) {
    try {
      mkdirSync(m);
    } catch (e) {
      if (codeOf(e) !== 'EEXIST') throw e;
    }
  }
};

/**
 * Whether training may write its outputs to `dir`: creates the folder if needed, writes and removes a
 * probe file, and compares the free space with `estimateBytes` (see `estimateOutputBytes`) plus 16 MiB.
 */
export const preflightOutputDir = (dir: string, estimateBytes: number): E.Either<PreflightError, PreflightOk> => {
  const abs = resolve(dir);
  try {
    makeDir(abs);
    const probe = join(abs, `.sprout-preflight-${process.pid}-${Date.now()}`);
    const fd = openSync(probe, 'wx');
    try {
      writeSync(fd, 'sprout preflight\n');
    } finally {
      closeSync(fd);
      rmSync(probe, { force: true });
    }
  } catch (e) {
    return E.left({ _tag: 'not-writable', dir: abs, code: codeOf(e), reason: messageOf(e) });
  }
  const neededBytes = Math.ceil(Math.max(0, estimateBytes) + MARGIN_BYTES);
  let freeBytes: number;
  try {
    const s = statfsSync(abs);
    freeBytes = Number(s.bavail) * Number(s.bsize);
  } catch {
    // statfs is unsupported here: the write probe passed, so let the run go ahead.
    return E.right({ dir: abs, freeBytes: Number.POSITIVE_INFINITY, neededBytes });
  }
  if (freeBytes < neededBytes) return E.left({ _tag: 'disk-full', dir: abs, freeBytes, neededBytes });
  return E.right({ dir: abs, freeBytes, neededBytes });
};

/** Bytes for people: `1.5 GiB`. */
const showBytes = (n: number): string => {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  let x = n;
  while (x >= 1024 && i < units.length - 1) {
    x /= 1024;
    i += 1;
  }
  return `${i === 0 ? x.toFixed(0) : x.toFixed(1)} ${units[i]}`;
};

/**
 * The error as the one line the CLI prints. Its hint fits the command: a new run can choose another folder
 * with --out; a resumed run (`resume`) writes where it started, so only making room or access helps.
 */
export const describePreflightError = (e: PreflightError, command: 'out' | 'resume' = 'out'): string => {
  const elsewhere = command === 'out' ? ' or choose another folder with --out' : ', then resume again';
  return e._tag === 'not-writable'
    ? `cannot write the output folder '${e.dir}' (${e.code}): ${e.reason}; ${command === 'out' ? 'choose another folder with --out' : 'make it writable, then resume again'}`
    : `not enough disk space for the outputs in '${e.dir}': ${showBytes(e.freeBytes)} free, about ${showBytes(e.neededBytes)} needed; free some space${elsewhere}`;
};

/**
 * A rough upper estimate of the bytes a run writes, over every repeat and compare arm: per run, the
 * model's weights (float32, after every scheduled insertion) in the final model and in each checkpoint
 * (checkpoints also hold the optimizer state), plus a metrics row per epoch.
 */
export const estimateOutputBytes = (spec: Experiment): number => {
  const arms = [spec, ...spec.compare.map((a) => resolveArm(spec, a))];
  const perRepeat = arms.reduce((sum, e) => {
    const m = estimateMemory(e, { batch: 1 });
    const weights = m.parameters * 4;
    const state = weights * (m.parameterCopies - 2);
    return sum + weights + CHECKPOINTS_ON_DISK * (weights + state) + e.train.epochs * BYTES_PER_EPOCH;
  }, 0);
  return perRepeat * spec.repeat;
};
