// The step-size study's table (markdown) and plot (SVG) from its run records (bench-step-size.ts).
// Per protocol: the best tuned constant-step SGD over the grid (mean final training loss over seeds), each
// untuned setting's mean ± std and its ratio to that best, whether it is within 10 %, and whole-run time
// ratios against the constant step 0.1. The plot: per protocol, constant-step loss against the learning rate
// (mean, band min–max over seeds) and each untuned setting as a horizontal line with its min–max band.
import type { RunRecord } from './bench-step-size.js';

interface Meta {
  readonly command: string;
  readonly started: string;
  readonly minutes: number;
  readonly loadBefore: readonly number[];
  readonly loadAfter: readonly number[];
  readonly cpus: number;
  readonly seeds: number;
  readonly protocols: ReadonlyArray<{ readonly name: string; readonly description: string }>;
  readonly settings: ReadonlyArray<{ readonly name: string; readonly note: string }>;
}

const mean = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
const std = (v: readonly number[]): number =>
  v.length < 2 ? 0 : Math.sqrt(v.reduce((a, b) => a + (b - mean(v)) ** 2, 0) / (v.length - 1));
const fmt = (x: number): string => (!Number.isFinite(x) ? 'diverged' : x >= 0.01 ? x.toFixed(3) : x.toExponential(1));

export interface Cell {
  readonly losses: number[];
  readonly seconds: number[];
  readonly mean: number;
  readonly std: number;
  readonly min: number;
  readonly max: number;
}

export const cells = (records: readonly RunRecord[]): Map<string, Map<string, Cell>> => {
  const out = new Map<string, Map<string, Cell>>();
  for (const r of records) {
    const p = out.get(r.protocol) ?? new Map<string, Cell>();
    out.set(r.protocol, p);
    const c = p.get(r.setting) ?? { losses: [], seconds: [], mean: 0, std: 0, min: 0, max: 0 };
    // A diverged run's Infinity is `null` once it went through JSON (a merged part).
    c.losses.push(typeof r.loss === 'number' ? r.loss : Infinity);
    c.seconds.push(typeof r.seconds === 'number' ? r.seconds : NaN);
    p.set(r.setting, c);
  }
  for (const p of out.values())
    for (const [k, c] of p)
      p.set(k, {
        ...c,
        mean: mean(c.losses),
        std: std(c.losses),
        min: Math.min(...c.losses),
        max: Math.max(...c.losses),
      });
  return out;
};

/** The best constant step of a protocol: the grid point with the lowest mean final loss. */
export const bestConstant = (
  p: ReadonlyMap<string, Cell>,
): { readonly name: string; readonly cell: Cell } | undefined => {
  let best: { name: string; cell: Cell } | undefined;
  for (const [name, cell] of p)
    if (name.startsWith('constant ') && (best === undefined || cell.mean < best.cell.mean)) best = { name, cell };
  return best;
};

