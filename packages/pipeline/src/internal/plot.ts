/**
 * The plots of a run as SVG, made with vega-lite and rendered headless by vega's SVG renderer (no canvas
 * needed): the learning curves (training and test loss on a log scale, test error; one colour per arm,
 * insertions as dashed vertical rules) and the sensitivities of every candidate position per insertion.
 */
import type * as Vega from 'vega';
import type * as VegaLite from 'vega-lite';

/**
 * vega and vega-lite, imported at the first plot: with their d3 modules they are about 300 files, a few
 * hundred milliseconds of every start of `sprout run` for runs that draw nothing (`report { table final }`).
 */
let libraries: Promise<{ readonly vega: typeof Vega; readonly vl: typeof VegaLite }> | undefined;
const plotLibraries = () =>
  (libraries ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vl]) => ({ vega, vl })));

/** The SVG of a vega-lite spec, rendered headless (vega's `none` renderer needs no canvas). */
const renderSvg = async (spec: VegaLite.TopLevelSpec): Promise<string> => {
  const { vega, vl } = await plotLibraries();
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
};

export interface CurvePoint {
  readonly arm: string;
  readonly seed: number;
  readonly epoch: number;
  readonly trainLoss: number;
  readonly testLoss: number;
  readonly testError: number;
}

export interface InsertionMark {
  readonly arm: string;
  readonly seed: number;
  readonly epoch: number;
}

/** Most points drawn per line; longer runs are thinned to every k-th epoch (the last epoch is always kept). */
const MAX_POINTS_PER_LINE = 300;

/**
 * The curves to draw: with one seed per arm every run's line; with several, the mean over the seeds per
 * arm and epoch (the spread is in summary.json), so that 30 seeds × 1850 epochs stay a readable plot.
 */
const curveLines = (points: readonly CurvePoint[]): CurvePoint[] => {
  const seedsPerArm = new Map<string, Set<number>>();
  for (const p of points) (seedsPerArm.get(p.arm) ?? seedsPerArm.set(p.arm, new Set()).get(p.arm)!).add(p.seed);
  const many = [...seedsPerArm.values()].some((s) => s.size > 1);
  let lines: CurvePoint[] = [...points];
  if (many) {
    const acc = new Map<
      string,
      { arm: string; epoch: number; n: number; trainLoss: number; testLoss: number; testError: number }
    >();
    for (const p of points) {
      const key = `${p.arm}\u0000${p.epoch}`;
      const a =
        acc.get(key) ??
        acc.set(key, { arm: p.arm, epoch: p.epoch, n: 0, trainLoss: 0, testLoss: 0, testError: 0 }).get(key)!;
      a.n += 1;
      a.trainLoss += p.trainLoss;
      a.testLoss += p.testLoss;
      a.testError += p.testError;
    }
    lines = [...acc.values()].map((a) => ({
      arm: a.arm,
      seed: -1,
      epoch: a.epoch,
      trainLoss: a.trainLoss / a.n,
      testLoss: a.testLoss / a.n,
      testError: a.testError / a.n,
    }));
  }
  const lastEpoch = new Map<string, number>();
  for (const p of lines)
    lastEpoch.set(`${p.arm}/${p.seed}`, Math.max(lastEpoch.get(`${p.arm}/${p.seed}`) ?? 0, p.epoch));
  return lines.filter((p) => {
    const last = lastEpoch.get(`${p.arm}/${p.seed}`)!;
    const every = Math.max(1, Math.ceil(last / MAX_POINTS_PER_LINE));
    return p.epoch % every === 0 || p.epoch === last || p.epoch === 1;
  });
};

