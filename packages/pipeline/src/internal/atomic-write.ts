/**
 * Atomic file replacement: a reader of `path` sees the old content or the new, never a partial file
 * (temporary file in the same folder, fsync, rename, fsync of the folder).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** Write `bytes` to `path` atomically: temporary file in the same folder, fsync, rename, fsync the folder. */
export const writeFileAtomic = (path: string, bytes: Uint8Array): void => {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
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

