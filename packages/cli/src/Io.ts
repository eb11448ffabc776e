/**
 * What a command may touch outside itself: reading and writing files, and the two output streams. The
 * real implementation uses node:fs and process streams; tests pass their own to reach paths (an internal
 * failure, say) that a spawned process cannot easily reach.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';

export interface Io {
  readonly readFile: (path: string) => Uint8Array;
  readonly writeFile: (path: string, text: string) => void;
  /** Size in bytes, or throws like `fs.statSync` (ENOENT, …). */
  readonly size: (path: string) => number;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export const nodeIo: Io = {
  readFile: (path) => readFileSync(path),
  writeFile: (path, text) => writeFileSync(path, text, 'utf8'),
  size: (path) => {
    const s = statSync(path);
    if (s.isDirectory()) throw Object.assign(new Error(`EISDIR: ${path} is a directory`), { code: 'EISDIR' });
    return s.size;
  },
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};
