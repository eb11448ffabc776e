// `resume` trusts nothing on disk: a checkpoint proves what it holds (a SHA-256 of its bytes, and the run,
// arm, seed and settings it belongs to). Each hostile case below was once accepted silently (exit 0 with
// different metrics); now a damaged latest checkpoint falls back to the one before it and says so, and
// every other mismatch is refused with a `checkpoint-error` that names it. Also: stale locks.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/Either';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile, nodeFiles, nodeHost, type RunEvent, type RunOptions } from '../src/index.js';
import {
  checkpointPath,
  decodeCheckpoint,
  encodeCheckpoint,
  previousCheckpointPath,
} from '../src/internal/checkpoint.js';
import { metricRows } from '../../../test-support/metric-rows.mjs';
import { tiny, useCpu } from './tiny.js';
import { constant, decodeExperiment, dense, network, sgd, type Experiment } from '@sprout/spec';

beforeAll(useCpu);

const spec = tiny({
  repeat: 1,
  network: network(2, [dense(6, 'relu')], 2),
  train: { epochs: 6, batch: 16 },
  compare: [{ name: 'wide', network: network(2, [dense(6, 'relu')], 2), optimizer: sgd({ step: constant(0.05) }) }],
});

const run = async (options: RunOptions, s: Experiment = spec) => {
  const p = compile(s);
  if (E.isLeft(p)) throw new Error(JSON.stringify(p.left));
  return p.right.run(options)();
};

/** A run directory stopped after epoch 3 of the base arm (seed 7), and the metrics of an uninterrupted run. */
const interrupted = async (name: string) => {
  const root = mkdtempSync(join(tmpdir(), `sprout-trust-${name}-`));
  const reference = join(root, 'reference');
  expect(E.isRight(await run({ out: reference, saveModel: false }))).toBe(true);
  const out = join(root, 'run');
  const c = new AbortController();
  await run({
    out,
    saveModel: false,
    checkpointInterval: 0,
    signal: c.signal,
    onEvent: (e) => e._tag === 'epoch-end' && e.arm === 'base' && e.epoch === 3 && c.abort(),
  });
  return { out, reference, ckpt: checkpointPath(nodeFiles, out, 'base', 7) };
};

const refusal = (r: Awaited<ReturnType<typeof run>>) =>
  E.isLeft(r) && r.left._tag === 'checkpoint-error' ? r.left.message : `not refused: ${JSON.stringify(r)}`;

/**
 * The run directory made as an older Sprout would have written it: no `metric` in the optimizers, the record's
 * hash and the checkpoints' identity that of those settings. Returns the settings and the record.
 */
const makeOlder = async (out: string) => {
  const json = JSON.parse(readFileSync(join(out, 'spec.json'), 'utf8')) as Record<string, unknown> & {
    optimizer: Record<string, unknown>;
    compare: { optimizer: Record<string, unknown> }[];
    run: { specHash: string };
  };
  delete json.optimizer['metric'];
  delete json.compare[0]!.optimizer['metric'];
  const { run: record, ...settings } = json;
  const { specHash } = await import('../src/internal/checkpoint.js');
  record.specHash = specHash(settings, nodeHost.sha256);
  writeFileSync(join(out, 'spec.json'), JSON.stringify(json));
  for (const ckpt of [
    checkpointPath(nodeFiles, out, 'base', 7),
    previousCheckpointPath(checkpointPath(nodeFiles, out, 'base', 7)),
  ]) {
    const { manifest, tensors } = decodeCheckpoint(readFileSync(ckpt), nodeHost.sha256);
    const { version: _v, tensors: _t, identity, ...content } = manifest;
    const older = { ...identity, specHash: record.specHash };
    writeFileSync(ckpt, encodeCheckpoint(content, older, [...tensors.values()], nodeHost.sha256));
  }
  return { settings, record };
};

