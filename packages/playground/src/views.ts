/**
 * What the page draws for each arm, live: loss and test-error curves with insertion markers, the
 * architecture with the newest layer highlighted, the sensitivities of the last growth decision, and for
 * 2-D data the decision boundary. Everything is built with DOM calls and `textContent`: names from an
 * experiment (which may come from a shared link) are never parsed as HTML.
 */
import type { Layer } from '@sprout/spec';
import type { Boundary } from './protocol.js';

const SVG = 'http://www.w3.org/2000/svg';
const svgEl = <K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
  parent?: Element,
): SVGElementTagNameMap[K] => {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  parent?.appendChild(e);
  return e;
};
const svgText = (parent: Element, x: number, y: number, text: string, attrs: Record<string, string | number> = {}) => {
  const t = svgEl('text', { x, y, ...attrs }, parent);
  t.textContent = text;
  return t;
};

export interface CurvePoint {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly testError: number;
}

/** Loss (log scale, left axis) and test error (%, right axis) against epochs; insertions as dashed lines. */
export const drawCurves = (
  svg: SVGSVGElement,
  points: readonly CurvePoint[],
  insertions: readonly number[],
  epochs: number,
): void => {
  svg.replaceChildren();
  const W = 420;
  const H = 200;
  const m = { l: 48, r: 44, t: 10, b: 28 };
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  const x = (e: number) => m.l + (e / Math.max(1, epochs)) * (W - m.l - m.r);
  const losses = points.map((p) => p.trainLoss).filter((v) => Number.isFinite(v) && v > 0);
  const lo = Math.log10(Math.min(...losses, 1));
  const hi = Math.log10(Math.max(...losses, 1e-3));
  const span = Math.max(hi - lo, 1e-6);
  const yLoss = (v: number) => m.t + (1 - (Math.log10(v) - lo) / span) * (H - m.t - m.b);
  const yErr = (v: number) => m.t + (1 - v) * (H - m.t - m.b);
  svgEl('rect', { x: m.l, y: m.t, width: W - m.l - m.r, height: H - m.t - m.b, class: 'plot-frame' }, svg);
  for (const e of insertions)
    svgEl('line', { x1: x(e), x2: x(e), y1: m.t, y2: H - m.b, class: 'insertion-marker' }, svg);
  const path = (ys: (p: CurvePoint) => number, cls: string) => {
    const d = points
      .filter((p) => Number.isFinite(ys(p)))
      .map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.epoch).toFixed(1)},${ys(p).toFixed(1)}`)
      .join('');
    if (d !== '') svgEl('path', { d, class: cls }, svg);
  };
  path((p) => (p.trainLoss > 0 ? yLoss(p.trainLoss) : Number.NaN), 'curve-loss');
  path((p) => yErr(p.testError), 'curve-error');
  svgText(svg, m.l - 4, m.t + 8, (10 ** hi).toPrecision(2), { 'text-anchor': 'end', class: 'axis' });
  svgText(svg, m.l - 4, H - m.b, (10 ** lo).toPrecision(2), { 'text-anchor': 'end', class: 'axis' });
  svgText(svg, W - m.r + 4, m.t + 8, '100 %', { class: 'axis' });
  svgText(svg, W - m.r + 4, H - m.b, '0 %', { class: 'axis' });
  svgText(svg, m.l, H - 8, '0', { class: 'axis' });
  svgText(svg, W - m.r, H - 8, `epoch ${epochs}`, { 'text-anchor': 'end', class: 'axis' });
  svgText(svg, m.l + 6, m.t + 14, 'train loss (log)', { class: 'legend-loss' });
  svgText(svg, m.l + 6, m.t + 28, 'test error', { class: 'legend-error' });
};

/** A layer as one short label: `dense 5 relu`, `conv 3×3 16`, `residual [5, 5]`, … */
const layerLabel = (layer: Layer): string => {
  const l = layer as {
    _tag: string;
    units?: number;
    activation?: string;
    filters?: number;
    kernel?: number;
    rate?: number;
    layers?: readonly Layer[];
  };
  switch (l._tag) {
    case 'dense':
      return `dense ${l.units} ${l.activation ?? ''}`.trim();
    case 'conv':
      return `conv ${l.kernel}×${l.kernel} ${l.filters}`;
    case 'dropout':
      return `dropout ${l.rate}`;
    case 'residual':
      return `residual [${(l.layers ?? []).map((x) => layerLabel(x)).join(', ')}]`;
    default:
      return l._tag;
  }
};

/** The net as a column of boxes from input to output; the box at `inserted` is highlighted. */
export const drawArchitecture = (
  svg: SVGSVGElement,
  input: readonly number[],
  layers: readonly Layer[],
  inserted: number | undefined,
): void => {
  svg.replaceChildren();
  const rows = [`input ${input.join('×')}`, ...layers.map(layerLabel)];
  const H = 26 * rows.length + 8;
  svg.setAttribute('viewBox', `0 0 220 ${H}`);
  rows.forEach((label, i) => {
    const g = svgEl('g', { class: i - 1 === inserted ? 'layer layer-new' : 'layer', 'data-layer': i }, svg);
    svgEl('rect', { x: 10, y: 4 + i * 26, width: 200, height: 20, rx: 4 }, g);
    svgText(g, 110, 18 + i * 26, label + (i - 1 === inserted ? '  (new)' : ''), { 'text-anchor': 'middle' });
    if (i > 0) svgEl('line', { x1: 110, x2: 110, y1: i * 26 - 2, y2: 4 + i * 26, class: 'edge' }, svg);
  });
};

/** The sensitivity of every candidate position at one decision; the chosen one highlighted. */
export const drawSensitivities = (
  svg: SVGSVGElement,
  epoch: number,
  positions: readonly { readonly index: number; readonly description: string; readonly sensitivity: number }[],
  chosen: number | null,
): void => {
  svg.replaceChildren();
  const H = 22 * positions.length + 24;
  svg.setAttribute('viewBox', `0 0 420 ${H}`);
  svgText(svg, 4, 14, `sensitivities after epoch ${epoch}${chosen === null ? ' (declined)' : ''}`, { class: 'axis' });
  const max = Math.max(...positions.map((p) => p.sensitivity), 1e-30);
  positions.forEach((p, i) => {
    const y = 22 + i * 22;
    const w = (p.sensitivity / max) * 180;
    svgEl(
      'rect',
      { x: 4, y, width: Math.max(1, w), height: 16, class: p.index === chosen ? 'bar bar-chosen' : 'bar' },
      svg,
    );
    svgText(svg, 190, y + 12, `${p.sensitivity.toExponential(2)}  ${p.description}`, { class: 'axis' });
  });
};

const PALETTE: readonly (readonly [number, number, number])[] = [
  [66, 133, 244],
  [234, 67, 53],
  [52, 168, 83],
  [251, 188, 5],
  [171, 71, 188],
  [0, 172, 193],
  [255, 112, 67],
  [158, 157, 36],
  [92, 107, 192],
  [240, 98, 146],
];

/** The predicted class on a grid (light) with the training points on top (dark). */
export const drawBoundary = (canvas: HTMLCanvasElement, b: Boundary): void => {
  const ctx = canvas.getContext('2d');
  if (ctx === null) return;
  const S = canvas.width;
  const cell = S / b.size;
  ctx.clearRect(0, 0, S, S);
  for (let i = 0; i < b.size; i++)
    for (let j = 0; j < b.size; j++) {
      const [r, g, bl] = PALETTE[b.classes[i * b.size + j]! % PALETTE.length]!;
      // Opaque tints (a quarter of the class colour on white): cells that overlap by a pixel show no seams.
      const tint = (c: number) => Math.round(255 - 0.25 * (255 - c));
      ctx.fillStyle = `rgb(${tint(r)},${tint(g)},${tint(bl)})`;
      ctx.fillRect(j * cell, i * cell, cell + 1, cell + 1);
    }
  const [x0, x1, y0, y1] = b.extent;
  for (const [x, y, label] of b.points) {
    const [r, g, bl] = PALETTE[label % PALETTE.length]!;
    ctx.fillStyle = `rgb(${r},${g},${bl})`;
    ctx.beginPath();
    ctx.arc(((x - x0) / (x1 - x0)) * S, ((y1 - y) / (y1 - y0)) * S, 2.5, 0, 2 * Math.PI);
    ctx.fill();
  }
};
