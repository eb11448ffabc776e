// The pure parts of `npm run bench`: command line, medians and ratios, /usr/bin/time -v parsing, the
// sensitivity-pass estimate from events.jsonl, the peer's JSON and the table. No training is launched.
import { describe, expect, it } from 'vitest';
import {
  PROTOCOLS,
  emptySamples,
  formatTable,
  median,
  parseBenchArgs,
  parseTimeV,
  ratio,
  readPeerJson,
  arg,
  medianOf,
  medianOfTimings,
  sensitivityCostFromEvents,
  summarizeRow,
  withTrainLimit,
  insertionSecondsFromEvents,
} from '../src/bench-lib.js';

describe('parseBenchArgs', () => {
  it('defaults to every protocol, both backends, 3 repetitions', () => {
    const r = parseBenchArgs([]);
    expect(r.ok && r.options).toMatchObject({
      reps: 3,
      mnistReps: 3,
      backends: ['wasm', 'cpu'],
      protocols: PROTOCOLS.map((p) => p.name),
      quick: false,
    });
  });
  it('--quick is one repetition of fewer protocols; explicit options win', () => {
    const q = parseBenchArgs(['--quick']);
    expect(q.ok && q.options.reps).toBe(1);
    expect(q.ok && q.options.protocols.length).toBeLessThan(PROTOCOLS.length);
    const r = parseBenchArgs([
      '--quick',
      '--protocol',
      'mnist-cnn',
      '--protocol',
      'mnist-cnn',
      '--backend',
      'wasm',
      '--reps',
      '5',
      '--mnist-reps',
      '2',
      '--no-peer',
      '--cpu-mnist',
      '--out',
      'x',
      '--train-limit',
      '6000',
      '--threads',
      '3',
    ]);
    expect(r.ok && r.options).toMatchObject({
      reps: 5,
      mnistReps: 2,
      protocols: ['mnist-cnn'],
      backends: ['wasm'],
      noPeer: true,
      cpuMnist: true,
      outDir: 'x',
      trainLimit: 6000,
      threads: 3,
    });
    // --threads defaults to the core count given.
    const d = parseBenchArgs([], 4);
    expect(d.ok && d.options.threads).toBe(4);
  });
  it('refuses unknown protocols, backends, arguments and bad counts', () => {
    for (const argv of [
      ['--protocol', 'cifar'],
      ['--protocol'],
      ['--threads', '0'],
      ['--threads', '65'],
      ['--backend', 'webgl'],
      ['--reps', '0'],
      ['--reps', '1.5'],
      ['--mnist-reps', '-1'],
      ['--train-limit', '5'],
      ['--frobnicate'],
      ['--out'],
    ])
      expect(parseBenchArgs(argv).ok, argv.join(' ')).toBe(false);
  });
});

describe('median and ratio', () => {
  it('median of odd and even counts, ignoring non-finite values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([NaN, 5])).toBe(5);
    expect(median([])).toBeUndefined();
  });
  it('medianOf is NaN for no values; medianOfTimings takes wall and CPU medians apart', () => {
    expect(medianOf([3, 1, 2])).toBe(2);
    expect(medianOf([])).toBeNaN();
    expect(
      medianOfTimings([
        { wall: 1, cpu: 9 },
        { wall: 3, cpu: 1 },
        { wall: 2, cpu: 5 },
      ]),
    ).toEqual({ wall: 2, cpu: 5 });
  });
  it('arg reads the value after a flag, or the default', () => {
    const argv = ['node', 'x.ts', '--steps', '10', '--last'];
    expect(arg('--steps', '600', argv)).toBe('10');
    expect(arg('--rounds', '3', argv)).toBe('3');
    expect(arg('--last', 'd', argv)).toBe('d');
  });
  it('ratio needs both sides and a positive denominator', () => {
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(3, 0)).toBeUndefined();
    expect(ratio(undefined, 2)).toBeUndefined();
    expect(ratio(1, undefined)).toBeUndefined();
  });
});

