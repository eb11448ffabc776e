/**
 * Failures that are the machine's state, not a bug in Sprout: a write of the run's outputs refused (a full
 * disk, a read-only or vanished folder) and memory exhausted. They reach the user as one line with what to
 * do (`output-error` with the resume hint, `out-of-memory`), never as an internal error with a stack.
 */
import type { RunError } from '../Pipeline.js';

const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** System errors of writing that are the machine's state, not a bug: a full disk, a read-only or vanished folder. */
const OUTPUT_CODES = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'EIO', 'ENOENT', 'EFBIG']);
const OUTPUT_REASONS: Readonly<Record<string, string>> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EIO: 'an input/output error of the device',
  ENOENT: 'the run folder was removed',
  EFBIG: 'the file grew past the size this system allows',
};

/**
 * A write failure of the run's outputs as a user-facing `output-error` (exit 1 with the resume hint), or
 * undefined for any other error. tfjs' wasm backend reports an exhausted heap as `memory access out of
 * bounds` or an allocation failure; that becomes `out-of-memory`.
 */
export const machineError = (e: unknown, outDir: string | undefined): RunError | undefined => {
  const code = (e as NodeJS.ErrnoException).code;
  const path = (e as NodeJS.ErrnoException).path ?? outDir ?? '';
  if (code !== undefined && OUTPUT_CODES.has(code))
    return { _tag: 'output-error', path, code, message: `cannot write ${path}: ${OUTPUT_REASONS[code]} (${code})` };
  const message = errorMessage(e);
  if (
    e instanceof RangeError &&
    /Array buffer allocation failed|Invalid typed array length|Invalid array length/.test(message)
  )
    return {
      _tag: 'out-of-memory',
      message: `out of memory: an allocation of the run failed (${message}); use a smaller net or batch, or set a lower --memory-limit so that check refuses such nets`,
    };
  if (/memory access out of bounds|Cannot enlarge memory|Out of memory|OOM/i.test(message))
    return {
      _tag: 'out-of-memory',
      message: `out of memory: the backend's memory is exhausted (${message}); the wasm backend holds at most 4 GiB, so use a smaller net or batch, or another backend`,
    };
  return undefined;
};
