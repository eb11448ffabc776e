/**
 * `sprout worker --queue redis://HOST:PORT [--concurrency N] [--data-root DIR …]`: takes the runs of studies
 * submitted with `sprout run FILE --queue …` from the BullMQ queue on that Redis and trains them in worker
 * processes, writing into each run's folder (on a file system shared with the submitter). It runs until
 * SIGINT or SIGTERM, which stop the runs in flight after their step, with a checkpoint; their jobs go back
 * to the queue for another worker. Exit status: 0 after a stop; 1 when the queue cannot be reached; 2 for
 * invalid usage.
 */
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import * as E from 'fp-ts/lib/Either.js';
import { runQueueWorker } from '@sprout/study';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { Io } from '../Io.js';
import { STUDY_WORKER } from '../study-worker.js';

export interface WorkerCommandOptions {
  readonly queue: string;
  readonly concurrency?: number;
  readonly dataRoot?: readonly string[];
  readonly backend?: 'auto' | 'node' | 'wasm' | 'cpu';
  readonly lockSeconds?: number;
}

const positive = (flag: string, max: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new InvalidArgumentError(`${flag} takes a whole number from 1 to ${max}`);
  return n;
};

/** Take jobs until `signal` (default: SIGINT and SIGTERM of this process). */
export const workerAction = async (options: WorkerCommandOptions, io: Io, signal?: AbortSignal): Promise<ExitCode> => {
  const controller = new AbortController();
  const stop = () => controller.abort();
  if (signal === undefined) {
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  } else signal.addEventListener('abort', stop, { once: true });
  const roots = (options.dataRoot ?? []).length > 0 ? options.dataRoot!.map((r) => resolve(r)) : [process.cwd()];
  try {
    const backend = options.backend ?? 'auto';
    const r = await runQueueWorker({
      url: options.queue,
      concurrency: options.concurrency ?? 1,
      dataRoots: roots,
      command: {
        command: process.execPath,
        args: [...process.execArgv, process.argv[1] ?? 'sprout', STUDY_WORKER, '--backend', backend],
      },
      ...(options.lockSeconds !== undefined ? { lockSeconds: options.lockSeconds } : {}),
      signal: controller.signal,
      log: (line) => io.stderr(`sprout worker: ${line}\n`),
      onReady: () =>
        io.stderr(
          `sprout worker: taking runs from the queue (${options.concurrency ?? 1} at a time; data roots ${roots.join(', ')})\n`,
        ),
    });
    if (E.isLeft(r)) {
      io.stderr(`sprout worker: ${r.left}\n`);
      return EXIT.internal;
    }
    return EXIT.ok;
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
  }
};

export const workerCommand = (io: Io, setExit: (code: ExitCode) => void): Command =>
  new Command('worker')
    .description('take runs from a queue (sprout run FILE --queue URL) and train them here')
    .requiredOption(
      '--queue <url>',
      'the Redis of the queue: redis://HOST:PORT, rediss://HOST:PORT (TLS), redis://USER:PASSWORD@HOST:PORT',
    )
    .addOption(
      new Option('--concurrency <n>', 'runs trained at once on this machine')
        .argParser(positive('--concurrency', 1024))
        .default(1),
    )
    .addOption(
      new Option(
        '--data-root <dir>',
        'a folder the runs may read data from and write results to (repeatable; default: the current folder)',
      ).argParser((v: string, previous: string[] | undefined) => [...(previous ?? []), v]),
    )
    .addOption(
      new Option('--backend <backend>', 'TensorFlow.js backend')
        .choices(['auto', 'node', 'wasm', 'cpu'])
        .default('auto'),
    )
    .addOption(
      new Option('--lock-seconds <s>', 'seconds after which the run of a worker that died is taken by another')
        .argParser(positive('--lock-seconds', 3600))
        .default(30),
    )
    .action(async (options: WorkerCommandOptions) => {
      setExit(await workerAction(options, io));
    });
