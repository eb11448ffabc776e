/**
 * `sprout fmt [--check] FILE…`: rewrites each file in the canonical layout, keeping its comments. With
 * `--check` nothing is written: the command lists the files that are not formatted and exits 2, so that
 * exit status 1 always means a failure of Sprout itself. A file that does not parse is never rewritten.
 */
import * as E from 'fp-ts/lib/Either.js';
import { Command } from 'commander';
import { format, renderDiagnostics } from '@sprout/dsl';
import type { Io } from '../Io.js';
import { readSource } from '../internal/read-source.js';
import { EXIT, type ExitCode } from '../exit-codes.js';

export interface FmtOptions {
  readonly check?: boolean;
}

export const fmtCommand = (io: Io, setExit: (code: ExitCode) => void): Command =>
  new Command('fmt')
    .description('format .sprout files in place (comments are kept; files that do not parse are left alone)')
    .option('--check', 'write nothing; list files that are not formatted and exit 2 if there are any')
    .argument('<files...>', '.sprout files to format')
    .action((files: string[], options: FmtOptions) => {
      let failed = 0;
      let unformatted = 0;
      for (const file of files) {
        const source = readSource(io, file);
        const formatted = E.isLeft(source) ? source : format(source.right);
        if (E.isLeft(formatted)) {
          failed += 1;
          io.stderr(`${renderDiagnostics(formatted.left, file, E.isRight(source) ? source.right : '')}\n`);
          continue;
        }
        const text = (source as E.Right<string>).right;
        if (formatted.right === text) {
          if (options.check !== true) io.stdout(`${file}: already formatted\n`);
          continue;
        }
        unformatted += 1;
        if (options.check === true) io.stderr(`${file}: not formatted (run: sprout fmt ${file})\n`);
        else {
          io.writeFile(file, formatted.right);
          io.stdout(`${file}: formatted\n`);
        }
      }
      if (failed > 0)
        io.stderr(
          `sprout: ${failed} of ${files.length} ${files.length === 1 ? 'file' : 'files'} could not be formatted\n`,
        );
      if (options.check === true && unformatted > 0)
        io.stderr(
          `sprout: ${unformatted} of ${files.length} ${files.length === 1 ? 'file is' : 'files are'} not formatted\n`,
        );
      setExit(failed > 0 || (options.check === true && unformatted > 0) ? EXIT.invalid : EXIT.ok);
    });
