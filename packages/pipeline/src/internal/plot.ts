/**
 * The plots of a run as SVG, made with vega-lite and rendered headless by vega's SVG renderer (no canvas
 * needed): the learning curves (training and test loss on a log scale, test error; one colour per arm, the
 * mean over the seeds with a band, insertions as labelled dashed rules), the sensitivities of every candidate
 * position per insertion, and the architecture before and after each insertion.
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
  // vega-lite's layout notes (e.g. on the facets' independent scales) would land in the user's terminal.
  const logger = vega.logger(vega.Error);
  const view = new vega.View(vega.parse(vl.compile(spec, { logger }).spec), { renderer: 'none', logger });
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

/** An insertion drawn on the curves: where (epoch) and which candidate position it chose. */
export interface InsertionMark {
  readonly arm: string;
  readonly seed: number;
  readonly epoch: number;
  /** The chosen candidate position's index and description, when known. */
  readonly position?: number;
  readonly description?: string;
  /** The layers before and after the insertion, and which one of `after` is new (when recorded). */
  readonly layers?: InsertionLayers;
}

/** The layers of a net before and after an insertion (their descriptions), and the index of the new one. */
export interface InsertionLayers {
  readonly before: readonly string[];
  readonly after: readonly string[];
  readonly inserted: number;
}

/** The mark of an insertion event that inserted a layer (undefined when the rule declined). */
export const insertionMark = (e: {
  readonly arm: string;
  readonly seed: number;
  readonly epoch: number;
  readonly chosen?: number | null;
  readonly positions?: readonly { readonly index: number; readonly description: string }[];
  readonly layers?: InsertionLayers;
}): InsertionMark | undefined => {
  if (e.chosen === null || e.chosen === undefined) return undefined;
  const p = e.positions?.[e.chosen];
  return {
    arm: e.arm,
    seed: e.seed,
    epoch: e.epoch,
    ...(p !== undefined ? { position: p.index, description: p.description } : {}),
    ...(e.layers !== undefined ? { layers: e.layers } : {}),
  };
};

/** Most points drawn per line; longer runs are thinned to every k-th epoch (the last epoch is always kept). */
const MAX_POINTS_PER_LINE = 300;

type Measure = 'train loss' | 'test loss' | 'test error';

/** One measure of one arm at one epoch over its seeds: mean, least and greatest. */
interface BandPoint {
  readonly arm: string;
  readonly epoch: number;
  readonly measure: Measure;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  readonly seeds: number;
}

/**
 * The curves to draw: per arm, epoch and measure the mean over the seeds with the least and greatest (a
 * band, empty with one seed), thinned to at most MAX_POINTS_PER_LINE epochs per arm.
 */
const curveBands = (points: readonly CurvePoint[]): BandPoint[] => {
  const lastEpoch = new Map<string, number>();
  for (const p of points) lastEpoch.set(p.arm, Math.max(lastEpoch.get(p.arm) ?? 0, p.epoch));
  const drawn = (arm: string, epoch: number): boolean => {
    const last = lastEpoch.get(arm)!;
    const every = Math.max(1, Math.ceil(last / MAX_POINTS_PER_LINE));
    return epoch % every === 0 || epoch === last || epoch === 1;
  };
  // Epochs that are not drawn are skipped before they are gathered (a study has hundreds of thousands).
  const acc = new Map<string, { arm: string; epoch: number; measure: Measure; values: number[] }>();
  for (const p of points) {
    if (!drawn(p.arm, p.epoch)) continue;
    for (const [measure, value] of [
      ['train loss', p.trainLoss],
      ['test loss', p.testLoss],
      ['test error', p.testError],
    ] as const) {
      if (!Number.isFinite(value)) continue;
      const key = `${p.arm}\u0000${p.epoch}\u0000${measure}`;
      (acc.get(key) ?? acc.set(key, { arm: p.arm, epoch: p.epoch, measure, values: [] }).get(key)!).values.push(value);
    }
  }
  return [...acc.values()].map((a) => ({
    arm: a.arm,
    epoch: a.epoch,
    measure: a.measure,
    mean: a.values.reduce((s, v) => s + v, 0) / a.values.length,
    min: Math.min(...a.values),
    max: Math.max(...a.values),
    seeds: a.values.length,
  }));
};

/** The axis of epochs: whole numbers only, from the first to the last epoch drawn. */
const epochAxis = (last: number) => ({
  field: 'epoch',
  type: 'quantitative',
  title: 'epoch',
  scale: { domain: [1, Math.max(2, last)], nice: false },
  axis: { tickMinStep: 1, format: 'd' },
});

