/**
 * The RunHost of Node (the CLI, studies, scripts): run directories on disk (lines appended with write(2),
 * atomic renames, fsync where asked), locks naming a live process, @sprout/data's file loaders,
 * @sprout/backend's backend choice and native threads, OpenSSL's SHA-256.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { loadData } from '@sprout/data';
import { computeThreads, initBackend, setComputeThreads } from '@sprout/backend';
import type { LineSink, RunFiles, RunHost } from './host.js';
import { writeFileAtomic } from './internal/atomic-write.js';
import { takeLock } from './internal/lock-file.js';

const PIPELINE_VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/**
 * Appends whole lines to an open file: a write that fails part-way (a full disk) is cut back off, so the
 * file never ends in half a row; the error is then rethrown. Kept open for the run: a row costs one
 * write(2), not an open, a write and a close (1850 epochs of a spirals run spent ~0.1 s there).
 */
const openLines = (path: string, mode: 'create' | 'append'): LineSink => {
  let fd: number | undefined = openSync(path, mode === 'create' ? 'wx' : 'a');
  let end = fstatSync(fd).size;
  return {
    write: (line) => {
      if (fd === undefined) return;
      const bytes = Buffer.from(line, 'utf8');
      let written = 0;
      try {
        while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
      } catch (e) {
        if (written > 0)
          try {
            ftruncateSync(fd, end);
          } catch {
            // The original error says more than a failed cleanup; resume drops a cut line anyway.
          }
        throw e;
      }
      end += written;
    },
    close: () => {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
};

export const nodeFiles: RunFiles = {
  join,
  dirname,
  basename,
  resolve: (path) => resolve(path),
  mkdirs: (dir) => mkdirSync(dir, { recursive: true }),
  mkdirExclusive: (dir) => {
    try {
      mkdirSync(dir);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
  },
  openLines,
  writeAtomic: writeFileAtomic,
  read: (path) => {
    try {
      return readFileSync(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  },
  list: (dir) => {
    try {
      return readdirSync(dir, { withFileTypes: true }).map((e) => ({ name: e.name, directory: e.isDirectory() }));
    } catch {
      return [];
    }
  },
  remove: (path) => rmSync(path, { force: true }),
};

/** Runs in this Node process: files on disk, the native addon, tfjs-node or wasm. */
export const nodeHost: RunHost = {
  files: nodeFiles,
  cwd: () => process.cwd(),
  loadData: (data, options) => loadData(data, options),
  initBackend,
  setThreads: setComputeThreads,
  threads: computeThreads,
  lock: takeLock,
  sha256: (bytes) => createHash('sha256').update(bytes).digest(),
  randomId: randomUUID,
  versions: { '@sprout/pipeline': PIPELINE_VERSION, node: process.version },
};
