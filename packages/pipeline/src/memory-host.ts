/**
 * A RunHost without Node: run directories in memory (a browser tab, a Web Worker, a test), the TensorFlow.js
 * backend already set, SHA-256 in JavaScript. Runs write the same files as on disk (spec.json, metrics.csv,
 * events.jsonl, checkpoints, model/), so a stopped run continues with `resume` and its files can be
 * offered for download. Paths are POSIX-like, absolute from `/`.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { generateSpirals } from '@sprout/data';
import type { LineSink, RunFiles, RunHost } from './host.js';

/** The in-memory files of a memory host, readable from outside (downloads, tests). */
export interface MemoryFiles extends RunFiles {
  /** Every file by absolute path, in the order they were created. */
  readonly entries: () => ReadonlyMap<string, Uint8Array>;
  /** Put a file (e.g. a CSV the user dropped on the page), creating its folders. */
  readonly put: (path: string, bytes: Uint8Array) => void;
}

const normalize = (path: string): string => {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
};

const parentOf = (path: string): string => {
  const p = normalize(path);
  return p === '/' ? '/' : p.slice(0, p.lastIndexOf('/')) || '/';
};

/** Files in memory: a map from absolute path to bytes, and the set of folders. */
export const memoryFiles = (cwd = '/'): MemoryFiles => {
  const files = new Map<string, Uint8Array>();
  const dirs = new Set<string>(['/']);
  const resolve = (path: string): string => normalize(path.startsWith('/') ? path : `${cwd}/${path}`);
  const mkdirs = (dir: string): void => {
    for (let d = resolve(dir); !dirs.has(d); d = parentOf(d)) dirs.add(d);
  };
  const existing = (path: string): Uint8Array => {
    const bytes = files.get(resolve(path));
    if (bytes === undefined) throw new Error(`${path} does not exist`);
    return bytes;
  };
  const set = (path: string, bytes: Uint8Array): void => {
    const p = resolve(path);
    if (!dirs.has(parentOf(p))) throw new Error(`the folder of ${p} does not exist`);
    if (dirs.has(p)) throw new Error(`${p} is a folder`);
    files.set(p, bytes);
  };
  return {
    join: (...parts) => normalize(parts.join('/')).slice(parts[0]?.startsWith('/') === true ? 0 : 1),
    dirname: parentOf,
    basename: (path) => normalize(path).split('/').pop() ?? '',
    resolve,
    mkdirs,
    mkdirExclusive: (dir) => {
      const d = resolve(dir);
      if (dirs.has(d) || files.has(d)) return false;
      if (!dirs.has(parentOf(d))) throw new Error(`the folder of ${d} does not exist`);
      dirs.add(d);
      return true;
    },
    openLines: (path, mode): LineSink => {
      const p = resolve(path);
      if (mode === 'create' && files.has(p)) throw new Error(`${p} exists already`);
      if (mode === 'create' || !files.has(p)) set(p, new Uint8Array(0));
      const encoder = new TextEncoder();
      let open = true;
      return {
        write: (line) => {
          if (!open) return;
          const before = existing(p);
          const added = encoder.encode(line);
          const after = new Uint8Array(before.length + added.length);
          after.set(before);
          after.set(added, before.length);
          files.set(p, after);
        },
        close: () => {
          open = false;
        },
      };
    },
    writeAtomic: (path, bytes, options = {}) => {
      const p = resolve(path);
      mkdirs(parentOf(p));
      const old = files.get(p);
      if (options.previous !== undefined && old !== undefined) set(options.previous, old);
      set(p, bytes.slice());
    },
    read: (path) => files.get(resolve(path)),
    list: (dir) => {
      const d = resolve(dir);
      const prefix = d === '/' ? '/' : `${d}/`;
      const child = (p: string): string | undefined =>
        p.startsWith(prefix) && p !== d && !p.slice(prefix.length).includes('/') ? p.slice(prefix.length) : undefined;
      return [
        ...[...dirs].flatMap((p) => {
          const name = child(p);
          return name === undefined ? [] : [{ name, directory: true }];
        }),
        ...[...files.keys()].flatMap((p) => {
          const name = child(p);
          return name === undefined ? [] : [{ name, directory: false }];
        }),
      ];
    },
    remove: (path) => {
      files.delete(resolve(path));
    },
    entries: () => files,
    put: (path, bytes) => {
      mkdirs(parentOf(resolve(path)));
      set(path, bytes);
    },
  };
};

export interface MemoryHostOptions {
  /** The files runs write to. @default a new empty `memoryFiles()` */
  readonly files?: MemoryFiles;
  /** The data loader. @default spirals only (other data needs files a browser has to be given) */
  readonly loadData?: RunHost['loadData'];
  /** Versions recorded in spec.json (e.g. the pipeline's, the browser's). @default {} */
  readonly versions?: Readonly<Record<string, string>>;
}

/** Spirals, which need no file; for anything else a message that says what to do. */
const spiralsOnly: RunHost['loadData'] = (data, options) =>
  data._tag === 'spirals'
    ? TE.fromEither(
        generateSpirals({
          points: data.points,
          turns: data.turns,
          radius: data.radius,
          split: data.split,
          seed: options.seed,
        }),
      )
    : TE.left({
        _tag: 'InvalidOption',
        option: 'data',
        reason: `${data._tag} data needs files; this host loads spirals only (give it a loadData that reads them)`,
      });

let counter = 0;
const randomId = (): string => {
  const c = (globalThis as { crypto?: { randomUUID?: () => string; getRandomValues?: (a: Uint8Array) => Uint8Array } })
    .crypto;
  if (c?.randomUUID !== undefined) return c.randomUUID();
  const bytes = c?.getRandomValues?.(new Uint8Array(16)) ?? new Uint8Array(16).map(() => (Math.random() * 256) | 0);
  counter += 1;
  return `${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}-${counter}`;
};

/**
 * A host in memory, on the TensorFlow.js backend already set up (a browser picks webgl, webgpu or wasm
 * before running; `RunOptions.backend` then stays unset). No native kernels, one thread, no locks to take:
 * one page owns its files.
 */
export const memoryHost = (options: MemoryHostOptions = {}): RunHost & { readonly files: MemoryFiles } => ({
  files: options.files ?? memoryFiles(),
  cwd: () => '/',
  loadData: options.loadData ?? spiralsOnly,
  initBackend: async (choice) => {
    const name = choice === 'auto' ? tf.getBackend() : choice;
    if (choice !== 'auto' && !(await tf.setBackend(choice)))
      return E.left({ message: `The ${choice} backend is not available in this environment.` });
    await tf.ready();
    return E.right({ message: `Using the TensorFlow.js ${name} backend.` });
  },
  setThreads: () => 1,
  threads: () => 1,
  lock: () => ({ ok: true, release: () => undefined }),
  sha256: (bytes) => sha256(bytes),
  randomId,
  versions: options.versions ?? {},
});
