/**
 * `sprout run FILE`: parse and check an experiment (a .sprout file, or a run's spec.json), initialise the
 * backend (saying which one, and why it fell back), train, and report. Exit status: 0 finished; 1 the run
 * failed (non-finite loss, backend, output or internal error; a stack trace only with --debug); 2 invalid
 * input (diagnostics rendered like a compiler's, or data files that cannot be read); 130 interrupted by
 * SIGINT/SIGTERM after the current step (a checkpoint and the outputs so far kept; the message says how to
 * resume). `sprout run --resume RUN_DIR` continues an interrupted or killed run from its checkpoints. Before
 * training, the output folder is checked (writable, room for the outputs): exit 1 when it is not.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import * as E from 'fp-ts/lib/Either.js';
import { autoBackendName, initBackend, type BackendInfo } from '@sprout/backend';
import { checkText, locate, renderDiagnostics, type SourceMap } from '@sprout/dsl';
import { compile, loadWarmStart, type BackendChoice, type RunError, type RunEvent } from '@sprout/pipeline';
import {
  check,
  decodeExperiment,
  MAX_EPOCHS,
  MAX_REPEAT,
  type Diagnostic,
  type Experiment,
  type MemoryCheckOptions,
} from '@sprout/spec';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { STUDY_WORKER } from '../study-worker.js';
import { describePreflightError, estimateOutputBytes, preflightOutputDir } from '../preflight.js';
import { memoryLimit, parseMemoryLimit } from '../memory-limit.js';
import { nodeIo, type Io } from '../Io.js';
import { readSource } from '../internal/read-source.js';
import { availableParallelism } from 'node:os';
import { isStudyDir, runLocalStudy, runQueueStudy, type WorkerCommand } from '@sprout/study';
import { planArms } from '@sprout/spec';
import {
  barReporter,
  jsonReporter,
  lineReporter,
  quietReporter,
  type Reporter,
  type RunIo,
} from '../internal/run/reporters.js';
import { summaryTable } from '../internal/run/summary-table.js';
import { resultsLines } from '../internal/run/plots-to-open.js';
import { quietTensorFlow } from '../internal/quiet-tfjs.js';

export interface RunCommandOptions {
  /** The run directory (created exclusively). @default runs/<experiment>/<time> */
  readonly out?: string;
  /** @default 'auto' */
  readonly backend?: BackendChoice;
  /** Print only warnings, errors and the output path. @default false */
  readonly quiet?: boolean;
  /** Print the events as JSON lines on stdout. @default false */
  readonly json?: boolean;
  /** Print stack traces of internal errors. @default false */
  readonly debug?: boolean;
  /** Continue the run in this run directory (FILE is then not given). @default undefined */
  readonly resume?: string;
  /** Where steps are computed (@sprout/pipeline's `RunOptions.engine`). @default 'auto' */
  readonly engine?: 'auto' | 'tfjs';
  /**
   * Runs trained at once, each in a worker process; 1 trains them one after another in this process.
   * @default 1 here; the `sprout run` command's default is the number of cores (os.availableParallelism())
   */
  readonly jobs?: number;
  /** How to start a worker process. @default this `sprout` command with `__study-worker` */
  readonly workerCommand?: WorkerCommand;
  /**
   * Enqueue the runs as BullMQ jobs on the Redis at this URL and wait for `sprout worker`s to train them
   * (the run directory must be on a file system the workers share). @default undefined (run here)
   */
  readonly queue?: string;
  /**
   * Most memory training may plan for: bytes, or a size such as `2GiB`. @default 75 % of the machine's memory
   * (its cgroup limit, else physical memory), at most 4 GiB on the wasm backend
   */
  readonly memoryLimit?: string;
  /** With --resume: take over the run directory's lock even when its holder seems alive. @default false */
  readonly forceUnlock?: boolean;
  /**
   * A warm start: a run directory, model folder or model.json whose architecture (grown layers included) the
   * experiment trains, every run starting from its weights (@sprout/pipeline's `loadWarmStart`). @default undefined
   */
  readonly from?: string;
  /**
   * With --resume: train every run (finished ones too) to this many epochs, as written on the command line
   * (@sprout/pipeline's `RunOptions.extend`). @default undefined (resume as recorded)
   */
  readonly epochs?: string;
  /**
   * Seeds to run instead of the file's `repeat` (the first seeds of its sequence), as written on the command line;
   * a new run only. @default undefined (the file's repeat)
   */
  readonly repeat?: string;
  /**
   * Threads of the native kernels, as written on the command line (@sprout/pipeline's `RunOptions.threads`).
   * @default SPROUT_NATIVE_THREADS, else the core count
   */
  readonly threads?: string;
}