describe('parseTimeV', () => {
  it('reads peak memory, CPU and wall time from GNU time -v', () => {
    const err = `some output\n\tUser time (seconds): 12.34\n\tSystem time (seconds): 0.56\n\tElapsed (wall clock) time (h:mm:ss or m:ss): 1:02.50\n\tMaximum resident set size (kbytes): 249576\n`;
    expect(parseTimeV(err)).toEqual({
      userSeconds: 12.34,
      systemSeconds: 0.56,
      elapsedSeconds: 62.5,
      maxRssKb: 249576,
    });
    expect(parseTimeV('Elapsed (wall clock) time (h:mm:ss or m:ss): 1:00:01').elapsedSeconds).toBe(3601);
    expect(parseTimeV('nothing')).toEqual({});
  });
});

describe('sensitivityCostFromEvents', () => {
  const events = (E1: number, epoch: number, pass: number, total: number): string => {
    const lines = [JSON.stringify({ _tag: 'started' })];
    let t = 0;
    for (let k = 1; k <= total; k++) {
      t += epoch + (k === E1 + 1 ? pass : 0);
      lines.push(JSON.stringify({ _tag: 'epoch-end', arm: 'base', repeat: 0, epoch: k, seconds: t }));
    }
    return lines.join('\n');
  };
  it("is the insertion event's seconds over the median epoch before it, when the event has them", () => {
    const lines = events(450, 0.01, 0.5, 600).split('\n');
    lines.splice(451, 0, JSON.stringify({ _tag: 'insertion', arm: 'base', repeat: 0, epoch: 450, seconds: 0.012 }));
    expect(sensitivityCostFromEvents(lines.join('\n'), 450)).toBeCloseTo(1.2, 6);
  });
  it('is undefined without an insertion event at E₁ or without the epochs before it', () => {
    // Epoch times alone (a slow epoch after E₁) are not read as the pass.
    expect(sensitivityCostFromEvents(events(450, 0.01, 0.5, 600), 450)).toBeUndefined();
    const insertion = JSON.stringify({ _tag: 'insertion', arm: 'base', repeat: 0, epoch: 450, seconds: 0.012 });
    expect(sensitivityCostFromEvents(`${events(450, 0.01, 0.01, 100)}\n${insertion}`, 450)).toBeUndefined();
    expect(sensitivityCostFromEvents(`${events(450, 0.01, 0.01, 600)}\n${insertion}`, 449)).toBeUndefined();
    expect(sensitivityCostFromEvents('not json\n', 2)).toBeUndefined();
  });
});

describe('readPeerJson', () => {
  it('reads training time, pass cost and result of the peer', () => {
    const out = `${JSON.stringify({ peer: 'pytorch 1.13', position: 1, final_train_loss: 0.1, seconds: { phase1: 0.9, insertion: 0.003, total: 3 } })}\n`;
    const r = readPeerJson(out, 450);
    expect(r).toMatchObject({
      train: 3,
      finalTrainLoss: 0.1,
      position: 1,
      version: 'pytorch 1.13',
      passSeconds: 0.003,
    });
    expect(r.passEpochs).toBeCloseTo(1.5, 9);
    expect(readPeerJson('Traceback', 2)).toEqual({});
  });
});

