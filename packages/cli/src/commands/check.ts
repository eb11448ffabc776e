/**
 * `sprout check FILE…`: runs every phase of the language and the spec's semantic checks on each file, then
 * looks at the data where that is cheap (files exist and parse, classes against the output layer, one
 * example against the input layer), and prints every diagnostic to stderr. Exit status 0 when every file is
 * valid, 2 when one is not.
 */
import * as E from 'fp-ts/lib/Either.js';
import { Command } from 'commander';
import { checkText, locate, renderDiagnostics } from '@sprout/dsl';
import { unsupported } from '@sprout/pipeline/support';
import { checkData } from '@sprout/pipeline/data-check';
import { dirname } from 'node:path';
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
 * Checks the files and their data and writes the report; resolves with the counts. `memory` is the memory
 * check's limit.
 * @default the limit `sprout run --backend auto` would apply on this machine
 */
export const checkFiles = async (
  io: Io,
  files: readonly string[],
  memory: MemoryCheckOptions = machineMemory(),
): Promise<CheckOutcome> => {
  let valid = 0;
  let invalid = 0;
  let errors = 0;
  for (const file of files) {
    const source = readSource(io, file);
    const checked = E.isLeft(source) ? source : checkText(source.right, file, { memory });
    // A valid file that asks for something the pipeline cannot run yet fails here, as `sprout run` would.
    const findings = E.isRight(checked)
      ? unsupported(checked.right.spec).map((d) => locate(d, checked.right.sourceMap))
      : [];
    // The data only once the file itself is right: its diagnostics point at lines of a valid file.
    if (E.isRight(checked) && findings.length === 0)
      for (const d of await checkData(checked.right.spec, { baseDir: dirname(file) }))
        findings.push(locate(d, checked.right.sourceMap));
    const warnings = findings.filter((d) => d.severity === 'warning');
    const problems = findings.filter((d) => d.severity !== 'warning');
    const result = problems.length === 0 ? checked : E.left(problems);
    if (E.isRight(result)) {
      valid += 1;
      if (warnings.length > 0)
        io.stderr(`${renderDiagnostics(warnings, file, E.isRight(source) ? source.right : '')}\n`);
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
    .action(async (files: string[], options: { memoryLimit?: string }) => {
      const override = options.memoryLimit === undefined ? undefined : parseMemoryLimit(options.memoryLimit);
      if (options.memoryLimit !== undefined && override === undefined) {
        io.stderr(
          `sprout check: --memory-limit '${options.memoryLimit}' is not a size (write e.g. 2GiB, 512MB or a number of bytes)\n`,
        );
        setExit(EXIT.invalid);
        return;
      }
      const r = await checkFiles(io, files, machineMemory(override));
      if (r.invalid > 0) {
        io.stderr(
          `sprout: ${r.errors} ${r.errors === 1 ? 'error' : 'errors'} in ${r.invalid} of ${files.length} ${files.length === 1 ? 'file' : 'files'}\n`,
        );
        setExit(EXIT.invalid);
      } else setExit(EXIT.ok);
    });
