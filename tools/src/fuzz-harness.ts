/**
 * The fuzz loop and its bookkeeping: runs inputs `start … start + count − 1` of a seed through the target,
 * times each entry point on each input (CPU time, see `cpuMs`; wall time is kept too), classifies what goes wrong (a throw, a stack overflow, an oracle violation, an input
 * slower than the limit twice in a row) and keeps the counts, the diagnostic codes seen and the slowest
 * inputs. It runs in-process (the Vitest test) or inside the CLI's worker, whose watchdog adds the
 * failures a thread cannot report about itself (a hang, a crash of the worker).
 */
import { performance } from 'node:perf_hooks';
import { inputAt, inputLength, type FuzzInput } from './fuzz-mutate.js';
import type { CorpusEntry } from './fuzz-corpus.js';
import { newProgress, OracleViolation, runTarget, type Progress, type TargetResult } from './fuzz-target.js';

export type FailureKind = 'throw' | 'stack-overflow' | 'oracle' | 'slow' | 'hang' | 'crash';

export interface Failure {
  readonly kind: FailureKind;
  readonly index: number;
  readonly recipe: readonly string[];
  /** Entry point running when it failed (`checkText`, `format`, …). */
  readonly stage: string;
  readonly message: string;
  readonly stack?: string;
  /** Time of the failing run (both runs for `slow`). */
  readonly ms: readonly number[];
}

/** One input's cost: the slowest of its entry-point calls. */
export interface Timed {
  readonly index: number;
  /** CPU milliseconds of the slowest entry-point call on this input. */
  readonly ms: number;
  /** That entry point. */
  readonly entry: string;
  /** Wall milliseconds of the whole target on this input. */
  readonly wallMs: number;
  readonly recipe: readonly string[];
  readonly length: number;
}

/** What a batch of inputs did; `merge` adds batches up. */
export interface Tally {
  inputs: number;
  valid: number;
  invalid: number;
  failed: number;
  /** Sum over inputs of the CPU time of every entry-point call. */
  totalMs: number;
  /** Sum over inputs of the wall time of the whole target. */
  wallMs: number;
  /** Count of each diagnostic code among the invalid inputs (each code counted once per input). */
  codes: Record<string, number>;
  /** Inputs per bucket of their slowest entry-point call: ≤1 ms, ≤10 ms, ≤100 ms, ≤1 s, >1 s. */
  buckets: [number, number, number, number, number];
  /** The slowest inputs, slowest first. */
  slowest: Timed[];
  /** Entry point → its slowest call over all inputs. */
  slowestBy: Record<string, Timed>;
}

export const SLOWEST_KEPT = 10;

export const emptyTally = (): Tally => ({
  inputs: 0,
  valid: 0,
  invalid: 0,
  failed: 0,
  totalMs: 0,
  wallMs: 0,
  codes: {},
  buckets: [0, 0, 0, 0, 0],
  slowest: [],
  slowestBy: {},
});

const keepSlowest = (xs: readonly Timed[]): Timed[] => [...xs].sort((a, b) => b.ms - a.ms).slice(0, SLOWEST_KEPT);

export const merge = (a: Tally, b: Tally): Tally => {
  const codes = { ...a.codes };
  for (const [c, n] of Object.entries(b.codes)) codes[c] = (codes[c] ?? 0) + n;
  const slowestBy = { ...a.slowestBy };
  for (const [e, t] of Object.entries(b.slowestBy))
    if (slowestBy[e] === undefined || t.ms > slowestBy[e].ms) slowestBy[e] = t;
  return {
    inputs: a.inputs + b.inputs,
    valid: a.valid + b.valid,
    invalid: a.invalid + b.invalid,
    failed: a.failed + b.failed,
    totalMs: a.totalMs + b.totalMs,
    wallMs: a.wallMs + b.wallMs,
    codes,
    buckets: a.buckets.map((n, i) => n + b.buckets[i]!) as Tally['buckets'],
    slowest: keepSlowest([...a.slowest, ...b.slowest]),
    slowestBy,
  };
};

const bucket = (ms: number): number => (ms <= 1 ? 0 : ms <= 10 ? 1 : ms <= 100 ? 2 : ms <= 1000 ? 3 : 4);

export interface RunOptions {
  readonly seed: number;
  readonly corpus: readonly CorpusEntry[];
  /** An input with an entry-point call slower than this (CPU ms), twice in a row, is a failure. @default 1000 */
  readonly timeLimitMs?: number;
  /** The clock of the time limit. @default cpuMs */
  readonly clock?: () => number;
  /** Whether inputs may be hundreds of kilobytes and more (see `InputOptions`). @default true */
  readonly heavy?: boolean;
  /** What each input is run through. @default runTarget */
  readonly target?: (input: FuzzInput, progress: Progress) => TargetResult;
  /** Called before each input (the worker publishes the index to its watchdog). */
  readonly onStart?: (index: number) => void;
  /** Called with each failure and its input, as soon as it happens. */
  readonly onFailure?: (failure: Failure, input: FuzzInput) => void;
  /** Called every `flushEvery` inputs and at the end with the tally since the last call. */
  readonly onTally?: (tally: Tally, lastIndex: number) => void;
  /** @default 200 */
  readonly flushEvery?: number;
}

