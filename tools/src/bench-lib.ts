// The pure parts of `npm run bench` (tools/src/bench.ts): the protocols it compares, its command line,
// medians and ratios, the parsing of `/usr/bin/time -v` and of the run outputs, and the result table.
// Nothing here starts a process, so tools/test/bench-lib.test.ts checks all of it without training.

/** A Sprout backend the bench can run (`sprout run --backend …`). */
export type BenchBackend = 'wasm' | 'cpu';

/** Where a protocol's data come from: generated (spirals) or files both sides read. */
export type ProtocolData = 'spirals' | 'mnist' | 'cifar';

/** The data folders the peers read (absolute or relative to the repository root). */
export interface DataDirs {
  readonly mnist: string;
  readonly cifar: string;
}

/** One whole protocol, as a user runs it: a `.sprout` file against a PyTorch peer command. */
export interface Protocol {
  readonly name: string;
  readonly title: string;
  /** The `.sprout` file, relative to the repository root. */
  readonly sproutFile: string;
  /** The peer's script and arguments (after `/usr/bin/python3`), relative to the repository root, for one seed. */
  readonly peer: (dirs: DataDirs, seed: number) => readonly string[];
  /** Epochs before the insertion (to turn the pipeline's epoch times into a sensitivity-pass ratio). */
  readonly epochsBefore: number;
  readonly data: ProtocolData;
  /**
   * Seeds of a many-run study: Sprout runs the `.sprout` file (which repeats over as many seeds) once, the
   * peer runs once per seed, one after the other; the wall and CPU times are the sums. @default 1
   */
  readonly seeds?: number;
}

/** Protocols on files (MNIST, CIFAR): minutes per run, repeated `--mnist-reps` times. */
export const isHeavy = (p: Protocol): boolean => p.data !== 'spirals';

export const PEER_SCRIPT = '../shared/peer/sensli_torch.py';
export const CNN_PEER_SCRIPT = 'tools/peer/cnn_torch.py';

/** Seeds of the many-run throughput protocol (the 30-seed spirals FNN study). */
export const STUDY_SEEDS = 30;

const spiralsFnnPeer = (seed: number): readonly string[] => [
  PEER_SCRIPT,
  '--arch',
  'fnn',
  '--widths',
  '5',
  '--lr',
  '0.2',
  '--epochs',
  '450',
  '1400',
  '--seed',
  String(seed),
];

