/**
 * The CLI side of a fuzz run: runs the inputs in a worker thread with a stack as small as a Node main
 * thread's (so a stack overflow `sprout check` would hit is not hidden by a worker's larger stack), watches
 * it (no progress for `hangMs` is a hang: the worker is terminated and restarted after that input; a dead
 * worker is a crash, restarted the same way), saves each failing input as a file that reproduces it, and
 * sums everything into one summary.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { buildCorpus } from './fuzz-corpus.js';
import { emptyTally, merge, type Failure, type Tally } from './fuzz-harness.js';
import { inputAt, type FuzzInput } from './fuzz-mutate.js';
import type { WorkerData, WorkerMessage } from './fuzz-worker.js';

export interface SuperviseOptions {
  readonly seed: number;
  readonly count: number;
  /** First input index. @default 0 */
  readonly start?: number;
  /** @default 1000 */
  readonly timeLimitMs?: number;
  /** No progress for this long (wall time) is a hang. @default 60000 */
  readonly hangMs?: number;
  /** Generated corpus experiments. @default 300 */
  readonly generated?: number;
  /** Where failing inputs are written (created on the first failure). */
  readonly outDir: string;
  /** Worker stack size in MiB (a Node main thread has about 1). @default 1 */
  readonly stackMb?: number;
  /** Worker heap limit in MiB. @default 2048 */
  readonly heapMb?: number;
  /** Progress lines (every `progressEvery` inputs). */
  readonly onProgress?: (done: number, failures: number, ms: number) => void;
  /** @default 10000 */
  readonly progressEvery?: number;
}

export interface SavedFailure extends Failure {
  /** The files that reproduce it: the input and a JSON record. */
  readonly files: readonly string[];
}

export interface Summary {
  readonly seed: number;
  readonly count: number;
  readonly corpus: number;
  readonly tally: Tally;
  readonly failures: readonly SavedFailure[];
  /** Wall-clock time of the run, corpus building included. */
  readonly wallMs: number;
  /** Times a worker was restarted after a hang or crash. */
  readonly restarts: number;
}

/** Writes `<kind>-<index>.sprout` (the bytes, or the text as UTF-8) and `<kind>-<index>.json` (the record). */
export const saveFailure = (dir: string, seed: number, failure: Failure, input: FuzzInput): SavedFailure => {
  mkdirSync(dir, { recursive: true });
  const stem = join(dir, `${failure.kind}-${failure.index}`);
  const bytes = 'bytes' in input ? input.bytes : new TextEncoder().encode(input.text);
  writeFileSync(`${stem}.sprout`, bytes);
  const record = {
    ...failure,
    seed,
    input: `${stem}.sprout`,
    // Lone surrogates do not survive UTF-8: a text input is kept exactly as a JSON string.
    ...('text' in input ? { text: input.text } : {}),
    replay: `node --conditions=sprout-source --import tsx tools/src/fuzz.ts --replay ${stem}.${'text' in input ? 'json' : 'sprout'}`,
    regenerate: `node --conditions=sprout-source --import tsx tools/src/fuzz.ts --seed ${seed} --start ${failure.index} --count 1`,
  };
  writeFileSync(`${stem}.json`, `${JSON.stringify(record, null, 2)}\n`);
  return { ...failure, files: [`${stem}.sprout`, `${stem}.json`] };
};

/**
 * Worker threads do not inherit tsx's loader hooks, so the worker registers them itself before importing
 * its TypeScript module (the `sprout-source` condition does carry over through `execArgv`).
 */
const WORKER_BOOT = `
import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
  .then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL('./fuzz-worker.ts', import.meta.url).href)}); })
  .catch((e) => { setImmediate(() => { throw e; }); });
`;

