/**
 * `sprout report RUN_DIR…`: regenerate the tables and plots of saved runs without training (@sprout/pipeline's
 * `report`). One directory: its curves.svg, sensitivities.svg and final.csv are written again; several:
 * one comparison table and one plot of all their curves (in `--out`, default ./report), rows and legends
 * named `<experiment> / <arm>` (`--label` names the runs instead). The table is
 * printed. Exit status: 0 done; 2 a directory is not a run directory; 1 the report could not be written.
 */
import { Command } from 'commander';
import * as E from 'fp-ts/lib/Either.js';
import { reportRuns } from '@sprout/pipeline';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { nodeIo, type Io } from '../Io.js';
import { summaryTable } from '../internal/run/summary-table.js';

export interface ReportCommandOptions {
  /** Folder of the tables and plots. @default the run directory (one), ./report (several) */
  readonly out?: string;
  /** Names of the runs in rows and legends, in the order of the directories. @default their experiments' names */
  readonly label?: readonly string[];
}

/** Report on `dirs` and return the exit status. */
export const reportAction = async (
  dirs: readonly string[],
  options: ReportCommandOptions = {},
  io: Io = nodeIo,
): Promise<ExitCode> => {
  if (options.label !== undefined && options.label.length > dirs.length) {
    io.stderr(
      `sprout report: ${options.label.length} labels for ${dirs.length} run director${dirs.length === 1 ? 'y' : 'ies'}\n`,
    );
    return EXIT.invalid;
  }
  const r = await reportRuns(dirs, {
    ...(options.out !== undefined ? { out: options.out } : {}),
    ...(options.label !== undefined ? { labels: options.label } : {}),
  })();
  if (E.isLeft(r)) {
    io.stderr(`sprout report: ${r.left.message}\n`);
    return r.left._tag === 'invalid-run-dir' ? EXIT.invalid : EXIT.internal;
  }
  io.stdout(summaryTable({ experiment: '', backend: '', outDir: r.right.outDir, arms: r.right.arms, seconds: 0 }));
  for (const f of r.right.files) io.stdout(`wrote ${f}\n`);
  return EXIT.ok;
};

/** The `report` command for the program (`createProgram`); `setExit` receives its exit status. */
export const reportCommand = (io: Io, setExit: (code: ExitCode) => void): Command =>
  new Command('report')
    .description('regenerate the tables and plots of saved runs (several: compare them side by side)')
    .argument('<run-dir...>', 'run directories (runs/<experiment>/<time>)')
    .option('--out <dir>', 'folder of the tables and plots (default: the run directory; ./report for several)')
    .option(
      '--label <name...>',
      "names of the runs in rows and legends, one per directory in order (default: each run's experiment name)",
    )
    .action(async (dirs: string[], options: ReportCommandOptions) => {
      setExit(await reportAction(dirs, options, io));
    });