export const PROTOCOLS: readonly Protocol[] = [
  {
    name: 'spirals-fnn',
    title: 'spirals FNN [5], full batch, lr 0.2, 450 + 1400 epochs',
    sproutFile: 'tools/bench/spirals-fnn-1.sprout',
    peer: (_dirs, seed) => spiralsFnnPeer(seed),
    epochsBefore: 450,
    data: 'spirals',
  },
  {
    name: 'spirals-resnet',
    title: 'spirals ResNet [3, 3] tanh, full batch, lr 0.1, 450 + 1400 epochs',
    sproutFile: 'tools/bench/spirals-resnet-1.sprout',
    peer: (_dirs, seed) => [
      PEER_SCRIPT,
      '--arch',
      'resnet',
      '--widths',
      '3',
      '3',
      '--lr',
      '0.1',
      '--epochs',
      '450',
      '1400',
      '--seed',
      String(seed),
    ],
    epochsBefore: 450,
    data: 'spirals',
  },
  {
    name: 'spirals-fnn-study',
    title: `spirals FNN study, ${STUDY_SEEDS} seeds (Sprout: one \`sprout run\` of repeat ${STUDY_SEEDS}; peer: ${STUDY_SEEDS} runs one after the other)`,
    sproutFile: 'tools/bench/spirals-fnn-study.sprout',
    peer: (_dirs, seed) => spiralsFnnPeer(seed),
    epochsBefore: 450,
    data: 'spirals',
    seeds: STUDY_SEEDS,
  },
  {
    name: 'mnist-mlp',
    title: 'MNIST MLP [50, 50], batch 100, lr 0.1, 2 + 2 epochs',
    sproutFile: 'tools/bench/mnist-mlp-1.sprout',
    peer: (dirs, seed) => [
      PEER_SCRIPT,
      '--mnist',
      dirs.mnist,
      '--widths',
      '50',
      '50',
      '--lr',
      '0.1',
      '--batch',
      '100',
      '--epochs',
      '2',
      '2',
      '--seed',
      String(seed),
    ],
    epochsBefore: 2,
    data: 'mnist',
  },
  {
    name: 'mnist-mlp-wide',
    title: 'MNIST MLP [512, 512], batch 128, lr 0.1, 1 + 1 epochs',
    sproutFile: 'tools/bench/mnist-mlp-wide-1.sprout',
    peer: (dirs, seed) => [
      PEER_SCRIPT,
      '--mnist',
      dirs.mnist,
      '--widths',
      '512',
      '512',
      '--lr',
      '0.1',
      '--batch',
      '128',
      '--epochs',
      '1',
      '1',
      '--seed',
      String(seed),
    ],
    epochsBefore: 1,
    data: 'mnist',
  },
  {
    name: 'mnist-cnn',
    title: 'MNIST CNN conv8-pool-conv16-pool-dense10, batch 100, lr 0.1, 2 + 2 epochs',
    sproutFile: 'tools/bench/mnist-cnn-1.sprout',
    peer: (dirs, seed) => [CNN_PEER_SCRIPT, '--mnist', dirs.mnist, '--epochs', '2', '2', '--seed', String(seed)],
    epochsBefore: 2,
    data: 'mnist',
  },
  {
    name: 'cifar-vgg-small',
    title:
      'CIFAR-10-format VGG conv32-32-pool-64-64-pool-128-pool-dense256-10, 10,000 images, batch 128, SGD 0.01, 1 + 1 epochs',
    sproutFile: 'tools/bench/cifar-vgg-small-1.sprout',
    peer: (dirs, seed) => [
      CNN_PEER_SCRIPT,
      '--net',
      'vgg-small',
      '--cifar',
      dirs.cifar,
      '--lr',
      '0.01',
      '--batch',
      '128',
      '--epochs',
      '1',
      '1',
      '--train-limit',
      '10000',
      '--seed',
      String(seed),
    ],
    epochsBefore: 1,
    data: 'cifar',
  },
];

/** The protocols `--quick` runs when no `--protocol` is given. */
export const QUICK_PROTOCOLS: readonly string[] = ['spirals-fnn'];

export interface BenchOptions {
  /** Repetitions of each command (median reported). @default 3, 1 with --quick */
  readonly reps: number;
  /** Repetitions of the MNIST protocols (minutes each on a loaded machine). @default reps */
  readonly mnistReps: number;
  readonly protocols: readonly string[];
  /** @default ['wasm', 'cpu'] */
  readonly backends: readonly BenchBackend[];
  /** Run MNIST protocols on the cpu backend too (tfjs cpu is ~100× slower than PyTorch there). @default false */
  readonly cpuMnist: boolean;
  /** MNIST training examples for both sides (Sprout's `train_limit`, the peers' `--train-limit`). @default all 60000 */
  readonly trainLimit?: number;
  /** Skip the peer even when installed. @default false */
  readonly noPeer: boolean;
  /** Where latest.json / latest.md go, relative to the repository root. @default 'tools/results' */
  readonly outDir: string;
  readonly quick: boolean;
  /** `sprout run --threads N` (the peer runs at one thread and at PyTorch's default). @default the core count */
  readonly threads: number;
}

export const USAGE = `usage: npm run bench -- [--quick] [--protocol NAME]... [--backend wasm|cpu]... [--reps N]
                        [--mnist-reps N] [--train-limit N] [--threads N] [--cpu-mnist] [--no-peer] [--out DIR]
protocols: ${PROTOCOLS.map((p) => p.name).join(', ')}`;

