// `sprout run` survives Ctrl-C and SIGKILL: a spawned run is stopped with SIGINT (exit 130, a
// checkpoint, the resume command printed), then killed with SIGKILL at seeded random points and resumed
// with `sprout run --resume` each time; the final metrics equal those of a run that was never stopped.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { metricRows } from '../../../test-support/metric-rows.mjs';

const pkg = join(import.meta.dirname, '..');
const tmp = mkdtempSync(join(tmpdir(), 'sprout-resume-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const args = (...rest: string[]) => [
  '--conditions=sprout-source',
  '--import',
  'tsx',
  join(pkg, 'src', 'main.ts'),
  ...rest,
];

const SPEC = `experiment "kill" {
  seed 3
  repeat 2
  data spirals { points 120 }
  network {
    input 2
    dense 6 relu
    output 2
  }
  optimizer momentum { step constant 0.05 }
  train { epochs 40, batch 30, shuffle true }
  grow sensli { at epoch 12 }
}
`;

/** A small seeded generator (mulberry32) for the kill points. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

/**
 * Start `sprout run …`, wait for `epochs` epoch-end events on stdout (--json) and then `delayMs`, and send
 * `signal`. Resolves with the exit code, the signal that ended it, and stderr.
 */
const runAndStop = (cliArgs: string[], epochs: number, delayMs: number, signal: NodeJS.Signals) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; sent: boolean }>((resolve) => {
    const child = spawn(
      process.execPath,
      args(...cliArgs, '--backend', 'cpu', '--json', ...(cliArgs.includes('--resume') ? [] : ['--jobs', '1'])),
      { cwd: pkg },
    );
    let seen = 0;
    let sent = false;
    let stderr = '';
    let buffer = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines)
        if (line.includes('"epoch-end"') && ++seen === epochs && !sent) {
          sent = true;
          setTimeout(() => child.kill(signal), delayMs);
        }
    });
    child.on('exit', (code, sig) => resolve({ code, signal: sig, stderr, sent }));
  });

describe('sprout run: interruption and resume (spawned)', () => {
  test('Ctrl-C and SIGKILL at random points, resumed, give the metrics of an uninterrupted run', async () => {
    const file = join(tmp, 'kill.sprout');
    writeFileSync(file, SPEC);
    const reference = join(tmp, 'reference');
    const ref = spawnSync(
      process.execPath,
      args('run', file, '--out', reference, '--backend', 'cpu', '--quiet', '--jobs', '1'),
      { cwd: pkg, encoding: 'utf8', timeout: 120_000 },
    );
    expect(ref.status, ref.stderr).toBe(0);

    const out = join(tmp, 'run');
    // Ctrl-C: exit 130, a checkpoint, and how to resume.
    const first = await runAndStop(['run', file, '--out', out], 5, 0, 'SIGINT');
    expect(first.code, first.stderr).toBe(130);
    expect(first.stderr).toContain(`sprout run --resume ${out}`);
    expect(existsSync(join(out, 'checkpoints', 'base', 'seed-3.ckpt'))).toBe(true);
    expect(existsSync(join(out, 'run.lock'))).toBe(false);

    // SIGKILL at seeded random points (after 1–30 epochs of the resumed session, plus 0–40 ms).
    const rand = random(2026);
    let kills = 0;
    for (let k = 0; k < 3; k++) {
      const r = await runAndStop(
        ['run', '--resume', out],
        1 + Math.floor(rand() * 30),
        Math.floor(rand() * 40),
        'SIGKILL',
      );
      if (r.signal === 'SIGKILL') kills += 1;
      else expect(r.code, r.stderr).toBe(0); // finished before the kill point
      // The directory stays readable: metrics.csv parses, the lock names a dead process.
      expect(metricRows(out)[0]).toBe(
        'arm,repeat,seed,epoch,train_loss,test_loss,test_error_fraction,step_size,parameter_count',
      );
    }
    expect(kills).toBeGreaterThan(0);
    const last = spawnSync(process.execPath, args('run', '--resume', out, '--backend', 'cpu', '--quiet'), {
      cwd: pkg,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(last.status, last.stderr).toBe(0);
    expect(metricRows(out)).toEqual(metricRows(reference));
    expect(metricRows(out)).toHaveLength(1 + 2 * 40);
  }, 240_000);

  test('SIGTERM inside a long epoch stops after the current step (exit 130, a checkpoint within the epoch)', async () => {
    // One epoch of 3,000 single-example steps on TensorFlow.js kernels: several seconds, far longer than
    // the wait below, so a run that only looks at the signal between epochs would finish with exit 0.
    const file = join(tmp, 'long-epoch.sprout');
    writeFileSync(
      file,
      `experiment "long-epoch" {
  seed 1
  data spirals { points 4000, split 0.75 }
  network {
    input 2
    dense 8 relu
    output 2
  }
  optimizer sgd { step constant 0.05 }
  train { epochs 1, batch 1 }
}
`,
    );
    const out = join(tmp, 'long-epoch-run');
    const stopped = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        args('run', file, '--out', out, '--backend', 'cpu', '--engine', 'tfjs', '--json', '--jobs', '1'),
        { cwd: pkg },
      );
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('"run-start"')) setTimeout(() => child.kill('SIGTERM'), 500);
      });
      child.on('exit', (code) => resolve({ code, stderr }));
    });
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(stopped.stderr).toMatch(/interrupted after epoch 1, step \d+/);
    expect(stopped.stderr).toContain(`sprout run --resume ${out}`);
    expect(existsSync(join(out, 'run.lock'))).toBe(false);
  }, 120_000);

  test('--resume of a folder that is not a run directory is invalid input (exit 2)', () => {
    const r = spawnSync(process.execPath, args('run', '--resume', tmp), {
      cwd: pkg,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not a run directory/);
  });
});
