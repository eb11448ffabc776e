/**
 * The messages between a study and its worker processes, one JSON object per line: tasks and `stop` on the
 * worker's stdin; `ready`, events, progress and each task's outcome on its stdout. Lines that are not JSON
 * (a library printing on stdout) are passed on to stderr by the reader.
 */
import type { RunError, RunEvent } from '@sprout/pipeline';
import type { RunTask } from './tasks.js';

/** How a worker runs its tasks. */
export interface WorkerSettings {
  /** Where steps are computed (@sprout/pipeline's `RunOptions.engine`). @default 'auto' */
  readonly engine?: 'auto' | 'tfjs';
  /** Send every event (true), or `progress` at most every PROGRESS_INTERVAL_MS instead of each epoch. */
  readonly allEvents?: boolean;
  /**
   * Take over the run folder's lock whoever holds it. Set by queue workers only: a job is run by one worker
   * at a time (BullMQ's lock), so a run.lock left by a worker that died, on this or another machine, is stale.
   */
  readonly takeOverLock?: boolean;
}

export type ToWorker =
  { readonly _tag: 'task'; readonly task: RunTask; readonly settings: WorkerSettings } | { readonly _tag: 'stop' };

/** Why a task did not finish. `invalid` (a spec or data that cannot run) is never worth retrying. */
export interface TaskFailure {
  readonly kind: 'invalid' | 'failed' | 'interrupted';
  readonly message: string;
  readonly error?: RunError;
}

export type FromWorker =
  | { readonly _tag: 'ready'; readonly pid: number; readonly backend: string }
  | { readonly _tag: 'event'; readonly id: number; readonly event: RunEvent }
  | {
      readonly _tag: 'progress';
      readonly id: number;
      readonly epoch: number;
      readonly trainLoss: number;
      readonly testLoss: number;
      readonly testError: number;
      readonly stepSize: number;
      readonly parameterCount: number;
      readonly seconds: number;
    }
  /** Steps done inside a long epoch (the pipeline's `onProgress`), for the study's progress display. */
  | {
      readonly _tag: 'step-progress';
      readonly id: number;
      readonly epoch: number;
      readonly step: number;
      readonly steps: number;
      readonly examples: number;
      readonly seconds: number;
    }
  | { readonly _tag: 'done'; readonly id: number; readonly skipped: boolean }
  | { readonly _tag: 'failed'; readonly id: number; readonly failure: TaskFailure };

/** Least time between two progress messages of one run. */
export const PROGRESS_INTERVAL_MS = 200;

/** Splits a stream into lines and calls `onLine` for each complete one. */
export const lineReader = (onLine: (line: string) => void): ((chunk: Buffer | string) => void) => {
  let rest = '';
  return (chunk) => {
    rest += chunk.toString();
    let nl = rest.indexOf('\n');
    while (nl >= 0) {
      const line = rest.slice(0, nl);
      rest = rest.slice(nl + 1);
      if (line.length > 0) onLine(line);
      nl = rest.indexOf('\n');
    }
  };
};
