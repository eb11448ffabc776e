// The study bench (`npm run bench -w tools -- --study jobs [--file F] [--reps N]`): one experiment of many
// runs, trained three ways in one bench run on this machine: `sprout run F --jobs 1`, `--jobs 2`, and two
// local `sprout worker`s taking its runs from a queue (Debian's redis-server on a free localhost port, with
// `sprout run F --queue URL` as the submitter). Prints the wall times (medians of N), the speed-up of
// `--jobs 2`, the queue against `--jobs 2`, and the queue's own cost per run, (queue − jobs 2) / runs;
// writes tools/results/study-jobs.md. The workers and Redis start before the clock does, as on a cluster.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
};
const file = arg('--file', 'examples/spirals-fnn.sprout');
const reps = Number(arg('--reps', '1'));
const sprout = [join(root, 'packages/cli/bin/sprout.js')];
const scratch = mkdtempSync(join(os.tmpdir(), 'sprout-bench-study-'));

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

/** Runs `sprout args…` to its end; its wall time in seconds. */
const timed = (args: readonly string[]): number => {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [...sprout, ...args], { cwd: root, encoding: 'utf8' });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`sprout ${args.join(' ')} exited ${r.status}:\n${r.stderr.slice(-2000)}`);
  return seconds;
};

/** The runs a study directory holds (runs/<arm>/seed-<n>), or 0 for a run of one process. */
const runCount = (dir: string): number => {
  try {
    return readdirSync(join(dir, 'runs')).reduce((n, arm) => n + readdirSync(join(dir, 'runs', arm)).length, 0);
  } catch {
    return 0;
  }
};

const waitFor = async (ok: () => boolean, what: string): Promise<void> => {
  for (let i = 0; i < 100; i++) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`bench: ${what} did not come up within 10 s`);
};

/** Two workers on a fresh redis-server; the queue's URL and a function that stops all three. */
const startQueue = async (): Promise<{ url: string; stop: () => void }> => {
  const port = await freePort();
  const redis = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  await waitFor(
    () => spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG',
    'redis-server',
  );
  const url = `redis://127.0.0.1:${port}`;
  const workers: ChildProcess[] = [0, 1].map(() =>
    spawn(
      process.execPath,
      [
        ...sprout,
        'worker',
        '--queue',
        url,
        ...['--data-root', root, '--data-root', scratch],
        ...['--data-root', dirname(resolve(root, file))],
      ],
      {
        cwd: root,
        stdio: 'ignore',
      },
    ),
  );
  return {
    url,
    stop: () => {
      for (const w of workers) w.kill('SIGTERM');
      redis.kill('SIGTERM');
    },
  };
};

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const load = (): string =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

const loadBefore = load();
const started = new Date().toISOString();
const times = { jobs1: [] as number[], jobs2: [] as number[], queue: [] as number[] };
let runs = 0;
for (let r = 0; r < reps; r++) {
  const out = (name: string): string => {
    const dir = join(scratch, `${name}-${r}`);
    rmSync(dir, { recursive: true, force: true });
    return dir;
  };
  times.jobs1.push(timed(['run', file, '--jobs', '1', '--out', out('jobs1'), '--quiet']));
  console.log(`bench: ${file} --jobs 1 #${r + 1}: ${times.jobs1.at(-1)!.toFixed(2)} s`);
  const two = out('jobs2');
  times.jobs2.push(timed(['run', file, '--jobs', '2', '--out', two, '--quiet']));
  runs = runCount(two);
  console.log(`bench: ${file} --jobs 2 #${r + 1}: ${times.jobs2.at(-1)!.toFixed(2)} s (${runs} runs)`);
  const queue = await startQueue();
  try {
    // The workers connect while Redis starts: give them a moment, as workers on a cluster wait for jobs.
    await new Promise((res) => setTimeout(res, 3000));
    times.queue.push(timed(['run', file, '--queue', queue.url, '--out', out('queue'), '--quiet']));
  } finally {
    queue.stop();
  }
  console.log(`bench: ${file} --queue (2 workers) #${r + 1}: ${times.queue.at(-1)!.toFixed(2)} s`);
}
rmSync(scratch, { recursive: true, force: true });

const [j1, j2, q] = [median(times.jobs1), median(times.jobs2), median(times.queue)];
const perRunMs = runs > 0 ? ((q - j2) / runs) * 1000 : NaN;
const lines = [
  '# Studies: `--jobs` and the queue (`npm run bench -w tools -- --study jobs`)',
  '',
  `${started}: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores, Node ${process.version}; load average ${loadBefore} at start, ${load()} at end. ` +
    `\`${file}\`, ${runs} runs, medians of ${reps} repetition(s), whole commands (process start to exit).`,
  '',
  '| mode | wall s | speed-up over `--jobs 1` | time / `--jobs 2` |',
  '|---|---|---|---|',
  `| \`--jobs 1\` | ${j1.toFixed(2)} | 1 | ${(j1 / j2).toFixed(2)} |`,
  `| \`--jobs 2\` | ${j2.toFixed(2)} | ${(j1 / j2).toFixed(2)} (goal ≥ 1.8) | 1 |`,
  `| two workers through Redis | ${q.toFixed(2)} | ${(j1 / q).toFixed(2)} | ${(q / j2).toFixed(2)} (goal ≤ 1.10) |`,
  '',
  `The queue's own cost: (queue − jobs 2) / runs = ${perRunMs.toFixed(1)} ms per run (goal ≤ 20).`,
  '',
];
writeFileSync(join(root, 'tools/results/study-jobs.md'), lines.join('\n'));
console.log(lines.join('\n'));