const isStackOverflow = (e: unknown): boolean => e instanceof RangeError && /call stack/i.test(e.message);

interface Attempt {
  /** The slowest entry-point call and its time. */
  readonly ms: number;
  readonly entry: string;
  readonly sumMs: number;
  readonly wallMs: number;
  readonly times: Readonly<Record<string, number>>;
  readonly result?: TargetResult;
  readonly error?: unknown;
  readonly stage: string;
}

const attempt = (
  target: NonNullable<RunOptions['target']>,
  input: FuzzInput,
  clock: (() => number) | undefined,
): Attempt => {
  const progress: Progress = newProgress(clock);
  const t0 = performance.now();
  let result: TargetResult | undefined;
  let error: unknown;
  try {
    result = target(input, progress);
  } catch (e) {
    error = e ?? new Error(String(e));
  }
  const wallMs = performance.now() - t0;
  let ms = 0;
  let entry = '-';
  let sumMs = 0;
  for (const [e, t] of Object.entries(progress.times)) {
    sumMs += t;
    if (t >= ms) [ms, entry] = [t, e];
  }
  return {
    ms,
    entry,
    sumMs,
    wallMs,
    times: progress.times,
    stage: progress.stage,
    ...(result === undefined ? {} : { result }),
    ...(error === undefined ? {} : { error }),
  };
};

/** Runs the indexes of `indexes` in order; returns the tally of all of them. */
export const runInputs = (indexes: Iterable<number>, options: RunOptions): Tally => {
  const limit = options.timeLimitMs ?? 1000;
  const target = options.target ?? runTarget;
  const flushEvery = options.flushEvery ?? 200;
  let total = emptyTally();
  let batch = emptyTally();
  let last = -1;
  const flush = (): void => {
    options.onTally?.(batch, last);
    total = merge(total, batch);
    batch = emptyTally();
  };
  for (const index of indexes) {
    options.onStart?.(index);
    const input = inputAt(options.corpus, options.seed, index, { heavy: options.heavy ?? true });
    const first = attempt(target, input, options.clock);
    let failure: Failure | undefined;
    const base = { index, recipe: input.recipe, stage: first.stage };
    if (first.error !== undefined) {
      const e = first.error;
      const kind: FailureKind =
        e instanceof OracleViolation ? 'oracle' : isStackOverflow(e) ? 'stack-overflow' : 'throw';
      failure = {
        ...base,
        kind,
        message: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
        stack: e instanceof Error ? e.stack : undefined,
        ms: [first.ms],
      };
    } else if (first.ms > limit) {
      const second = attempt(target, input, options.clock);
      if (second.ms > limit)
        failure = {
          ...base,
          stage: first.entry,
          kind: 'slow',
          message: `${first.entry} took ${first.ms.toFixed(0)} ms and then ${second.ms.toFixed(0)} ms of CPU time (limit ${limit} ms)`,
          ms: [first.ms, second.ms],
        };
    }
    batch.inputs += 1;
    batch.totalMs += first.sumMs;
    batch.wallMs += first.wallMs;
    batch.buckets[bucket(first.ms)]! += 1;
    const timed: Timed = {
      index,
      ms: first.ms,
      entry: first.entry,
      wallMs: first.wallMs,
      recipe: input.recipe,
      length: inputLength(input),
    };
    if (batch.slowest.length < SLOWEST_KEPT || first.ms > batch.slowest[batch.slowest.length - 1]!.ms)
      batch.slowest = keepSlowest([...batch.slowest, timed]);
    for (const [e, t] of Object.entries(first.times))
      if (batch.slowestBy[e] === undefined || t > batch.slowestBy[e].ms)
        batch.slowestBy[e] = { ...timed, ms: t, entry: e };
    if (failure !== undefined) {
      batch.failed += 1;
      options.onFailure?.(failure, input);
    } else if (first.result?.valid === true) batch.valid += 1;
    else {
      batch.invalid += 1;
      for (const c of new Set(first.result?.codes ?? [])) batch.codes[c] = (batch.codes[c] ?? 0) + 1;
    }
    last = index;
    if (batch.inputs >= flushEvery) flush();
  }
  flush();
  return total;
};

/** The indexes `start … start + count − 1`. */
export function* range(start: number, count: number, skip: ReadonlySet<number> = new Set()): Generator<number> {
  for (let i = start; i < start + count; i++) if (!skip.has(i)) yield i;
}
