// An `Io` for tests: the real file system (nodeIo) with stdout and stderr recorded; `over` replaces any part.
import { PassThrough } from 'node:stream';
import { nodeIo, type Io } from '../src/Io.js';

export const recordingIo = (over: Partial<Io> = {}): Io & { out: string[]; err: string[] } => {
  const out: string[] = [];
  const err: string[] = [];
  return { ...nodeIo, stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), ...over, out, err };
};

/** A stream that says it is a terminal `columns` wide (the progress bar draws on it), and what was written to it. */
export const terminalStream = (columns = 200): { stream: PassThrough; text: () => string } => {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString()));
  Object.assign(stream, { isTTY: true, columns });
  return { stream, text: () => chunks.join('') };
};
