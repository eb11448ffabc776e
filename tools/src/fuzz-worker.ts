/**
 * The fuzz worker thread: builds the seed's corpus, runs its range of inputs and reports tallies and
 * failures to the CLI. Before each input it writes the index into shared memory, so the CLI's watchdog
 * can name the input a hang or a crash happened on (a thread cannot report its own hang).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { buildCorpus } from './fuzz-corpus.js';
import { range, runInputs } from './fuzz-harness.js';

export interface WorkerData {
  readonly seed: number;
  readonly start: number;
  readonly count: number;
  readonly skip: readonly number[];
  readonly timeLimitMs: number;
  readonly generated: number;
  /** Int32Array view: [0] the index being run (−1 while building the corpus). */
  readonly shared: SharedArrayBuffer;
}

export type WorkerMessage =
  | { readonly type: 'ready'; readonly corpus: number }
  | { readonly type: 'tally'; readonly tally: import('./fuzz-harness.js').Tally; readonly lastIndex: number }
  | {
      readonly type: 'failure';
      readonly failure: import('./fuzz-harness.js').Failure;
      readonly bytes?: Uint8Array;
      readonly text?: string;
    }
  | { readonly type: 'done' };

const data = workerData as WorkerData;
const port = parentPort!;
const current = new Int32Array(data.shared);
const post = (m: WorkerMessage): void => port.postMessage(m);

const corpus = buildCorpus(data.seed, { generated: data.generated });
post({ type: 'ready', corpus: corpus.length });
runInputs(range(data.start, data.count, new Set(data.skip)), {
  seed: data.seed,
  corpus,
  timeLimitMs: data.timeLimitMs,
  onStart: (index) => Atomics.store(current, 0, index),
  onFailure: (failure, input) =>
    post({ type: 'failure', failure, ...('bytes' in input ? { bytes: input.bytes } : { text: input.text }) }),
  onTally: (tally, lastIndex) => post({ type: 'tally', tally, lastIndex }),
});
post({ type: 'done' });
