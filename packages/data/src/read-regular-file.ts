/**
 * Reading a file that the user named, without trusting it: only a regular file is read (a FIFO would block
 * for ever, a device such as /dev/zero never ends, a directory is not data), and its size is capped while
 * reading, not from `stat` (which says 0 for devices and may change under us). The FIFO check opens with
 * O_NONBLOCK, so opening a FIFO that has no writer returns at once instead of waiting for one.
 */
import { constants, promises as fsp, openSync, closeSync, fstatSync, readSync, type Stats } from 'node:fs';

/** Why a file could not be read, as a value. */
export type ReadFileProblem =
  | { readonly _tag: 'not-found' }
  | { readonly _tag: 'not-a-regular-file'; readonly kind: string }
  | { readonly _tag: 'symlink-loop' }
  | { readonly _tag: 'permission-denied' }
  | { readonly _tag: 'too-large'; readonly maxBytes: number }
  | { readonly _tag: 'unreadable'; readonly reason: string };

export type ReadFileResult =
  { readonly ok: true; readonly bytes: Uint8Array } | { readonly ok: false; readonly problem: ReadFileProblem };

/** What a non-regular file is, in words. */
const kindOf = (s: Stats): string =>
  s.isDirectory()
    ? 'a directory'
    : s.isFIFO()
      ? 'a named pipe (FIFO)'
      : s.isCharacterDevice() || s.isBlockDevice()
        ? 'a device'
        : s.isSocket()
          ? 'a socket'
          : 'not a regular file';

const problemOf = (e: unknown): ReadFileProblem => {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return { _tag: 'not-found' };
  if (code === 'ELOOP') return { _tag: 'symlink-loop' };
  if (code === 'EACCES' || code === 'EPERM') return { _tag: 'permission-denied' };
  if (code === 'EISDIR') return { _tag: 'not-a-regular-file', kind: 'a directory' };
  return { _tag: 'unreadable', reason: e instanceof Error ? e.message : String(e) };
};

/** One line for a problem with `file`: `cannot read 'x': it is a named pipe (FIFO); Sprout reads regular files only`. */
export const describeReadFileProblem = (file: string, p: ReadFileProblem): string => {
  switch (p._tag) {
    case 'not-found':
      return `cannot read '${file}': no such file`;
    case 'not-a-regular-file':
      return `cannot read '${file}': it is ${p.kind}; Sprout reads regular files only`;
    case 'symlink-loop':
      return `cannot read '${file}': too many levels of symbolic links (a symlink loop)`;
    case 'permission-denied':
      return `cannot read '${file}': permission denied`;
    case 'too-large':
      return `cannot read '${file}': it has more than ${p.maxBytes} bytes, the most Sprout reads from such a file`;
    case 'unreadable':
      return `cannot read '${file}': ${p.reason}`;
  }
};

const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);
const CHUNK = 1 << 20;

/** Appends chunks until the end of the file or `maxBytes + 1` bytes (then too large). */
const collect = (chunks: Uint8Array[], total: number): Uint8Array => {
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
};

/** Reads `file` if it is a regular file of at most `maxBytes` bytes (synchronously). */
export const readRegularFileSync = (file: string, maxBytes: number): ReadFileResult => {
  let fd: number;
  try {
    fd = openSync(file, OPEN_FLAGS);
  } catch (e) {
    return { ok: false, problem: problemOf(e) };
  }
  try {
    const s = fstatSync(fd);
    if (!s.isFile()) return { ok: false, problem: { _tag: 'not-a-regular-file', kind: kindOf(s) } };
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const buf = new Uint8Array(Math.min(CHUNK, maxBytes + 1 - total));
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
      total += n;
      if (total > maxBytes) return { ok: false, problem: { _tag: 'too-large', maxBytes } };
    }
    return { ok: true, bytes: collect(chunks, total) };
  } catch (e) {
    return { ok: false, problem: problemOf(e) };
  } finally {
    closeSync(fd);
  }
};

/** Reads `file` if it is a regular file of at most `maxBytes` bytes. */
export const readRegularFile = async (file: string, maxBytes: number): Promise<ReadFileResult> => {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(file, OPEN_FLAGS);
  } catch (e) {
    return { ok: false, problem: problemOf(e) };
  }
  try {
    const s = await handle.stat();
    if (!s.isFile()) return { ok: false, problem: { _tag: 'not-a-regular-file', kind: kindOf(s) } };
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const buf = new Uint8Array(Math.min(Math.max(CHUNK, Math.min(s.size + 1, 256 * CHUNK)), maxBytes + 1 - total));
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      chunks.push(buf.subarray(0, bytesRead));
      total += bytesRead;
      if (total > maxBytes) return { ok: false, problem: { _tag: 'too-large', maxBytes } };
    }
    return { ok: true, bytes: chunks.length === 1 ? chunks[0]! : collect(chunks, total) };
  } catch (e) {
    return { ok: false, problem: problemOf(e) };
  } finally {
    await handle.close();
  }
};
