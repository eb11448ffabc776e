/**
 * `sprout check FILE…`: runs every phase of the language and the spec's semantic checks on each file and
 * prints every diagnostic to stderr. Exit status 0 when every file is valid, 2 when one is not.
 */
import * as E from 'fp-ts/lib/Either.js';
import { Command } from 'commander';
import { checkText, locate, renderDiagnostics } from '@sprout/dsl';
import { unsupported } from '@sprout/pipeline/support';
import { autoBackendName } from '@sprout/backend/probe';
import type { MemoryCheckOptions } from '@sprout/spec';
import type { Io } from '../Io.js';
import { memoryLimit, parseMemoryLimit } from '../memory-limit.js';
import { readSource } from '../internal/read-source.js';
import type { ExitCode } from '../exit-codes.js';
import { EXIT } from '../exit-codes.js';

export interface CheckOutcome {
  readonly valid: number;
  readonly invalid: number;
  readonly errors: number;
}

/**
 * Checks the files and writes the report; returns the counts. `memory` is the memory check's limit.
 * @default the limit `sprout run --backend auto` would apply on this machine
 */
export const checkFiles = (
  io: Io,
  files: readonly string[],
  memory: MemoryCheckOptions = machineMemory(),
): CheckOutcome => {
  let valid = 0;
  let invalid = 0;
  let errors = 0;
  for (const file of files) {
    const source = readSource(io, file);
    const checked = E.isLeft(source) ? source : checkText(source.right, file, { memory });
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

/** The memory limit of a run on this machine with the backend `auto` would choose (or `override` bytes). */
const machineMemory = (override?: number): MemoryCheckOptions => {
  const limit = memoryLimit({ ...(override !== undefined ? { override } : {}), backend: autoBackendName() });
  return { limitBytes: limit.bytes, limitSource: limit.source };
};

export const checkCommand = (io: Io, setExit: (code: ExitCode) => void): Command =>
  new Command('check')
    .description('check .sprout files: syntax, names, value ranges and shapes; every problem is reported')
    .argument('<files...>', '.sprout files to check')
    .option(
      '--memory-limit <size>',
      'most memory training may plan for, e.g. 2GiB (default: as sprout run on this machine)',
    )
    .action((files: string[], options: { memoryLimit?: string }) => {
      const override = options.memoryLimit === undefined ? undefined : parseMemoryLimit(options.memoryLimit);
      if (options.memoryLimit !== undefined && override === undefined) {
        io.stderr(
          `sprout check: --memory-limit '${options.memoryLimit}' is not a size (write e.g. 2GiB, 512MB or a number of bytes)\n`,
        );
        setExit(EXIT.invalid);
        return;
      }
      const r = checkFiles(io, files, machineMemory(override));
      if (r.invalid > 0) {
        io.stderr(
          `sprout: ${r.errors} ${r.errors === 1 ? 'error' : 'errors'} in ${r.invalid} of ${files.length} ${files.length === 1 ? 'file' : 'files'}\n`,
        );
        setExit(EXIT.invalid);
      } else setExit(EXIT.ok);
    });