/**
 * The learning curves: training and test loss (log scale fitted to the data) and test error, per arm the
 * mean over the seeds with a band from the least to the greatest seed, and each insertion as a dashed rule
 * labelled with the position it chose (and how many seeds chose it).
 */
export const curvesSvg = async (
  title: string,
  points: readonly CurvePoint[],
  insertions: readonly InsertionMark[],
): Promise<string> => {
  const bands = curveBands(points);
  // Folds, not Math.max(...xs): a 30-seed study has hundreds of thousands of points, past the call stack.
  const last = points.reduce((m, p) => Math.max(m, p.epoch), 1);
  const seeds = bands.reduce((m, b) => Math.max(m, b.seeds), 1);
  // One mark per (arm, epoch, position), counting the seeds that chose it.
  const counted = new Map<string, { arm: string; epoch: number; label: string; n: number }>();
  for (const i of insertions) {
    const where = i.position === undefined ? 'inserted' : `+ layer at ${i.position}`;
    const key = `${i.arm}\u0000${i.epoch}\u0000${where}`;
    const c = counted.get(key) ?? counted.set(key, { arm: i.arm, epoch: i.epoch, label: where, n: 0 }).get(key)!;
    c.n += 1;
  }
  const marks = [...counted.values()].map((c, k) => ({
    arm: c.arm,
    epoch: c.epoch,
    label: seeds > 1 ? `${c.label} (${c.n}×)` : c.label,
    py: 4 + 13 * k,
  }));
  const positiveLosses = bands.filter((b) => b.measure !== 'test error' && b.min > 0);
  const lossDomain =
    positiveLosses.length === 0
      ? undefined
      : [
          positiveLosses.reduce((m, b) => Math.min(m, b.min), Infinity) / 1.15,
          positiveLosses.reduce((m, b) => Math.max(m, b.max), -Infinity) * 1.15,
        ];
  const panel = (which: 'loss' | 'error') => {
    const values = bands.filter((b) =>
      which === 'error' ? b.measure === 'test error' : b.measure !== 'test error' && b.min > 0,
    );
    const y =
      which === 'loss'
        ? {
            type: 'quantitative',
            title: 'loss',
            scale: { type: 'log', nice: false, ...(lossDomain !== undefined ? { domain: lossDomain } : {}) },
          }
        : { type: 'quantitative', title: 'test error (%)', scale: { zero: true, nice: true }, axis: { format: '.0%' } };
    const band =
      seeds > 1
        ? [
            {
              data: { values },
              mark: { type: 'area', opacity: 0.18, clip: true },
              encoding: {
                x: epochAxis(last),
                y: { field: 'min', ...y },
                y2: { field: 'max' },
                color: { field: 'arm', type: 'nominal', title: 'arm' },
                detail: { field: 'measure', type: 'nominal' },
              },
            },
          ]
        : [];
    return {
      width: 420,
      height: 260,
      title:
        which === 'loss'
          ? seeds > 1
            ? 'loss (mean; band: least to greatest seed)'
            : 'loss'
          : seeds > 1
            ? 'test error (mean; band: least to greatest seed)'
            : 'test error',
      layer: [
        ...band,
        {
          data: { values },
          mark: { type: 'line', strokeWidth: 1.6, clip: true },
          encoding: {
            x: epochAxis(last),
            y: { field: 'mean', ...y },
            color: { field: 'arm', type: 'nominal', title: 'arm' },
            ...(which === 'loss' ? { strokeDash: { field: 'measure', type: 'nominal', title: 'measure' } } : {}),
          },
        },
        ...(marks.length > 0
          ? [
              {
                data: { values: marks },
                mark: { type: 'rule', strokeDash: [3, 3], strokeWidth: 1.2 },
                encoding: { x: { field: 'epoch', type: 'quantitative' }, color: { field: 'arm', type: 'nominal' } },
              },
              {
                data: { values: marks },
                mark: { type: 'text', align: 'left', dx: 3, baseline: 'top', fontSize: 10 },
                encoding: {
                  x: { field: 'epoch', type: 'quantitative' },
                  // Pixels from the top, one line per label (no scale: the panel's y axis stays the data's).
                  y: { field: 'py', type: 'quantitative', scale: null },
                  text: { field: 'label' },
                  color: { field: 'arm', type: 'nominal' },
                },
              },
            ]
          : []),
      ],
    };
  };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: seeds > 1 ? `${title} (mean over ${seeds} seeds)` : title,
    hconcat: [panel('loss'), panel('error')],
    resolve: { scale: { color: 'shared' } },
    // Whole arm names in the legend (`experiment / arm [point]` in a report), not cut at 160 pixels.
    config: { legend: { labelLimit: 0 } },
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

/**
 * Horizontal bars of the sensitivity of every candidate position (mean over the seeds), one panel per arm
 * and insertion epoch: the positions' whole descriptions on the left, numbers in exponent form, the chosen
 * position coloured and the count of seeds that chose it written at its bar.
 */
export const sensitivitiesSvg = async (title: string, bars: readonly SensitivityBar[]): Promise<string> => {
  const groups = new Map<string, { panel: string; position: string; sum: number; n: number; chosen: number }>();
  for (const b of bars) {
    const panel = `${b.arm}, epoch ${b.epoch}`;
    const key = `${panel}\u0000${b.position}`;
    const g = groups.get(key) ?? groups.set(key, { panel, position: b.position, sum: 0, n: 0, chosen: 0 }).get(key)!;
    g.sum += b.sensitivity;
    g.n += 1;
    if (b.chosen) g.chosen += 1;
  }
  const values = [...groups.values()].map((g) => ({
    panel: g.panel,
    position: g.position,
    sensitivity: g.sum / g.n,
    chosen: g.chosen > 0 ? 'chosen' : 'not chosen',
    label: g.chosen === 0 ? '' : g.n > 1 ? ` chosen ${g.chosen}/${g.n}` : ' chosen',
  }));
  const multiple = new Set(values.map((v) => v.panel)).size > 1;
  const inner = {
    width: 260,
    height: { step: 22 },
    encoding: {
      y: { field: 'position', type: 'nominal', title: null, sort: null, axis: { labelLimit: 0 } },
      x: {
        field: 'sensitivity',
        type: 'quantitative',
        title: 'sensitivity (mean over seeds)',
        axis: { format: '.1e', labelOverlap: true, tickCount: 4 },
        // Room right of the longest bar for its "chosen" label.
        scale: { domain: [0, Math.max(0, ...values.map((v) => v.sensitivity)) * 1.3 || 1], nice: false },
      },
    },
    layer: [
      {
        mark: 'bar',
        encoding: {
          color: {
            field: 'chosen',
            type: 'nominal',
            title: null,
            scale: { domain: ['chosen', 'not chosen'], range: ['#e45756', '#9ecae9'] },
          },
        },
      },
      { mark: { type: 'text', align: 'left', dx: 2, fontSize: 10 }, encoding: { text: { field: 'label' } } },
    ],
  };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values },
    ...(multiple
      ? {
          facet: {
            row: {
              field: 'panel',
              type: 'nominal',
              title: null,
              // Each panel's name above it, level: rotated names of neighbouring panels ran into each other.
              header: { labelOrient: 'top', labelAngle: 0, labelAnchor: 'start', labelFontWeight: 'bold' },
            },
          },
          spec: inner,
          resolve: { scale: { y: 'independent' } },
        }
      : { ...inner, title: `${title}: ${values[0]?.panel ?? ''}` }),
  };
  return renderSvg(spec as VegaLite.TopLevelSpec);
};