/** Runs `count` inputs of `seed` in a watched worker. */
export const supervise = async (options: SuperviseOptions): Promise<Summary> => {
  const t0 = performance.now();
  const start = options.start ?? 0;
  const end = start + options.count;
  const hangMs = options.hangMs ?? 60_000;
  const generated = options.generated ?? 300;
  const progressEvery = options.progressEvery ?? 10_000;
  const failures: SavedFailure[] = [];
  let tally = emptyTally();
  let corpusSize = 0;
  let restarts = 0;
  /** Indexes never to run again (they hung or crashed a worker). */
  const skip = new Set<number>();
  /** Everything below this index has been tallied. */
  let next = start;
  let nextProgress = start + progressEvery;
  let mainCorpus: ReturnType<typeof buildCorpus> | undefined;
  const regenerate = (index: number): FuzzInput => {
    mainCorpus ??= buildCorpus(options.seed, { generated });
    return inputAt(mainCorpus, options.seed, index);
  };

  const runWorker = (): Promise<'done' | 'restart'> =>
    new Promise((resolve, reject) => {
      const shared = new SharedArrayBuffer(4);
      const current = new Int32Array(shared);
      current[0] = -1;
      const data: WorkerData = {
        seed: options.seed,
        start: next,
        count: end - next,
        skip: [...skip],
        timeLimitMs: options.timeLimitMs ?? 1000,
        generated,
        shared,
      };
      const worker = new Worker(WORKER_BOOT, {
        eval: true,
        workerData: data,
        resourceLimits: { stackSizeMb: options.stackMb ?? 1, maxOldGenerationSizeMb: options.heapMb ?? 2048 },
      });
      let settled = false;
      let seen = -1;
      let seenAt = performance.now();
      let ready = false;
      const finish = (how: 'done' | 'restart'): void => {
        if (settled) return;
        settled = true;
        clearInterval(watch);
        void worker.terminate();
        resolve(how);
      };
      const lose = (kind: 'hang' | 'crash', message: string, stack?: string): void => {
        const index = Atomics.load(current, 0);
        if (index < 0) {
          // The worker died before running any input: nothing to blame, and retrying would loop.
          settled = true;
          clearInterval(watch);
          void worker.terminate();
          reject(
            new Error(
              `fuzz worker failed before its first input: ${message}${stack === undefined ? '' : `\n${stack}`}`,
            ),
          );
          return;
        }
        const input = regenerate(index);
        const failure: Failure = {
          kind,
          index,
          recipe: input.recipe,
          stage: 'unknown (worker)',
          message,
          ms: [performance.now() - seenAt],
          ...(stack === undefined ? {} : { stack }),
        };
        failures.push(saveFailure(options.outDir, options.seed, failure, input));
        tally = merge(tally, { ...emptyTally(), inputs: 1, failed: 1 });
        skip.add(index);
        restarts += 1;
        finish('restart');
      };
      const watch = setInterval(() => {
        if (!ready) return;
        const index = Atomics.load(current, 0);
        const now = performance.now();
        if (index !== seen) {
          seen = index;
          seenAt = now;
        } else if (now - seenAt > hangMs) lose('hang', `no result after ${hangMs} ms`);
      }, 50);
      worker.on('message', (m: WorkerMessage) => {
        switch (m.type) {
          case 'ready':
            corpusSize = m.corpus;
            ready = true;
            seenAt = performance.now();
            break;
          case 'tally':
            tally = merge(tally, m.tally);
            next = m.lastIndex + 1;
            if (next >= nextProgress) {
              options.onProgress?.(next - start, tally.failed, performance.now() - t0);
              while (nextProgress <= next) nextProgress += progressEvery;
            }
            break;
          case 'failure': {
            const input: FuzzInput =
              m.bytes !== undefined
                ? { index: m.failure.index, recipe: m.failure.recipe, bytes: m.bytes }
                : { index: m.failure.index, recipe: m.failure.recipe, text: m.text ?? '' };
            failures.push(saveFailure(options.outDir, options.seed, m.failure, input));
            break;
          }
          case 'done':
            finish('done');
            break;
        }
      });
      worker.on('error', (e) => lose('crash', `worker died: ${e.name}: ${e.message}`, e.stack));
      worker.on('exit', (code) => {
        if (!settled) lose('crash', `worker exited with code ${code}`);
      });
    });

  while ((await runWorker()) === 'restart') {
    // Failures of the lost inputs were reported again by the new worker only if they re-ran; de-duplicate.
  }
  const unique = new Map<string, SavedFailure>();
  for (const f of failures) unique.set(`${f.kind}-${f.index}`, f);
  return {
    seed: options.seed,
    count: options.count,
    corpus: corpusSize,
    tally,
    failures: [...unique.values()].sort((a, b) => a.index - b.index),
    wallMs: performance.now() - t0,
    restarts,
  };
};
