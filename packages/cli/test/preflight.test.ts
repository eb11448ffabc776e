// Output-folder checks before training: an unwritable folder or a full disk is one clear error.
// Tests run as root here, where chmod 555 does not stop writes: unwritable folders are made as a path under
// a regular file (ENOTDIR) and under /proc (nothing can be created there); the chmod case runs only as a
// normal user.
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, describe, expect, it } from 'vitest';
import { dense, experiment, network, output, adam } from '@sprout/spec';
import { describePreflightError, estimateOutputBytes, preflightOutputDir } from '../src/preflight.js';

const tmp = mkdtempSync(join(tmpdir(), 'sprout-preflight-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const isRoot = process.getuid?.() === 0;

describe('preflightOutputDir', () => {
  it('creates a missing folder with its parents, leaves no probe file, and reports the free space', () => {
    const dir = join(tmp, 'runs', 'exp', '2026');
    const r = preflightOutputDir(dir, 1024);
    expect(E.isRight(r)).toBe(true);
    if (E.isRight(r)) {
      expect(r.right.freeBytes).toBeGreaterThan(0);
      expect(r.right.neededBytes).toBe(1024 + 16 * 1024 * 1024);
    }
    expect(existsSync(dir)).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('rejects a folder under a regular file (ENOTDIR), with a message naming the folder and the cause', () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'x');
    const r = preflightOutputDir(join(file, 'out'), 0);
    expect(E.isLeft(r) && r.left._tag === 'not-writable' && r.left.code).toBe('ENOTDIR');
    if (E.isLeft(r))
      expect(describePreflightError(r.left)).toMatch(
        /^cannot write the output folder '.*a-file\/out' \(ENOTDIR\): .*--out$/,
      );
    // A regular file given as the folder itself.
    const itself = preflightOutputDir(file, 0);
    expect(E.isLeft(itself) && itself.left._tag === 'not-writable' && itself.left.code).toBe('ENOTDIR');
  });

  it.skipIf(!existsSync('/proc/self'))(
    'rejects a folder under /proc, where nothing can be created, even as root (and does not spin)',
    () => {
      const r = preflightOutputDir('/proc/sprout-preflight-test/run', 0);
      expect(E.isLeft(r) && r.left._tag).toBe('not-writable');
    },
  );

  it.skipIf(isRoot)('rejects a read-only folder (chmod 555) for a normal user', () => {
    const ro = join(tmp, 'read-only');
    rmSync(ro, { recursive: true, force: true });
    preflightOutputDir(ro, 0);
    chmodSync(ro, 0o555);
    try {
      const r = preflightOutputDir(ro, 0);
      expect(E.isLeft(r) && r.left._tag === 'not-writable' && r.left.code).toBe('EACCES');
    } finally {
      chmodSync(ro, 0o755);
    }
  });

  it('rejects outputs larger than the free space, naming both sizes', () => {
    const s = statfsSync(tmp);
    const free = Number(s.bavail) * Number(s.bsize);
    const r = preflightOutputDir(tmp, free + 1024 ** 4);
    expect(E.isLeft(r) && r.left._tag).toBe('disk-full');
    if (E.isLeft(r) && r.left._tag === 'disk-full') {
      expect(r.left.neededBytes).toBeGreaterThan(r.left.freeBytes);
      expect(describePreflightError(r.left)).toMatch(
        /^not enough disk space for the outputs in '.*': [\d.]+ [KMGT]iB free, about [\d.]+ TiB needed/,
      );
    }
  });
});

describe('estimateOutputBytes', () => {
  it('counts weights in the final model and three checkpoints (latest, previous, being written; with optimizer state) plus a row per epoch, per run', () => {
    // input 2 → dense 5 → output 2: 27 parameters = 108 bytes; SGD keeps no extra state.
    const spec = experiment('tiny', { network: network(2, [dense(5)], output(2)), train: { epochs: 10 } });
    expect(estimateOutputBytes(spec)).toBe(108 + 3 * 108 + 10 * 512);
    // Adam checkpoints also hold m and v; three repeats write three times as much.
    expect(estimateOutputBytes({ ...spec, optimizer: adam(), repeat: 3 })).toBe(3 * (108 + 3 * (108 + 216) + 10 * 512));
  });
});