/** The largest `--threads` (the native kernels' bound). */
const MAX_THREADS = 64;

/** Where the progress display goes. @default a bar on stderr when stdout and stderr are terminals */
export interface Terminal {
  readonly isTTY: boolean;
  readonly stream?: NodeJS.WritableStream;
}

const processTerminal = (): Terminal => ({
  isTTY: process.stdout.isTTY === true && process.stderr.isTTY === true,
  stream: process.stderr,
});

/** The record a run writes into its spec.json (where its data was found, the backend it ran on). */
type RunRecord = { readonly baseDir?: unknown; readonly backend?: unknown; readonly warmStart?: unknown };

type Loaded = {
  readonly spec: Experiment;
  readonly text: string;
  readonly sourceMap?: SourceMap;
  readonly run?: RunRecord;
};

/** Read FILE as Sprout text, or as JSON (a run's spec.json, whose `run` record is returned apart), and check it. */
const load = (
  io: Io,
  file: string,
  memory: MemoryCheckOptions,
): E.Either<{ diagnostics: readonly Diagnostic[]; text: string }, Loaded> => {
  const text = readSource(io, file);
  if (E.isLeft(text)) return E.left({ diagnostics: text.left, text: '' });
  if (file.endsWith('.json')) {
    let json: unknown;
    try {
      json = JSON.parse(text.right);
    } catch (e) {
      return E.left({
        diagnostics: [
          { code: 'invalid-json', severity: 'error', message: `'${file}' is not JSON: ${(e as Error).message}` },
        ],
        text: text.right,
      });
    }
    let run: RunRecord | undefined;
    if (typeof json === 'object' && json !== null && 'run' in json) {
      const { run: record, ...spec } = json as Record<string, unknown>;
      if (typeof record === 'object' && record !== null) run = record;
      json = spec;
    }
    const decoded = E.flatMap(decodeExperiment(json), (spec) => check(spec, { memory }));
    return E.isLeft(decoded)
      ? E.left({ diagnostics: decoded.left, text: text.right })
      : E.right({ spec: decoded.right, text: text.right, ...(run !== undefined ? { run } : {}) });
  }
  const parsed = checkText(text.right, file, { memory });
  return E.isLeft(parsed)
    ? E.left({ diagnostics: parsed.left, text: text.right })
    : E.right({ spec: parsed.right.spec, text: text.right, sourceMap: parsed.right.sourceMap });
};

/**
 * What to say about the backend before a run, if anything: that the OpenBLAS kernels are missing (one line
 * pointing to the fast path), or why `auto` fell back to the slow cpu backend; with --debug the whole note.
 * tfjs-node not loading is no news (its install cannot fetch its library on most machines).
 */
export const backendNote = (info: BackendInfo, choice: BackendChoice, debug: boolean): string | undefined => {
  if (debug) return info.message;
  if (info.native !== undefined && !info.native.ok)
    return info.native.reason?.includes('SPROUT_NATIVE=0') === true
      ? `Running without the OpenBLAS kernels (${info.native.reason}).`
      : 'Running without the OpenBLAS kernels (slower); the fast path: sudo apt-get install libopenblas-dev && npm rebuild @sprout/native';
  if (choice === 'auto' && info.name === 'cpu') return info.message;
  return undefined;
};

