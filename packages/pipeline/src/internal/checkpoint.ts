/**
 * A run's checkpoint: everything needed to continue one training run (arm × seed) exactly where it
 * stopped, in one binary file `checkpoints/<arm>/seed-<s>.ckpt`:
 *
 *   bytes 0..7   magic `SPRCKPT1`
 *   bytes 8..11  n = length of the JSON manifest (uint32, little-endian)
 *   bytes 12..   the manifest (UTF-8 JSON: counters, architecture, optimizer scalars, metrics so far, the
 *                run, arm, seed and spec hash it belongs to, and for every tensor its name, shape and
 *                offset), padded with spaces to a multiple of 4
 *   then         the tensors' float32 values, little-endian, at the manifest's offsets
 *   last 32      SHA-256 of every byte before it (version 2 on): a flipped bit anywhere is found
 *
 * The file is written to `<name>.tmp-<pid>` in the same folder and renamed over the old one (not fsync-ed:
 * it survives a killed process, not a power failure): a reader sees the old checkpoint or the new one,
 * never a half-written one. The checkpoint it replaces is kept as `<name>.prev`, so that a latest
 * checkpoint damaged on disk falls back to the one before it.
 *
 * Random state: every random stream of a run is a pure function of (seed, epoch, step) (batch order:
 * @sprout/data's `batches(n, b, seed, epoch)`; dropout masks: @sprout/data's `mixSeeds(seed, 2, epoch, step)`;
 * initialisation only at the start), so the counters are the whole generator state.
 */
import stableStringify from 'safe-stable-stringify';
import type { Layer } from '@sprout/spec';
import type { EpochMetrics } from '../Pipeline.js';
import { slug } from './outputs.js';
import type { RunFiles } from '../host.js';

/** SHA-256 of some bytes (the host's: OpenSSL in Node, a JavaScript implementation in a browser). */
export type Sha256 = (bytes: Uint8Array) => Uint8Array;

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

const MAGIC = 'SPRCKPT1';
const CHECKPOINT_VERSION = 2;
const DIGEST_BYTES = 32;

/** The run a checkpoint belongs to: the run directory's id (spec.json's `run.id`) and the spec's hash. */
export interface CheckpointIdentity {
  readonly run: string;
  readonly specHash: string;
}

/**
 * SHA-256 of an experiment in canonical JSON (keys sorted), so that the spec.json a run writes and the
 * spec decoded from it again hash alike, and any edit of a setting changes the hash.
 */
export const specHash = (spec: unknown, sha256: Sha256): string =>
  hex(sha256(new TextEncoder().encode(stableStringify(spec) ?? '')));

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
  readonly identity: CheckpointIdentity;
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

export type CheckpointContent = Omit<CheckpointManifest, 'tensors' | 'version' | 'identity'>;

/** Path of a run's checkpoint relative to the run directory. */
export const checkpointFile = (files: RunFiles, arm: string, seed: number): string =>
  files.join('checkpoints', slug(arm), `seed-${seed}.ckpt`);

/** Path of a run's checkpoint inside the run directory. */
export const checkpointPath = (files: RunFiles, runDir: string, arm: string, seed: number): string =>
  files.join(runDir, checkpointFile(files, arm, seed));

/** Where the checkpoint before the latest one is kept. */
export const previousCheckpointPath = (path: string): string => `${path}.prev`;

/** JSON cannot hold NaN or ±∞; they are stored as null and read back as NaN. */
export const finiteOrNull = (x: number | undefined): number | null =>
  x === undefined || !Number.isFinite(x) ? null : x;
export const orNaN = (x: number | null | undefined): number => (x === null || x === undefined ? Number.NaN : x);

