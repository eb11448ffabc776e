/**
 * What a run needs from the place it runs in, so that the same pipeline code trains in Node (the CLI: files
 * on disk, the native addon, tfjs-node) and in a browser (files in memory, wasm or webgl): the run
 * directory's files, the data loader, the backend and its threads, locks, hashes, ids and the versions a
 * run records. `nodeHost` (@sprout/pipeline) is the Node implementation, `memoryHost`
 * (@sprout/pipeline/core) the in-memory one. Stopping a run is not the host's business: `RunOptions.signal`
 * is an AbortSignal that a Ctrl-C handler or a Stop button aborts alike.
 */
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type * as E from 'fp-ts/lib/Either.js';
import type { Data } from '@sprout/spec';
import type { DataError, Dataset } from '@sprout/data';

/** Which TensorFlow.js backend to use; `auto` tries tfjs-node, then wasm, then cpu. */
export type BackendChoice = 'auto' | 'node' | 'wasm' | 'cpu';

/** A file kept open to append whole lines to (metrics.csv, events.jsonl). */
export interface LineSink {
  /** Append `line` (with its newline); a write that fails part-way leaves no half line behind. */
  readonly write: (line: string) => void;
  readonly close: () => void;
}

/** The files of run directories. Paths are the host's own (absolute after `resolve`). */
export interface RunFiles {
  readonly join: (...parts: string[]) => string;
  readonly dirname: (path: string) => string;
  readonly basename: (path: string) => string;
  /** `path` made absolute (against the host's working directory). */
  readonly resolve: (path: string) => string;
  /** Create `dir` and its parents if missing. */
  readonly mkdirs: (dir: string) => void;
  /** Create `dir` (its parent exists): false when it exists already. */
  readonly mkdirExclusive: (dir: string) => boolean;
  /** Open `path` for appending lines: `create` makes a new file (failing when it exists), `append` continues one. */
  readonly openLines: (path: string, mode: 'create' | 'append') => LineSink;
  /**
   * Replace `path` atomically (a reader sees the old content or the new); `durable` also survives a power
   * failure where the host can tell; `previous` keeps the replaced file under that name.
   */
  readonly writeAtomic: (
    path: string,
    bytes: Uint8Array,
    options?: { readonly durable?: boolean; readonly previous?: string },
  ) => void;
  /** The bytes of `path`, or undefined when there is no such file (other failures throw). */
  readonly read: (path: string) => Uint8Array | undefined;
  /** The entries of `dir` (empty when it does not exist). */
  readonly list: (dir: string) => readonly { readonly name: string; readonly directory: boolean }[];
  /** Remove the file `path` (nothing when it is missing). */
  readonly remove: (path: string) => void;
}

/** The lock a writer holds on a run directory, or the live holder that refuses it. */
export type LockResult =
  | { readonly ok: true; readonly release: () => void }
  | { readonly ok: false; readonly pid: number; readonly since: string; readonly host?: string };

export interface RunHost {
  readonly files: RunFiles;
  /** Directory that relative data paths are resolved against when the compile options name none. */
  readonly cwd: () => string;
  /** Load an arm's data (what `@sprout/data`'s `loadData` does in Node). */
  readonly loadData: (
    data: Data,
    options: { readonly baseDir: string; readonly seed: number; readonly classes: number },
  ) => TE.TaskEither<DataError, Dataset>;
  /** Initialise a TensorFlow.js backend; its one-line note (which backend, why it fell back). */
  readonly initBackend: (
    choice: BackendChoice,
  ) => Promise<E.Either<{ readonly message: string }, { readonly message: string }>>;
  /** Set the native kernels' threads (returns the count in force). */
  readonly setThreads: (threads: number) => number;
  /** The native kernels' threads in force (1 where there are none). */
  readonly threads: () => number;
  /** Take the lock of a run directory while a run writes to it. */
  readonly lock: (dir: string, options: { readonly force: boolean }) => LockResult;
  /** SHA-256 of `bytes` (checkpoints' checksums and the spec's hash). */
  readonly sha256: (bytes: Uint8Array) => Uint8Array;
  /** A fresh unique id (a run directory's id). */
  readonly randomId: () => string;
  /** Versions a run records in spec.json besides TensorFlow.js' (the pipeline's, the runtime's). */
  readonly versions: Readonly<Record<string, string>>;
}
