/**
 * How much memory a run may plan for: a fraction of what this machine really gives the process (the
 * cgroup's limit where one is set, as in a container or a systemd slice; else physical memory), and at
 * most the wasm heap's 4 GiB when training runs on the wasm backend, whose 32-bit heap cannot grow past
 * it. `--memory-limit` overrides the machine's figure. `check` and `run` refuse a net over the limit with
 * the estimate and the limit (`too-large`), before a tensor is allocated.
 */
import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import bytes from 'bytes';
import { showBytes } from '@sprout/spec';

/** Share of the machine's memory a run may plan for: the estimate leaves out allocator and backend overhead. */
const MEMORY_FRACTION = 0.75;
/** The wasm backend's heap ceiling (32-bit addresses). */
const WASM_HEAP_BYTES = 4 * 1024 ** 3;

export interface MemoryLimit {
  readonly bytes: number;
  /** Where the figure comes from, in words, for the `too-large` message. */
  readonly source: string;
}

const readNumber = (path: string): number | undefined => {
  try {
    const text = readFileSync(path, 'utf8').trim();
    const n = Number(text);
    return text === 'max' || !Number.isFinite(n) || n <= 0 ? undefined : n;
  } catch {
    return undefined;
  }
};

/**
 * The cgroup memory limit of this process, if any: cgroup v2 (`memory.max` of the process's own group, or
 * of the root of the mounted hierarchy inside a container), else cgroup v1 (`memory.limit_in_bytes`; v1
 * reports "no limit" as a huge number, which the minimum with physical memory then ignores).
 */
const cgroupMemoryBytes = (): number | undefined => {
  const candidates: string[] = [];
  try {
    for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
      const [, controllers, path] = line.split(':');
      if (path === undefined) continue;
      if (controllers === '') candidates.push(`/sys/fs/cgroup${path}/memory.max`);
      else if (controllers!.split(',').includes('memory'))
        candidates.push(`/sys/fs/cgroup/memory${path}/memory.limit_in_bytes`);
    }
  } catch {
    // Not Linux, or no /proc: no cgroup limit.
  }
  candidates.push('/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes');
  for (const c of candidates) {
    const n = readNumber(c);
    if (n !== undefined) return n;
  }
  return undefined;
};

/** Parses `--memory-limit`: a byte count, or a size such as `2GiB`, `2G`, `512MB` (binary units). */
export const parseMemoryLimit = (text: string): number | undefined => {
  const normalized = text.trim().replace(/^(\d+(?:\.\d+)?)\s*([kmgtp])(?:i?b)?$/i, '$1$2b');
  const n = bytes.parse(normalized);
  return n === null || !Number.isFinite(n) || n <= 0 ? undefined : n;
};

/** The limit for a run on `backend` (a tfjs backend name; `wasm` adds the heap ceiling). */
export const memoryLimit = (options: { readonly override?: number; readonly backend?: string } = {}): MemoryLimit => {
  let limit: MemoryLimit;
  if (options.override !== undefined) limit = { bytes: options.override, source: 'set by --memory-limit' };
  else {
    const physical = totalmem();
    const cgroup = cgroupMemoryBytes();
    limit =
      cgroup !== undefined && cgroup < physical
        ? {
            bytes: Math.floor(cgroup * MEMORY_FRACTION),
            source: `${MEMORY_FRACTION * 100} % of this process's cgroup limit of ${showBytes(cgroup)}`,
          }
        : {
            bytes: Math.floor(physical * MEMORY_FRACTION),
            source: `${MEMORY_FRACTION * 100} % of the machine's ${showBytes(physical)}`,
          };
  }
  if (options.backend === 'wasm' && limit.bytes > WASM_HEAP_BYTES)
    limit = { bytes: WASM_HEAP_BYTES, source: "the wasm backend's heap ceiling, which --backend cpu does not have" };
  return limit;
};