/** Encode a checkpoint into bytes. */
export const encodeCheckpoint = (
  content: CheckpointContent,
  identity: CheckpointIdentity,
  tensors: readonly StoredTensor[],
  sha256: Sha256,
): Uint8Array => {
  let offset = 0;
  const entries = tensors.map((t) => {
    const e = { name: t.name, shape: [...t.shape], offset, length: t.values.length };
    offset += t.values.length * 4;
    return e;
  });
  const manifest: CheckpointManifest = { version: CHECKPOINT_VERSION, ...content, identity, tensors: entries };
  const encoder = new TextEncoder();
  let json = JSON.stringify(manifest);
  const headerLength = 12 + encoder.encode(json).length;
  json += ' '.repeat((4 - (headerLength % 4)) % 4);
  const jsonBytes = encoder.encode(json);
  const out = new Uint8Array(12 + jsonBytes.length + offset + DIGEST_BYTES);
  for (let i = 0; i < MAGIC.length; i++) out[i] = MAGIC.charCodeAt(i);
  new DataView(out.buffer).setUint32(8, jsonBytes.length, true);
  out.set(jsonBytes, 12);
  const base = 12 + jsonBytes.length;
  // Float32 values in the platform's byte order: little-endian wherever TensorFlow.js runs.
  for (const [i, t] of tensors.entries())
    out.set(new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.byteLength), base + entries[i]!.offset);
  out.set(sha256(out.subarray(0, out.length - DIGEST_BYTES)), out.length - DIGEST_BYTES);
  return out;
};

/** A checkpoint whose bytes do not match their SHA-256: damaged on disk, or edited. */
class ChecksumError extends Error {
  constructor() {
    super('it fails its checksum (damaged on disk, or edited)');
  }
}

/** Decode a checkpoint; throws on a malformed file (callers turn it into an error value). */
export const decodeCheckpoint = (
  bytes: Uint8Array,
  sha256: Sha256,
): { manifest: CheckpointManifest; tensors: Map<string, StoredTensor> } => {
  if (bytes.length < 12 || String.fromCharCode(...bytes.subarray(0, 8)) !== MAGIC)
    throw new Error('not a Sprout checkpoint (bad magic)');
  const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  if (12 + n > bytes.length) throw new Error('truncated checkpoint (manifest)');
  let manifest: CheckpointManifest;
  try {
    manifest = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + n))) as CheckpointManifest;
  } catch {
    throw new Error('damaged checkpoint (its manifest is not JSON)');
  }
  if (manifest.version !== CHECKPOINT_VERSION)
    throw new Error(`checkpoint version ${manifest.version}; this Sprout reads version ${CHECKPOINT_VERSION}`);
  const body = bytes.length - DIGEST_BYTES;
  if (body < 12 + n || !sameBytes(sha256(bytes.subarray(0, body)), bytes.subarray(body))) throw new ChecksumError();
  const base = 12 + n;
  const tensors = new Map<string, StoredTensor>();
  for (const t of manifest.tensors) {
    const start = base + t.offset;
    if (start + t.length * 4 > body) throw new Error(`truncated checkpoint (tensor ${t.name})`);
    // A copy, aligned for Float32Array.
    const values = new Float32Array(t.length);
    new Uint8Array(values.buffer).set(bytes.subarray(start, start + t.length * 4));
    tensors.set(t.name, { name: t.name, shape: t.shape, values });
  }
  return { manifest, tensors };
};

type Decoded = ReturnType<typeof decodeCheckpoint>;
export type Attempt =
  | { readonly _tag: 'missing' }
  | { readonly _tag: 'read'; readonly checkpoint: Decoded }
  | { readonly _tag: 'bad'; readonly reason: string };

export const attempt = (files: RunFiles, path: string, sha256: Sha256): Attempt => {
  const bytes = files.read(path);
  if (bytes === undefined) return { _tag: 'missing' };
  try {
    return { _tag: 'read', checkpoint: decodeCheckpoint(bytes, sha256) };
  } catch (e) {
    return { _tag: 'bad', reason: e instanceof Error ? e.message : String(e) };
  }
};

