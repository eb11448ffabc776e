/**
 * The `sprout` program: global options and one sub-command per file in `commands/`. `runCli` is the whole
 * command line as a function of its arguments and `Io`, returning the exit status; it never throws and
 * prints a stack trace only with `--debug`.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { checkCommand } from './commands/check.js';
import { fmtCommand } from './commands/fmt.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { nodeIo, type Io } from './Io.js';
import { STUDY_WORKER } from './study-worker.js';

const version = (): string => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
};

/** Makes one sub-command; `setExit` receives its exit status. */
export type CommandFactory = (io: Io, setExit: (code: ExitCode) => void) => Command;

/**
 * Commands that load heavy packages (the pipeline and TensorFlow.js) are imported only when the command
 * line may need them, so `sprout check` and `sprout fmt` start in a fraction of the time.
 */
const LAZY_COMMANDS: Readonly<Record<string, () => Promise<CommandFactory>>> = {
  run: async () => (await import('./commands/run.js')).runCommand, // `sprout run` (owned by the pipeline helper)
  report: async () => (await import('./commands/report.js')).reportCommand, // `sprout report` (owned by the pipeline helper)
  worker: async () => (await import('./commands/worker.js')).workerCommand, // `sprout worker`: runs from a queue
};

/** The lazy commands the command line may reach: the one it names, or all of them for help. */
const lazyNeeded = (argv: readonly string[]): string[] => {
  const first = argv.find((a) => !a.startsWith('-'));
  if (first === undefined && (argv.includes('--version') || argv.includes('-V'))) return [];
  if (first === undefined || first === 'help') return Object.keys(LAZY_COMMANDS);
  return first in LAZY_COMMANDS ? [first] : [];
};

/** Builds the program with `check`, `fmt` and the `extra` commands; `setExit` receives each command's exit status. */
export const createProgram = (
  io: Io,
  setExit: (code: ExitCode) => void,
  extra: readonly CommandFactory[] = [],
): Command => {
  const program = new Command('sprout')
    .description('Sprout: neural networks that grow while they train')
    .version(version(), '-V, --version', 'print the version')
    .option('--debug', 'print stack traces of internal failures')
    .showHelpAfterError('(run sprout --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  for (const make of [checkCommand, fmtCommand, ...extra]) {
    program.addCommand(
      make(io, setExit)
        .exitOverride()
        .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
        .showHelpAfterError('(run sprout --help for usage)'),
    );
  }
  return program;
};

/** Runs `sprout` with `argv` (without the node and script paths) and returns its exit status. */
export const runCli = async (argv: readonly string[], io: Io = nodeIo): Promise<ExitCode> => {
  // A worker process of `sprout run --jobs N` (not a user command): it speaks JSON lines on stdin/stdout.
  if (argv[0] === STUDY_WORKER) {
    const backend = argv[argv.indexOf('--backend') + 1];
    const [{ workerProcess }, { quietTensorFlow }] = await Promise.all([
      import('@sprout/study'),
      import('./internal/quiet-tfjs.js'),
    ]);
    quietTensorFlow();
    return (await workerProcess(
      backend === 'node' || backend === 'wasm' || backend === 'cpu' ? { backend } : {},
    )) as ExitCode;
  }
  let code: ExitCode = EXIT.ok;
  const debug = argv.includes('--debug');
  try {
    const extra = await Promise.all(lazyNeeded(argv).map((name) => LAZY_COMMANDS[name]!()));
    const program = createProgram(
      io,
      (c) => {
        code = c;
      },
      extra,
    );
    if (argv.length === 0) {
      program.outputHelp({ error: true });
      return EXIT.invalid;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help')
        return EXIT.ok;
      return EXIT.invalid;
    }
    const message = e instanceof Error ? e.message : String(e);
    io.stderr(`sprout: internal error: ${message}\n`);
    if (debug && e instanceof Error && e.stack !== undefined) io.stderr(`${e.stack}\n`);
    else io.stderr('(this is a bug in Sprout; run again with --debug for the stack trace)\n');
    return EXIT.internal;
  }
};
