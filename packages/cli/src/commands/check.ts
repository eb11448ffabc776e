/**
 * `sprout check FILE…`: runs every phase of the language and the spec's semantic checks on each file and
 * prints every diagnostic to stderr. Exit status 0 when every file is valid, 2 when one is not.
 */
import * as E from 'fp-ts/lib/Either.js';
import { Command } from 'commander';
import { checkText, locate, renderDiagnostics } from '@sprout/dsl';
import { unsupported } from '@sprout/pipeline/support';
import type { Io } from '../Io.js';
import { readSource } from '../internal/read-source.js';
import type { ExitCode } from '../exit-codes.js';
import { EXIT } from '../exit-codes.js';

export interface CheckOutcome {
  readonly valid: number;
  readonly invalid: number;
  readonly errors: number;
}

/** Checks the files and writes the report; returns the counts. */
export const checkFiles = (io: Io, files: readonly string[]): CheckOutcome => {
  let valid = 0;
  let invalid = 0;
  let errors = 0;
  for (const file of files) {
    const source = readSource(io, file);
    const checked = E.isLeft(source) ? source : checkText(source.right, file);
    // A valid file that asks for something the pipeline cannot run yet fails here, as `sprout run` would.
    const missing = E.isRight(checked)
      ? unsupported(checked.right.spec).map((d) => locate(d, checked.right.sourceMap))
      : [];
    const result = missing.length === 0 ? checked : E.left(missing);
    if (E.isRight(result)) {
      valid += 1;
      io.stdout(`${file}: ok (experiment '${result.right.spec.name}')\n`);
    } else {
      invalid += 1;
      errors += result.left.length;
      io.stderr(`${renderDiagnostics(result.left, file, E.isRight(source) ? source.right : '')}\n`);
    }
  }
  return { valid, invalid, errors };
};

export const checkCommand = (io: Io, setExit: (code: ExitCode) => void): Command =>
  new Command('check')
    .description('check .sprout files: syntax, names, value ranges and shapes; every problem is reported')
    .argument('<files...>', '.sprout files to check')
    .action((files: string[]) => {
      const r = checkFiles(io, files);
      if (r.invalid > 0) {
        io.stderr(
          `sprout: ${r.errors} ${r.errors === 1 ? 'error' : 'errors'} in ${r.invalid} of ${files.length} ${files.length === 1 ? 'file' : 'files'}\n`,
        );
        setExit(EXIT.invalid);
      } else setExit(EXIT.ok);
    });
