/**
 * Sweeps: the points of a `Sweep` and the experiment each (arm, point) runs. A sweep path names a setting
 * the way the language writes it: sections and settings joined by `.`, list items by `[i]` or `[*]` (every
 * item that has the rest of the path), snake_case words as in the language (`lr_factor`, `rho_min`) or the
 * spec's camelCase fields, `grow` for `growth`, and `value` for a step rule's rate (`lr`, or `initial` of
 * armijo). A few short aliases stand for common paths (SWEEP_ALIASES). Only leaf settings are swept
 * (numbers, names, true/false): a sweep changes values, not the kind of a section.
 */
import type { SpecPath } from './Diagnostic.js';
import { didYouMean } from './did-you-mean.js';
import type { Experiment, Sweep, SweepAxis, SweepValue } from './Spec.js';

/** Short names for the paths swept most. */
export const SWEEP_ALIASES: Readonly<Record<string, string>> = {
  lr: 'optimizer.step.value',
  epochs: 'train.epochs',
  batch: 'train.batch',
  width: 'network.layers[*].units',
  variance: 'optimizer.step.variance',
  lr_factor: 'grow.lr_factor',
};

/** One segment of a path: a field, a list index, or every list item. */
export type PathSegment = string | number | '*';

const SEGMENT = /^([A-Za-z_][A-Za-z0-9_]*)((?:\[(?:\d+|\*)\])*)$/;

/** The segments of a sweep path (aliases expanded), or why it is not one. */
export const parseSweepPath = (
  text: string,
): { ok: true; segments: readonly PathSegment[] } | { ok: false; message: string } => {
  const full = SWEEP_ALIASES[text] ?? text;
  const segments: PathSegment[] = [];
  for (const part of full.split('.')) {
    const m = SEGMENT.exec(part);
    if (m === null)
      return {
        ok: false,
        message: `'${text}' is not a setting path; write sections and settings joined by '.', list items as [0] or [*] (e.g. network.layers[0].units)`,
      };
    segments.push(m[1]!);
    for (const idx of m[2]!.matchAll(/\[(\d+|\*)\]/g)) segments.push(idx[1] === '*' ? '*' : Number(idx[1]));
  }
  return { ok: true, segments };
};

const camel = (s: string): string => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u);

/** The field of `obj` a path word names (language words, aliases of the language). */
const fieldOf = (obj: Record<string, unknown>, word: string): string | undefined => {
  if (word === 'grow' && 'growth' in obj) return 'growth';
  if (word === 'value' && typeof obj['_tag'] === 'string') {
    if ('lr' in obj) return 'lr';
    if ('initial' in obj) return 'initial';
  }
  if (word === 'rho_min' || word === 'rhoMin') return 'rhoMin' in obj ? 'rhoMin' : undefined;
  for (const k of [word, camel(word)]) if (k !== '_tag' && Object.hasOwn(obj, k)) return k;
  return undefined;
};

const kindOf = (v: unknown): string =>
  typeof v === 'number'
    ? 'a number'
    : typeof v === 'boolean'
      ? 'true or false'
      : typeof v === 'string'
        ? 'a name'
        : 'a section';

/** Which values a leaf accepts: the same kind as it has, and `batch` either a number or `full`. */
const accepts = (field: string, current: unknown, value: SweepValue): boolean => {
  if (field === 'batch') return typeof value === 'number' || value === 'full';
  return typeof current === typeof value;
};

/** A failure is about the path (no such setting) or, with `value`, about the value (the wrong kind). */
type SetResult = { ok: true; value: unknown; paths: SpecPath[] } | { ok: false; message: string; value?: true };