/** Parses the bench's command line; a string on the left is the message to print with USAGE. */
export const parseBenchArgs = (
  argv: readonly string[],
  cores = 1,
): { readonly ok: true; readonly options: BenchOptions } | { readonly ok: false; readonly message: string } => {
  let threads = cores;
  let quick = false;
  let reps: number | undefined;
  let mnistReps: number | undefined;
  let trainLimit: number | undefined;
  const protocols: string[] = [];
  const backends: BenchBackend[] = [];
  let cpuMnist = false;
  let noPeer = false;
  let outDir = 'tools/results';
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k]!;
    const value = (): string | undefined => {
      const v = argv[k + 1];
      k++;
      return v;
    };
    if (a === '--quick') quick = true;
    else if (a === '--cpu-mnist') cpuMnist = true;
    else if (a === '--no-peer') noPeer = true;
    else if (a === '--protocol') {
      const v = value();
      if (v === undefined || !PROTOCOLS.some((p) => p.name === v))
        return {
          ok: false,
          message: `--protocol needs one of ${PROTOCOLS.map((p) => p.name).join(', ')}, got ${v ?? 'nothing'}`,
        };
      protocols.push(v);
    } else if (a === '--backend') {
      const v = value();
      if (v !== 'wasm' && v !== 'cpu')
        return { ok: false, message: `--backend needs wasm or cpu, got ${v ?? 'nothing'}` };
      backends.push(v);
    } else if (a === '--reps' || a === '--mnist-reps') {
      const v = value();
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 100)
        return { ok: false, message: `${a} needs an integer in [1, 100], got ${v ?? 'nothing'}` };
      if (a === '--reps') reps = n;
      else mnistReps = n;
    } else if (a === '--threads') {
      const v = value();
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 64)
        return { ok: false, message: `--threads needs an integer in [1, 64], got ${v ?? 'nothing'}` };
      threads = n;
    } else if (a === '--train-limit') {
      const v = value();
      const n = Number(v);
      if (!Number.isInteger(n) || n < 100 || n > 60000)
        return { ok: false, message: `--train-limit needs an integer in [100, 60000], got ${v ?? 'nothing'}` };
      trainLimit = n;
    } else if (a === '--out') {
      const v = value();
      if (v === undefined || v === '') return { ok: false, message: '--out needs a directory' };
      outDir = v;
    } else return { ok: false, message: `unknown argument '${a}'` };
  }
  return {
    ok: true,
    options: {
      quick,
      reps: reps ?? (quick ? 1 : 3),
      mnistReps: mnistReps ?? reps ?? (quick ? 1 : 3),
      protocols:
        protocols.length > 0 ? [...new Set(protocols)] : quick ? QUICK_PROTOCOLS : PROTOCOLS.map((p) => p.name),
      backends: backends.length > 0 ? [...new Set(backends)] : ['wasm', 'cpu'],
      cpuMnist,
      noPeer,
      outDir,
      threads,
      ...(trainLimit === undefined ? {} : { trainLimit }),
    },
  };
};

/** The median (mean of the two middle values for an even count); undefined for no values. */
export const median = (xs: readonly number[]): number | undefined => {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  const m = Math.floor(v.length / 2);
  return v.length % 2 === 1 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
};

/** The median of values that are always there (bench scripts' own samples); NaN for none. */
export const medianOf = (xs: readonly number[]): number => median(xs) ?? Number.NaN;

/** The value after `name` on the command line (`--steps 100`), or `dflt` when it is not given. */
export const arg = (name: string, dflt: string, argv: readonly string[] = process.argv): string => {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1]! : dflt;
};

/** a / b, undefined when either is missing or b is not positive. */
export const ratio = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined || b === undefined || !(b > 0) ? undefined : a / b;

/** What `/usr/bin/time -v` appends to a child's stderr. */
export interface TimeV {
  readonly maxRssKb?: number;
  readonly userSeconds?: number;
  readonly systemSeconds?: number;
  readonly elapsedSeconds?: number;
}

