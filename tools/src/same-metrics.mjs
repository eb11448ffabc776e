// Do two checkouts of Sprout train the same? Runs every bench protocol (tools/bench/*.sprout) with each
// checkout's `sprout` command and compares the run directories: metrics.csv without its wall-time column and
// events.jsonl without its timing fields must be equal byte for byte. For refactors that must not change
// behaviour.
//
//   node tools/src/same-metrics.mjs --before ../old-clone --after . [--backend wasm] [--train-limit N]
//        [--protocol repro-spirals-fnn]... [--out DIR]
//
// Both checkouts must be built (`npm ci` or `npm run build`). Exit status 0 when every protocol matches, 1 when
// one differs or a run fails, 2 on a usage error. Plain JavaScript so that it runs against any checkout.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { metricRows } from '../../test-support/metric-rows.mjs';

const usage = (message) => {
  console.error(`same-metrics: ${message}`);
  process.exit(2);
};

let args;
try {
  args = parseArgs({
    options: {
      before: { type: 'string' },
      after: { type: 'string' },
      backend: { type: 'string', default: 'wasm' },
      'train-limit': { type: 'string' },
      protocol: { type: 'string', multiple: true },
      out: { type: 'string' },
    },
  }).values;
} catch (e) {
  usage(e.message);
}
if (!args.before || !args.after) usage('give --before DIR and --after DIR (two built checkouts)');
const trainLimit = args['train-limit'] === undefined ? undefined : Number(args['train-limit']);
if (trainLimit !== undefined && !(Number.isInteger(trainLimit) && trainLimit > 0))
  usage('--train-limit takes a positive integer');

const benchDir = resolve(import.meta.dirname, '..', 'bench');
const all = readdirSync(benchDir)
  .filter((f) => f.endsWith('.sprout'))
  .map((f) => basename(f, '.sprout'))
  .sort();
const protocols = args.protocol ?? all;
for (const p of protocols) if (!all.includes(p)) usage(`no protocol ${p} in tools/bench (have ${all.join(', ')})`);
const out = resolve(args.out ?? mkdtempSync(join(tmpdir(), 'same-metrics-')));

/** The protocol's source, MNIST ones limited to the first `trainLimit` training examples when asked. */
const source = (protocol) => {
  const text = readFileSync(join(benchDir, `${protocol}.sprout`), 'utf8');
  return trainLimit === undefined
    ? text
    : text.replace(
        /^(\s*)data mnist\b[^\n]*$/m,
        `$1data mnist { train_limit ${trainLimit}, test_limit ${trainLimit} }`,
      );
};

/** events.jsonl with every timing field and output path (seconds, ms, time, outDir, dir, path) dropped, one line per event. */
const eventRows = (dir) => {
  const drop = (v) =>
    Array.isArray(v)
      ? v.map(drop)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v)
              .filter(([k]) => !/seconds|^ms$|Ms$|time|^outDir$|^dir$|path/i.test(k))
              .map(([k, x]) => [k, drop(x)]),
          )
        : v;
  const file = join(dir, 'events.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.stringify(drop(JSON.parse(l))));
};

const run = (checkout, protocol, side) => {
  const dir = join(out, protocol, side);
  mkdirSync(join(out, protocol), { recursive: true });
  const file = join(out, protocol, `${protocol}.sprout`);
  writeFileSync(file, source(protocol));
  const bin = join(resolve(checkout), 'packages', 'cli', 'bin', 'sprout.js');
  const started = Date.now();
  const r = spawnSync(process.execPath, [bin, 'run', file, '--backend', args.backend, '--out', dir, '--quiet'], {
    cwd: resolve(checkout),
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0)
    return { ok: false, message: `${side} exited ${r.status}: ${(r.stderr || '').trim().slice(-400)}` };
  return { ok: true, dir: findRunDir(dir), seconds: (Date.now() - started) / 1000 };
};

/** The folder holding metrics.csv under `dir` (the run may write into a subfolder named after the experiment). */
const findRunDir = (dir) => {
  if (existsSync(join(dir, 'metrics.csv'))) return dir;
  for (const e of readdirSync(dir, { withFileTypes: true }))
    if (e.isDirectory()) {
      const d = findRunDir(join(dir, e.name));
      if (d) return d;
    }
  return undefined;
};

const firstDifference = (a, b) => {
  for (let i = 0; i < Math.max(a.length, b.length); i++)
    if (a[i] !== b[i]) return `row ${i + 1}: before ${a[i] ?? '(none)'} | after ${b[i] ?? '(none)'}`;
  return undefined;
};

console.log(
  `same-metrics: before ${resolve(args.before)}, after ${resolve(args.after)}, backend ${args.backend}` +
    (trainLimit === undefined ? '' : `, MNIST train/test limit ${trainLimit}`) +
    `, runs in ${out}`,
);
let failures = 0;
for (const protocol of protocols) {
  const before = run(args.before, protocol, 'before');
  const after = before.ok ? run(args.after, protocol, 'after') : before;
  let verdict;
  if (!before.ok || !after.ok) verdict = `FAILED ${before.ok ? after.message : before.message}`;
  else if (!before.dir || !after.dir) verdict = 'FAILED no metrics.csv written';
  else {
    const [mb, ma, eb, ea] = [
      metricRows(before.dir),
      metricRows(after.dir),
      eventRows(before.dir),
      eventRows(after.dir),
    ];
    const d = firstDifference(mb, ma) ?? firstDifference(eb, ea);
    verdict =
      d === undefined
        ? `identical: ${mb.length - 1} metric rows, ${eb.length} events (${before.seconds.toFixed(0)} s / ${after.seconds.toFixed(0)} s)`
        : `DIFFERENT ${d}`;
  }
  if (!verdict.startsWith('identical')) failures++;
  console.log(`${protocol.padEnd(28)} ${verdict}`);
}
console.log(
  failures === 0 ? 'same-metrics: every protocol identical' : `same-metrics: ${failures} protocol(s) differ or failed`,
);
process.exit(failures === 0 ? 0 : 1);
