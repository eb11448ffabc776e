/**
 * Reading a `.sprout` file for a command: a missing file, a directory or an oversized file is a diagnostic
 * (exit 2), not a crash; the bytes are decoded as strict UTF-8 by the language package.
 */
import * as E from 'fp-ts/lib/Either.js';
import { decodeText } from '@sprout/dsl';
import type { Diagnostic } from '@sprout/spec';
import type { Io } from '../Io.js';

/** Largest file read (16 MiB): a Sprout file is a few kilobytes; anything this big is a mistake. */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

const fileError = (code: string, message: string): readonly Diagnostic[] => [{ code, severity: 'error', message }];

/** The text of `path`, or the diagnostics that say why it cannot be had. */
export const readSource = (io: Io, path: string): E.Either<readonly Diagnostic[], string> => {
  let size: number;
  try {
    size = io.size(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT') return E.left(fileError('file-not-found', `cannot read '${path}': no such file`));
    if (code === 'EISDIR') return E.left(fileError('not-a-file', `cannot read '${path}': it is a directory`));
    if (code === 'EACCES' || code === 'EPERM')
      return E.left(fileError('permission-denied', `cannot read '${path}': permission denied`));
    throw e;
  }
  if (size > MAX_FILE_BYTES)
    return E.left(
      fileError('file-too-large', `'${path}' has ${size} bytes; Sprout reads files of at most ${MAX_FILE_BYTES} bytes`),
    );
  return decodeText(io.readFile(path));
};
