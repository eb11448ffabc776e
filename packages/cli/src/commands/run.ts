/**
 * `sprout run FILE`: parse and check an experiment (a .sprout file, or a run's spec.json), initialise the
 * backend, train, and report. Exit codes: 0 finished; 1 the run failed (non-finite loss, data, backend,
 * output or internal error); 2 bad input (diagnostics rendered like a compiler's).
 */
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Command, Option } from 'commander';
import * as E from 'fp-ts/lib/Either.js';
import { initBackend } from '@sprout/backend';
import { checkText, decodeText, locate, renderDiagnostics, type SourceMap } from '@sprout/dsl';
import { compile, type BackendChoice, type RunError } from '@sprout/pipeline';
import { check, decodeExperiment, type Diagnostic, type Experiment } from '@sprout/spec';
import { barReporter, jsonReporter, lineReporter, quietReporter, type Reporter, type RunIo } from '../internal/run/reporters.js';
import { summaryTable } from '../internal/run/summary-table.js';

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
}

export interface RunCommandIo extends RunIo {
  /** Whether stdout is a terminal (progress bar) or not (plain lines). */
  readonly isTTY: boolean;
}

export const EXIT = { ok: 0, failed: 1, badInput: 2 } as const;

const defaultIo = (): RunCommandIo => ({
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  isTTY: process.stdout.isTTY === true && process.stderr.isTTY === true,
  progressStream: process.stderr,
});

type Loaded = { readonly spec: Experiment; readonly text: string; readonly sourceMap?: SourceMap };

/** Read FILE as Sprout text, or as JSON (a run's spec.json, whose `run` record is ignored). */
const load = async (file: string): Promise<E.Either<{ diagnostics: readonly Diagnostic[]; text: string }, Loaded>> => {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    return E.left({ diagnostics: [{ code: 'cannot-read-file', severity: 'error', message: `cannot read ${file}: ${reason}` }], text: '' });
  }
  const text = decodeText(bytes);
  if (E.isLeft(text)) return E.left({ diagnostics: text.left, text: '' });
  if (file.endsWith('.json')) {
    let json: unknown;
    try {
      json = JSON.parse(text.right);
    } catch (e) {
      return E.left({ diagnostics: [{ code: 'invalid-json', severity: 'error', message: `${file} is not JSON: ${(e as Error).message}` }], text: text.right });
    }
    if (typeof json === 'object' && json !== null && 'run' in json) {
      const { run: _run, ...spec } = json as Record<string, unknown>;
      json = spec;
    }
    const decoded = E.flatMap(decodeExperiment(json), check);
    return E.isLeft(decoded) ? E.left({ diagnostics: decoded.left, text: text.right }) : E.right({ spec: decoded.right, text: text.right });
  }
  const parsed = checkText(text.right, file);
  return E.isLeft(parsed)
    ? E.left({ diagnostics: parsed.left, text: text.right })
    : E.right({ spec: parsed.right.spec, text: text.right, sourceMap: parsed.right.sourceMap });
};

const failureMessage = (error: RunError, debug: boolean): string => {
  switch (error._tag) {
    case 'internal-error':
      return `internal error: ${error.message}${debug && error.stack !== undefined ? `\n${error.stack}` : '\n(run with --debug for the stack trace)'}`;
    case 'output-error':
      return error.message;
    default:
      return error.message;
  }
};

/** Run FILE and return the exit code. */
export const runAction = async (file: string, options: RunCommandOptions = {}, io: RunCommandIo = defaultIo()): Promise<number> => {
  const debug = options.debug ?? false;
  try {
    const loaded = await load(file);
    if (E.isLeft(loaded)) {
      io.err(renderDiagnostics(loaded.left.diagnostics, file, loaded.left.text));
      return EXIT.badInput;
    }
    const { spec, text, sourceMap } = loaded.right;
    const pipeline = compile(spec, { baseDir: dirname(file) });
    if (E.isLeft(pipeline)) {
      const located = sourceMap === undefined ? pipeline.left : pipeline.left.map((d) => locate(d, sourceMap));
      io.err(renderDiagnostics(located, file, text));
      return EXIT.badInput;
    }
    const backend = await initBackend(options.backend ?? 'auto');
    if (E.isLeft(backend)) {
      io.err(`${backend.left.message}\n`);
      return EXIT.failed;
    }
    if (!(options.quiet ?? false)) io.err(`${backend.right.message}\n`);

    const reporter: Reporter = options.json
      ? jsonReporter(io)
      : options.quiet
        ? quietReporter(io)
        : io.isTTY
          ? barReporter(io)
          : lineReporter(io);
    let result;
    try {
      result = await pipeline.right.run({ ...(options.out !== undefined ? { out: options.out } : {}), onEvent: reporter.onEvent })();
    } finally {
      reporter.close();
    }
    if (E.isLeft(result)) {
      io.err(`sprout run: ${failureMessage(result.left, debug)}\n`);
      if (result.left._tag === 'non-finite-loss') io.err('The outputs written up to that point are kept.\n');
      return EXIT.failed;
    }
    if (!(options.json ?? false)) {
      if (!(options.quiet ?? false)) io.out(`\n${summaryTable(result.right)}\n`);
      if (result.right.outDir !== undefined) io.out(`Results in ${result.right.outDir}\n`);
    }
    return EXIT.ok;
  } catch (e) {
    io.err(`sprout run: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    if (debug && e instanceof Error && e.stack !== undefined) io.err(`${e.stack}\n`);
    return EXIT.failed;
  }
};

/** The `run` command, for `program.addCommand(runCommand())`. Sets `process.exitCode`. */
export const runCommand = (): Command =>
  new Command('run')
    .description('train an experiment (.sprout file or a run\'s spec.json) and write its outputs')
    .argument('<file>', 'the experiment to run')
    .option('--out <dir>', 'run directory (default: runs/<experiment>/<time>)')
    .addOption(new Option('--backend <backend>', 'TensorFlow.js backend').choices(['auto', 'node', 'wasm', 'cpu']).default('auto'))
    .addOption(new Option('--quiet', 'print only the output path, warnings and errors').conflicts('json'))
    .addOption(new Option('--json', 'print the events as JSON lines').conflicts('quiet'))
    .option('--debug', 'print stack traces of internal errors')
    .action(async (file: string, options: RunCommandOptions) => {
      process.exitCode = await runAction(file, options);
    });
