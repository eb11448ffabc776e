/**
 * `fuzz`: the parser and checker fuzz harness. Feeds generated and mutated inputs to every text
 * entry point of `@sprout/dsl` (see fuzz-target.ts) and reports how many ran, how many were valid or
 * invalid, every failure (a throw, a stack overflow, an oracle violation, an input slower than the limit,
 * a hang, a crash), and the slowest inputs. Failing inputs are saved as files that reproduce them.
 *
 *   node --conditions=sprout-source --import tsx tools/src/fuzz.ts --count 100000 --seed 1
 *   node --conditions=sprout-source --import tsx tools/src/fuzz.ts --replay runs/fuzz/seed-1/throw-123.sprout
 *
 * Exit status: 0 when nothing failed, 1 when something did, 2 on a usage error.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { newProgress, OracleViolation, runTarget } from './fuzz-target.js';
import type { Timed } from './fuzz-harness.js';
import type { FuzzInput } from './fuzz-mutate.js';
import { supervise, type Summary } from './fuzz-supervisor.js';

const USAGE = `usage: fuzz [--count N] [--seed S] [--start I] [--time-limit-ms MS] [--hang-ms MS] [--corpus N] [--out DIR]
       fuzz --replay FILE.sprout|FILE.json

  --count N          inputs to run (default 100000)
  --seed S           run seed; input i of seed S is always the same (default 1)
  --start I          first input index (default 0); --start I --count 1 regenerates input I
  --time-limit-ms MS an entry-point call taking more CPU time than this, twice in a row, fails (default 1000)
  --hang-ms MS       no result for this long (wall) is a hang: the worker is restarted (default 60000)
  --corpus N         experiments drawn from arbitraryExperiment for the seed corpus (default 300)
  --out DIR          where failing inputs are saved (default runs/fuzz/seed-S)
  --replay FILE      run one saved input and print what happens`;

const REPO = fileURLToPath(new URL('../../', import.meta.url));

const fmtMs = (ms: number): string =>
  ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(ms < 10 ? 2 : 0)} ms`;

const timedLine = (x: Timed): string =>
  `  ${x.entry.padEnd(18)} ${fmtMs(x.ms).padStart(9)} CPU ${fmtMs(x.wallMs).padStart(9)} wall  input ${x.index}, ${x.length} bytes/chars: ${x.recipe.join(' + ')}`;

/** The summary as the lines the CLI prints. */
export const describe = (s: Summary, outDir: string): string => {
  const t = s.tally;
  const byKind = new Map<string, number>();
  for (const f of s.failures) byKind.set(f.kind, (byKind.get(f.kind) ?? 0) + 1);
  const kinds = ['throw', 'stack-overflow', 'oracle', 'slow', 'hang', 'crash']
    .map((k) => `${k} ${byKind.get(k) ?? 0}`)
    .join(', ');
  const top = Object.entries(t.codes)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12)
    .map(([c, n]) => `${c} ${n}`)
    .join(', ');
  const lines = [
    `fuzz: seed ${s.seed}, corpus ${s.corpus} files`,
    `inputs     ${t.inputs}`,
    `valid      ${t.valid}`,
    `invalid    ${t.invalid} (diagnostics returned)`,
    `failures   ${s.failures.length} (${kinds})`,
    `time       ${fmtMs(s.wallMs)} wall for the run; in the target ${fmtMs(t.totalMs)} CPU, ${fmtMs(t.wallMs)} wall (mean ${fmtMs(t.totalMs / Math.max(1, t.inputs))} CPU per input)`,
    `per input  slowest entry-point call (CPU): ≤1 ms ${t.buckets[0]}, ≤10 ms ${t.buckets[1]}, ≤100 ms ${t.buckets[2]}, ≤1 s ${t.buckets[3]}, >1 s ${t.buckets[4]}`,
    `slowest    (CPU time of one entry-point call; wall time of the whole input)`,
    ...t.slowest.slice(0, 5).map(timedLine),
    `by entry   (slowest call of each entry point)`,
    ...Object.values(t.slowestBy)
      .sort((a, b) => b.ms - a.ms)
      .map(timedLine),
    `codes      ${top}`,
  ];
  if (s.restarts > 0) lines.push(`restarts   ${s.restarts}`);
  for (const f of s.failures.slice(0, 20)) {
    lines.push(
      `FAIL ${f.kind} input ${f.index} at ${f.stage}: ${f.message.split('\n')[0]}`,
      `     ${f.recipe.join(' + ')}`,
      `     ${f.files[0]}`,
    );
  }
  if (s.failures.length > 20) lines.push(`… ${s.failures.length - 20} more failures in ${outDir}`);
  return lines.join('\n');
};