describe('summarizeRow and formatTable', () => {
  it('takes medians, computes Sprout/PyTorch ratios against the faster peer configuration and marks the goals', () => {
    const sprout = {
      ...emptySamples(),
      wall: [30, 10, 20],
      cpu: [8, 9, 10],
      rssMb: [300, 300, 300],
      train: [5, 5, 5],
      passEpochs: [1.2],
      passSeconds: [2.4],
    };
    const peer = {
      ...emptySamples(),
      wall: [10, 10, 10],
      cpu: [9, 9, 9],
      rssMb: [100, 100, 100],
      train: [2, 2, 2],
      passEpochs: [0.8],
      passSeconds: [3],
    };
    const slowDefault = { ...peer, wall: [40, 40, 40], rssMb: [500, 500, 500], passSeconds: [1.2] };
    const s = summarizeRow({ protocol: 'spirals-fnn', backend: 'wasm', sprout, peer, peerDefault: slowDefault });
    // The one-thread peer is faster: wall, CPU, memory and training time are against it; the pass against the
    // faster pass of the two (1.2 s).
    expect(s).toMatchObject({
      faster: 'one thread',
      sproutWall: 20,
      peerOneWall: 10,
      peerDefaultWall: 40,
      peerWall: 10,
      wallRatio: 2,
      cpuRatio: 1,
      rssRatio: 3,
      trainRatio: 2.5,
      sproutPassEpochs: 1.2,
      passRatio: 2,
      reps: 3,
    });
    expect(s.sproutEpochSeconds).toBeCloseTo(2, 9);
    // With a faster default-threads peer the ratios follow it.
    const d = summarizeRow({ protocol: 'spirals-fnn', backend: 'wasm', sprout, peer: slowDefault, peerDefault: peer });
    expect(d).toMatchObject({ faster: 'default', wallRatio: 2, rssRatio: 3 });
    const fast = summarizeRow({
      protocol: 'mnist-mlp',
      backend: 'wasm',
      sprout: { ...sprout, wall: [5], passSeconds: [0.001] },
      peer,
    });
    const skipped = summarizeRow({
      protocol: 'mnist-cnn',
      backend: 'cpu',
      skipped: 'too slow',
      sprout: emptySamples(),
    });
    const t = formatTable([s, fast, skipped]).split('\n');
    expect(t).toHaveLength(5);
    expect(t[0]).toMatch(
      /^\| protocol \| backend \| Sprout wall s \| PyTorch default wall s \| PyTorch 1 thread wall s \| wall ratio vs faster \(≤ 0.8\)/,
    );
    expect(t[2]).toContain('| 20.00 | 40.00 | 10.00 * | 2.00 ✗ |');
    expect(t[2]).toContain('| 3.00 ✗ |');
    expect(t[2]).toContain('| 2.400 | 1.200 | 2.00 ✗ | 1.20 ✓ |');
    expect(t[3]).toContain('| 5.00 | – | 10.00 * | 0.50 ✓ |');
    // An epoch under a second: the pass in epochs is shown, not judged.
    expect(t[3]).toContain('| 1.20 (epoch 0.8 ms) |');
    expect(t[4]).toContain('skipped: too slow');
    for (const line of t) expect(line.split('|').length).toBe(t[0]!.split('|').length);
  });
  it('has no ratio without the peer', () => {
    const s = summarizeRow({ protocol: 'spirals-fnn', backend: 'cpu', sprout: { ...emptySamples(), wall: [1] } });
    expect(s.wallRatio).toBeUndefined();
    expect(formatTable([s])).toContain('| 1.00 | – | – | – |');
  });
});

describe('insertionSecondsFromEvents', () => {
  it('is the median over the seeds of the insertion seconds at E₁', () => {
    const lines = [
      JSON.stringify({ _tag: 'insertion', arm: 'base', repeat: 1, epoch: 2, seconds: 9 }),
      JSON.stringify({ _tag: 'insertion', arm: 'base', repeat: 0, epoch: 1, seconds: 8 }),
      JSON.stringify({ _tag: 'insertion', arm: 'base', repeat: 0, epoch: 2, seconds: 0.5 }),
      JSON.stringify({ _tag: 'insertion', arm: 'base', repeat: 2, epoch: 2, seconds: 0.75 }),
      '{"_tag":"insertion","epo', // a torn line
    ].join('\n');
    expect(insertionSecondsFromEvents(lines, 2)).toBe(0.75);
    expect(insertionSecondsFromEvents(lines, 1)).toBe(8);
    expect(insertionSecondsFromEvents(lines, 3)).toBeUndefined();
  });
});

describe('withTrainLimit', () => {
  it('limits the MNIST data statement of a .sprout file, whatever its options', () => {
    expect(withTrainLimit('experiment "x" {\n  data mnist\n  network {}\n}', 5000)).toBe(
      'experiment "x" {\n  data mnist { train_limit 5000 }\n  network {}\n}',
    );
    expect(withTrainLimit('  data mnist { train_limit 10, test_limit 5 }\n', 700)).toBe(
      '  data mnist { train_limit 700 }\n',
    );
    expect(withTrainLimit('data spirals { points 300 }', 700)).toBe('data spirals { points 300 }');
  });
});
