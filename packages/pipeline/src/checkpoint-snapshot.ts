/**
 * A run's latest checkpoint as a viewer of a run in progress sees it (the playground draws the net from it):
 * read through the run's host, checked like a resume would, never trusted half-written.
 */
import type { Layer } from '@sprout/spec';
import type { RunFiles } from './host.js';
import { attempt, checkpointPath, type Sha256, type StoredTensor } from './internal/checkpoint.js';

/** What a run's latest checkpoint holds, for a viewer of a run in progress (a page drawing the net). */
export interface CheckpointSnapshot {
  /** Completed epochs (and steps of the next one). */
  readonly epoch: number;
  readonly step: number;
  /** The architecture now: input shape and layers, the output layer included (grown layers too). */
  readonly input: readonly number[];
  readonly layers: readonly Layer[];
  /** Parameters (`param:<name>`), batch-norm state (`state:<name>`) and optimizer slots (`opt:…`). */
  readonly tensors: ReadonlyMap<string, StoredTensor>;
}

/**
 * The latest checkpoint of (arm, seed) in a run directory on `host`, or undefined when the run has written
 * none (or it cannot be read: a viewer waits for the next one).
 */
export const latestCheckpoint = (
  host: { readonly files: RunFiles; readonly sha256: Sha256 },
  runDir: string,
  arm: string,
  seed: number,
): CheckpointSnapshot | undefined => {
  const a = attempt(host.files, checkpointPath(host.files, runDir, arm, seed), host.sha256);
  if (a._tag !== 'read') return undefined;
  const m = a.checkpoint.manifest;
  return { epoch: m.epoch, step: m.step, input: m.input, layers: m.layers, tensors: a.checkpoint.tensors };
};
