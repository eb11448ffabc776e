/**
 * Reading a `.sprout` file (or a run's spec.json) for a command: a missing file, a directory, a FIFO, a
 * device, a symlink loop or an oversized file is a diagnostic (exit 2), not a crash or a hang; the bytes
 * are decoded as strict UTF-8 by the language package.
 */
import * as E from 'fp-ts/lib/Either.js';
import { describeReadFileProblem, type ReadFileProblem } from '@sprout/data';
import { decodeText } from '@sprout/dsl';
import type { Diagnostic } from '@sprout/spec';
import type { Io } from '../Io.js';

/** Largest file read (16 MiB): a Sprout file is a few kilobytes; anything this big is a mistake. */
const MAX_SOURCE_BYTES = 16 * 1024 * 1024;

const CODES: Readonly<Record<ReadFileProblem['_tag'], string>> = {
  'not-found': 'file-not-found',
  'not-a-regular-file': 'not-a-file',
  'symlink-loop': 'symlink-loop',
  'permission-denied': 'permission-denied',
  'too-large': 'file-too-large',
  unreadable: 'file-unreadable',
};

/** The text of `path`, or the diagnostics that say why it cannot be had. */
export const readSource = (io: Io, path: string): E.Either<readonly Diagnostic[], string> => {
  const r = io.readFile(path, MAX_SOURCE_BYTES);
  if (!r.ok)
    return E.left([
      { code: CODES[r.problem._tag], severity: 'error', message: describeReadFileProblem(path, r.problem) },
    ]);
  return decodeText(r.bytes);
};
