/**
 * A run's checkpoint (issue 7): everything needed to continue one training run (arm × seed) exactly where
 * it stopped, in one binary file `checkpoints/<arm>/seed-<s>.ckpt`:
 *
 *   bytes 0..7   magic `SPRCKPT1`
 *   bytes 8..11  n = length of the JSON manifest (uint32, little-endian)
 *   bytes 12..   the manifest (UTF-8 JSON: counters, architecture, optimizer scalars, metrics so far, and
 *                for every tensor its name, shape and offset), padded with spaces to a multiple of 4
 *   then         the tensors' float32 values, little-endian, at the manifest's offsets
 *
 * The file is written to `<name>.tmp-<pid>` in the same folder and renamed over the old one (not fsync-ed:
 * it survives a killed process, not a power failure): a reader sees the old checkpoint or the new one, never a half-written one. Only the
 * latest checkpoint of each run is kept (plus a temporary file while one is being written).
 *
 * Random state: every random stream of a run is a pure function of (seed, epoch, step) (batch order:
 * @sprout/data's `batches(n, b, seed, epoch)`; dropout masks: `deriveSeed(seed, 2, epoch, step)`;
 * initialisation only at the start), so the counters are the whole generator state.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import type { Layer } from '@sprout/spec';
import type { EpochMetrics } from '../Pipeline.js';
import { slug } from './outputs.js';

const MAGIC = 'SPRCKPT1';
export const CHECKPOINT_VERSION = 1;

/** One tensor stored in the checkpoint. */
export interface StoredTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/** Optimizer slots of one parameter: slot name → tensor name in the file; Adam's step count `t`. */
export interface StoredSlots {
  readonly t: number;
  readonly slots: Readonly<Record<string, string>>;
}

/** The JSON part of a checkpoint. */
export interface CheckpointManifest {
  readonly version: number;
  readonly arm: string;
  readonly repeat: number;
  readonly seed: number;
  /** Completed epochs; with `step` > 0, steps of epoch `epoch + 1` already taken. */
  readonly epoch: number;
  readonly step: number;
  /**
   * Batch losses (float32 values) and sizes of the steps of the unfinished epoch (when `step` > 0); a
   * non-finite loss is stored as null (`finiteOrNull`) and read back as NaN (`orNaN`).
   */
  readonly partialLosses: readonly (number | null)[];
  readonly partialSizes: readonly number[];
  /** Wall time of the run up to the checkpoint, in seconds. */
  readonly seconds: number;
  /** Growth: the architecture (output layer included), the step-size scale and the number of insertions. */
  readonly input: readonly number[];
  readonly layers: readonly Layer[];
  readonly lrScale: number;
  readonly insertions: number;
  readonly lastStep: number | null;
  /** The adaptive controller's state of the last step, for the metrics (`L`, `rho`, `a`). */
  readonly lastInfo: { readonly L: number | null; readonly rho: number | null; readonly a: number } | null;
  /** Euclidean update rule state per parameter, or the preconditioned optimizer's scalars and slots. */
  readonly rule: Readonly<Record<string, StoredSlots>> | null;
  readonly pre: {
    readonly k: number;
    readonly a: number | null;
    readonly L: number | null;
    readonly slots: Readonly<Record<string, StoredSlots>>;
  } | null;
  /** Metrics of the completed epochs of this run. */
  readonly metrics: readonly EpochMetrics[];
  /** Tensors: parameters (`param:<name>`), batch-norm state (`state:<name>`), optimizer slots (`opt:<name>:<slot>`). */
  readonly tensors: readonly {
    readonly name: string;
    readonly shape: readonly number[];
    readonly offset: number;
    readonly length: number;
  }[];
}

export type CheckpointContent = Omit<CheckpointManifest, 'tensors' | 'version'>;

/** Path of a run's checkpoint inside the run directory. */
export const checkpointPath = (runDir: string, arm: string, seed: number): string =>
  join(runDir, 'checkpoints', slug(arm), `seed-${seed}.ckpt`);

/** JSON cannot hold NaN or ±∞; they are stored as null and read back as NaN. */
export const finiteOrNull = (x: number | undefined): number | null =>
  x === undefined || !Number.isFinite(x) ? null : x;
export const orNaN = (x: number | null | undefined): number => (x === null || x === undefined ? Number.NaN : x);

/** Encode a checkpoint into bytes. */
export const encodeCheckpoint = (content: CheckpointContent, tensors: readonly StoredTensor[]): Buffer => {
  let offset = 0;
  const entries = tensors.map((t) => {
    const e = { name: t.name, shape: [...t.shape], offset, length: t.values.length };
    offset += t.values.length * 4;
    return e;
  });
  const manifest: CheckpointManifest = { version: CHECKPOINT_VERSION, ...content, tensors: entries };
  let json = JSON.stringify(manifest);
  const headerLength = 12 + Buffer.byteLength(json);
  json += ' '.repeat((4 - (headerLength % 4)) % 4);
  const jsonBytes = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(12 + jsonBytes.length + offset);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(jsonBytes.length, 8);
  jsonBytes.copy(out, 12);
  const base = 12 + jsonBytes.length;
  for (const [i, t] of tensors.entries()) {
    const bytes = Buffer.from(t.values.buffer, t.values.byteOffset, t.values.byteLength);
    bytes.copy(out, base + entries[i]!.offset);
  }
  return out;
};

/** Decode a checkpoint; throws on a malformed file (callers turn it into an error value). */
export const decodeCheckpoint = (
  bytes: Buffer,
): { manifest: CheckpointManifest; tensors: Map<string, StoredTensor> } => {
  if (bytes.length < 12 || bytes.toString('latin1', 0, 8) !== MAGIC)
    throw new Error('not a Sprout checkpoint (bad magic)');
  const n = bytes.readUInt32LE(8);
  if (12 + n > bytes.length) throw new Error('truncated checkpoint (manifest)');
  const manifest = JSON.parse(bytes.toString('utf8', 12, 12 + n)) as CheckpointManifest;
  if (manifest.version !== CHECKPOINT_VERSION)
    throw new Error(`checkpoint version ${manifest.version}; this Sprout reads version ${CHECKPOINT_VERSION}`);
  const base = 12 + n;
  const tensors = new Map<string, StoredTensor>();
  for (const t of manifest.tensors) {
    const start = base + t.offset;
    if (start + t.length * 4 > bytes.length) throw new Error(`truncated checkpoint (tensor ${t.name})`);
    // A copy, aligned for Float32Array.
    const values = new Float32Array(t.length);
    Buffer.from(values.buffer).set(bytes.subarray(start, start + t.length * 4));
    tensors.set(t.name, { name: t.name, shape: t.shape, values });
  }
  return { manifest, tensors };
};

/** Read a run's checkpoint, or undefined when there is none. Throws on a malformed one. */
export const readCheckpoint = (path: string): ReturnType<typeof decodeCheckpoint> | undefined => {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  return decodeCheckpoint(bytes);
};