/**
 * The architecture before and after each insertion (of the first seed of each arm): a box per layer, the
 * inserted one highlighted, one row of boxes per net.
 */
export const architectureSvg = async (title: string, insertions: readonly InsertionMark[]): Promise<string> => {
  const firstSeed = new Map<string, number>();
  for (const i of insertions) if (i.layers !== undefined && !firstSeed.has(i.arm)) firstSeed.set(i.arm, i.seed);
  const shown = insertions.filter((i) => i.layers !== undefined && firstSeed.get(i.arm) === i.seed);
  const values = shown.flatMap((i, k) => {
    const l = i.layers!;
    const row = (net: 'before' | 'after', layers: readonly string[]) =>
      layers.map((layer, j) => ({
        insertion: k,
        net: `${i.arm}, epoch ${i.epoch}: ${net}`,
        index: j,
        layer,
        kind: net === 'after' && j === l.inserted ? 'inserted' : 'kept',
      }));
    return [...row('before', l.before), ...row('after', l.after)];
  });
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values },
    width: { step: 140 },
    height: { step: 44 },
    encoding: {
      x: { field: 'index', type: 'ordinal', title: 'layer', axis: { labelAngle: 0 } },
      y: { field: 'net', type: 'nominal', title: null, sort: null, axis: { labelLimit: 0 } },
    },
    layer: [
      {
        mark: { type: 'rect', cornerRadius: 4, stroke: '#333', strokeWidth: 1, width: 132, height: 34 },
        encoding: {
          color: {
            field: 'kind',
            type: 'nominal',
            title: null,
            scale: { domain: ['inserted', 'kept'], range: ['#f58518', '#e8eef5'] },
          },
        },
      },
      { mark: { type: 'text', fontSize: 10, limit: 128 }, encoding: { text: { field: 'layer' } } },
    ],
  };
  return renderSvg(spec as VegaLite.TopLevelSpec);
};