export const curvesSvg = async (
  title: string,
  points: readonly CurvePoint[],
  insertions: readonly InsertionMark[],
): Promise<string> => {
  const lines = curveLines(points);
  const runName = (p: CurvePoint) => (p.seed < 0 ? `${p.arm} (mean)` : `${p.arm} #${p.seed}`);
  const values = lines.flatMap((p) => [
    { arm: p.arm, run: runName(p), epoch: p.epoch, measure: 'train loss', value: p.trainLoss, panel: 'loss' },
    { arm: p.arm, run: runName(p), epoch: p.epoch, measure: 'test loss', value: p.testLoss, panel: 'loss' },
    { arm: p.arm, run: runName(p), epoch: p.epoch, measure: 'test error', value: p.testError, panel: 'error' },
  ]);
  const marks = [...new Map(insertions.map((i) => [`${i.arm}/${i.epoch}`, { arm: i.arm, epoch: i.epoch }])).values()];
  const positive = (v: { value: number }) => Number.isFinite(v.value) && v.value > 0;
  const line = (panel: 'loss' | 'error', yTitle: string, log: boolean) => ({
    width: 420,
    height: 260,
    layer: [
      {
        data: { values: values.filter((v) => v.panel === panel && (log ? positive(v) : Number.isFinite(v.value))) },
        mark: { type: 'line', strokeWidth: 1.5, clip: true },
        encoding: {
          x: { field: 'epoch', type: 'quantitative', title: 'epoch' },
          y: { field: 'value', type: 'quantitative', title: yTitle, scale: log ? { type: 'log' } : { zero: true } },
          color: { field: 'arm', type: 'nominal', title: 'arm' },
          strokeDash: { field: 'measure', type: 'nominal', title: 'measure' },
          detail: { field: 'run', type: 'nominal' },
        },
      },
      ...(marks.length > 0
        ? [
            {
              data: { values: marks },
              mark: { type: 'rule', strokeDash: [2, 2], opacity: 0.6 },
              encoding: { x: { field: 'epoch', type: 'quantitative' }, color: { field: 'arm', type: 'nominal' } },
            },
          ]
        : []),
    ],
  });
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    hconcat: [line('loss', 'loss', true), line('error', 'test error', false)],
    resolve: { scale: { color: 'shared' } },
  };
  return renderSvg(spec as VegaLite.TopLevelSpec);
};

export interface SensitivityBar {
  readonly arm: string;
  readonly seed: number;
  readonly epoch: number;
  readonly position: string;
  readonly sensitivity: number;
  readonly chosen: boolean;
}

/** An insertion event's bars: one per candidate position, the chosen one marked. */
export const sensitivityBars = (e: {
  readonly arm: string;
  readonly seed: number;
  readonly epoch: number;
  readonly chosen?: number | null;
  readonly positions: readonly { readonly index: number; readonly description: string; readonly sensitivity: number }[];
}): SensitivityBar[] =>
  e.positions.map((p, i) => ({
    arm: e.arm,
    seed: e.seed,
    epoch: e.epoch,
    position: `${p.index}: ${p.description}`,
    sensitivity: p.sensitivity,
    chosen: e.chosen === i,
  }));

/** Bars of the sensitivity of every candidate position (mean over seeds), one panel per arm and insertion epoch. */
export const sensitivitiesSvg = async (title: string, bars: readonly SensitivityBar[]): Promise<string> => {
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values: bars.map((b) => ({ ...b, panel: `${b.arm}, epoch ${b.epoch}`, chosenCount: b.chosen ? 1 : 0 })) },
    facet: { field: 'panel', type: 'nominal', title: null },
    columns: 3,
    spec: {
      width: 220,
      height: 160,
      mark: 'bar',
      encoding: {
        x: { field: 'position', type: 'nominal', title: 'position', sort: null },
        y: { aggregate: 'mean', field: 'sensitivity', type: 'quantitative', title: 'sensitivity (mean over seeds)' },
        color: { aggregate: 'sum', field: 'chosenCount', type: 'quantitative', title: 'times chosen' },
      },
    },
  };
  return renderSvg(spec as VegaLite.TopLevelSpec);
};