/** Reads the GNU time verbose report (the last occurrence of each field wins). */
export const parseTimeV = (stderr: string): TimeV => {
  const num = (re: RegExp): number | undefined => {
    const all = [...stderr.matchAll(re)];
    const last = all[all.length - 1];
    return last === undefined ? undefined : Number(last[1]);
  };
  const el = [...stderr.matchAll(/Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)/g)].pop()?.[1];
  let elapsedSeconds: number | undefined;
  if (el !== undefined) elapsedSeconds = el.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
  const out: { -readonly [K in keyof TimeV]: TimeV[K] } = {};
  const rss = num(/Maximum resident set size \(kbytes\): (\d+)/g);
  const user = num(/User time \(seconds\): ([\d.]+)/g);
  const sys = num(/System time \(seconds\): ([\d.]+)/g);
  if (rss !== undefined) out.maxRssKb = rss;
  if (user !== undefined) out.userSeconds = user;
  if (sys !== undefined) out.systemSeconds = sys;
  if (elapsedSeconds !== undefined) out.elapsedSeconds = elapsedSeconds;
  return out;
};

/**
 * Cost of the sensitivity pass (with the selection and the insertion) in training epochs, from the
 * pipeline's events.jsonl: the insertion event's `seconds` (the pipeline times growBySensitivity) divided
 * by the median epoch of the (up to 50) epochs before the insertion epoch E₁ (epoch-end events carry the
 * run's cumulative seconds; an epoch as the pipeline runs it, test evaluation and event writing included).
 * Undefined without an insertion event at E₁ or without epochs before it.
 */
export const sensitivityCostFromEvents = (eventsJsonl: string, epochsBefore: number): number | undefined => {
  const seconds = new Map<number, number>();
  let passSeconds: number | undefined;
  for (const line of eventsJsonl.split('\n')) {
    if (!line.includes('"epoch-end"') && !line.includes('"insertion"')) continue;
    try {
      const e = JSON.parse(line) as { _tag?: string; epoch?: number; seconds?: number; repeat?: number };
      if ((e.repeat ?? 0) !== 0 || typeof e.epoch !== 'number' || typeof e.seconds !== 'number') continue;
      if (e._tag === 'epoch-end' && !seconds.has(e.epoch)) seconds.set(e.epoch, e.seconds);
      if (e._tag === 'insertion' && e.epoch === epochsBefore && passSeconds === undefined) passSeconds = e.seconds;
    } catch {
      /* a torn line: ignore */
    }
  }
  const delta = (k: number): number | undefined => {
    const a = seconds.get(k);
    const b = k === 1 ? 0 : seconds.get(k - 1);
    return a === undefined || b === undefined ? undefined : a - b;
  };
  const before: number[] = [];
  for (let k = Math.max(2, epochsBefore - 50); k <= epochsBefore; k++) {
    const d = delta(k);
    if (d !== undefined) before.push(d);
  }
  return ratio(passSeconds, median(before));
};

/**
 * The insertion events' `seconds` at epoch E₁ (see sensitivityCostFromEvents), the median over the seeds and
 * arms that insert there: one seed's pass for a one-seed protocol; for a study, the pass as its runs meet it
 * (the peer's side takes the median over its runs too). Undefined without one.
 */
export const insertionSecondsFromEvents = (eventsJsonl: string, epochsBefore: number): number | undefined => {
  const seconds: number[] = [];
  for (const line of eventsJsonl.split('\n')) {
    if (!line.includes('"insertion"')) continue;
    try {
      const e = JSON.parse(line) as { _tag?: string; epoch?: number; seconds?: number };
      if (e._tag === 'insertion' && e.epoch === epochsBefore && typeof e.seconds === 'number') seconds.push(e.seconds);
    } catch {
      /* a torn line: ignore */
    }
  }
  return median(seconds);
};

/** One command's repetitions. */
export interface Samples {
  readonly wall: number[];
  readonly cpu: number[];
  readonly rssMb: number[];
  /** Training seconds the tool reports itself (Sprout summary.json, the peer's seconds.total). */
  readonly train: number[];
  /** Sensitivity pass (+ insertion) in training epochs. */
  readonly passEpochs: number[];
  /** Sensitivity pass (+ insertion) in seconds. */
  readonly passSeconds: number[];
  readonly finalTrainLoss: number[];
}

