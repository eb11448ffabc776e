/**
 * The learning curves as an SVG: training and test loss (log scale) and test error per epoch, one
 * colour per arm, the repeats as separate lines, insertions as vertical rules. Made with vega-lite,
 * rendered headless by vega's SVG renderer (no canvas needed).
 */
import * as vega from 'vega';
import * as vl from 'vega-lite';

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

export const curvesSvg = async (title: string, points: readonly CurvePoint[], insertions: readonly InsertionMark[]): Promise<string> => {
  const values = points.flatMap((p) => [
    { arm: p.arm, run: `${p.arm} #${p.seed}`, epoch: p.epoch, measure: 'train loss', value: p.trainLoss, panel: 'loss' },
    { arm: p.arm, run: `${p.arm} #${p.seed}`, epoch: p.epoch, measure: 'test loss', value: p.testLoss, panel: 'loss' },
    { arm: p.arm, run: `${p.arm} #${p.seed}`, epoch: p.epoch, measure: 'test error', value: p.testError, panel: 'error' },
  ]);
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
      ...(insertions.length > 0
        ? [
            {
              data: { values: insertions.map((i) => ({ ...i })) },
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
  const compiled = vl.compile(spec as vl.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
};