const setIn = (
  node: unknown,
  segments: readonly PathSegment[],
  value: SweepValue,
  at: SpecPath,
  text: string,
): SetResult => {
  if (segments.length === 0) return { ok: true, value, paths: [at] };
  const [head, ...rest] = segments;
  if (head === '*' || typeof head === 'number') {
    if (!Array.isArray(node))
      return { ok: false, message: `'${text}': ${at.join('.') || 'the experiment'} is not a list` };
    if (head === '*') {
      const paths: SpecPath[] = [];
      const out = node.map((item: unknown, i) => {
        const r = setIn(item, rest, value, [...at, i], text);
        if (!r.ok) return item; // items without the setting are left alone (a pool layer has no units)
        paths.push(...r.paths);
        return r.value;
      });
      return paths.length === 0
        ? { ok: false, message: `'${text}': no item of ${at.join('.')} has this setting` }
        : { ok: true, value: out, paths };
    }
    if (head >= node.length)
      return {
        ok: false,
        message: `'${text}': ${at.join('.')} has ${node.length} item${node.length === 1 ? '' : 's'}, so there is no item ${head}`,
      };
    const r = setIn(node[head], rest, value, [...at, head], text);
    if (!r.ok) return r;
    const out = [...node];
    out[head] = r.value;
    return { ok: true, value: out, paths: r.paths };
  }
  if (!isRecord(node)) return { ok: false, message: `'${text}': ${at.join('.')} has no settings` };
  const field = fieldOf(node, head!);
  if (field === undefined) {
    const known = [
      ...Object.keys(node).filter((k) => k !== '_tag'),
      ...('lr' in node || 'initial' in node ? ['value'] : []),
    ];
    const suggestion = didYouMean(camel(head!), known);
    const kind = typeof node['_tag'] === 'string' ? ` (${at.join('.') || 'it'} is ${node['_tag']})` : '';
    return {
      ok: false,
      message: `'${text}': there is no setting '${head}' at ${at.length === 0 ? 'the top' : at.join('.')}${kind}${suggestion === undefined ? '' : `; did you mean '${suggestion}'?`}`,
    };
  }
  const current = node[field];
  if (rest.length === 0) {
    if (typeof current === 'object' && current !== null)
      return {
        ok: false,
        message: `'${text}' names a whole section; a sweep sets single values (numbers, names, true/false)`,
      };
    if (!accepts(field, current, value))
      return { ok: false, value: true, message: `'${text}' takes ${kindOf(current)}, not ${kindOf(value)}` };
  }
  const r = setIn(current, rest, value, [...at, field], text);
  if (!r.ok) return r;
  return { ok: true, value: { ...node, [field]: r.value }, paths: r.paths };
};

/** Where an axis sits in the spec: `['sweep', 'grid', i]` or `['sweep', 'zip', g, i]`. */
export interface LocatedAxis {
  readonly axis: SweepAxis;
  readonly at: SpecPath;
}

/** The axes of a sweep with their spec paths (under `at`: `['sweep']`, or `['compare', i, 'sweep']`), grid first, then each zip group. */
export const sweepAxes = (sweep: Sweep, at: SpecPath = ['sweep']): readonly LocatedAxis[] => [
  ...sweep.grid.map((axis, i) => ({ axis, at: [...at, 'grid', i] as SpecPath })),
  ...sweep.zip.flatMap((group, g) => group.map((axis, i) => ({ axis, at: [...at, 'zip', g, i] as SpecPath }))),
];

/** One setting of a sweep point: the axis, the value and where that value is written (`…, 'values', j`). */
export interface PointSetting {
  readonly path: string;
  readonly value: SweepValue;
  readonly at: SpecPath;
}

/** One point of a sweep: its 0-based index, the settings it makes, and its label (`lr=0.1 width=5`). */
export interface SweepPoint {
  readonly index: number;
  readonly settings: readonly PointSetting[];
  readonly label: string;
}

const showValue = (v: SweepValue): string => String(v);

/** Number of points of a sweep (0 when an axis is empty); zip groups count their shortest axis. */
export const sweepSize = (sweep: Sweep): number =>
  sweep.grid.reduce((n, a) => n * a.values.length, 1) *
  sweep.zip.reduce((n, g) => n * Math.min(...g.map((a) => a.values.length)), 1);

