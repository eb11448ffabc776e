// The `sprout` command as the queue tests start it: the CLI's TypeScript sources through tsx.
import { join } from 'node:path';

const cli = join(import.meta.dirname, '..', '..', '..', 'cli', 'src', 'main.ts');

/** The command and arguments of `sprout …args`, for spawn/spawnSync with `cwd`. */
export const sprout = (...args: string[]) =>
  [process.execPath, ['--conditions=sprout-source', '--import', 'tsx', cli, ...args]] as const;

/** `--import tsx` is resolved from the working folder: the processes start in the cli package. */
export const cwd = join(import.meta.dirname, '..', '..', '..', 'cli');
