// The step-size study (`npm run bench -w tools -- --study step-size`): every step-size setting on the
// protocols of the step-size package's README, 5 seeds each, in this process (host engine where it applies).
// Final training loss per run; the best tuned constant-step SGD (grid 1e-3 … 1 in half-decades, in the same
// metric) per protocol; whole-run time ratios controller / constant. Writes tools/results/step-size-study.json
// and .md, and the plot tools/results/step-size-study.svg (+ .png when rsvg-convert is installed).
//
//   npm run bench -w tools -- --study step-size [--seeds 5] [--protocols spirals-fnn,mnist-mlp] [--settings default,dog]
//     [--part NAME]         write tools/results/step-size-study-NAME.json only (to run protocols in parallel)
//     [--merge NAME,NAME]   combine parts into the table and plot, running nothing
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import {
  DEFAULTS,
  adaptive,
  adaptiveReference,
  constant,
  conv,
  dataGram,
  dense,
  dog,
  euclidean,
  experiment,
  flatten,
  frobenius,
  maxPool,
  mnist,
  network,
  prodigy,
  residual,
  sgd,
  spirals,
  width,
  type Experiment,
  type Metric,
  type StepSize,
} from '@sprout/spec';
import { compile } from '@sprout/pipeline';

const root = fileURLToPath(new URL('../..', import.meta.url));
const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
};

/** Constant-step grid: 1e-3 … 1 in half-decades. */
export const GRID = [1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1] as const;

interface Protocol {
  readonly name: string;
  readonly description: string;
  readonly metric: Metric;
  readonly build: (step: StepSize, metric: Metric, seed: number) => Experiment;
}

const spiralsFnn = (batch: number | 'full', epochs: number) => (step: StepSize, metric: Metric, seed: number) =>
  experiment('study', {
    seed,
    data: spirals(),
    network: network(2, [dense(5, 'relu')], 2),
    optimizer: sgd({ step, metric }),
    train: { epochs, batch, shuffle: true },
  });

// MNIST is reduced to a subset so that the study finishes on a shared 2-core machine (see the README).
const MNIST_TRAIN = 5000;
const MNIST_TEST = 1000;
/** Epochs of the MNIST MLP protocols: 400 steps of batch 50. */
const MLP_EPOCHS = 4;
const mlp = (epochs: number) => (step: StepSize, metric: Metric, seed: number) =>
  experiment('study', {
    seed,
    data: mnist({ trainLimit: MNIST_TRAIN, testLimit: MNIST_TEST }),
    network: network(784, [dense(50, 'relu'), dense(50, 'relu')], 10),
    optimizer: sgd({ step, metric }),
    train: { epochs, batch: 50, shuffle: true },
  });

export const PROTOCOLS: readonly Protocol[] = [
  {
    name: 'spirals-fnn',
    description: 'spirals, FNN [5] ReLU, full batch, 400 epochs',
    metric: euclidean(),
    build: spiralsFnn('full', 400),
  },
  {
    name: 'spirals-resnet',
    description: 'spirals, ResNet [3, 3] tanh, full batch, 400 epochs',
    metric: euclidean(),
    build: (step, metric, seed) =>
      experiment('study', {
        seed,
        data: spirals(),
        network: network(2, [dense(3, 'tanh'), residual(dense(3, 'tanh'), dense(3, 'linear', { bias: false }))], 2),
        optimizer: sgd({ step, metric }),
        train: { epochs: 400, batch: 'full', shuffle: true },
      }),
  },
  {
    name: 'spirals-fnn-b45',
    description: 'spirals, FNN [5] ReLU, batch 45, 60 epochs (600 steps)',
    metric: euclidean(),
    build: spiralsFnn(45, 60),
  },
  {
    name: 'mnist-mlp',
    description: `MNIST (first ${MNIST_TRAIN} training images), MLP [50, 50], batch 50, ${MLP_EPOCHS} epochs (${(MLP_EPOCHS * MNIST_TRAIN) / 50} steps)`,
    metric: euclidean(),
    build: mlp(MLP_EPOCHS),
  },
  {
    name: 'mnist-cnn',
    description: `MNIST (first ${MNIST_TRAIN} training images), CNN conv 8 → pool → conv 16 → pool, batch 50, 2 epochs (${(2 * MNIST_TRAIN) / 50} steps)`,
    metric: euclidean(),
    build: (step, metric, seed) =>
      experiment('study', {
        seed,
        data: mnist({ trainLimit: MNIST_TRAIN, testLimit: MNIST_TEST }),
        network: network([28, 28, 1], [conv(8, 3), maxPool(2), conv(16, 3), maxPool(2), flatten()], 10),
        optimizer: sgd({ step, metric }),
        train: { epochs: 2, batch: 50, shuffle: true },
      }),
  },
  {
    name: 'mlp-width',
    description: 'the MNIST MLP in the width metric (I/n, I/m)',
    metric: frobenius(width(), width()),
    build: mlp(MLP_EPOCHS),
  },
  {
    name: 'mlp-data',
    description: 'the MNIST MLP in a data-based metric (diagonal, per batch)',
    metric: frobenius(dataGram(), dataGram()),
    build: mlp(MLP_EPOCHS),
  },
];