/**
 * Every point of a sweep, the first axis varying slowest: the grid axes in order, then each zip group as
 * one axis. Call it on a checked sweep (`check` bounds the size).
 */
export const sweepPoints = (sweep: Sweep, at: SpecPath = ['sweep']): readonly SweepPoint[] => {
  type Dim = readonly (readonly PointSetting[])[];
  const dims: Dim[] = [
    ...sweep.grid.map((axis, i): Dim =>
      axis.values.map((value, j) => [{ path: axis.path, value, at: [...at, 'grid', i, 'values', j] }]),
    ),
    ...sweep.zip.map((group, g): Dim =>
      Array.from({ length: Math.min(...group.map((a) => a.values.length)) }, (_, j) =>
        group.map((axis, i) => ({ path: axis.path, value: axis.values[j]!, at: [...at, 'zip', g, i, 'values', j] })),
      ),
    ),
  ];
  let combos: (readonly PointSetting[])[] = [[]];
  for (const dim of dims) combos = combos.flatMap((c) => dim.map((settings) => [...c, ...settings]));
  return combos.map((settings, index) => ({
    index,
    settings,
    label: settings.map((s) => `${s.path}=${showValue(s.value)}`).join(' '),
  }));
};

/** The outcome of applying a point: the experiment, and per setting the spec paths it changed. */
export type ApplyResult =
  | { readonly ok: true; readonly experiment: Experiment; readonly changed: readonly (readonly SpecPath[])[] }
  | { readonly ok: false; readonly setting: PointSetting; readonly message: string; readonly aboutValue: boolean };

/** `experiment` (one arm, resolved) with the point's settings made. */
export const applyPoint = (experiment: Experiment, point: SweepPoint): ApplyResult => {
  let current: unknown = experiment;
  const changed: SpecPath[][] = [];
  for (const setting of point.settings) {
    const parsed = parseSweepPath(setting.path);
    if (!parsed.ok) return { ok: false, setting, message: parsed.message, aboutValue: false };
    if (
      parsed.segments[0] === 'sweep' ||
      parsed.segments[0] === 'compare' ||
      parsed.segments[0] === 'repeat' ||
      parsed.segments[0] === 'seed' ||
      parsed.segments[0] === 'name'
    )
      return {
        ok: false,
        setting,
        message: `'${setting.path}' cannot be swept; a sweep sets the settings of a run (the seeds are set by 'repeat')`,
        aboutValue: false,
      };
    const r = setIn(current, parsed.segments, setting.value, [], setting.path);
    if (!r.ok) return { ok: false, setting, message: r.message, aboutValue: r.value === true };
    current = r.value;
    changed.push(r.paths);
  }
  return { ok: true, experiment: current as Experiment, changed };
};

/**
 * The name of an (arm, point) in events, metrics and the summary: the arm's name, followed by the point's
 * settings in brackets when the experiment has a sweep (`base [lr=0.1 width=5]`).
 */
export const pointRunName = (arm: string, point: SweepPoint | undefined): string =>
  point === undefined ? arm : `${arm} [${point.label}]`;

/** A run's experiment on its own: one arm at one sweep point with one seed (its resolved spec.json). */
export const singleRun = (resolved: Experiment, seed: number): Experiment => {
  const { sweep: _sweep, ...rest } = resolved;
  return { ...rest, seed, repeat: 1, compare: [] };
};

/** The sweep an arm runs over: its own, or the experiment's; with where it is written. */
export const armSweep = (spec: Experiment, arm: number): { sweep: Sweep; at: SpecPath } | undefined => {
  const own = arm > 0 ? spec.compare[arm - 1]?.sweep : undefined;
  if (own !== undefined) return { sweep: own, at: ['compare', arm - 1, 'sweep'] };
  return spec.sweep === undefined ? undefined : { sweep: spec.sweep, at: ['sweep'] };
};
