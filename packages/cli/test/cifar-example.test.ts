// examples/cifar10-vgg-ci.sprout, the reduced CNN protocol, run as a user runs it on images written in the
// CIFAR-10 binary format (no npm package ships CIFAR-10): it trains, inserts a conv layer chosen by
// op22_reference, and learns the generated classes (class colour templates plus noise, @sprout/data's
// syntheticCifar10): the training loss falls and the test error ends far below chance (90 % for ten classes).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { syntheticCifar10, writeCifar10 } from '@sprout/data';

const pkg = join(import.meta.dirname, '..');
const examples = join(pkg, '..', '..', 'examples');
const tmp = mkdtempSync(join(tmpdir(), 'sprout-cifar-example-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

test('cifar10-vgg-ci.sprout runs on generated CIFAR-format data, inserts a conv layer and learns the classes', async () => {
  await writeCifar10(join(tmp, 'cifar-10-batches-bin'), {
    train: syntheticCifar10(600, 1),
    test: syntheticCifar10(200, 2),
  });
  copyFileSync(join(examples, 'cifar10-vgg-ci.sprout'), join(tmp, 'cifar10-vgg-ci.sprout'));
  const out = join(tmp, 'run');
  const r = spawnSync(
    process.execPath,
    [
      '--conditions=sprout-source',
      '--import',
      'tsx',
      join(pkg, 'src', 'main.ts'),
      'run',
      join(tmp, 'cifar10-vgg-ci.sprout'),
      '--out',
      out,
    ],
    // From the package folder, where tsx resolves (from tmp it does not).
    { cwd: pkg, encoding: 'utf8', timeout: 600_000 },
  );
  expect(r.stderr.includes('    at ')).toBe(false);
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/epoch 3: SensLI inserted a layer at position \d \(after layer \d \(conv/);
  const events = readFileSync(join(out, 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { _tag: string; testError?: number; trainLoss?: number; norm?: { _tag: string } });
  expect(events.find((e) => e._tag === 'insertion')?.norm?._tag).toBe('op22_reference');
  const epochs = events.filter((e) => e._tag === 'epoch-end');
  expect(epochs).toHaveLength(6);
  // It learns: ln 10 ≈ 2.30 is the loss of a uniform guess.
  expect(epochs[0]!.trainLoss!).toBeGreaterThan(2);
  expect(epochs.at(-1)!.trainLoss!).toBeLessThan(0.5);
  expect(epochs.at(-1)!.testError!).toBeLessThan(0.2);
}, 600_000);