/** The untuned settings (one spec each, the same on every protocol). */
export const SETTINGS: ReadonlyArray<{ readonly name: string; readonly step: StepSize; readonly note: string }> = [
  {
    name: 'reference',
    step: adaptiveReference(DEFAULTS.lr),
    note: 'the SensLI code: a₀ = lr 0.1, L₀ 10, β 0.995, keep, restart phase',
  },
  {
    name: 'none-first',
    step: adaptive({ variance: 'none', initialL: 'first_estimate', onIncrease: 'keep' }),
    note: 'variance none, initial_l first_estimate',
  },
  {
    name: 'none-reset',
    step: adaptive({ variance: 'none', initialL: 'first_estimate', onIncrease: 'reset' }),
    note: 'variance none, first_estimate, on_increase reset',
  },
  {
    name: 'ema-reset',
    step: adaptive({ variance: 'ema', initialL: 'first_estimate', onIncrease: 'reset' }),
    note: 'variance ema, first_estimate, on_increase reset',
  },
  { name: 'dog', step: dog(), note: 'DoG, r_ε = 1e-6 (1 + ‖x₀‖)' },
  { name: 'prodigy', step: prodigy(), note: 'Prodigy (GD form), d₀ = 1e-6' },
];

export interface RunRecord {
  readonly protocol: string;
  readonly setting: string;
  readonly seed: number;
  /** Final training loss; Infinity when the run diverged (non-finite loss). */
  readonly loss: number;
  readonly seconds: number;
  readonly engine: string;
}

/**
 * The runs of `spec` for seeds 1 … `seeds`, as one experiment (`repeat`: the data are loaded once); when a
 * seed diverges the experiment stops, and the seeds run one by one instead. `seconds` is each run's own
 * training time (EpochMetrics.seconds: the data loading is not in it).
 */
const runSeeds = async (
  spec: Experiment,
  seeds: number,
): Promise<Array<{ seed: number; loss: number; seconds: number; engine: string }>> => {
  const attempt = async (s: Experiment) => {
    const p = compile(s);
    if (E.isLeft(p)) throw new Error(`study: the spec does not compile: ${JSON.stringify(p.left)}`);
    let engine = '?';
    const r = await p.right.run({
      write: false,
      onEvent: (e) => (e._tag === 'run-start' ? (engine = e.engine) : undefined),
    })();
    return { r, engine };
  };
  const all = await attempt({ ...spec, seed: 1, repeat: seeds });
  if (E.isRight(all.r))
    return all.r.right.arms[0]!.runs.map((run) => ({
      seed: run.seed,
      loss: run.final.trainLoss,
      seconds: run.final.seconds,
      engine: all.engine,
    }));
  if (all.r.left._tag !== 'non-finite-loss') throw new Error(`study: run failed: ${all.r.left.message}`);
  const out: Array<{ seed: number; loss: number; seconds: number; engine: string }> = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const one = await attempt({ ...spec, seed, repeat: 1 });
    if (E.isRight(one.r))
      out.push({
        seed,
        loss: one.r.right.arms[0]!.runs[0]!.final.trainLoss,
        seconds: one.r.right.arms[0]!.runs[0]!.final.seconds,
        engine: one.engine,
      });
    else if (one.r.left._tag === 'non-finite-loss')
      out.push({ seed, loss: Number.POSITIVE_INFINITY, seconds: Number.NaN, engine: one.engine });
    else throw new Error(`study: run failed: ${one.r.left.message}`);
  }
  return out;
};

const out = join(root, 'tools/results');