/**
 * The exit status of a failed run: input the user can fix (data that cannot be read, a checkpoint or run
 * folder that `--resume` refuses) is 2, like a file that does not parse; an interrupt is 130; the rest is 1.
 */
/** Whether some arm of `spec` may stop early (its summary table then shows the epochs trained). */
const stopsEarly = (spec: Experiment): boolean =>
  spec.train.stop !== undefined || spec.compare.some((a) => a.train?.stop !== undefined);

const exitFor = (error: RunError): ExitCode => {
  switch (error._tag) {
    case 'interrupted':
      return EXIT.interrupted;
    case 'data-error':
    case 'checkpoint-error':
      return EXIT.invalid;
    default:
      return EXIT.internal;
  }
};

const failureMessage = (error: RunError, debug: boolean): string => {
  switch (error._tag) {
    case 'internal-error':
      return `internal error: ${error.message}${debug && error.stack !== undefined ? `\n${error.stack}` : '\n(run with --debug for the stack trace)'}`;
    default:
      return error.message;
  }
};

/**
 * Stops the run on SIGINT and SIGTERM (the current step finishes first) while `body` runs; a second
 * signal is left to Node's default handling (exit at once).
 */
const withInterrupts = async <T>(body: (signal: AbortSignal) => Promise<T>): Promise<T> => {
  const controller = new AbortController();
  const stop = (): void => {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
    controller.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await body(controller.signal);
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
  }
};

/**
 * Run FILE and return the exit status. `signal` stops the run (default: SIGINT and SIGTERM of this
 * process, which then exits 130).
 */