const replay = (file: string): number => {
  let input: FuzzInput;
  if (file.endsWith('.json')) {
    const record = JSON.parse(readFileSync(file, 'utf8')) as {
      index?: number;
      recipe?: string[];
      text?: string;
      input?: string;
    };
    input =
      record.text !== undefined
        ? { index: record.index ?? 0, recipe: record.recipe ?? [], text: record.text }
        : { index: record.index ?? 0, recipe: record.recipe ?? [], bytes: readFileSync(record.input!) };
  } else input = { index: 0, recipe: [file], bytes: readFileSync(file) };
  const progress = newProgress();
  const t0 = performance.now();
  const times = (): string =>
    Object.entries(progress.times)
      .map(([k, v]) => `${k} ${fmtMs(v)}`)
      .join(', ');
  try {
    const r = runTarget(input, progress);
    console.log(
      `ok in ${fmtMs(performance.now() - t0)} wall: ${r.valid ? 'valid' : `invalid (${[...new Set(r.codes)].join(', ')})`}`,
    );
    console.log(`CPU time per entry point: ${times()}`);
    return 0;
  } catch (e) {
    console.log(
      `FAIL at ${progress.stage} after ${fmtMs(performance.now() - t0)} wall${e instanceof OracleViolation ? ' (oracle)' : ''}`,
    );
    console.log(`CPU time per entry point: ${times()}`);
    console.log(e instanceof Error ? e.stack : String(e));
    return 1;
  }
};

const main = async (argv: readonly string[]): Promise<number> => {
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        count: { type: 'string', default: '100000' },
        seed: { type: 'string', default: '1' },
        start: { type: 'string', default: '0' },
        'time-limit-ms': { type: 'string', default: '1000' },
        'hang-ms': { type: 'string', default: '60000' },
        corpus: { type: 'string', default: '300' },
        out: { type: 'string' },
        replay: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (e) {
    console.error(`fuzz: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help === true) {
    console.log(USAGE);
    return 0;
  }
  if (values.replay !== undefined) return replay(values.replay);
  const ints = {
    count: values.count,
    seed: values.seed,
    start: values.start,
    'time-limit-ms': values['time-limit-ms'],
    'hang-ms': values['hang-ms'],
    corpus: values.corpus,
  };
  const n: Record<string, number> = {};
  for (const [k, v] of Object.entries(ints)) {
    const x = Number(v);
    if (!Number.isSafeInteger(x) || x < 0) {
      console.error(`fuzz: --${k} must be a non-negative integer, got '${v}'\n${USAGE}`);
      return 2;
    }
    n[k] = x;
  }
  const outDir = values.out ?? `${REPO}runs/fuzz/seed-${n.seed}`;
  console.error(`fuzz: seed ${n.seed}, inputs ${n.start} … ${n.start! + n.count! - 1}, failures go to ${outDir}`);
  const summary = await supervise({
    seed: n.seed!,
    count: n.count!,
    start: n.start!,
    timeLimitMs: n['time-limit-ms']!,
    hangMs: n['hang-ms']!,
    generated: n.corpus!,
    outDir,
    onProgress: (done, failed, ms) => console.error(`  ${done} inputs, ${failed} failures, ${fmtMs(ms)}`),
  });
  console.log(describe(summary, outDir));
  return summary.failures.length === 0 ? 0 : 1;
};

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e instanceof Error ? e.stack : e);
      process.exit(1);
    },
  );
}