export const studyReport = (meta: Meta, records: readonly RunRecord[]): { markdown: string; svg: string } => {
  const all = cells(records);
  const settings = meta.settings.map((s) => s.name).filter((s) => [...all.values()].some((p) => p.has(s)));
  // The worst ratio to the best constant over protocols, per setting: the default is the setting whose worst is smallest.
  const worst = new Map(
    settings.map((s) => [
      s,
      Math.max(
        ...[...all.values()].map((p) => {
          const ratio = (p.get(s)?.mean ?? Infinity) / (bestConstant(p)?.cell.mean ?? NaN);
          return Number.isNaN(ratio) ? Infinity : ratio; // a setting that diverged is worst
        }),
      ),
    ]),
  );
  const ranked = [...worst.entries()].sort((a, b) => a[1] - b[1]);
  const lines: string[] = [];
  lines.push(
    `Command: \`${meta.command}\` (started ${meta.started}, ${meta.minutes.toFixed(1)} min, ${meta.seeds} seeds, load average ${meta.loadBefore.map((l) => l.toFixed(1)).join(' ')} before, ${meta.loadAfter.map((l) => l.toFixed(1)).join(' ')} after, ${meta.cpus} CPUs).`,
  );
  lines.push('');
  lines.push(
    'Final training loss, mean ± std over seeds; in brackets the ratio to the best tuned constant step of the same protocol and metric.',
  );
  lines.push('');
  lines.push(`| protocol | best constant (lr) | ${settings.join(' | ')} |`);
  lines.push(`| --- | --- | ${settings.map(() => '---').join(' | ')} |`);
  for (const p of meta.protocols) {
    const row = all.get(p.name);
    if (row === undefined) continue;
    const best = bestConstant(row);
    const bm = best?.cell.mean ?? NaN;
    const cols = settings.map((s) => {
      const c = row.get(s);
      if (c === undefined) return '–';
      const ratio = c.mean / bm;
      const diverged = c.losses.filter((l) => !Number.isFinite(l)).length;
      if (diverged > 0) return `diverged in ${diverged} of ${c.losses.length} runs`;
      return `${fmt(c.mean)} ± ${fmt(c.std)} (${ratio.toFixed(2)}${ratio <= 1.1 ? ' ✓' : ''})`;
    });
    lines.push(
      `| ${p.name} | ${best === undefined ? '–' : `${fmt(bm)} ± ${fmt(best.cell.std)} (${best.name.slice('constant '.length)})`} | ${cols.join(' | ')} |`,
    );
  }
  lines.push('');
  lines.push(
    `Worst ratio to the best constant over the protocols (smaller is better): ${ranked.map(([s, w]) => `${s} ${Number.isFinite(w) ? w.toFixed(2) : '∞'}`).join(', ')}.`,
  );
  lines.push('');
  lines.push('Constant-step grid (mean final training loss):');
  lines.push('');
  const grid = [...new Set(records.filter((r) => r.setting.startsWith('constant ')).map((r) => r.setting))];
  lines.push(`| protocol | ${grid.map((g) => g.slice('constant '.length)).join(' | ')} |`);
  lines.push(`| --- | ${grid.map(() => '---').join(' | ')} |`);
  for (const p of meta.protocols) {
    const row = all.get(p.name);
    if (row !== undefined) lines.push(`| ${p.name} | ${grid.map((g) => fmt(row.get(g)?.mean ?? NaN)).join(' | ')} |`);
  }
  lines.push('');
  lines.push(
    'Whole-run wall time, mean over seeds, as a ratio to the constant step 0.1 of the same protocol (engine of the runs in brackets):',
  );
  lines.push('');
  lines.push(`| protocol | constant 0.1 (s) | ${settings.join(' | ')} |`);
  lines.push(`| --- | --- | ${settings.map(() => '---').join(' | ')} |`);
  const engines = new Map(records.map((r) => [`${r.protocol}/${r.setting}`, r.engine]));
  for (const p of meta.protocols) {
    const row = all.get(p.name);
    const base = row?.get('constant 0.1');
    if (row === undefined || base === undefined) continue;
    const t0 = mean(base.seconds.filter(Number.isFinite));
    lines.push(
      `| ${p.name} | ${t0.toFixed(2)} (${engines.get(`${p.name}/constant 0.1`)}) | ${settings.map((s) => (row.get(s) === undefined ? '–' : `${(mean(row.get(s)!.seconds.filter(Number.isFinite)) / t0).toFixed(2)} (${engines.get(`${p.name}/${s}`)})`)).join(' | ')} |`,
    );
  }
  lines.push('');
  lines.push('Settings: ' + meta.settings.map((s) => `\`${s.name}\`: ${s.note}`).join('; ') + '.');
  lines.push('');
  lines.push('Protocols: ' + meta.protocols.map((p) => `\`${p.name}\`: ${p.description}`).join('; ') + '.');
  return { markdown: lines.join('\n') + '\n', svg: plot(meta, all, settings) };
};

const COLORS = ['#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf', '#e377c2', '#bcbd22'];

