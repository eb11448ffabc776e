// The plots as a reader sees them: the texts and marks of the rendered SVG (vega's headless renderer).
import { describe, expect, it } from 'vitest';
import {
  architectureSvg,
  curvesSvg,
  sensitivitiesSvg,
  sensitivityBars,
  type CurvePoint,
} from '../src/internal/plot.js';

/** The text of every `<text>` element of an SVG. */
const texts = (svg: string): string[] =>
  [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!.replace(/&amp;/g, '&').trim());

const point = (arm: string, seed: number, epoch: number, loss: number, error: number): CurvePoint => ({
  arm,
  seed,
  epoch,
  trainLoss: loss,
  testLoss: loss * 1.1,
  testError: error,
});

describe('curves.svg', () => {
  it('has whole epoch ticks, a loss axis fitted to the data, a band across seeds and labelled insertions', async () => {
    const points = [1, 2].flatMap((seed) =>
      [1, 2, 3].map((epoch) => point('grown', seed, epoch, 30 - 4 * epoch + seed, 0.3 - 0.05 * epoch)),
    );
    const svg = await curvesSvg('demo', points, [
      { arm: 'grown', seed: 1, epoch: 2, position: 1, description: 'after layer 1 (dense 5 relu)' },
      { arm: 'grown', seed: 2, epoch: 2, position: 1, description: 'after layer 1 (dense 5 relu)' },
    ]);
    const t = texts(svg);
    // Epoch ticks 1, 2, 3 and no fractional epoch (the losses, 19–32, and the errors, in %, have none).
    for (const e of ['1', '2', '3']) expect(t).toContain(e);
    expect(t.filter((x) => /^\d+\.\d+$/.test(x))).toEqual([]);
    // The loss axis spans the data, not fixed decades 0.1–10 or up to 100.
    expect(t).not.toContain('0.1');
    expect(t).not.toContain('100');
    expect(t.some((x) => /^[23]\d$/.test(x))).toBe(true);
    // The band (least to greatest seed) and the insertion's label with how many seeds chose it.
    expect(svg).toMatch(/aria-roledescription="area mark"[^>]*opacity="0\.18"/);
    expect(t).toContain('+ layer at 1 (2×)');
    expect(t).toContain('demo (mean over 2 seeds)');
  });

  it('names each arm whole in the legend, however long (a report labels them experiment / arm)', async () => {
    const arm = 'spirals-fnn-reference-protocol #2 / fixed large [lr=0.05, width=10]';
    const t = texts(
      await curvesSvg(
        'report',
        [1, 2].map((e) => point(arm, 1, e, 1 / e, 0.1)),
        [],
      ),
    );
    expect(t).toContain(arm);
  });

  it('draws a study the size of the reference protocols (3 arms × 30 seeds × 1,850 epochs)', async () => {
    // 166,500 points: more than a spread into Math.max can take (it overflowed the call stack).
    const points: CurvePoint[] = [];
    for (const arm of ['grown', 'fixed small', 'fixed large'])
      for (let seed = 1; seed <= 30; seed++)
        for (let epoch = 1; epoch <= 1850; epoch++) points.push(point(arm, seed, epoch, 1 / epoch + seed / 100, 0.1));
    const t = texts(await curvesSvg('study', points, []));
    expect(t).toContain('study (mean over 30 seeds)');
    expect(t).toContain('1800'); // the epoch axis reaches the end of the runs
  }, 120_000);
});

describe('sensitivities.svg', () => {
  it('draws whole position labels, numbers in exponent form and how often each position was chosen', async () => {
    const long = 'after layer 3 (residual block (dense 16 relu, dense 16 linear))';
    const bars = [1, 2].flatMap((seed) =>
      sensitivityBars({
        arm: 'grown',
        seed,
        epoch: 5,
        chosen: seed === 1 ? 1 : 0,
        positions: [
          { index: 0, description: 'after layer 0 (dense 16 relu)', sensitivity: 4e-7 },
          { index: 3, description: long, sensitivity: 6e-7 },
        ],
      }),
    );
    const t = texts(await sensitivitiesSvg('demo: sensitivities', bars));
    expect(t).toContain(`3: ${long}`);
    expect(t).toContain('0: after layer 0 (dense 16 relu)');
    expect(t.some((x) => /^\d\.\de-7$/.test(x))).toBe(true);
    expect(t.filter((x) => /^0\.0{4,}/.test(x))).toEqual([]);
    expect(t).toContain('chosen 1/2');
  });
});

describe('architecture.svg', () => {
  it('draws the layers before and after each insertion, the inserted one highlighted', async () => {
    const svg = await architectureSvg('demo: architecture', [
      {
        arm: 'grown',
        seed: 1,
        epoch: 200,
        position: 0,
        layers: {
          before: ['dense 5 relu', 'dense 2 linear'],
          after: ['dense 5 relu', 'dense 5 relu', 'dense 2 linear'],
          inserted: 1,
        },
      },
    ]);
    const t = texts(svg);
    expect(t).toContain('grown, epoch 200: before');
    expect(t).toContain('grown, epoch 200: after');
    expect(t.filter((x) => x === 'dense 5 relu')).toHaveLength(3);
    expect(t.filter((x) => x === 'dense 2 linear')).toHaveLength(2);
    // One box in the highlight colour: the inserted layer.
    expect(svg.match(/<path[^>]*fill="#f58518"[^>]*>/g)?.length).toBe(2); // the box and the legend's swatch
  });
});