export const runAction = async (
  fileArg: string | undefined,
  options: RunCommandOptions = {},
  io: Io = nodeIo,
  terminal: Terminal = io === nodeIo ? processTerminal() : { isTTY: false },
  signal?: AbortSignal,
): Promise<ExitCode> => {
  if (signal === undefined) return withInterrupts((s) => runAction(fileArg, options, io, terminal, s));
  quietTensorFlow();
  const debug = options.debug ?? false;
  const resumeDir = options.resume === undefined ? undefined : resolve(options.resume);
  if ((resumeDir === undefined) === (fileArg === undefined)) {
    io.stderr('sprout run: give either FILE or --resume RUN_DIR\n');
    return EXIT.invalid;
  }
  const file = resumeDir !== undefined ? join(resumeDir, 'spec.json') : fileArg!;
  if (resumeDir !== undefined && !existsSync(file)) {
    io.stderr(`sprout run: ${resumeDir} is not a run directory (no spec.json)\n`);
    return EXIT.invalid;
  }
  let extendTo: number | undefined;
  if (options.epochs !== undefined) {
    extendTo = Number(options.epochs);
    if (resumeDir === undefined) {
      io.stderr(
        'sprout run: --epochs extends a run: give it with --resume RUN_DIR (in a file, set train { epochs N })\n',
      );
      return EXIT.invalid;
    }
    if (!/^\d+$/.test(options.epochs.trim()) || extendTo < 1 || extendTo > MAX_EPOCHS) {
      io.stderr(`sprout run: --epochs needs a whole number from 1 to ${MAX_EPOCHS}, got '${options.epochs}'\n`);
      return EXIT.invalid;
    }
  }
  let repeat: number | undefined;
  if (options.repeat !== undefined) {
    repeat = Number(options.repeat);
    if (resumeDir !== undefined) {
      io.stderr('sprout run: --repeat sets the seeds of a new run; a resumed run keeps the seeds it started with\n');
      return EXIT.invalid;
    }
    if (!/^\d+$/.test(options.repeat.trim()) || repeat < 1 || repeat > MAX_REPEAT) {
      io.stderr(`sprout run: --repeat needs a whole number from 1 to ${MAX_REPEAT}, got '${options.repeat}'\n`);
      return EXIT.invalid;
    }
  }
  let threads: number | undefined;
  if (options.threads !== undefined) {
    threads = Number(options.threads);
    if (!/^\d+$/.test(options.threads.trim()) || threads < 1 || threads > MAX_THREADS) {
      io.stderr(`sprout run: --threads needs a whole number from 1 to ${MAX_THREADS}, got '${options.threads}'\n`);
      return EXIT.invalid;
    }
  }
  const rio: RunIo = {
    out: io.stdout,
    err: io.stderr,
    ...(terminal.stream !== undefined ? { progressStream: terminal.stream } : {}),
  };
  const limitOverride = options.memoryLimit === undefined ? undefined : parseMemoryLimit(options.memoryLimit);
  if (options.memoryLimit !== undefined && limitOverride === undefined) {
    io.stderr(
      `sprout run: --memory-limit '${options.memoryLimit}' is not a size (write e.g. 2GiB, 512MB or a number of bytes)\n`,
    );
    return EXIT.invalid;
  }
  // The limit depends on the backend (the wasm heap), known here from the choice before it is initialised.
  const choice = options.backend ?? 'auto';
  const limit = memoryLimit({
    ...(limitOverride !== undefined ? { override: limitOverride } : {}),
    backend: choice === 'auto' ? autoBackendName() : choice,
  });
  const memory: MemoryCheckOptions = { limitBytes: limit.bytes, limitSource: limit.source };
  try {
    const loaded = load(io, file, memory);
    if (E.isLeft(loaded)) {
      io.stderr(renderDiagnostics(loaded.left.diagnostics, file, loaded.left.text));
      return EXIT.invalid;
    }
    const { text, sourceMap, run } = loaded.right;
    // A warm start: from --from, or on resume from the run directory's initial/ (spec.json's network is its).
    const warmFrom =
      options.from ??
      (resumeDir !== undefined && typeof run?.warmStart === 'string' ? join(resumeDir, 'initial') : undefined);
    const warm = warmFrom === undefined ? undefined : await loadWarmStart(warmFrom);
    if (warm !== undefined && E.isLeft(warm)) {
      io.stderr(`sprout run: --from: ${warm.left}\n`);
      return EXIT.invalid;
    }
    const warmStart = warm?.right;
    const loadedSpec = repeat === undefined ? loaded.right.spec : { ...loaded.right.spec, repeat };
    const fromSpec =
      warmStart === undefined || resumeDir !== undefined ? loadedSpec : { ...loadedSpec, network: warmStart.network };
    // --epochs: every arm trains to the new count (the pipeline checks that only the epochs changed).
    const spec =
      extendTo === undefined
        ? fromSpec
        : {
            ...fromSpec,
            train: { ...fromSpec.train, epochs: extendTo },
            compare: fromSpec.compare.map((a) =>
              a.train === undefined ? a : { ...a, train: { ...a.train, epochs: extendTo } },
            ),
          };
    // A study's runs check their own extension; fewer epochs are refused here, before any run starts.
    if (extendTo !== undefined && resumeDir !== undefined && isStudyDir(resumeDir)) {
      const trained = [
        fromSpec.train.epochs,
        ...fromSpec.compare.flatMap((a) => (a.train === undefined ? [] : [a.train.epochs])),
      ];
      if (Math.max(...trained) > extendTo) {
        io.stderr(`sprout run: cannot extend the run in ${resumeDir} to fewer epochs than it was trained for\n`);
        return EXIT.invalid;
      }
    }
    // A resumed run reads its data relative to where the first run found it (the `run` record's baseDir).
    const recorded = resumeDir !== undefined ? run : undefined;
    const baseDir = typeof recorded?.baseDir === 'string' ? recorded.baseDir : dirname(file);
    // A queue's runs train on its workers' machines, not here; `mixed` runs trained on several.
    const recordedBackend =
      typeof recorded?.backend === 'string' && recorded.backend !== 'mixed' && options.queue === undefined
        ? recorded.backend
        : undefined;
    const pipeline = compile(spec, { baseDir, memory });
    if (E.isLeft(pipeline)) {
      const located = sourceMap === undefined ? pipeline.left : pipeline.left.map((d) => locate(d, sourceMap));
      io.stderr(renderDiagnostics(located, file, text));
      return EXIT.invalid;
    }
    const backend = await initBackend(options.backend ?? 'auto');
    if (E.isLeft(backend)) {
      io.stderr(`sprout run: ${backend.left.message}\n`);
      return EXIT.internal;
    }
    const note = backendNote(backend.right, options.backend ?? 'auto', debug);
    if (!(options.quiet ?? false) && note !== undefined) io.stderr(`${note}\n`);
    if (recordedBackend !== undefined && recordedBackend !== backend.right.tfName)
      io.stderr(
        `sprout run: warning: the run started on the ${recordedBackend} backend and resumes on ${backend.right.tfName}; its metrics will not match an uninterrupted run bit for bit (choose it with --backend)\n`,
      );

    // Preflight: the folder the run directory goes into is writable and has room for the outputs.
    const parent = resumeDir ?? (options.out !== undefined ? dirname(resolve(options.out)) : resolve('runs'));
    const ready = preflightOutputDir(parent, estimateOutputBytes(spec));
    if (E.isLeft(ready)) {
      io.stderr(`sprout run: ${describePreflightError(ready.left, resumeDir !== undefined ? 'resume' : 'out')}\n`);
      return EXIT.internal;
    }

    if (options.queue !== undefined)
      return await runStudy(
        spec,
        { ...options, jobs: 1 },
        baseDir,
        resumeDir,
        rio,
        terminal,
        signal,
        backend.right.name,
      );
    const jobs = options.jobs ?? 1;
    const runs = planArms(spec).length * spec.repeat;
    if (resumeDir !== undefined ? isStudyDir(resumeDir) : jobs > 1 && runs > 1)
      return await runStudy(
        spec,
        { ...options, jobs: Math.max(1, Math.min(jobs, runs)) },
        baseDir,
        resumeDir,
        rio,
        terminal,
        signal,
        backend.right.name,
      );

    const reporter: Reporter = options.json
      ? jsonReporter(rio)
      : options.quiet
        ? quietReporter(rio)
        : terminal.isTTY
          ? barReporter(rio)
          : lineReporter(rio);
    let result;
    let outDir: string | undefined;
    const onEvent = (event: RunEvent): void => {
      if (event._tag === 'started') outDir = event.outDir;
      reporter.onEvent(event);
    };
    try {
      result = await pipeline.right.run({
        ...(options.out !== undefined ? { out: options.out } : {}),
        ...(resumeDir !== undefined ? { resume: resumeDir } : {}),
        ...(options.engine !== undefined ? { engine: options.engine } : {}),
        ...(options.forceUnlock === true ? { forceUnlock: true } : {}),
        ...(extendTo !== undefined ? { extend: true } : {}),
        ...(warmStart !== undefined
          ? {
              initialWeights: warmStart.weights,
              warmStart: options.from !== undefined ? resolve(options.from) : warmStart.source,
            }
          : {}),
        ...(threads !== undefined ? { threads } : {}),
        onEvent,
        ...(reporter.onProgress !== undefined ? { onProgress: reporter.onProgress } : {}),
        signal,
      })();
    } finally {
      reporter.close();
    }
    if (E.isLeft(result)) {
      const failure = result.left;
      // A data file that cannot be read is reported at the `data` line of the .sprout file, like a diagnostic.
      if (failure._tag === 'data-error' && failure.path !== undefined && sourceMap !== undefined)
        io.stderr(
          renderDiagnostics(
            [
              locate(
                { code: 'data-error', severity: 'error', message: failure.message, path: failure.path },
                sourceMap,
              ),
            ],
            file,
            text,
          ),
        );
      else io.stderr(`sprout run: ${failureMessage(failure, debug)}\n`);
      if (outDir !== undefined) io.stderr(`The outputs written up to that point are in ${outDir}\n`);
      if (outDir !== undefined && result.left._tag === 'interrupted')
        io.stderr(`To continue the run: sprout run --resume ${outDir}\n`);
      if (outDir !== undefined && result.left._tag === 'output-error')
        io.stderr(`To continue the run once the folder can be written again: sprout run --resume ${outDir}\n`);
      return exitFor(result.left);
    }
    if (!(options.json ?? false)) {
      if (!(options.quiet ?? false)) io.stdout(`\n${summaryTable(result.right, { epochs: stopsEarly(spec) })}\n`);
      if (result.right.outDir !== undefined)
        io.stdout(resultsLines(result.right.outDir, { quiet: options.quiet ?? false }));
    }
    return EXIT.ok;
  } catch (e) {
    io.stderr(`sprout run: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    if (debug && e instanceof Error && e.stack !== undefined) io.stderr(`${e.stack}\n`);
    else io.stderr('(this is a bug in Sprout; run again with --debug for the stack trace)\n');
    return EXIT.internal;
  }
};

/** The command that starts a worker process: this `sprout` again, with the hidden `__study-worker`. */
export const defaultWorkerCommand = (backend: BackendChoice): WorkerCommand => ({
  command: process.execPath,
  args: [...process.execArgv, process.argv[1] ?? 'sprout', STUDY_WORKER, '--backend', backend],
});

const pickReporter = (options: RunCommandOptions, rio: RunIo, terminal: Terminal): Reporter =>
  options.json
    ? jsonReporter(rio)
    : options.quiet
      ? quietReporter(rio)
      : terminal.isTTY
        ? barReporter(rio)
        : lineReporter(rio);

/** The runs of `spec` on `options.jobs` worker processes (or the rest of the study in `resumeDir`). */
const runStudy = async (
  spec: Experiment,
  options: RunCommandOptions & { jobs: number },
  baseDir: string,
  resumeDir: string | undefined,
  rio: RunIo,
  terminal: Terminal,
  signal: AbortSignal,
  backend: BackendChoice,
): Promise<ExitCode> => {
  const reporter = pickReporter(options, rio, terminal);
  let outcome;
  try {
    outcome =
      options.queue !== undefined
        ? await runQueueStudy(spec, {
            url: options.queue,
            baseDir,
            ...(options.out !== undefined ? { out: options.out } : {}),
            ...(resumeDir !== undefined ? { resume: resumeDir } : {}),
            ...(resumeDir !== undefined && options.epochs !== undefined ? { extend: true } : {}),
            ...(options.engine !== undefined ? { engine: options.engine } : {}),
            onEvent: reporter.onEvent,
            ...(reporter.onProgress !== undefined ? { onProgress: reporter.onProgress } : {}),
            signal,
          })
        : await runLocalStudy(spec, {
            jobs: options.jobs,
            command: options.workerCommand ?? defaultWorkerCommand(backend),
            baseDir,
            ...(options.out !== undefined ? { out: options.out } : {}),
            ...(resumeDir !== undefined ? { resume: resumeDir } : {}),
            ...(resumeDir !== undefined && options.epochs !== undefined ? { extend: true } : {}),
            ...(options.engine !== undefined ? { engine: options.engine } : {}),
            allEvents: options.json ?? false,
            onEvent: reporter.onEvent,
            ...(reporter.onProgress !== undefined ? { onProgress: reporter.onProgress } : {}),
            signal,
          });
  } finally {
    reporter.close();
  }
  if (outcome.unreachable === true) {
    rio.err(`sprout run: ${outcome.error ?? 'the queue cannot be reached'}\n`);
    return EXIT.internal;
  }
  for (const f of outcome.failures) rio.err(`sprout run: arm '${f.name}', seed ${f.seed}: ${f.failure.message}\n`);
  if (outcome.error !== undefined) {
    rio.err(`sprout run: ${outcome.error}\n`);
    return EXIT.internal;
  }
  if (outcome.status !== 'finished') {
    rio.err(`The outputs written up to that point are in ${outcome.outDir}\n`);
    if (outcome.status === 'interrupted') {
      rio.err(`To continue the runs that did not finish: sprout run --resume ${outcome.outDir}\n`);
      return EXIT.interrupted;
    }
    return outcome.failures.every((f) => f.failure.kind === 'invalid') ? EXIT.invalid : EXIT.internal;
  }
  if (!(options.json ?? false) && outcome.result !== undefined) {
    if (!(options.quiet ?? false)) rio.out(`\n${summaryTable(outcome.result, { epochs: stopsEarly(spec) })}\n`);
    rio.out(resultsLines(outcome.outDir, { quiet: options.quiet ?? false }));
  }
  return EXIT.ok;
};

/** The `run` command for the program (`createProgram`); `setExit` receives its exit status. */
export const runCommand = (io: Io, setExit: (code: ExitCode) => void, terminal?: Terminal): Command =>
  new Command('run')
    .description("train an experiment (.sprout file or a run's spec.json) and write its outputs")
    .argument('[file]', 'the experiment to run')
    .option('--out <dir>', 'run directory (default: runs/<experiment>/<time>)')
    .addOption(new Option('--resume <run-dir>', 'continue an interrupted run from its checkpoints').conflicts('out'))
    .addOption(
      new Option('--backend <backend>', 'TensorFlow.js backend')
        .choices(['auto', 'node', 'wasm', 'cpu'])
        .default('auto'),
    )
    .addOption(
      new Option(
        '--engine <engine>',
        'auto: dense/residual nets trained by SGD, momentum or Adam step on the host net where it pays (always with the native addon, else nets of at most 1,000 multiply-adds per example); tfjs: TensorFlow.js for every step',
      )
        .choices(['auto', 'tfjs'])
        .default('auto'),
    )
    .addOption(
      new Option(
        '--jobs <n>',
        'runs trained at once, each in a worker process (default: the number of cores; 1: one after another in this process)',
      )
        .argParser((v) => {
          const n = Number(v);
          if (!Number.isInteger(n) || n < 1 || n > 1024)
            throw new InvalidArgumentError('--jobs takes a whole number from 1 to 1024');
          return n;
        })
        .default(availableParallelism(), 'the number of cores'),
    )
    .addOption(
      new Option(
        '--queue <url>',
        'enqueue the runs on this Redis (redis://HOST:PORT, rediss://…, redis://USER:PASSWORD@…) for `sprout worker`s; the run directory must be on a shared file system',
      ).conflicts('jobs'),
    )
    .option(
      '--memory-limit <size>',
      "most memory training may plan for, e.g. 2GiB (default: 75 % of the machine's or cgroup's memory; at most 4 GiB on wasm)",
    )
    .option('--force-unlock', "with --resume: take over the run folder's lock even if its process seems alive")
    .addOption(
      new Option(
        '--from <model>',
        'start from a saved model (a run directory, a model folder or model.json): its architecture, grown layers included, and weights',
      ).conflicts('resume'),
    )
    .option(
      '--epochs <n>',
      'with --resume: train every run, finished ones too, on to n epochs in all (extends a finished run)',
    )
    .option(
      '--repeat <n>',
      "run n seeds instead of the file's repeat (its first n seeds), e.g. a short trial of a study",
    )
    .option(
      '--threads <n>',
      'threads of the native kernels (OpenBLAS and the convolution/pooling loops); 1 gives the same bits on every run (default: SPROUT_NATIVE_THREADS, else the core count)',
    )
    .addOption(new Option('--quiet', 'print only the output path, warnings and errors').conflicts('json'))
    .addOption(new Option('--json', 'print the events as JSON lines').conflicts('quiet'))
    .action(async (file: string | undefined, options: RunCommandOptions, command: Command) => {
      const debug = (command.optsWithGlobals() as { debug?: boolean }).debug ?? false;
      setExit(await runAction(file, { ...options, debug }, io, terminal));
    });