export const emptySamples = (): Samples => ({
  wall: [],
  cpu: [],
  rssMb: [],
  train: [],
  passEpochs: [],
  passSeconds: [],
  finalTrainLoss: [],
});

/** One row of the table: a protocol on one Sprout backend against the peer at one thread and at PyTorch's default. */
export interface Row {
  readonly protocol: string;
  readonly backend: string;
  readonly skipped?: string;
  readonly sprout: Samples;
  /** The peer with `--threads 1`. */
  readonly peer?: Samples;
  /** The peer with `--threads 0` (PyTorch's own default thread count). */
  readonly peerDefault?: Samples;
}

/** Which peer configuration was faster (median wall). */
export type PeerConfig = 'default' | 'one thread';

export interface RowSummary {
  readonly protocol: string;
  readonly backend: string;
  readonly skipped?: string;
  readonly sproutWall?: number;
  /** Median wall of the peer at PyTorch's default threads and at one thread. */
  readonly peerDefaultWall?: number;
  readonly peerOneWall?: number;
  /** The faster of the two peer configurations; the ratios below are against it. */
  readonly faster?: PeerConfig;
  readonly peerWall?: number;
  readonly wallRatio?: number;
  readonly sproutCpu?: number;
  readonly peerCpu?: number;
  readonly cpuRatio?: number;
  readonly sproutRssMb?: number;
  readonly peerRssMb?: number;
  readonly rssRatio?: number;
  readonly sproutTrain?: number;
  readonly peerTrain?: number;
  readonly trainRatio?: number;
  readonly sproutPassEpochs?: number;
  readonly peerPassEpochs?: number;
  readonly sproutPassSeconds?: number;
  /** The faster of the two peer configurations' median pass seconds. */
  readonly peerPassSeconds?: number;
  readonly passRatio?: number;
  /** Sprout's epoch before the insertion (pass seconds / pass epochs), for the "≥ 1 s" condition of the 1.5-epoch goal. */
  readonly sproutEpochSeconds?: number;
  readonly reps: number;
}

/** Medians of every measure and the ratios Sprout / PyTorch against the faster peer configuration. */
export const summarizeRow = (row: Row): RowSummary => {
  const s = row.sprout;
  const one = row.peer === undefined || row.peer.wall.length === 0 ? undefined : row.peer;
  const dflt = row.peerDefault === undefined || row.peerDefault.wall.length === 0 ? undefined : row.peerDefault;
  const oneWall = one && median(one.wall);
  const dfltWall = dflt && median(dflt.wall);
  const faster: PeerConfig | undefined =
    oneWall === undefined
      ? dfltWall === undefined
        ? undefined
        : 'default'
      : dfltWall === undefined || oneWall <= dfltWall
        ? 'one thread'
        : 'default';
  const p = faster === undefined ? undefined : faster === 'default' ? dflt : one;
  const sproutWall = median(s.wall);
  const peerWall = p && median(p.wall);
  const sproutCpu = median(s.cpu);
  const peerCpu = p && median(p.cpu);
  const sproutRssMb = median(s.rssMb);
  const peerRssMb = p && median(p.rssMb);
  const sproutTrain = median(s.train);
  const peerTrain = p && median(p.train);
  const sproutPassSeconds = median(s.passSeconds);
  const passes = [one, dflt].map((q) => q && median(q.passSeconds)).filter((x): x is number => x !== undefined);
  const peerPassSeconds = passes.length > 0 ? Math.min(...passes) : undefined;
  const sproutPassEpochs = median(s.passEpochs);
  const out: { -readonly [K in keyof RowSummary]: RowSummary[K] } = {
    protocol: row.protocol,
    backend: row.backend,
    reps: s.wall.length,
  };
  const put = <K extends keyof RowSummary>(k: K, v: RowSummary[K] | undefined): void => {
    if (v !== undefined) out[k] = v;
  };
  put('skipped', row.skipped);
  put('sproutWall', sproutWall);
  put('peerDefaultWall', dfltWall);
  put('peerOneWall', oneWall);
  put('faster', faster);
  put('peerWall', peerWall);
  put('wallRatio', ratio(sproutWall, peerWall));
  put('sproutCpu', sproutCpu);
  put('peerCpu', peerCpu);
  put('cpuRatio', ratio(sproutCpu, peerCpu));
  put('sproutRssMb', sproutRssMb);
  put('peerRssMb', peerRssMb);
  put('rssRatio', ratio(sproutRssMb, peerRssMb));
  put('sproutTrain', sproutTrain);
  put('peerTrain', peerTrain);
  put('trainRatio', ratio(sproutTrain, peerTrain));
  put('sproutPassEpochs', sproutPassEpochs);
  put('peerPassEpochs', p && median(p.passEpochs));
  put('sproutPassSeconds', sproutPassSeconds);
  put('peerPassSeconds', peerPassSeconds);
  put('passRatio', ratio(sproutPassSeconds, peerPassSeconds));
  put('sproutEpochSeconds', ratio(sproutPassSeconds, sproutPassEpochs));
  return out;
};

