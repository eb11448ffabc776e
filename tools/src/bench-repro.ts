// Summarises reproduction runs: per arm of each `sprout run` directory, the final training loss
// and test error (mean ± std over seeds), wall time, the positions SensLI chose, whether the claim of
// ALGORITHMS.md §3 holds; and the PyTorch peer's runs (JSON files) of the same protocol for comparison.
//
//   node --conditions=sprout-source --import tsx tools/src/bench-repro.ts RUN_DIR [--peer 'GLOB-PREFIX'] ...
//   e.g. tools/src/bench-repro.ts /tmp/repro/spirals-fnn,/tmp/repro/spirals-fnn-more --peer /tmp/repro/peer/fnn-
// Prints markdown on stdout.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

interface Final {
  readonly trainLoss: number;
  readonly testError: number;
  readonly seconds: number;
}
interface Summary {
  readonly experiment: string;
  readonly backend: string;
  readonly seconds: number;
  readonly arms: ReadonlyArray<{
    readonly arm: string;
    readonly runs: ReadonlyArray<{ readonly seed: number; readonly final: Final }>;
  }>;
}
interface Insertion {
  readonly arm: string;
  readonly seed: number;
  readonly chosen: number | null;
  readonly declined: boolean;
  readonly positions: ReadonlyArray<{ readonly description: string; readonly sensitivity: number }>;
}

const mean = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
const std = (v: readonly number[]): number =>
  v.length < 2 ? 0 : Math.sqrt(v.reduce((a, b) => a + (b - mean(v)) ** 2, 0) / (v.length - 1));
const pm = (v: readonly number[], d: number, scale = 1): string =>
  v.length === 0 ? '–' : `${(mean(v) * scale).toFixed(d)} ± ${(std(v) * scale).toFixed(d)}`;
const counts = (v: ReadonlyArray<number | string>): string => {
  const m = new Map<string, number>();
  for (const x of v) m.set(String(x), (m.get(String(x)) ?? 0) + 1);
  return [...m.entries()]
    .sort()
    .map(([k, n]) => `${k}: ${n}`)
    .join(', ');
};

/** summary.json, or (for a run stopped early) the finished runs of events.jsonl, complete seeds only. */
const readSummary = (dir: string): (Summary & { partial?: boolean }) | undefined => {
  if (existsSync(join(dir, 'summary.json')))
    return JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Summary;
  if (!existsSync(join(dir, 'events.jsonl'))) return undefined;
  const events = readFileSync(join(dir, 'events.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => {
      try {
        return JSON.parse(l) as {
          _tag: string;
          experiment?: string;
          backend?: string;
          arms?: string[];
          arm?: string;
          seed?: number;
          final?: Final;
          time: string;
        };
      } catch {
        return undefined;
      }
    })
    .filter((e) => e !== undefined);
  const started = events.find((e) => e._tag === 'started');
  const ends = events.filter((e) => e._tag === 'run-end');
  if (started === undefined || ends.length === 0) return undefined;
  const armNames = started.arms ?? [...new Set(ends.map((e) => e.arm!))];
  const seeds = [...new Set(ends.map((e) => e.seed!))].filter((seed) =>
    armNames.every((a) => ends.some((e) => e.arm === a && e.seed === seed)),
  );
  const last = ends[ends.length - 1]!;
  return {
    experiment: `${started.experiment ?? basename(dir)} (stopped early: complete seeds only)`,
    backend: started.backend ?? '?',
    seconds: (Date.parse(last.time) - Date.parse(started.time)) / 1000,
    arms: armNames.map((arm) => ({
      arm,
      runs: ends
        .filter((e) => e.arm === arm && seeds.includes(e.seed!))
        .map((e) => ({ seed: e.seed!, final: e.final! })),
    })),
    partial: true,
  };
};

const mergeSummaries = (parts: readonly Summary[]): Summary => {
  const first = parts[0]!;
  const names = [...new Set(parts.flatMap((p) => p.arms.map((a) => a.arm)))];
  return {
    experiment: parts.map((p) => p.experiment).join(' + '),
    backend: first.backend,
    seconds: parts.reduce((t, p) => t + p.seconds, 0),
    arms: names.map((arm) => ({ arm, runs: parts.flatMap((p) => p.arms.find((a) => a.arm === arm)?.runs ?? []) })),
  };
};