const plot = (meta: Meta, all: Map<string, Map<string, Cell>>, settings: readonly string[]): string => {
  const protocols = meta.protocols.filter((p) => all.has(p.name));
  const cols = Math.min(4, protocols.length);
  const rows = Math.ceil(protocols.length / cols);
  const pw = 300;
  const ph = 230;
  const legendH = 30 + 18 * Math.ceil((settings.length + 1) / 3);
  const W = cols * pw + 20;
  const H = rows * ph + legendH + 40;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`,
  );
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  parts.push(
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">Final training loss: constant-step SGD against the learning rate (band: min–max over ${meta.seeds} seeds) and the untuned settings</text>`,
  );
  protocols.forEach((p, idx) => {
    const cx = 10 + (idx % cols) * pw;
    const cy = 35 + Math.floor(idx / cols) * ph;
    const left = cx + 50;
    const top = cy + 20;
    const w = pw - 70;
    const h = ph - 70;
    const row = all.get(p.name)!;
    const grid = [...row.entries()]
      .filter(([n]) => n.startsWith('constant '))
      .map(([n, c]) => ({ lr: Number(n.slice(9)), c }))
      .sort((a, b) => a.lr - b.lr);
    const finite = [...row.values()].flatMap((c) => c.losses).filter((v) => Number.isFinite(v) && v > 0);
    let lo = Math.log10(Math.min(...finite));
    // The axis stops at 10× the worst constant-step loss: a run that blew up (finite but huge) is drawn at the top.
    const gridMax = Math.max(...grid.map((g) => g.c.max).filter(Number.isFinite));
    let hi = Math.log10(Math.min(Math.max(...finite), 10 * gridMax));
    lo = Math.floor(lo * 2) / 2;
    hi = Math.ceil(hi * 2) / 2 + 0.25; // headroom for diverged markers
    if (hi - lo < 0.5) hi = lo + 0.5;
    const X = (lr: number) => left + ((Math.log10(lr) + 3) / 3) * w;
    const Y = (v: number) =>
      Number.isFinite(v) ? Math.max(top, top + h - ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo)) * h) : top;
    parts.push(`<text x="${cx + pw / 2}" y="${cy + 12}" text-anchor="middle" font-weight="bold">${p.name}</text>`);
    parts.push(`<rect x="${left}" y="${top}" width="${w}" height="${h}" fill="none" stroke="#999"/>`);
    for (let e = Math.ceil(lo); e <= Math.floor(hi); e++) {
      parts.push(`<line x1="${left}" x2="${left + w}" y1="${Y(10 ** e)}" y2="${Y(10 ** e)}" stroke="#eee"/>`);
      parts.push(`<text x="${left - 4}" y="${Y(10 ** e) + 4}" text-anchor="end">1e${e}</text>`);
    }
    for (const lr of [1e-3, 1e-2, 1e-1, 1])
      parts.push(`<text x="${X(lr)}" y="${top + h + 14}" text-anchor="middle">${lr}</text>`);
    parts.push(`<text x="${left + w / 2}" y="${top + h + 28}" text-anchor="middle">constant learning rate</text>`);
    parts.push(
      `<text transform="translate(${cx + 12},${top + h / 2}) rotate(-90)" text-anchor="middle">final train loss</text>`,
    );
    settings.forEach((s, i) => {
      const c = row.get(s);
      if (c === undefined) return;
      const color = COLORS[i % COLORS.length];
      const y0 = Y(c.max);
      const y1 = Y(c.min);
      parts.push(
        `<rect x="${left}" y="${Math.min(y0, y1)}" width="${w}" height="${Math.max(Math.abs(y1 - y0), 0.5)}" fill="${color}" opacity="0.12"/>`,
      );
      parts.push(
        `<line x1="${left}" x2="${left + w}" y1="${Y(c.mean)}" y2="${Y(c.mean)}" stroke="${color}" stroke-width="1.5" stroke-dasharray="5,3"/>`,
      );
    });
    const band = grid.filter((g) => Number.isFinite(g.c.max));
    if (band.length > 1)
      parts.push(
        `<polygon points="${[...band.map((g) => `${X(g.lr)},${Y(g.c.max)}`), ...[...band].reverse().map((g) => `${X(g.lr)},${Y(g.c.min)}`)].join(' ')}" fill="#1f77b4" opacity="0.25"/>`,
      );
    const line = grid.filter((g) => Number.isFinite(g.c.mean));
    parts.push(
      `<polyline points="${line.map((g) => `${X(g.lr)},${Y(g.c.mean)}`).join(' ')}" fill="none" stroke="#1f77b4" stroke-width="2"/>`,
    );
    for (const g of grid) {
      if (Number.isFinite(g.c.mean)) parts.push(`<circle cx="${X(g.lr)}" cy="${Y(g.c.mean)}" r="3" fill="#1f77b4"/>`);
      else parts.push(`<text x="${X(g.lr)}" y="${top + 10}" text-anchor="middle" fill="#1f77b4">×</text>`);
    }
  });
  const ly = 35 + rows * ph + 10;
  const items = [
    { name: 'constant SGD (mean, band min–max; × diverged)', color: '#1f77b4', dash: '' },
    ...settings.map((s, i) => ({ name: s, color: COLORS[i % COLORS.length]!, dash: '5,3' })),
  ];
  items.forEach((it, i) => {
    const x = 20 + (i % 3) * ((W - 40) / 3);
    const y = ly + 18 * Math.floor(i / 3);
    parts.push(
      `<line x1="${x}" x2="${x + 24}" y1="${y}" y2="${y}" stroke="${it.color}" stroke-width="2" ${it.dash === '' ? '' : `stroke-dasharray="${it.dash}"`}/>`,
    );
    parts.push(`<text x="${x + 30}" y="${y + 4}">${it.name}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
};