const report = async (meta: Meta, records: readonly RunRecord[]): Promise<string> => {
  const { markdown, svg } = await import('./step-size-report.js').then((m) => m.studyReport(meta, records));
  writeFileSync(join(out, 'step-size-study.json'), JSON.stringify({ meta, records }, null, 1));
  writeFileSync(join(out, 'step-size-study.md'), markdown);
  const svgPath = join(out, 'step-size-study.svg');
  writeFileSync(svgPath, svg);
  if (existsSync('/usr/bin/rsvg-convert'))
    spawnSync('/usr/bin/rsvg-convert', ['-o', svgPath.replace(/\.svg$/, '.png'), svgPath]);
  return markdown;
};

type Meta = Parameters<typeof import('./step-size-report.js').studyReport>[0];

const main = async (): Promise<void> => {
  mkdirSync(out, { recursive: true });
  const merge = arg('--merge', '');
  if (merge !== '') {
    const parts = merge.split(',').map(
      (name) =>
        JSON.parse(readFileSync(join(out, `step-size-study-${name}.json`), 'utf8')) as {
          meta: Meta;
          records: RunRecord[];
        },
    );
    const order = PROTOCOLS.map((p) => p.name);
    const first = parts[0]!.meta;
    // Whether the parts ran side by side or one after the other, from their start times and lengths.
    const spans = parts
      .map((p) => ({ start: Date.parse(p.meta.started), end: Date.parse(p.meta.started) + p.meta.minutes * 60000 }))
      .sort((a, b) => a.start - b.start);
    const sideBySide = spans.some((s, i) => i > 0 && s.start < spans[i - 1]!.end);
    const meta: Meta = {
      ...first,
      command:
        parts.map((p) => p.meta.command).join(sideBySide ? ' & ' : '; ') +
        ` (${sideBySide ? 'side by side' : 'one after the other'}), then npm run bench -w tools -- --study step-size --merge ${merge}`,
      started: new Date(spans[0]!.start).toISOString(),
      minutes: (Math.max(...spans.map((s) => s.end)) - spans[0]!.start) / 60000,
      loadBefore: first.loadBefore,
      loadAfter: parts.at(-1)!.meta.loadAfter,
      protocols: parts.flatMap((p) => p.meta.protocols).sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name)),
    };
    console.log(
      await report(
        meta,
        parts.flatMap((p) => p.records),
      ),
    );
    return;
  }
  const part = arg('--part', '');
  const seeds = Number(arg('--seeds', '5'));
  const only = arg('--protocols', '');
  const onlySettings = arg('--settings', '');
  const protocols = only === '' ? PROTOCOLS : PROTOCOLS.filter((p) => only.split(',').includes(p.name));
  const settings = [
    ...GRID.map((lr) => ({ name: `constant ${lr}`, step: constant(lr) as StepSize, note: '' })),
    ...SETTINGS,
  ].filter((s) => onlySettings === '' || onlySettings.split(',').some((o) => s.name.startsWith(o)));
  const started = new Date();
  const load0 = os.loadavg();
  const records: RunRecord[] = [];
  const metaNow = (done: readonly Protocol[]): Meta => ({
    command: `npm run bench -w tools -- --study step-size${process.argv
      .slice(2)
      .filter((a) => a !== '--study' && a !== 'step-size')
      .map((a) => ` ${a}`)
      .join('')}`,
    started: started.toISOString(),
    minutes: (Date.now() - started.getTime()) / 60000,
    loadBefore: load0,
    loadAfter: os.loadavg(),
    cpus: os.cpus().length,
    seeds,
    protocols: done.map((p) => ({ name: p.name, description: p.description })),
    settings: SETTINGS.map((s) => ({ name: s.name, note: s.note })),
  });
  const done: Protocol[] = [];
  for (const p of protocols) {
    const t = performance.now();
    for (const s of settings)
      for (const r of await runSeeds(p.build(s.step, p.metric, 1), seeds))
        records.push({ protocol: p.name, setting: s.name, ...r });
    done.push(p);
    console.error(`${p.name}: ${((performance.now() - t) / 1000).toFixed(0)} s, load ${os.loadavg()[0]!.toFixed(1)}`);
    // Kept after every protocol, so a stopped study loses at most the protocol it was running.
    if (part !== '')
      writeFileSync(
        join(out, `step-size-study-${part}.json`),
        JSON.stringify({ meta: metaNow(done), records }, null, 1),
      );
  }
  if (part === '') console.log(await report(metaNow(done), records));
};

await main();
