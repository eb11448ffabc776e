/**
 * What a command may touch outside itself: reading and writing files, and the two output streams. The
 * real implementation uses node:fs and process streams; tests pass their own to reach paths (an internal
 * failure, say) that a spawned process cannot easily reach.
 */
import { writeFileSync } from 'node:fs';
import { readRegularFileSync, type ReadFileResult } from '@sprout/data';

export interface Io {
  /**
   * The bytes of `path` if it is a regular file of at most `maxBytes` bytes, else why not (a FIFO, a
   * device, a directory, a symlink loop, …); throws only on a failure of the machine.
   */
  readonly readFile: (path: string, maxBytes: number) => ReadFileResult;
  readonly writeFile: (path: string, text: string) => void;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export const nodeIo: Io = {
  readFile: readRegularFileSync,
  writeFile: (path, text) => writeFileSync(path, text, 'utf8'),
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};