/** What a resumed run expects of the checkpoint of one (arm, seed). */
export interface ExpectedCheckpoint {
  readonly arm: string;
  readonly seed: number;
  readonly identity: CheckpointIdentity;
  /** The arm's epochs: a checkpoint beyond them is not this run's. */
  readonly epochs: number;
}

export type CheckpointForResume =
  | { readonly _tag: 'none' }
  | { readonly _tag: 'ok'; readonly checkpoint: Decoded; readonly warning?: string }
  | { readonly _tag: 'refused'; readonly path: string; readonly message: string };

/** Why `m` is not the checkpoint `expect` describes, or undefined when it is. */
const mismatch = (m: CheckpointManifest, expect: ExpectedCheckpoint): string | undefined => {
  if (m.arm !== expect.arm || m.seed !== expect.seed)
    return `it belongs to arm '${m.arm}', seed ${m.seed}, not to arm '${expect.arm}', seed ${expect.seed}`;
  if (m.identity?.run !== expect.identity.run)
    return `it belongs to another run (run id ${m.identity?.run ?? 'none'}, this run's is ${expect.identity.run})`;
  if (m.identity.specHash !== expect.identity.specHash)
    return "it was written for other settings: the run's spec.json changed since the checkpoint was written";
  if (
    !Number.isInteger(m.epoch) ||
    m.epoch < 0 ||
    m.epoch > expect.epochs ||
    !Number.isInteger(m.step) ||
    m.step < 0 ||
    (m.epoch === expect.epochs && m.step > 0)
  )
    return `it stands at epoch ${m.epoch}${m.step > 0 ? `, step ${m.step}` : ''}, outside the spec's ${expect.epochs} epochs`;
  return undefined;
};

/**
 * The checkpoint to resume one (arm, seed) from: the latest, or the one before it when the latest fails its
 * checksum or cannot be decoded (with a warning that says so), or `none` when the run never wrote one. A
 * checkpoint that decodes but belongs to another run, arm, seed or spec, or stands outside the spec, is
 * refused: resuming from it would silently mix two runs.
 */
export const checkpointForResume = (
  files: RunFiles,
  sha256: Sha256,
  path: string,
  expect: ExpectedCheckpoint,
): CheckpointForResume => {
  const latest = attempt(files, path, sha256);
  let chosen: { checkpoint: Decoded; from: string; warning?: string };
  if (latest._tag === 'read') chosen = { checkpoint: latest.checkpoint, from: path };
  else {
    const prevPath = previousCheckpointPath(path);
    const previous = attempt(files, prevPath, sha256);
    if (previous._tag === 'missing')
      return latest._tag === 'missing'
        ? { _tag: 'none' }
        : {
            _tag: 'refused',
            path,
            message: `cannot resume from ${path}: ${latest.reason}, and there is no checkpoint before it`,
          };
    if (previous._tag === 'bad')
      return {
        _tag: 'refused',
        path,
        message:
          latest._tag === 'missing'
            ? `cannot resume from ${prevPath}: ${previous.reason}`
            : `cannot resume from ${path}: ${latest.reason}, and so does the checkpoint before it (${previous.reason})`,
      };
    chosen = {
      checkpoint: previous.checkpoint,
      from: prevPath,
      ...(latest._tag === 'bad'
        ? {
            warning: `the latest checkpoint of arm '${expect.arm}', seed ${expect.seed} (${path}) ${latest.reason}; resuming from the one before it, after epoch ${previous.checkpoint.manifest.epoch}`,
          }
        : {}),
    };
  }
  const wrong = mismatch(chosen.checkpoint.manifest, expect);
  if (wrong !== undefined)
    return { _tag: 'refused', path: chosen.from, message: `cannot resume from ${chosen.from}: ${wrong}` };
  return {
    _tag: 'ok',
    checkpoint: chosen.checkpoint,
    ...(chosen.warning !== undefined ? { warning: chosen.warning } : {}),
  };
};
