/**
 * Atomic file replacement: a reader of `path` sees the old content or the new, never a partial file
 * (temporary file in the same folder, rename over the old one). `durable` adds an fsync of the file and
 * the folder, so the new content also survives a power failure; without it the write still survives the
 * death of the process (SIGKILL, Ctrl-C), which is what per-epoch checkpoints need, at a third of the cost.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Write `bytes` to `path` atomically (temporary file in the same folder, then rename); `durable` adds
 * fsyncs; `previous` keeps the file it replaces under that name.
 */
export const writeFileAtomic = (
  path: string,
  bytes: Uint8Array,
  options: { readonly durable?: boolean; readonly previous?: string } = {},
): void => {
  const durable = options.durable ?? true;
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
      if (durable) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    // A full disk or a vanished folder: no half-written temporary file is left behind.
    rmSync(tmp, { force: true });
    throw e;
  }
  // The replaced file is kept under `previous` (a checkpoint falls back to it when the new one is damaged).
  if (options.previous !== undefined)
    try {
      renameSync(path, options.previous);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  renameSync(tmp, path);
  if (!durable) return;
  try {
    const dfd = openSync(dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    // Some file systems do not fsync folders; the rename itself is atomic.
  }
};
