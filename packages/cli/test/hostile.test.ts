// Hostile inputs through the real command (spawned, on real special files, a real tmpfs and a real cgroup
// where the machine allows: as root, which CI is). Each case once crashed, hung, read without end, or was
// accepted silently; each now gets its exit code and one line that says what is wrong.
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { dense, experiment, network, spirals } from '@sprout/spec';
import { metricRows } from '../../../test-support/metric-rows.mjs';

const pkg = join(import.meta.dirname, '..');
const tmp = mkdtempSync(join(tmpdir(), 'sprout-hostile-'));
const mounts: string[] = [];
afterAll(() => {
  for (const m of mounts) spawnSync('umount', ['-l', m]);
  rmSync(tmp, { recursive: true, force: true });
});

// The command as users start it: the build when it is fresh (as after `npm ci`), else the sources via tsx.
const args = (...rest: string[]) => [join(pkg, 'bin', 'sprout.js'), ...rest];
const sprout = (rest: string[], options: { timeout?: number; cwd?: string } = {}) => {
  const r = spawnSync(process.execPath, args(...rest), {
    cwd: options.cwd ?? pkg,
    encoding: 'utf8',
    timeout: options.timeout ?? 60_000,
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
};
const isRoot = process.getuid?.() === 0;
/** No stack trace and no "internal error" in what the user sees. */
const clean = (stderr: string) => {
  expect(stderr).not.toMatch(/\n\s+at /);
  expect(stderr).not.toMatch(/internal error/);
};

const spiralsSpec = (extra = '', data = 'data spirals { points 60 }') => `experiment "hostile" {
  seed 3
  ${data}
  network {
    input 2
    dense 6 relu
    output 2
  }
  optimizer sgd { step constant 0.05 }
  train { epochs 30, batch 30 }
  ${extra}
}
`;
const write = (name: string, text: string) => {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
};

describe('special files are refused at once (exit 2, one line)', () => {
  test('check /dev/zero: a device, not read', () => {
    const r = sprout(['check', '/dev/zero'], { timeout: 20_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("cannot read '/dev/zero': it is a device; Sprout reads regular files only");
    clean(r.stderr);
  });

  test('check on a FIFO, a directory and a symlink loop', () => {
    const fifo = join(tmp, 'pipe.sprout');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const loop = join(tmp, 'loop.sprout');
    symlinkSync(loop, loop);
    const dir = join(tmp, 'folder.sprout');
    mkdirSync(dir);
    for (const [file, words] of [
      [fifo, 'it is a named pipe (FIFO); Sprout reads regular files only'],
      [dir, 'it is a directory; Sprout reads regular files only'],
      [loop, 'too many levels of symbolic links (a symlink loop)'],
    ] as const) {
      const r = sprout(['check', file], { timeout: 20_000 });
      expect(r.signal).toBeNull(); // not killed by the timeout: no hang
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`cannot read '${file}': ${words}`);
      clean(r.stderr);
    }
  });

  test('run with a FIFO or a symlink loop as its CSV: exit 2 naming the file, no hang, no lock left', () => {
    const fifo = join(tmp, 'data-pipe.csv');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const loop = join(tmp, 'data-loop.csv');
    symlinkSync(loop, loop);
    for (const [csv, words] of [
      [fifo, 'it is a named pipe (FIFO)'],
      [loop, 'a symlink loop'],
    ] as const) {
      const file = write('csv-run.sprout', spiralsSpec('', `data csv "${csv}"`));
      const out = join(tmp, `csv-run-${words.length}`);
      const r = sprout(['run', file, '--backend', 'cpu', '--out', out], { timeout: 30_000 });
      expect(r.signal).toBeNull();
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(csv);
      expect(r.stderr).toContain(words);
      expect(r.stderr).toMatch(/csv-run\.sprout:3:3 error\[data-error\]/); // at the .sprout line of the data
      clean(r.stderr);
      expect(existsSync(join(out, 'run.lock'))).toBe(false);
    }
  });
});

describe('memory limits come from the machine', () => {
  // Three dense 2000 layers on a full batch of 60,000 spirals points: about 2.7 GiB, mostly activations.
  const bigNet = (points: number) =>
    spiralsSpec('', `data spirals { points ${points} }`)
      .replace('dense 6 relu', 'dense 2000 relu\n    dense 2000 relu\n    dense 2000 relu')
      .replace('batch 30', 'batch full');
  const big = bigNet(40_000);

  test('--memory-limit: a net over it is refused by check, with the estimate and the limit', () => {
    const file = write('big.sprout', big);
    const r = sprout(['check', file, '--memory-limit', '1GiB']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /error\[too-large\]: training needs about 2\.7 GiB of memory, more than the limit of 1\.0 GiB, set by --memory-limit/,
    );
    expect(sprout(['check', file, '--memory-limit', 'lots']).stderr).toContain("--memory-limit 'lots' is not a size");
  });

  test('on wasm the 4 GiB heap is the ceiling: a 2.7 GiB net passes, a 5 GiB one is refused before training', () => {
    const file = write('big-wasm.sprout', big);
    expect(sprout(['check', file]).code).toBe(0);
    const bigger = write('bigger.sprout', bigNet(80_000));
    const r = sprout(['run', bigger, '--backend', 'wasm', '--out', join(tmp, 'never')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /error\[too-large\]: training needs about 5\.4 GiB of memory, more than the limit of 4\.0 GiB, the wasm backend's heap ceiling/,
    );
    expect(existsSync(join(tmp, 'never'))).toBe(false);
  });

  test.runIf(isRoot && existsSync('/sys/fs/cgroup/memory/cgroup.procs'))(
    'in a 2 GiB cgroup, check refuses the 2.7 GiB net and says why',
    () => {
      const group = `/sys/fs/cgroup/memory/sprout-test-${process.pid}`;
      mkdirSync(group);
      try {
        writeFileSync(join(group, 'memory.limit_in_bytes'), String(2 * 1024 ** 3));
        const file = write('big-cgroup.sprout', big);
        // The shell moves itself into the group, then becomes the command.
        const line = [process.execPath, ...args('check', file)].map((a) => `'${a}'`).join(' ');
        const r = spawnSync('sh', ['-c', `echo $$ > ${group}/cgroup.procs && exec ${line}`], {
          cwd: pkg,
          encoding: 'utf8',
          timeout: 60_000,
        });
        expect(r.status).toBe(2);
        expect(r.stderr).toMatch(/more than the limit of 1\.5 GiB, 75 % of this process's cgroup limit of 2\.0 GiB/);
      } finally {
        spawnSync('rmdir', [group]);
      }
    },
  );
});

describe('check reports what it can know, with a location', () => {
  test('a select position past the candidates, more split chunks than examples, a learning rate that is 0 in float32', () => {
    const cases = [
      [
        'position.sprout',
        spiralsSpec('grow sensli { at epoch 10  select position 99 }'),
        /position\.sprout:11:\d+ error\[position-out-of-range\]: insertion position 99 does not exist: this network has one candidate position, 0/,
      ],
      [
        'chunks.sprout',
        spiralsSpec().replace('step constant 0.05', 'step adaptive { variance split, chunks 40 }'),
        /chunks\.sprout:9:\d+ error\[too-many-chunks\]: split variance with 40 chunks needs at least 40 examples per batch; a batch here has 30/,
      ],
      [
        'tiny-lr.sprout',
        spiralsSpec().replace('step constant 0.05', 'step constant 1e-320'),
        /tiny-lr\.sprout:9:\d+ error\[invalid-learning-rate\]: learning rate 1e-320 is 0 in float32/,
      ],
    ] as const;
    for (const [name, text, message] of cases) {
      const r = sprout(['check', write(name, text)]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });

  test('CR-only line endings are counted as lines', () => {
    const file = write('cr.sprout', spiralsSpec().replace('points 60', 'points -5').replace(/\n/g, '\r'));
    const r = sprout(['check', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cr\.sprout:3:25 error\[out-of-range\]/);
    expect(r.stderr).toContain('    3 |   data spirals { points -5 }');
  });
});

describe('a full disk mid-run is a user error with the resume hint', () => {
  test.runIf(isRoot)(
    'exit 1, one line, no stack, no half row, no temporary file; resume finishes with the metrics of an uninterrupted run',
    async () => {
      const spec = write(
        'disk.sprout',
        spiralsSpec('', 'data spirals { points 60 }').replace('epochs 30', 'epochs 400'),
      );
      const reference = join(tmp, 'disk-reference');
      expect(sprout(['run', spec, '--backend', 'cpu', '--out', reference, '--quiet']).code).toBe(0);

      const mount = join(tmp, 'small-disk');
      mkdirSync(mount);
      expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=20m', 'tmpfs', mount]).status).toBe(0);
      mounts.push(mount);
      const out = join(mount, 'run');
      // Fill the disk once the run has trained a few epochs.
      const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, args('run', spec, '--backend', 'cpu', '--out', out, '--json'), {
          cwd: pkg,
        });
        let stderr = '';
        let filled = false;
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.stdout.on('data', (d: Buffer) => {
          if (!filled && d.toString().includes('"epoch":20,')) {
            filled = true;
            spawnSync('dd', ['if=/dev/zero', `of=${join(mount, 'filler')}`, 'bs=1M', 'count=64']);
          }
        });
        child.on('exit', (code) => resolve({ code, stderr }));
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/sprout run: cannot write .*: the disk is full \(ENOSPC\)\n/);
      expect(result.stderr).toContain(
        `To continue the run once the folder can be written again: sprout run --resume ${out}`,
      );
      clean(result.stderr);
      expect(readFileSync(join(out, 'metrics.csv'), 'utf8').endsWith('\n')).toBe(true);
      const temporaries = (dir: string): string[] =>
        readdirSync(dir, { recursive: true })
          .map(String)
          .filter((f) => /\.tmp-\d+$/.test(f));
      expect(temporaries(out)).toEqual([]);

      // With the disk still full, resume's preflight says so, and its hint fits --resume (no --out).
      const blocked = sprout(['run', '--resume', out, '--backend', 'cpu']);
      expect(blocked.code).toBe(1);
      expect(blocked.stderr).toMatch(/not enough disk space .*; free some space, then resume again/);
      expect(blocked.stderr).not.toContain('--out');

      rmSync(join(mount, 'filler'));
      const resumed = sprout(['run', '--resume', out, '--backend', 'cpu', '--quiet']);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(metricRows(out)).toEqual(metricRows(reference));
    },
    180_000,
  );
});

describe('resume refuses what does not belong to the run (exit 2, one line)', () => {
  test('a damaged checkpoint falls back with a warning; an edited spec.json is refused', () => {
    const spec = write('resume.sprout', spiralsSpec().replace('epochs 30', 'epochs 12'));
    const out = join(tmp, 'resume-run');
    expect(sprout(['run', spec, '--backend', 'cpu', '--out', out, '--quiet']).code).toBe(0);
    // Pretend the run was killed before its end: drop the run-end events, damage the latest checkpoint.
    const events = join(out, 'events.jsonl');
    writeFileSync(
      events,
      readFileSync(events, 'utf8')
        .split('\n')
        .filter((l) => !l.includes('"run-end"') && !l.includes('"finished"'))
        .join('\n'),
    );
    const ckpt = join(out, 'checkpoints', 'base', 'seed-3.ckpt');
    const bytes = readFileSync(ckpt);
    bytes[bytes.length - 50]! ^= 1;
    writeFileSync(ckpt, bytes);
    const r = sprout(['run', '--resume', out, '--backend', 'cpu']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /warning: the latest checkpoint of arm 'base', seed 3 .* fails its checksum .*; resuming from the one before it/,
    );

    const json = JSON.parse(readFileSync(join(out, 'spec.json'), 'utf8')) as {
      network: { layers: { units: number }[] };
    };
    json.network.layers[0]!.units = 7;
    writeFileSync(join(out, 'spec.json'), JSON.stringify(json));
    const edited = sprout(['run', '--resume', out, '--backend', 'cpu']);
    expect(edited.code).toBe(2);
    expect(
      edited.stderr
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('Using the TensorFlow.js')),
    ).toHaveLength(1);
    expect(edited.stderr).toMatch(
      /sprout run: cannot resume the run in .*: its spec\.json changed since the run started/,
    );
  }, 120_000);
});

describe('report validates what it reads (exit 2)', () => {
  const runDir = (name: string, spec: string, metrics: string) => {
    const dir = join(tmp, name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'spec.json'), spec);
    writeFileSync(join(dir, 'metrics.csv'), metrics);
    return dir;
  };
  // The header of an older Sprout (test_error before test_error_fraction): report still reads it.
  const header = 'arm,repeat,seed,epoch,train_loss,test_loss,test_error,step_size,parameter_count,seconds\n';

  test('a spec.json that is not an experiment, a number out of range, a test error of 200 %', () => {
    const good = experiment('ok', { data: spirals({ points: 60 }), network: network(2, [dense(6, 'relu')], 2) });
    const cases = [
      [
        runDir('name5', '{"name":5}', `${header}base,0,1,1,0.5,0.5,0.2,0.1,10,0.1\n`),
        /spec\.json is not the experiment of a run: /,
      ],
      [
        runDir('huge', JSON.stringify({ ...good, name: 'huge' }), `${header}base,0,1,1,1e400,0.5,0.2,0.1,10,0.1\n`),
        /metrics\.csv:2:5: train_loss 1e400 is out of the range of a number/,
      ],
      [
        runDir('error2', JSON.stringify({ ...good, name: 'error2' }), `${header}base,0,1,1,0.5,0.5,2,0.1,10,0.1\n`),
        /metrics\.csv:2:7: test_error 2 is outside \[0, 1\]/,
      ],
    ] as const;
    for (const [dir, message] of cases) {
      const r = sprout(['report', dir]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      clean(r.stderr);
    }
  });
});
