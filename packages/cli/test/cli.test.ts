// The sprout command, spawned as a user runs it (exit codes, stdout/stderr), plus the in-process
// `runCli` for the paths a spawned process cannot reach (an internal failure).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { EXIT, runCli } from '../src/index.js';
import { recordingIo } from './recording-io.js';

const pkg = join(import.meta.dirname, '..');
const fixtures = join(import.meta.dirname, 'fixtures');
const examples = join(pkg, '..', '..', 'examples');
const tmp = mkdtempSync(join(tmpdir(), 'sprout-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `sprout …` as `npm run sprout --` runs it: node with the source condition and tsx. */
const sprout = (...args: string[]): Run => {
  const r = spawnSync(
    process.execPath,
    ['--conditions=sprout-source', '--import', 'tsx', join(pkg, 'src', 'main.ts'), ...args],
    {
      cwd: pkg,
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('sprout check (spawned)', () => {
  test('valid files: exit 0, one line each on stdout, nothing on stderr', () => {
    const r = sprout('check', join(fixtures, 'valid.sprout'), join(examples, 'quickstart.sprout'));
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      `${join(fixtures, 'valid.sprout')}: ok (experiment 'valid')\n${join(examples, 'quickstart.sprout')}: ok (experiment 'quickstart')\n`,
    );
    expect(r.stderr).toBe('');
  });

  test('every hostile input of the issue in one run: exit 2, diagnostics, no stack trace', () => {
    const files: Record<string, string | Uint8Array> = {
      'empty.sprout': '',
      'random.sprout': Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24),
      'utf8.sprout': Uint8Array.from([
        ...Buffer.from('experiment "x" {\n  seed 1 // caf'),
        0xc3,
        0x28,
        ...Buffer.from('\n}\n'),
      ]),
      'string.sprout': 'experiment "x {\n}\n',
      'comment.sprout': 'experiment "x" { /* no end\n',
      'braces.sprout': 'experiment "x" { network { input 2 }\n',
      'deep.sprout': `experiment "x" ${'{'.repeat(20_000)}${'}'.repeat(20_000)}`,
      'long.sprout': `experiment "x" { network { input 2 ${'dense 5 relu '.repeat(160_000)} output 2 } }`,
      'keyword.sprout': 'experiment "x" { netwrk { } }',
      'layer.sprout': 'experiment "x" { network { input 2  dnse 5 relu  output 2 } }',
      'activation.sprout': 'experiment "x" { network { input 2  dense 5 rleu  output 2 } }',
      'data.sprout': 'experiment "x" { data minst }',
      'width.sprout': 'experiment "x" { network { input 2  dense -5 relu  dense 1e12 relu  output 2 } }',
      'epochs.sprout': 'experiment "x" { train { epochs 0 } }',
      'lr.sprout': 'experiment "x" { optimizer sgd { step constant -1 } }',
    };
    for (const [name, content] of Object.entries(files)) writeFileSync(join(tmp, name), content);
    const names = [...Object.keys(files), 'missing.sprout'];
    const r = sprout('check', ...names.map((n) => join(tmp, n)));
    expect(r.status).toBe(2);
    const codes = [...r.stderr.matchAll(/^(\S+?)(?::\d+:\d+)?:? error\[([a-z0-9-]+)\]/gm)].map(
      (m) => `${m[1]!.split('/').pop()} ${m[2]}`,
    );
    expect(codes).toEqual([
      'empty.sprout empty-file',
      'random.sprout invalid-utf8',
      'utf8.sprout invalid-utf8',
      'string.sprout unterminated-string',
      'comment.sprout unterminated-comment',
      'braces.sprout unclosed-brace',
      'deep.sprout too-deeply-nested',
      'long.sprout file-too-large',
      'keyword.sprout unknown-statement',
      'layer.sprout unknown-layer',
      'activation.sprout unknown-activation',
      'data.sprout unknown-data',
      'width.sprout invalid-width',
      'width.sprout invalid-width',
      'epochs.sprout invalid-epochs',
      'lr.sprout invalid-learning-rate',
      'missing.sprout file-not-found',
    ]);
    expect(r.stderr).toContain('sprout: 17 errors in 16 of 16 files');
    expect(r.stderr).not.toMatch(/^\s+at /m);
    // Long lines are shown as a window: no output line is longer than a screen or two.
    expect(Math.max(...r.stderr.split('\n').map((l) => l.length))).toBeLessThan(200);
  });
});

describe('usage', () => {
  test('--version prints the version, exit 0', () => {
    const r = sprout('--version');
    expect([r.status, r.stdout]).toEqual([0, '0.1.0\n']);
  });
  test('--help lists the commands, exit 0', async () => {
    const io = recordingIo();
    expect(await runCli(['--help'], io)).toBe(EXIT.ok);
    expect(io.out.join('')).toContain('check [options] <files...>');
    expect(io.out.join('')).toContain('fmt [options] <files...>');
  });
  test('bad usage: exit 2 with a message on stderr', async () => {
    for (const args of [[], ['bogus'], ['check'], ['fmt', '--bogus', 'x.sprout']]) {
      const io = recordingIo();
      expect(await runCli(args, io), args.join(' ')).toBe(EXIT.invalid);
      expect(io.err.join(''), args.join(' ')).not.toBe('');
    }
  });
  test('bin/sprout.js runs the same command from the package', () => {
    const r = spawnSync(
      process.execPath,
      [join(pkg, 'bin', 'sprout.js'), 'check', join(examples, 'spirals-fnn.sprout')],
      { encoding: 'utf8', cwd: tmpdir() },
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${join(examples, 'spirals-fnn.sprout')}: ok (experiment 'spirals-fnn')\n`);
  });
});

describe('sprout check (in process)', () => {
  test('a valid spec the pipeline cannot run yet: exit 2 with not-implemented, as sprout run would say', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sprout-check-ni-'));
    const file = join(dir, 'keep-adaptive.sprout');
    writeFileSync(
      file,
      'experiment "m" {\n  optimizer sgd {\n    step adaptive\n  }\n  grow sensli {\n    at epoch 2\n    optimizer_state keep\n  }\n}\n',
    );
    const io = recordingIo();
    expect(await runCli(['check', file], io)).toBe(EXIT.invalid);
    expect(io.err.join('')).toContain(
      "keep-adaptive.sprout:7:21 error[not-implemented]: optimizer state 'keep' across insertions with a step-size controller",
    );
    rmSync(dir, { recursive: true, force: true });
  });

  test('looks at the data: a missing CSV, too few output units, an input layer the examples do not fit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sprout-check-data-'));
    // Three classes, two features, a header.
    writeFileSync(join(dir, 'three.csv'), 'x,y,label\n0,1,0\n1,0,1\n1,1,2\n0,0,1\n');
    const write = (name: string, data: string, input: number, output: number): string => {
      const file = join(dir, name);
      writeFileSync(
        file,
        `experiment "d" {\n  data ${data}\n  network {\n    input ${input}\n    dense 4 relu\n    output ${output}\n  }\n}\n`,
      );
      return file;
    };
    const ok = write('ok.sprout', 'csv "three.csv"', 2, 3);
    const missing = write('missing.sprout', 'csv "gone.csv"', 2, 3);
    const fewUnits = write('few-units.sprout', 'csv "three.csv"', 2, 2);
    const wideInput = write('wide-input.sprout', 'csv "three.csv"', 3, 3);
    const good = recordingIo();
    expect(await runCli(['check', ok], good)).toBe(EXIT.ok);
    expect(good.out.join('')).toBe(`${ok}: ok (experiment 'd')\n`);
    const bad = recordingIo();
    expect(await runCli(['check', missing, fewUnits, wideInput], bad)).toBe(EXIT.invalid);
    const err = bad.err.join('');
    expect(err).toContain(`missing.sprout:2:3 error[data-file-not-found]: ${join(dir, 'gone.csv')}: file not found`);
    // The class count is the output layer's problem: the diagnostic points at it and says what to change.
    expect(err).toMatch(
      /few-units\.sprout:6:5 error\[data-bad-label\]: .*three\.csv:4:3: label 2 is out of range: labels must be integers 0\.\.1; the output layer has 2 units, one per class: give it as many units as the data has classes/,
    );
    expect(err).toContain(
      'wide-input.sprout:4:5 error[data-shape-mismatch]: the network input [3] does not fit one example of',
    );
    expect(err).toContain('sprout: 3 errors in 3 of 3 files');
    // A built-in data set not downloaded on this machine is a warning: the file itself is valid.
    const cifar = write('cifar.sprout', 'cifar10 { dir "nowhere" }', 3072, 10);
    const warned = recordingIo();
    expect(await runCli(['check', cifar], warned)).toBe(EXIT.ok);
    expect(warned.err.join('')).toContain(
      'cifar.sprout:2:3 warning[data-unavailable]: data set cifar10 is not available',
    );
    expect(warned.err.join('')).toContain('cifar-10-binary.tar.gz');
    expect(warned.out.join('')).toBe(`${cifar}: ok (experiment 'd')\n`);
    rmSync(dir, { recursive: true, force: true });
  });

  test('an invalid file: exit 2, every diagnostic rendered on stderr, and a summary', async () => {
    const io = recordingIo();
    expect(await runCli(['check', join(pkg, 'test/fixtures/invalid.sprout')], io)).toBe(EXIT.invalid);
    expect(io.out).toEqual([]);
    expect(io.err.join('').replaceAll(pkg + '/', '')).toMatchInlineSnapshot(`
      "test/fixtures/invalid.sprout:4:11 error[invalid-width]: dense units must be an integer in [1, 100_000], got -4
          4 |     dense -4 rleu
            |           ^^

      test/fixtures/invalid.sprout:4:14 error[unknown-activation]: unknown activation 'rleu'; did you mean 'relu'?
          4 |     dense -4 rleu
            |              ^^^^

      test/fixtures/invalid.sprout:7:33 error[invalid-learning-rate]: learning rate must be a finite number > 0, got 0
          7 |   optimizer sgd { step constant 0 }
            |                                 ^

      test/fixtures/invalid.sprout:8:18 error[invalid-epochs]: epochs must be an integer in [1, 1_000_000], got 0
          8 |   train { epochs 0 }
            |                  ^

      sprout: 4 errors in 1 of 1 file
      "
    `);
  });
});

describe('sprout fmt', () => {
  test('--check lists unformatted files and exits 2 without writing; fmt rewrites them; then --check passes', async () => {
    const file = join(tmp, 'messy.sprout');
    copyFileSync(join(fixtures, 'unformatted.sprout'), file);
    const before = readFileSync(file, 'utf8');
    const check = recordingIo();
    expect(await runCli(['fmt', '--check', file], check)).toBe(EXIT.invalid);
    expect(check.err.join('')).toBe(
      `${file}: not formatted (run: sprout fmt ${file})\nsprout: 1 of 1 file is not formatted\n`,
    );
    expect(readFileSync(file, 'utf8')).toBe(before);
    const fmt = recordingIo();
    expect(await runCli(['fmt', file], fmt)).toBe(EXIT.ok);
    expect(fmt.out.join('')).toBe(`${file}: formatted\n`);
    expect(readFileSync(file, 'utf8')).toMatchInlineSnapshot(`
      "experiment "messy" {
        network {
          input 2
          dense 8 relu
          output 2
        } // keep me
        train { epochs 10 }
      }
      "
    `);
    expect(await runCli(['fmt', '--check', file], recordingIo())).toBe(EXIT.ok);
  });

  test('a file that does not parse is not touched: diagnostics and exit 2', async () => {
    const file = join(tmp, 'broken.sprout');
    writeFileSync(file, 'experiment "x" {\n  seed\n}\n');
    const io = recordingIo();
    expect(await runCli(['fmt', file], io)).toBe(EXIT.invalid);
    expect(readFileSync(file, 'utf8')).toBe('experiment "x" {\n  seed\n}\n');
    expect(io.err.join('')).toContain("error[syntax-error]: expected a number after 'seed' but found '}'");
  });
});

describe('internal failures (in process)', () => {
  const failing = () =>
    recordingIo({
      readFile: () => {
        throw new Error('disk on fire');
      },
    });

  test('exit 1 and a one-line message, no stack trace', async () => {
    const io = failing();
    expect(await runCli(['check', join(fixtures, 'valid.sprout')], io)).toBe(EXIT.internal);
    expect(io.err.join('')).toBe(
      'sprout: internal error: disk on fire\n(this is a bug in Sprout; run again with --debug for the stack trace)\n',
    );
  });

  test('--debug adds the stack trace', async () => {
    const io = failing();
    expect(await runCli(['--debug', 'check', join(fixtures, 'valid.sprout')], io)).toBe(EXIT.internal);
    expect(io.err.join('')).toMatch(/^sprout: internal error: disk on fire\nError: disk on fire\n\s+at /);
  });

  test('a missing file is the user’s mistake, not an internal failure', async () => {
    const io = recordingIo();
    expect(await runCli(['check', 'nope.sprout'], io)).toBe(EXIT.invalid);
    expect(io.err.join('')).toBe(
      "nope.sprout: error[file-not-found]: cannot read 'nope.sprout': no such file\n\nsprout: 1 error in 1 of 1 file\n",
    );
  });
});
