// `sprout run`: a tiny real run on cpu through the command, its output modes and its exit statuses.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { BackendInfo } from '@sprout/backend';
import type { RunEvent } from '@sprout/pipeline';
import { backendNote, runAction } from '../src/commands/run.js';
import { barReporter, lineReporter, ROUTINE_CHECKPOINT_LINE_MS } from '../src/internal/run/reporters.js';
import { runCli } from '../src/program.js';
import { recordingIo, terminalStream } from './recording-io.js';

const dir = mkdtempSync(join(tmpdir(), 'sprout-cli-run-'));

type Checkpoint = Extract<RunEvent, { _tag: 'checkpoint' }>;

const sprout = (name: string, optimizer = 'sgd { step constant 0.1 }', epochs = 4): string => {
  const file = join(dir, `${name}.sprout`);
  writeFileSync(
    file,
    `experiment "${name}" {
  seed 3
  data spirals { points 30 }
  network { input 2  dense 6 relu  output 2 }
  optimizer ${optimizer}
  train { epochs ${epochs}, batch 15 }
}
`,
  );
  return file;
};

type Bar = ReturnType<typeof barReporter>;

/** What the progress bar writes to a terminal for a study of two-epoch runs `ids` (400 steps each) after `feed`. */
function barOutput(
  ids: readonly { arm: string; repeat: number; seed: number }[],
  feed: (reporter: Bar) => void,
): string {
  const { stream, text } = terminalStream();
  const reporter = barReporter({ out: () => {}, err: () => {}, progressStream: stream });
  reporter.onEvent({
    _tag: 'started',
    experiment: 'x',
    outDir: undefined,
    backend: 'cpu',
    threads: 1,
    arms: ['base'],
    repeats: ids.length,
    epochs: 2,
    runs: ids.length,
    totalEpochs: 2 * ids.length,
  });
  ids.forEach((id, index) =>
    reporter.onEvent({
      _tag: 'run-start',
      ...id,
      index,
      epochs: 2,
      stepsPerEpoch: 400,
      parameterCount: 10,
      engine: 'tfjs',
    }),
  );
  feed(reporter);
  reporter.close();
  return text();
}

