/**
 * The `sprout` program: global options and one sub-command per file in `commands/`. `runCli` is the whole
 * command line as a function of its arguments and `Io`, returning the exit status; it never throws and
 * prints a stack trace only with `--debug`.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { checkCommand } from './commands/check.js';
import { fmtCommand } from './commands/fmt.js';
import { runCommand } from './commands/run.js'; // `sprout run` (owned by the pipeline helper)
import { EXIT, type ExitCode } from './exit-codes.js';
import { nodeIo, type Io } from './Io.js';

const version = (): string => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
};

/** Builds the program; `setExit` receives each command's exit status. */
export const createProgram = (io: Io, setExit: (code: ExitCode) => void): Command => {
  const program = new Command('sprout')
    .description('Sprout: neural networks that grow while they train')
    .version(version(), '-V, --version', 'print the version')
    .option('--debug', 'print stack traces of internal failures')
    .showHelpAfterError('(run sprout --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  for (const make of [checkCommand, fmtCommand, runCommand /* run: pipeline helper */]) {
    program.addCommand(make(io, setExit).exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr }).showHelpAfterError('(run sprout --help for usage)'));
  }
  return program;
};

/** Runs `sprout` with `argv` (without the node and script paths) and returns its exit status. */
export const runCli = async (argv: readonly string[], io: Io = nodeIo): Promise<ExitCode> => {
  let code: ExitCode = EXIT.ok;
  const debug = argv.includes('--debug');
  try {
    const program = createProgram(io, (c) => {
      code = c;
    });
    if (argv.length === 0) {
      program.outputHelp({ error: true });
      return EXIT.invalid;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.ok;
      return EXIT.invalid;
    }
    const message = e instanceof Error ? e.message : String(e);
    io.stderr(`sprout: internal error: ${message}\n`);
    if (debug && e instanceof Error && e.stack !== undefined) io.stderr(`${e.stack}\n`);
    else io.stderr('(this is a bug in Sprout; run again with --debug for the stack trace)\n');
    return EXIT.internal;
  }
};