describe('resume trusts nothing on disk', () => {
  it('a checkpoint carries a SHA-256 of its bytes and the run, arm, seed and spec hash it belongs to', async () => {
    const { ckpt } = await interrupted('identity');
    const { manifest } = decodeCheckpoint(readFileSync(ckpt), nodeHost.sha256);
    expect(manifest.arm).toBe('base');
    expect(manifest.seed).toBe(7);
    expect(manifest.identity.run).toMatch(/^[0-9a-f-]{36}$/);
    expect(manifest.identity.specHash).toMatch(/^[0-9a-f]{64}$/);
    const bytes = readFileSync(ckpt);
    bytes[bytes.length - 100]! ^= 1; // one bit of one weight
    expect(() => decodeCheckpoint(bytes, nodeHost.sha256)).toThrow(/fails its checksum/);
  }, 60_000);

  it('flipping the low mantissa bit of every weight: the latest fails its checksum, the one before it is used, and the metrics still match', async () => {
    const { out, reference, ckpt } = await interrupted('flip');
    const bytes = readFileSync(ckpt);
    const n = bytes.readUInt32LE(8);
    for (let at = 12 + n; at + 4 <= bytes.length - 32; at += 4) bytes[at]! ^= 1; // low byte of each little-endian float32
    writeFileSync(ckpt, bytes);
    const events: RunEvent[] = [];
    const r = await run({ resume: out, saveModel: false, onEvent: (e) => events.push(e) });
    expect(E.isRight(r)).toBe(true);
    const warning = events.find((e) => e._tag === 'warning');
    expect(warning?._tag === 'warning' && warning.message).toMatch(
      /latest checkpoint of arm 'base', seed 7 .* fails its checksum .*; resuming from the one before it, after epoch \d/,
    );
    expect(metricRows(out)).toEqual(metricRows(reference));
  }, 60_000);

  it('both the latest checkpoint and the one before it damaged: refused, nothing trained', async () => {
    const { out, ckpt } = await interrupted('both');
    for (const p of [ckpt, previousCheckpointPath(ckpt)]) {
      const b = readFileSync(p);
      b[b.length - 40]! ^= 0x80;
      writeFileSync(p, b);
    }
    const before = readFileSync(join(out, 'metrics.csv'), 'utf8');
    expect(refusal(await run({ resume: out, saveModel: false }))).toMatch(
      /seed-7\.ckpt: it fails its checksum .*, and so does the checkpoint before it/,
    );
    expect(readFileSync(join(out, 'metrics.csv'), 'utf8')).toBe(before);
  }, 60_000);

  it("the manifest's epoch set to 9999 breaks the checksum; re-signed, it is refused as outside the spec", async () => {
    const { out, ckpt } = await interrupted('epoch');
    const { manifest, tensors } = decodeCheckpoint(readFileSync(ckpt), nodeHost.sha256);
    const { version: _v, tensors: _t, identity, ...content } = manifest;
    // Re-encoded with a valid checksum, as a forger with the format would: the epoch is still checked.
    const forged = encodeCheckpoint({ ...content, epoch: 9999 }, identity, [...tensors.values()], nodeHost.sha256);
    writeFileSync(ckpt, forged);
    writeFileSync(previousCheckpointPath(ckpt), forged);
    expect(refusal(await run({ resume: out, saveModel: false }))).toMatch(
      /it stands at epoch 9999(, step \d+)?, outside the spec's 6 epochs/,
    );
    // Edited in place (the JSON text), the checksum no longer matches.
    const text = readFileSync(ckpt).toString('latin1').replace('"epoch":9999', '"epoch":9998');
    writeFileSync(ckpt, Buffer.from(text, 'latin1'));
    writeFileSync(previousCheckpointPath(ckpt), Buffer.from(text, 'latin1'));
    expect(refusal(await run({ resume: out, saveModel: false }))).toMatch(/fails its checksum/);
  }, 60_000);

  it("another arm's checkpoint copied in is refused", async () => {
    const { out, ckpt } = await interrupted('arm');
    // The 'wide' arm has not started when base is interrupted; a finished run gives one to copy.
    const other = await interrupted('arm-source');
    expect(E.isRight(await run({ resume: other.out, saveModel: false }))).toBe(true);
    copyFileSync(checkpointPath(nodeFiles, other.out, 'wide', 7), ckpt);
    expect(refusal(await run({ resume: out, saveModel: false }))).toMatch(
      /it belongs to arm 'wide', seed 7, not to arm 'base', seed 7/,
    );
    // The same arm and seed of another run directory: refused by the run id.
    copyFileSync(checkpointPath(nodeFiles, other.out, 'base', 7), ckpt);
    expect(refusal(await run({ resume: out, saveModel: false }))).toMatch(
      /it belongs to another run \(run id [0-9a-f-]+, this run's is [0-9a-f-]+\)/,
    );
  }, 60_000);

  it('a spec.json edited before resume (width or learning rate) is refused', async () => {
    const { out } = await interrupted('spec');
    const wider = { ...spec, network: network(2, [dense(7, 'relu')], 2) };
    expect(refusal(await run({ resume: out, saveModel: false }, wider))).toMatch(
      /its spec\.json changed since the run started/,
    );
    const faster = { ...spec, optimizer: sgd({ step: constant(0.2) }) };
    expect(refusal(await run({ resume: out, saveModel: false }, faster))).toMatch(
      /its spec\.json changed since the run started/,
    );
    // The record itself edited to match: the checkpoint's own hash still refuses it.
    const json = JSON.parse(readFileSync(join(out, 'spec.json'), 'utf8')) as { run: { specHash: string } };
    const { specHash } = await import('../src/internal/checkpoint.js');
    json.run.specHash = specHash(faster, nodeHost.sha256);
    writeFileSync(join(out, 'spec.json'), JSON.stringify(json));
    expect(refusal(await run({ resume: out, saveModel: false }, faster))).toMatch(/written for other settings/);
  }, 60_000);

  it('a spec.json written before a field existed resumes, the field at its default, and trains as the uninterrupted run', async () => {
    const { out, reference } = await interrupted('older');
    const { settings, record } = await makeOlder(out);
    // As `sprout run --resume` does: the spec is what today's decoder reads from the file.
    const decoded = decodeExperiment(settings);
    if (E.isLeft(decoded)) throw new Error(JSON.stringify(decoded.left));
    expect(decoded.right).toStrictEqual(spec);
    const r = await run({ resume: out, saveModel: false }, decoded.right);
    expect(E.isRight(r) ? 'resumed' : r.left.message).toBe('resumed');
    expect(metricRows(out)).toEqual(metricRows(reference));
    // An edited setting in such a file is still refused.
    const edited = { ...settings, seed: 8 };
    writeFileSync(join(out, 'spec.json'), JSON.stringify({ ...edited, run: record }));
    expect(refusal(await run({ resume: out, saveModel: false }, { ...spec, seed: 8 }))).toMatch(
      /its spec\.json changed since the run started/,
    );
  }, 60_000);

  it('a run whose spec.json was written before a field existed extends to more epochs (--epochs) as one trained to them at once', async () => {
    const { out } = await interrupted('older-extend');
    const { settings, record } = await makeOlder(out);
    const decoded = decodeExperiment(settings);
    if (E.isLeft(decoded)) throw new Error(JSON.stringify(decoded.left));
    const longer = { ...decoded.right, train: { ...decoded.right.train, epochs: 8 } };
    const reference = join(mkdtempSync(join(tmpdir(), 'sprout-trust-older-extend-')), 'reference');
    expect(E.isRight(await run({ out: reference, saveModel: false }, longer))).toBe(true);
    const r = await run({ resume: out, extend: true, saveModel: false }, longer);
    expect(E.isRight(r) ? 'extended' : r.left.message).toBe('extended');
    expect(metricRows(out)).toEqual(metricRows(reference));
    // An edited setting in such a file is still refused.
    writeFileSync(join(out, 'spec.json'), JSON.stringify({ ...settings, seed: 8, run: record }));
    expect(refusal(await run({ resume: out, extend: true, saveModel: false }, { ...longer, seed: 8 }))).toMatch(
      /differ from the run's record in more than the epochs/,
    );
  }, 60_000);

  it('a lock whose pid now belongs to an unrelated process is stale; one on another host is held; forceUnlock takes over any lock', async () => {
    const { out, reference } = await interrupted('lock');
    // pid 1 is alive but did not start when this lock says: another process has the pid now.
    writeFileSync(join(out, 'run.lock'), JSON.stringify({ pid: 1, start: '1', since: '2026-01-01T00:00:00Z' }));
    const c = new AbortController();
    const r1 = await run({
      resume: out,
      saveModel: false,
      signal: c.signal,
      onEvent: (e) => e._tag === 'epoch-end' && c.abort(),
    });
    expect(E.isLeft(r1) && r1.left._tag).toBe('interrupted');
    // A live holder that cannot be told apart (the old format, the pid alone): refused, then forced.
    writeFileSync(join(out, 'run.lock'), `${process.ppid}\n`);
    const r2 = await run({ resume: out, saveModel: false });
    expect(E.isLeft(r2) && r2.left.message).toMatch(/in use by process \d+ .*--force-unlock/);
    // A holder on another machine (a run folder on a shared file system) cannot be looked at: held, even
    // though its pid is not alive here.
    writeFileSync(
      join(out, 'run.lock'),
      JSON.stringify({ pid: 999_999_999, start: '1', since: '2026-01-01T00:00:00Z', host: 'elsewhere.example' }),
    );
    const r3 = await run({ resume: out, saveModel: false });
    expect(E.isLeft(r3) && r3.left.message).toMatch(
      /in use by process 999999999 on elsewhere\.example .*--force-unlock/,
    );
    expect(E.isRight(await run({ resume: out, saveModel: false, forceUnlock: true }))).toBe(true);
    expect(metricRows(out)).toEqual(metricRows(reference));
  }, 60_000);
});
