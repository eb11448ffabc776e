/**
 * The worker process of a study (`sprout __study-worker`): reads tasks from stdin, runs them one after
 * another, writes events and outcomes to stdout (protocol.ts). `stop` (or SIGINT/SIGTERM, or the end of
 * stdin when the study died) stops the current run after its step, with a checkpoint, and ends the process.
 */
import { initBackend } from '@sprout/backend';
import * as E from 'fp-ts/lib/Either.js';
import type { RunEvent, StepProgress } from '@sprout/pipeline';
import { lineReader, PROGRESS_INTERVAL_MS, type FromWorker, type ToWorker } from './protocol.js';
import { runTask } from './run-task.js';

export interface WorkerProcessOptions {
  readonly backend?: 'auto' | 'node' | 'wasm' | 'cpu';
  readonly input?: NodeJS.ReadableStream;
  readonly write?: (line: string) => void;
}

/** Runs the worker loop until stdin ends or `stop` arrives; resolves with the exit status. */
export const workerProcess = async (options: WorkerProcessOptions = {}): Promise<number> => {
  const input = options.input ?? process.stdin;
  const write = options.write ?? ((line: string) => void process.stdout.write(line));
  const send = (m: FromWorker): void => write(`${JSON.stringify(m)}\n`);
  const backend = await initBackend(options.backend ?? 'auto');
  if (E.isLeft(backend)) {
    process.stderr.write(`sprout worker: ${backend.left.message}\n`);
    return 1;
  }
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const queue: ToWorker[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  input.on(
    'data',
    lineReader((line) => {
      let m: ToWorker;
      try {
        m = JSON.parse(line) as ToWorker;
      } catch {
        return;
      }
      if (m._tag === 'stop') stop();
      else queue.push(m);
      wake?.();
    }),
  );
  input.on('end', () => {
    ended = true;
    // The study is gone (killed): nobody is left to take the results, so the run in flight checkpoints and stops.
    if (queue.length === 0) stop();
    wake?.();
  });
  send({ _tag: 'ready', pid: process.pid, backend: backend.right.tfName });
  try {
    while (!controller.signal.aborted) {
      const next = queue.shift();
      if (next === undefined) {
        if (ended) break;
        await new Promise<void>((r) => {
          wake = r;
          controller.signal.addEventListener('abort', () => r(), { once: true });
        });
        wake = undefined;
        continue;
      }
      if (next._tag !== 'task') continue;
      const { task, settings } = next;
      let last = 0;
      const onEvent = (event: RunEvent): void => {
        if (event._tag === 'epoch-end' && settings.allEvents !== true) {
          const now = performance.now();
          if (now - last < PROGRESS_INTERVAL_MS) return;
          last = now;
          const { epoch, trainLoss, testLoss, testError, stepSize, parameterCount, seconds } = event;
          send({
            _tag: 'progress',
            id: task.index,
            epoch,
            trainLoss,
            testLoss,
            testError,
            stepSize,
            parameterCount,
            seconds,
          });
          return;
        }
        if (event._tag === 'started' || event._tag === 'finished' || event._tag === 'failed') return;
        send({ _tag: 'event', id: task.index, event });
      };
      // The pipeline reports a long epoch's steps about every 100 ms: each becomes one line.
      const onProgress = (p: StepProgress): void =>
        send({
          _tag: 'step-progress',
          id: task.index,
          epoch: p.epoch,
          step: p.step,
          steps: p.steps,
          examples: p.examples,
          seconds: p.seconds,
        });
      const outcome = await runTask(task, settings, controller.signal, onEvent, onProgress);
      send(
        outcome.ok
          ? { _tag: 'done', id: task.index, skipped: outcome.skipped }
          : { _tag: 'failed', id: task.index, failure: outcome.failure },
      );
    }
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
  }
  return 0;
};