const args = process.argv.slice(2);
const out: string[] = [];
for (let k = 0; k < args.length; k++) {
  const dir = args[k]!;
  let peerPrefix: string | undefined;
  if (args[k + 1] === '--peer') {
    peerPrefix = args[k + 2];
    k += 2;
  }
  // Several run directories of one protocol (e.g. more seeds run later) join as DIR1,DIR2: arms merge by name.
  const parts = dir.split(',').map((d) => readSummary(d));
  const s = parts.some((x) => x === undefined) ? undefined : mergeSummaries(parts as Summary[]);
  if (s === undefined) {
    out.push(`## ${basename(dir)}\n\nneither summary.json nor finished runs in ${dir}\n`);
    continue;
  }
  const inserts: Insertion[] = dir
    .split(',')
    .map((d) => readFileSync(join(d, 'events.jsonl'), 'utf8'))
    .join('\n')
    .split('\n')
    .filter((l) => l.includes('"insertion"'))
    .map((l) => JSON.parse(l) as Insertion & { _tag: string })
    .filter((e) => e._tag === 'insertion');
  out.push(
    `## ${s.experiment} (${s.backend}, ${s.arms[0]?.runs.length ?? 0} seeds, ${s.seconds.toFixed(0)} s in all)\n`,
  );
  out.push('| arm | seeds | final train loss | test error % | wall s per run | wall s all seeds | positions chosen |');
  out.push('|---|---|---|---|---|---|---|');
  const byArm = new Map<string, { loss: number[]; err: number[]; sec: number[] }>();
  for (const a of s.arms) {
    const loss = a.runs.map((r) => r.final.trainLoss);
    const err = a.runs.map((r) => r.final.testError);
    const sec = a.runs.map((r) => r.final.seconds);
    byArm.set(a.arm, { loss, err, sec });
    const ins = inserts.filter((e) => e.arm === a.arm && a.runs.some((r) => r.seed === e.seed));
    const pos =
      ins.length === 0
        ? '–'
        : counts(
            ins.map((e) =>
              e.declined || e.chosen === null
                ? 'declined'
                : `${e.chosen} (${e.positions[e.chosen]?.description ?? '?'})`,
            ),
          );
    out.push(
      `| ${a.arm} | ${a.runs.length} | ${pm(loss, 4)} | ${pm(err, 2, 100)} | ${pm(sec, 1)} | ${sec.reduce((x, y) => x + y, 0).toFixed(0)} | ${pos} |`,
    );
  }
  const g = byArm.get('base');
  const small = byArm.get('fixed small');
  const large = byArm.get('fixed large');
  if (g && small && large) {
    const lossOk = mean(g.loss) < mean(small.loss);
    const errOk = mean(g.err) < mean(small.err);
    const errEq = mean(g.err) === mean(small.err);
    const timeOk = mean(g.sec) < mean(large.sec);
    const wins = g.loss.filter((x, i) => small.loss[i] !== undefined && x < small.loss[i]!).length;
    out.push('');
    out.push(
      `Claim (ALGORITHMS.md §3): SensLI training loss < fixed small: **${lossOk ? 'yes' : 'no'}** (${pm(g.loss, 4)} vs ${pm(small.loss, 4)}; lower in ${wins} of ${g.loss.length} seeds); ` +
        `test error < fixed small: **${errOk ? 'yes' : errEq ? 'equal' : 'no'}** (${pm(g.err, 2, 100)} % vs ${pm(small.err, 2, 100)} %); ` +
        `wall time < fixed large from scratch: **${timeOk ? 'yes' : 'no'}** (${mean(g.sec).toFixed(1)} s vs ${mean(large.sec).toFixed(1)} s per run). ` +
        `Fixed large: loss ${pm(large.loss, 4)}, error ${pm(large.err, 2, 100)} %.`,
    );
    const v = byArm.get('validity');
    if (v)
      out.push(
        `Validity rule (\`select min\`): loss ${pm(v.loss, 4)}, error ${pm(v.err, 2, 100)} % (SensLI \`max\` lower loss: ${mean(g.loss) < mean(v.loss) ? 'yes' : mean(g.loss) === mean(v.loss) ? 'equal' : 'no'}).`,
      );
  }
  if (peerPrefix !== undefined) {
    const pdir = dirname(peerPrefix);
    const stem = basename(peerPrefix);
    out.push(
      '\nPyTorch peer (`sensli_torch.py`, or `tools/peer/sensli_reference.py` with one split and the fixed nets as `small` and `large`; same protocol, its own seeds and initialisation):\n',
    );
    out.push('| rule | seeds | final train loss | test error % | positions chosen | training s per run |');
    out.push('|---|---|---|---|---|---|');
    // `small` and `large`: the fixed arms (tools/peer/sensli_reference.py --select none), when their files exist.
    for (const sel of ['max', 'min', 'small', 'large']) {
      const files = readdirSync(pdir).filter((f) => f.startsWith(`${stem}${sel}-`) && f.endsWith('.json'));
      if (files.length === 0 && (sel === 'small' || sel === 'large')) continue;
      const runs = files
        .map((f) => {
          try {
            return JSON.parse(readFileSync(join(pdir, f), 'utf8')) as {
              final_train_loss: number;
              final_test_error: number;
              position: number | null;
              seconds: { total: number };
            };
          } catch {
            return undefined;
          }
        })
        .filter((r) => r !== undefined);
      out.push(
        `| ${sel} | ${runs.length} | ${pm(
          runs.map((r) => r.final_train_loss),
          4,
        )} | ${pm(
          runs.map((r) => r.final_test_error),
          2,
        )} | ${runs.every((r) => r.position === null) ? '–' : counts(runs.map((r) => r.position ?? 'none'))} | ${pm(
          runs.map((r) => r.seconds.total),
          2,
        )} |`,
      );
    }
  }
  out.push('');
}
console.log(out.join('\n'));