describe('sprout run', () => {
  it('trains, prints plain lines and a summary table, and says where the results are', async () => {
    const io = recordingIo();
    const out = join(dir, 'out-plain');
    const code = await runCli(['run', sprout('plain'), '--out', out, '--backend', 'cpu'], io);
    expect(code).toBe(0);
    const text = io.out.join('');
    expect(text).toContain('plain: 1 run (base × 1 seed) on the cpu backend\n');
    expect(text).toMatch(/run 1\/1: arm 'base', seed 3/);
    expect(text).toMatch(/epoch 4\/4 {2}train loss \d/);
    expect(text).toMatch(/arm +seeds +parameters +train loss +test error % +min–max % +wall time s\n/);
    expect(text).toContain(`Results in ${out}\n`);
    expect(existsSync(join(out, 'metrics.csv'))).toBe(true);
  });

  it('the summary table shows the validation metrics and, when early stopping may end a run, the epochs trained', async () => {
    const file = join(dir, 'stops.sprout');
    writeFileSync(
      file,
      `experiment "stops" {
  seed 3
  data spirals { points 30, validation 0.2 }
  network { input 2  dense 6 relu  output 2 }
  optimizer sgd { step constant 0.5 }
  train { epochs 400, batch 15, patience 3 }
}
`,
    );
    const io = recordingIo();
    const out = join(dir, 'out-stops');
    expect(await runCli(['run', file, '--out', out, '--backend', 'cpu', '--jobs', '1'], io)).toBe(0);
    const text = io.out.join('');
    const table = text.slice(text.indexOf('\narm ') + 1);
    expect(table).toMatch(
      /^arm +seeds +parameters +epochs +train loss +val loss +val error % +test error % +min–max % +wall time s\n/,
    );
    const trained = readFileSync(join(out, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .filter((l) => (JSON.parse(l) as { _tag: string })._tag === 'epoch-end').length;
    expect(trained).toBeLessThan(400);
    expect(text).toContain('stopped early');
    // parameters, epochs trained, train loss, validation loss, validation error %
    expect(table).toMatch(new RegExp(`\\nbase +1 +\\d+ +${trained} +\\S+ +\\S+ +\\d+\\.\\d{2} `));
  });

  it('npm start (examples/quickstart.sprout) shows SensLI at work: the insertion, its sensitivities, the parameter counts and the plots', async () => {
    const io = recordingIo();
    const out = join(dir, 'out-quickstart');
    const example = fileURLToPath(new URL('../../../examples/quickstart.sprout', import.meta.url));
    const code = await runCli(['run', example, '--out', out, '--backend', 'cpu', '--jobs', '1'], io);
    expect(code).toBe(0);
    const text = io.out.join('');
    expect(text).toMatch(
      /quickstart: 3 runs \(grown, fixed small, fixed large × 1 seed\) on (\d+ worker process(es)?|the \w+ backend)\n/,
    );
    expect(text).toMatch(
      /epoch 200: SensLI inserted a layer at position 0 \(after layer 0 \(dense 5 relu\)\); parameters 27 → 57\n/,
    );
    expect(text).toMatch(
      /sensitivity of each position \(norm fro, select max\):\n {4}→ 0: after layer 0 \(dense 5 relu\) {2}\d/,
    );
    // The checkpoint after the insertion, its file named in the run's folder.
    const checkpoint = /\[grown #1\] epoch 200: checkpoint written to (\S+) \(after the growth decision\)\n/.exec(text);
    expect(checkpoint?.[1]).toBe(join('checkpoints', 'grown', 'seed-1.ckpt'));
    expect(existsSync(join(out, checkpoint![1]!))).toBe(true);
    const table = text.slice(text.indexOf('\narm ') + 1);
    expect(table).toMatch(/^arm +seeds +parameters +train loss/);
    expect(table).toMatch(/\ngrown +1 +57 /);
    expect(table).toMatch(/\nfixed small +1 +27 /);
    expect(table).toMatch(/\nfixed large +1 +57 /);
    const plots = ['architecture.svg', 'curves.svg', 'sensitivities.svg'].map((f) => `  ${join(out, f)}\n`).join('');
    expect(text.endsWith(`Open the plots:\n${plots}`)).toBe(true);
    // The architecture before and after the insertion, the new layer highlighted (from the event's layers).
    const insertion = readFileSync(join(out, 'events.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('"insertion"'))
      .map((l) => JSON.parse(l) as { layers?: { before: string[]; after: string[]; inserted: number } })[0];
    expect(insertion?.layers).toEqual({
      before: ['dense 5 relu', 'dense 2 linear'],
      after: ['dense 5 relu', 'dense 5 relu', 'dense 2 linear'],
      inserted: 1,
    });
    expect(readFileSync(join(out, 'architecture.svg'), 'utf8')).toContain('grown, epoch 200: after');
  });

  it('reruns a run from its spec.json with the same losses', async () => {
    const first = join(dir, 'out-plain');
    const io = recordingIo();
    const code = await runAction(
      join(first, 'spec.json'),
      { out: join(dir, 'out-rerun'), backend: 'cpu', quiet: true },
      io,
    );
    expect(code).toBe(0);
    const metrics = (d: string) =>
      readFileSync(join(d, 'metrics.csv'), 'utf8')
        .split('\n')
        .map((l) => l.split(',').slice(0, 7).join(','));
    expect(metrics(join(dir, 'out-rerun'))).toEqual(metrics(first));
  });

  it('--out: an empty folder is used; one that holds files is refused in one line', async () => {
    const empty = join(dir, 'out-empty');
    mkdirSync(empty);
    const io = recordingIo();
    expect(await runAction(sprout('empty'), { out: empty, backend: 'cpu', quiet: true }, io)).toBe(0);
    expect(io.out.join('')).toBe(`Results in ${empty}\n`);
    const again = recordingIo();
    expect(await runAction(sprout('empty'), { out: empty, backend: 'cpu', quiet: true }, again)).toBe(1);
    expect(again.err.join('')).toBe(
      `sprout run: cannot write the run directory ${empty}: ${empty} exists and is not empty; give a new or empty folder to --out\n`,
    );
  });

  it('exits 2 naming the data file when it cannot be read', async () => {
    const file = join(dir, 'nodata.sprout');
    writeFileSync(
      file,
      'experiment "nodata" {\n  data csv "missing.csv"\n  network { input 2  dense 4 relu  output 2 }\n}\n',
    );
    const io = recordingIo();
    expect(await runAction(file, { out: join(dir, 'out-nodata'), backend: 'cpu', quiet: true }, io)).toBe(2);
    expect(io.err.join('')).toContain('missing.csv');
    // It failed before its first epoch: no half-made run folder.
    expect(existsSync(join(dir, 'out-nodata'))).toBe(false);
    expect(io.err.join('')).not.toContain('The outputs written up to that point');
  });

  it('exits 2 at the output layer when the data has more classes than it has units', async () => {
    writeFileSync(join(dir, 'three.csv'), 'x,y,label\n0,1,0\n1,0,1\n1,1,2\n0,0,1\n');
    const file = join(dir, 'few-units.sprout');
    writeFileSync(
      file,
      'experiment "few" {\n  data csv "three.csv"\n  network {\n    input 2\n    dense 4 relu\n    output 2\n  }\n}\n',
    );
    const io = recordingIo();
    expect(await runAction(file, { out: join(dir, 'out-few'), backend: 'cpu', quiet: true }, io)).toBe(2);
    expect(io.err.join('')).toContain('few-units.sprout:6:5');
    expect(io.err.join('')).toContain('the output layer has 2 units, one per class');
    expect(existsSync(join(dir, 'out-few'))).toBe(false);
  });

  it('passes --engine to the pipeline: the run-start event names the engine', async () => {
    for (const [engine, expected] of [
      ['auto', 'host'],
      ['tfjs', 'tfjs'],
    ] as const) {
      const io = recordingIo();
      const code = await runCli(
        [
          'run',
          sprout(`engine-${engine}`),
          '--out',
          join(dir, `out-engine-${engine}`),
          '--backend',
          'cpu',
          '--json',
          '--engine',
          engine,
        ],
        io,
      );
      expect(code).toBe(0);
      const start = io.out
        .join('')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { _tag: string; engine?: string })
        .find((e) => e._tag === 'run-start');
      expect(start?.engine).toBe(expected);
    }
    const io = recordingIo();
    expect(await runCli(['run', sprout('engine-bad'), '--engine', 'gpu'], io)).toBe(2);
    expect(io.err.join('')).toContain("'gpu' is invalid");
  });

  it('passes --threads to the pipeline: recorded in spec.json and the started event; bad counts exit 2', async () => {
    const io = recordingIo();
    const out = join(dir, 'out-threads');
    const code = await runCli(
      ['run', sprout('threads'), '--out', out, '--backend', 'cpu', '--json', '--threads', '1'],
      io,
    );
    expect(code).toBe(0);
    const started = JSON.parse(io.out.join('').trim().split('\n')[0]!) as { _tag: string; threads?: number };
    expect(started).toMatchObject({ _tag: 'started', threads: 1 });
    expect(
      (JSON.parse(readFileSync(join(out, 'spec.json'), 'utf8')) as { run: { threads?: number } }).run.threads,
    ).toBe(1);
    for (const bad of ['0', '65', '1.5', 'two']) {
      const e = recordingIo();
      expect(await runCli(['run', sprout('threads-bad'), '--threads', bad], e), bad).toBe(2);
      expect(e.err.join('')).toContain(`--threads needs a whole number from 1 to 64, got '${bad}'`);
    }
  });

  it('prints JSON lines with --json', async () => {
    const io = recordingIo();
    const code = await runAction(sprout('json'), { out: join(dir, 'out-json'), backend: 'cpu', json: true }, io);
    expect(code).toBe(0);
    const events = io.out
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { _tag: string });
    expect(events[0]!._tag).toBe('started');
    expect(events.at(-1)!._tag).toBe('finished');
    expect(events.filter((e) => e._tag === 'epoch-end')).toHaveLength(4);
  });

  it('draws a progress bar on a terminal', async () => {
    const io = recordingIo();
    const { stream, text } = terminalStream();
    const code = await runAction(sprout('bar', undefined, 30), { out: join(dir, 'out-bar'), backend: 'cpu' }, io, {
      isTTY: true,
      stream,
    });
    expect(code).toBe(0);
    expect(text()).toMatch(/bar \[1\/1 base #3\]/);
    expect(io.out.join('')).toContain('Results in');
  });

  it('prints an insertion above the bar, where it stays, with every sensitivity', async () => {
    const io = recordingIo();
    const { stream, text } = terminalStream();
    const file = join(dir, 'bar-grow.sprout');
    writeFileSync(
      file,
      'experiment "bar-grow" {\n  seed 3\n  data spirals { points 30 }\n  network { input 2  dense 4 relu  dense 4 relu  output 2 }\n  train { epochs 6, batch full }\n  grow sensli { at epoch 3 }\n}\n',
    );
    const code = await runAction(file, { out: join(dir, 'out-bar-grow'), backend: 'cpu' }, io, { isTTY: true, stream });
    expect(code).toBe(0);
    const shown = text();
    expect(shown).toMatch(
      /epoch 3: SensLI inserted a layer at position \d \(after layer \d \(dense 4 relu\)\); parameters 42 → 62\n/,
    );
    expect(shown).toMatch(/→ \d: after layer \d \(dense 4 relu\) +\d/);
    expect(shown.match(/after layer \d \(dense 4 relu\) +[\d.e-]+\n/g)).toHaveLength(2);
    // The checkpoint written after the growth decision, under the insertion's lines.
    expect(shown).toMatch(
      /→ \d: after layer[^\n]*\n(?:[^\n]*\n)?[^\n]*epoch 3: checkpoint written to checkpoints\/base\/seed-3\.ckpt \(after the growth decision\)\n/,
    );
  });

  it('prints checkpoints above the bar and in plain lines: notable ones always, routine ones once a minute', () => {
    const { stream, text } = terminalStream();
    let t = 0;
    const clock = () => t;
    const plain: string[] = [];
    const reporters = [
      barReporter({ out: () => {}, err: () => {}, progressStream: stream }, clock),
      lineReporter({ out: (s) => plain.push(s), err: (s) => plain.push(s) }, clock),
    ];
    const id = { arm: 'base', repeat: 0, seed: 1 };
    const file = 'checkpoints/base/seed-1.ckpt';
    const send = (e: RunEvent) => reporters.forEach((r) => r.onEvent(e));
    send({
      _tag: 'started',
      experiment: 'x',
      outDir: undefined,
      backend: 'cpu',
      threads: 1,
      arms: ['base'],
      repeats: 1,
      epochs: 9,
      runs: 1,
      totalEpochs: 9,
    });
    send({ _tag: 'run-start', ...id, index: 0, epochs: 9, stepsPerEpoch: 4, parameterCount: 10, engine: 'tfjs' });
    const at = (seconds: number, epoch: number, step: number, reason: Checkpoint['reason']) => {
      t = seconds * 1000;
      send({ _tag: 'checkpoint', ...id, epoch, step, file, reason });
    };
    at(1, 1, 0, 'interval'); // routine, within the first minute: no line
    at(2, 2, 0, 'growth');
    at(2 + ROUTINE_CHECKPOINT_LINE_MS / 1000 - 1, 3, 0, 'interval'); // within a minute of the last line
    at(2 + ROUTINE_CHECKPOINT_LINE_MS / 1000, 4, 0, 'interval');
    at(3 + ROUTINE_CHECKPOINT_LINE_MS / 1000, 5, 0, 'last-epoch');
    at(4 + ROUTINE_CHECKPOINT_LINE_MS / 1000, 5, 3, 'early-stop');
    at(5 + ROUTINE_CHECKPOINT_LINE_MS / 1000, 6, 2, 'interrupted');
    reporters.forEach((r) => r.close());
    const expected = [
      `  epoch 2: checkpoint written to ${file} (after the growth decision)`,
      `  epoch 4: checkpoint written to ${file}`,
      `  epoch 6, step 3: checkpoint written to ${file} (after the early stop)`,
      `  epoch 7, step 2: checkpoint written to ${file} (interrupted)`,
    ];
    const linesOf = (text: string) => text.split(/\r?\n/).filter((l) => l.includes('checkpoint written'));
    expect(linesOf(plain.join(''))).toEqual(expected);
    // On the terminal, each above the bar (cli-progress clears the bar's line and writes the text there).
    expect(linesOf(text()).map((l) => l.slice(l.indexOf('  epoch')))).toEqual(expected);
  });

  it('moves the bar inside a long epoch: batches done and examples per second as the run measured them', () => {
    const id = { arm: 'base', repeat: 0, seed: 1 };
    const shown = (feed: (reporter: Bar) => void): string => barOutput([id], feed);
    expect(shown((r) => r.onProgress!({ ...id, epoch: 1, step: 120, steps: 400, examples: 120, seconds: 2 }))).toMatch(
      /epoch 1\/2 batch 120\/400 \(60 examples\/s\)/,
    );
    // A study's display hears of an epoch's end and the next epoch's steps at once (a queue worker reports
    // them late): the pace is still the run's own, not the steps over the moment since it heard the end.
    expect(
      shown((r) => {
        r.onEvent({
          _tag: 'epoch-end',
          ...id,
          epoch: 1,
          trainLoss: 0.5,
          testLoss: 0.5,
          testError: 0.2,
          stepSize: 0.1,
          parameterCount: 10,
          seconds: 9,
        });
        r.onProgress!({ ...id, epoch: 2, step: 40, steps: 400, examples: 40, seconds: 0.5 });
      }),
    ).toMatch(/epoch 2\/2 batch 40\/400 \(80 examples\/s\)/);
  });

  it('shows the loss and test error of the run the bar names, when several runs train at once', () => {
    const one = { arm: 'base', repeat: 0, seed: 1 };
    const two = { arm: 'base', repeat: 1, seed: 2 };
    /** The bar's last frame after the first run's epoch 1 ends and then `last` reports progress. */
    const lastFrame = (last: typeof one): string =>
      barOutput([one, two], (reporter) => {
        reporter.onEvent({
          _tag: 'epoch-end',
          ...one,
          epoch: 1,
          trainLoss: 0.123456,
          testLoss: 0.5,
          testError: 0.25,
          stepSize: 0.1,
          parameterCount: 10,
          seconds: 9,
        });
        reporter.onProgress!({
          ...last,
          epoch: last === one ? 2 : 1,
          step: 40,
          steps: 400,
          examples: 40,
          seconds: 0.5,
        });
      })
        .split(/\r|\n|\u001b\[[0-9;]*[A-Za-z]/)
        .filter((f) => f.includes('examples/s'))
        .at(-1) ?? '';
    // The second run has finished no epoch yet: none of the first run's metrics next to its label.
    expect(lastFrame(two)).toMatch(/base #2\].*loss - \| test error -/);
    const first = lastFrame(one);
    expect(first).toMatch(/base #1\].*epoch 2\/2 batch 40\/400/);
    expect(first).not.toMatch(/loss - \|/);
  });

  it("keeps TensorFlow.js's Node banner off the terminal (it points at the uninstallable tfjs-node)", () => {
    const out = join(dir, 'out-banner');
    const r = spawnSync(
      process.execPath,
      [
        '--conditions=sprout-source',
        '--import',
        'tsx',
        fileURLToPath(new URL('../src/main.ts', import.meta.url)),
        'run',
        sprout('banner'),
        '--out',
        out,
        '--backend',
        'cpu',
        '--quiet',
      ],
      { encoding: 'utf8', cwd: fileURLToPath(new URL('..', import.meta.url)) },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('looks like you are running TensorFlow.js in Node.js');
    expect(r.stdout).toBe(`Results in ${out}\n`);
  });

  it('says in one line when the OpenBLAS kernels are missing, and nothing when all is as expected', () => {
    const info = (native: BackendInfo['native'], name: BackendInfo['name'] = 'wasm'): BackendInfo => ({
      name,
      tfName: name,
      suppliedKernels: [],
      message: `Using the TensorFlow.js ${name} backend: @tensorflow/tfjs-node did not load (a long reason).`,
      ...(native !== undefined ? { native } : {}),
    });
    expect(backendNote(info({ ok: true, kernels: [] }), 'auto', false)).toBeUndefined();
    expect(backendNote(info({ ok: false, reason: 'no addon', kernels: [] }), 'auto', false)).toBe(
      'Running without the OpenBLAS kernels (slower); the fast path: sudo apt-get install libopenblas-dev && npm rebuild @sprout/native',
    );
    expect(backendNote(info({ ok: true, kernels: [] }, 'cpu'), 'auto', false)).toContain('did not load');
    expect(backendNote(info({ ok: true, kernels: [] }), 'auto', true)).toContain('did not load');
  });

  it('exits 1 naming the epoch and step when the loss is not finite', async () => {
    const io = recordingIo();
    const out = join(dir, 'out-nan');
    const code = await runAction(sprout('nan', 'sgd { step constant 1e30 }'), { out, backend: 'cpu', quiet: true }, io);
    expect(code).toBe(1);
    expect(io.err.join('')).toMatch(/non-finite in epoch \d+, step \d+/);
    expect(io.err.join('')).toContain(out);
    expect(existsSync(join(out, 'metrics.csv'))).toBe(true);
  });

  it('exits 130 when interrupted, after the current step, keeping the outputs', async () => {
    const controller = new AbortController();
    const lines: string[] = [];
    const io = {
      ...recordingIo(),
      stdout: (t: string) => {
        lines.push(t);
        if (t.includes('"_tag":"epoch-end"')) controller.abort();
      },
    };
    const out = join(dir, 'out-int');
    const code = await runAction(
      sprout('int', undefined, 20),
      { out, backend: 'cpu', json: true },
      io,
      { isTTY: false },
      controller.signal,
    );
    expect(code).toBe(130);
    expect(io.err.join('')).toMatch(/interrupted after epoch 2, step 1/);
    expect(readFileSync(join(out, 'metrics.csv'), 'utf8').trim().split('\n')).toHaveLength(2);

    // Resumed: the header, the run's line saying where it resumes, and the usual cadence of epoch lines.
    const again = recordingIo();
    expect(await runAction(undefined, { resume: out, backend: 'cpu' }, again, { isTTY: false })).toBe(0);
    const text = again.out.join('');
    expect(text).toContain('int: 1 run (base × 1 seed) on the cpu backend\n');
    expect(text).toMatch(
      /run 1\/1: arm 'base', seed 3, \d+ parameters, resumed in epoch 2 after step 1 \(20 epochs\)\n/,
    );
    expect(text.match(/ {2}epoch \d+\/20 /g)).toEqual([
      '  epoch 2/20 ',
      '  epoch 4/20 ',
      '  epoch 6/20 ',
      '  epoch 8/20 ',
      '  epoch 10/20 ',
      '  epoch 12/20 ',
      '  epoch 14/20 ',
      '  epoch 16/20 ',
      '  epoch 18/20 ',
      '  epoch 20/20 ',
    ]);
  });

  it('exits 2 with rendered diagnostics on invalid input and on features not implemented yet', async () => {
    const bad = join(dir, 'bad.sprout');
    writeFileSync(bad, 'experiment "bad" {\n  network { input 2  dense 5 rleu  output 2 }\n}\n');
    const io = recordingIo();
    expect(await runAction(bad, { backend: 'cpu' }, io)).toBe(2);
    expect(io.err.join('')).toContain('bad.sprout:2:');
    const io2 = recordingIo();
    expect(await runAction(sprout('mom', 'momentum 0.9 { step adaptive }'), { backend: 'cpu' }, io2)).toBe(2);
    expect(io2.err.join('')).toMatch(/error\[unsupported-combination\]/);
    const io3 = recordingIo();
    expect(await runAction(join(dir, 'missing.sprout'), {}, io3)).toBe(2);
  });
});

describe('sprout run --resume DIR --epochs N', () => {
  it('extends a finished run: every run trains on to N epochs', async () => {
    const out = join(dir, 'out-extend');
    expect(
      await runCli(['run', sprout('extend'), '--out', out, '--backend', 'cpu', '--jobs', '1'], recordingIo()),
    ).toBe(0);
    const io = recordingIo();
    expect(await runCli(['run', '--resume', out, '--epochs', '7', '--backend', 'cpu'], io)).toBe(0);
    expect(io.out.join('')).toMatch(/epoch 7\/7 {2}train loss \d/);
    const rows = readFileSync(join(out, 'metrics.csv'), 'utf8').trim().split('\n').slice(1);
    expect(rows.map((r) => r.split(',')[3])).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    expect(JSON.parse(readFileSync(join(out, 'spec.json'), 'utf8')).train.epochs).toBe(7);
  });

  it('refuses --epochs without --resume, or a count that is not a whole number', async () => {
    const io = recordingIo();
    expect(await runCli(['run', sprout('extend-bad'), '--epochs', '7'], io)).toBe(2);
    expect(io.err.join('')).toContain('sprout run: --epochs extends a run: give it with --resume RUN_DIR');
    const io2 = recordingIo();
    expect(await runCli(['run', '--resume', join(dir, 'out-extend'), '--epochs', 'ten'], io2)).toBe(2);
    expect(io2.err.join('')).toContain("--epochs needs a whole number from 1 to 1000000, got 'ten'");
  });
});

describe('sprout run FILE --repeat N', () => {
  it("runs N seeds instead of the file's repeat; a resumed run keeps its seeds", async () => {
    const out = join(dir, 'out-repeat');
    const io = recordingIo();
    expect(
      await runCli(['run', sprout('repeat'), '--repeat', '2', '--out', out, '--backend', 'cpu', '--jobs', '1'], io),
    ).toBe(0);
    expect(io.out.join('')).toContain('repeat: 2 runs (base × 2 seeds)');
    expect(JSON.parse(readFileSync(join(out, 'spec.json'), 'utf8')).repeat).toBe(2);
    const again = recordingIo();
    expect(await runCli(['run', '--resume', out, '--repeat', '3'], again)).toBe(2);
    expect(again.err.join('')).toContain('--repeat sets the seeds of a new run');
    const bad = recordingIo();
    expect(await runCli(['run', sprout('repeat-bad'), '--repeat', '0'], bad)).toBe(2);
    expect(bad.err.join('')).toContain("--repeat needs a whole number from 1 to 1000, got '0'");
  });
});

describe('sprout run FILE --from RUN_DIR', () => {
  it('starts from the saved model: its grown architecture and weights', async () => {
    const grown = join(dir, 'grow.sprout');
    writeFileSync(
      grown,
      `experiment "grow" {
  seed 3
  data spirals { points 30, split_draw fixed }
  network { input 2  dense 6 relu  output 2 }
  optimizer sgd { step constant 0.1 }
  train { epochs 4, batch 15 }
  grow sensli { at epoch 2 }
}
`,
    );
    const first = join(dir, 'out-grown');
    const io1 = recordingIo();
    expect(await runCli(['run', grown, '--out', first, '--backend', 'cpu', '--json'], io1)).toBe(0);
    const events1 = io1.out
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const final1 = events1.find((e) => e._tag === 'run-end').final;
    // The same data, a step too small to move the weights: the warm start's first epoch shows the saved net.
    const warm = join(dir, 'warm.sprout');
    writeFileSync(
      warm,
      `experiment "warm" {
  seed 3
  data spirals { points 30, split_draw fixed }
  optimizer sgd { step constant 1e-30 }
  train { epochs 1, batch 15 }
}
`,
    );
    const io2 = recordingIo();
    const second = join(dir, 'out-warm');
    expect(await runCli(['run', warm, '--from', first, '--out', second, '--backend', 'cpu', '--json'], io2)).toBe(0);
    const events2 = io2.out
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const start = events2.find((e) => e._tag === 'run-start');
    expect(start.parameterCount).toBe(final1.parameterCount);
    const epoch1 = events2.find((e) => e._tag === 'epoch-end');
    expect(epoch1.testLoss).toBeCloseTo(final1.testLoss, 6);
    expect(epoch1.testError).toBe(final1.testError);
    const recorded = JSON.parse(readFileSync(join(second, 'spec.json'), 'utf8'));
    expect(recorded.network.layers.length).toBe(2); // the grown net: dense 6 and the inserted layer
    expect(recorded.run.warmStart).toBe(first);
    expect(existsSync(join(second, 'initial', 'model.json'))).toBe(true);
    // A resume (here an extension by one epoch) reads the warm start back from initial/.
    expect(
      await runCli(['run', '--resume', second, '--epochs', '2', '--backend', 'cpu', '--quiet'], recordingIo()),
    ).toBe(0);
    const rows = readFileSync(join(second, 'metrics.csv'), 'utf8').trim().split('\n').slice(1);
    expect(rows.map((r) => r.split(',')[3])).toEqual(['1', '2']);
  });

  it('says what is wrong with a path that holds no model', async () => {
    const io = recordingIo();
    expect(await runCli(['run', sprout('from-bad'), '--from', join(dir, 'nowhere'), '--backend', 'cpu'], io)).toBe(2);
    expect(io.err.join('')).toContain('is neither a run directory with model/model.json');
  });
});