/** The goals of the speed issue: wall ≤ 0.8× the faster peer, peak memory ≤ 2×, pass ≤ the peer's seconds, pass ≤ 1.5 epochs where an epoch takes ≥ 1 s. */
export const GOALS = {
  wallRatio: 0.8,
  rssRatio: 2,
  passRatio: 1,
  passEpochs: 1.5,
  passEpochsFromEpochSeconds: 1,
} as const;

const fmt = (x: number | undefined, digits: number): string => (x === undefined ? '–' : x.toFixed(digits));
const fmtRatio = (x: number | undefined, goal: number): string =>
  x === undefined ? '–' : `${x.toFixed(2)}${x <= goal ? ' ✓' : ' ✗'}`;

/** The markdown table `npm run bench` prints and writes to latest.md (✓ / ✗: the goals, `GOALS`). */
export const formatTable = (rows: readonly RowSummary[]): string => {
  const head = [
    'protocol',
    'backend',
    'Sprout wall s',
    'PyTorch default wall s',
    'PyTorch 1 thread wall s',
    `wall ratio vs faster (≤ ${GOALS.wallRatio})`,
    'Sprout CPU s',
    'PyTorch CPU s',
    'Sprout train s',
    'PyTorch train s',
    'Sprout max RSS MB',
    'PyTorch max RSS MB',
    `RSS ratio (≤ ${GOALS.rssRatio})`,
    'sens. pass s Sprout',
    'sens. pass s PyTorch',
    `pass ratio (≤ ${GOALS.passRatio})`,
    `sens. pass / epoch Sprout (≤ ${GOALS.passEpochs} if epoch ≥ 1 s)`,
    'reps',
  ];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    if (r.skipped !== undefined) {
      lines.push(`| ${r.protocol} | ${r.backend} | skipped: ${r.skipped} |${' |'.repeat(head.length - 3)}`);
      continue;
    }
    const mark = (cfg: PeerConfig, x: number | undefined): string =>
      `${fmt(x, 2)}${x !== undefined && r.faster === cfg ? ' *' : ''}`;
    const passEpochs =
      r.sproutPassEpochs === undefined
        ? '–'
        : r.sproutEpochSeconds !== undefined && r.sproutEpochSeconds >= GOALS.passEpochsFromEpochSeconds
          ? fmtRatio(r.sproutPassEpochs, GOALS.passEpochs)
          : `${r.sproutPassEpochs.toFixed(2)} (epoch ${fmt(r.sproutEpochSeconds === undefined ? undefined : r.sproutEpochSeconds * 1000, 1)} ms)`;
    lines.push(
      `| ${[
        r.protocol,
        r.backend,
        fmt(r.sproutWall, 2),
        mark('default', r.peerDefaultWall),
        mark('one thread', r.peerOneWall),
        fmtRatio(r.wallRatio, GOALS.wallRatio),
        fmt(r.sproutCpu, 2),
        fmt(r.peerCpu, 2),
        fmt(r.sproutTrain, 2),
        fmt(r.peerTrain, 2),
        fmt(r.sproutRssMb, 0),
        fmt(r.peerRssMb, 0),
        fmtRatio(r.rssRatio, GOALS.rssRatio),
        fmt(r.sproutPassSeconds, 3),
        fmt(r.peerPassSeconds, 3),
        fmtRatio(r.passRatio, GOALS.passRatio),
        passEpochs,
        String(r.reps),
      ].join(' | ')} |`,
    );
  }
  return lines.join('\n');
};

