// An `Io` for tests: the real file system (nodeIo) with stdout and stderr recorded; `over` replaces any part.
import { nodeIo, type Io } from '../src/Io.js';

export const recordingIo = (over: Partial<Io> = {}): Io & { out: string[]; err: string[] } => {
  const out: string[] = [];
  const err: string[] = [];
  return { ...nodeIo, stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), ...over, out, err };
};