/** What a peer's JSON line says about time, the sensitivity pass and the result. */
export const readPeerJson = (
  stdout: string,
  epochsBefore: number,
): {
  train?: number;
  passEpochs?: number;
  passSeconds?: number;
  finalTrainLoss?: number;
  position?: number;
  version?: string;
} => {
  const line = stdout.trim().split('\n').pop() ?? '';
  try {
    const j = JSON.parse(line) as {
      peer?: string;
      position?: number;
      final_train_loss?: number;
      seconds?: { phase1?: number; insertion?: number; total?: number };
    };
    const out: {
      train?: number;
      passEpochs?: number;
      passSeconds?: number;
      finalTrainLoss?: number;
      position?: number;
      version?: string;
    } = {};
    if (j.seconds?.insertion !== undefined) out.passSeconds = j.seconds.insertion;
    if (j.seconds?.total !== undefined) out.train = j.seconds.total;
    const pass = ratio(
      j.seconds?.insertion,
      j.seconds?.phase1 === undefined ? undefined : j.seconds.phase1 / epochsBefore,
    );
    if (pass !== undefined) out.passEpochs = pass;
    if (j.final_train_loss !== undefined) out.finalTrainLoss = j.final_train_loss;
    if (j.position !== undefined) out.position = j.position;
    if (j.peer !== undefined) out.version = j.peer;
    return out;
  } catch {
    return {};
  }
};

/** A `.sprout` source with its `data mnist …` line replaced by one limited to `trainLimit` examples. */
export const withTrainLimit = (source: string, trainLimit: number): string =>
  source.replace(/^(\s*)data mnist\b[^\n]*$/m, `$1data mnist { train_limit ${trainLimit} }`);

/**
 * Wall-clock and CPU time in ms (CPU: user + system of this process, all threads). With one thread the CPU
 * time is what the wall time would be on an idle machine; the cores here are shared with other jobs.
 */
export interface Timing {
  readonly wall: number;
  readonly cpu: number;
}

/** This process's CPU time so far, in ms. */
export const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * Mean time per call over `n` calls of `f` (for fast, steady loops), after `warm` untimed calls.
 * @default warm max(5, n / 20)
 */
export const meanTiming = (f: () => void, n: number, warm = Math.max(5, Math.floor(n / 20))): Timing => {
  for (let i = 0; i < warm; i++) f();
  const t = performance.now();
  const c = cpuMs();
  for (let i = 0; i < n; i++) f();
  return { wall: (performance.now() - t) / n, cpu: (cpuMs() - c) / n };
};

/** Medians of `reps` single-call timings of `f`, after `warm` untimed calls. */
export const medianTiming = (f: () => void, reps: number, warm = 2): Timing => {
  for (let i = 0; i < warm; i++) f();
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    const c = cpuMs();
    f();
    cpus.push(cpuMs() - c);
    walls.push(performance.now() - t);
  }
  return { wall: median(walls) ?? Number.NaN, cpu: median(cpus) ?? Number.NaN };
};

/** Medians of the wall and of the CPU times of several timings (NaN for none). */
export const medianOfTimings = (ts: readonly Timing[]): Timing => ({
  wall: medianOf(ts.map((t) => t.wall)),
  cpu: medianOf(ts.map((t) => t.cpu)),
});
