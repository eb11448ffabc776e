/**
 * The semantic checks of an experiment: names, value ranges, shapes and the growth schedule, for the
 * base experiment and for every compare arm (the base with the arm's sections substituted). Every
 * diagnostic is collected before returning (validation, not fail-fast), each with a `path` into the spec
 * that the language maps back to a source range. Expects a structurally valid spec: untrusted JSON goes
 * through `decodeExperiment` first.
 */
import * as E from 'fp-ts/lib/Either.js';
import * as RA from 'fp-ts/lib/ReadonlyArray.js';
import type * as RNEA from 'fp-ts/lib/ReadonlyNonEmptyArray.js';
import type { Diagnostic, SpecPath } from './Diagnostic.js';
import { checkNames } from './internal/check-names.js';
import { checkName, checkRanges } from './internal/check-ranges.js';
import { checkSchedule } from './internal/check-schedule.js';
import { checkShapes } from './internal/check-shapes.js';
import { checkChunks } from './internal/check-batch.js';
import { error } from './internal/diagnostic.js';
import { baseArmName, DEFAULT_BASE_ARM } from './base-arm.js';
import { MAX_ARMS, MAX_RUNS, MAX_SWEEP_POINTS } from './limits.js';
import { applyPoint, armSweep, parseSweepPath, sweepAxes, sweepPoints, sweepSize } from './sweep.js';
import { checkMemory, type MemoryCheckOptions } from './memory.js';
import type { Arm, Experiment, Sweep } from './Spec.js';

export interface CheckOptions {
  /**
   * The memory check (`too-large`, see `checkMemory`): its limit and batch, or `false` to skip it. It runs
   * only when every other check passes, since its estimate assumes the shapes fit (a network over
   * `MAX_PARAMETERS` is `too-many-parameters` alone). @default { limitBytes: DEFAULT_MEMORY_LIMIT } (8 GiB)
   */
  readonly memory?: MemoryCheckOptions | false;
}

type Check = readonly Diagnostic[];

/** The sections an arm may replace. */
const ARM_SECTIONS = ['network', 'data', 'loss', 'optimizer', 'train', 'growth'] as const;

/** Every concern, over one experiment without its arms. */
const checkOne = (e: Experiment): Check => [
  ...checkNames(e),
  ...checkRanges(e),
  ...checkShapes(e),
  ...checkSchedule(e),
  ...checkChunks(e),
];

/** The experiment an arm runs: the base with the arm's sections substituted, and no arms of its own. */
export const resolveArm = (base: Experiment, arm: Arm): Experiment => {
  const sections: Record<string, unknown> = {};
  for (const s of ARM_SECTIONS) if (arm[s] !== undefined) sections[s] = arm[s];
  return { ...base, ...sections, compare: [] };
};

const key = (d: Diagnostic): string => JSON.stringify([d.code, d.path, d.message]);

/**
 * The diagnostics of arm `i` that the base does not already have. A diagnostic inside a section the arm
 * replaces moves under `['compare', i, …]`; one in an inherited section (an arm's data that no longer fits
 * the base network, say) keeps its base path and says which arm in its note.
 */
const checkArm = (base: Experiment, baseKeys: ReadonlySet<string>, arm: Arm, i: number): Check => {
  const own = checkOne(resolveArm(base, arm)).filter((d) => !baseKeys.has(key(d)));
  return own.map((d): Diagnostic => {
    const section = d.path?.[0];
    if (
      d.path !== undefined &&
      typeof section === 'string' &&
      (ARM_SECTIONS as readonly string[]).includes(section) &&
      arm[section as keyof Arm] !== undefined
    )
      return { ...d, path: ['compare', i, ...d.path] };
    return {
      ...d,
      note: d.note === undefined ? `in compare arm '${arm.name}'` : `${d.note}; in compare arm '${arm.name}'`,
    };
  });
};

const checkArmNames = (arms: readonly Arm[], baseArm: string | undefined): Check => {
  const seen = new Map<string, number>();
  const base: Diagnostic[] = baseArm === undefined ? [] : [...checkName(baseArm, ['baseArm'], 'arm name')];
  return [
    ...base,
    ...arms.flatMap((arm, i): Diagnostic[] => {
      const path: SpecPath = ['compare', i, 'name'];
      const invalid = checkName(arm.name, path, 'arm name');
      if (invalid.length > 0) return [...invalid];
      const first = seen.get(arm.name);
      if (first !== undefined)
        return [
          error('duplicate-arm-name', `two compare arms are named '${arm.name}' (arms ${first} and ${i})`, path, {
            note: 'arm names label the results',
          }),
        ];
      if (arm.name === (baseArm ?? DEFAULT_BASE_ARM))
        return [
          error('duplicate-arm-name', `compare arm ${i} has the base arm's name '${arm.name}'`, path, {
            note:
              baseArm === undefined
                ? 'the base arm is called \'base\' unless named with base "…"'
                : 'arm names label the results',
          }),
        ];
      seen.set(arm.name, i);
      return [];
    }),
  ];
};

/** The sweep's own shape: axes with values, zip groups of equal length, paths that parse, a bounded size. */
const checkSweepShape = (spec: Experiment, sweep: Sweep | undefined, where: SpecPath): Check => {
  if (sweep === undefined) return [];
  const out: Diagnostic[] = [];
  const axes = sweepAxes(sweep, where);
  if (axes.length === 0)
    out.push(error('empty-sweep', 'the sweep has no settings; give grid { setting [values] } or zip { … }', where));
  const seen = new Map<string, string>();
  for (const { axis, at } of axes) {
    const parsed = parseSweepPath(axis.path);
    if (!parsed.ok) out.push(error('invalid-sweep-path', parsed.message, [...at, 'path']));
    else {
      const key = JSON.stringify(parsed.segments);
      const first = seen.get(key);
      if (first !== undefined)
        out.push(error('duplicate', `the sweep sets '${axis.path}' twice (also as '${first}')`, [...at, 'path']));
      seen.set(key, axis.path);
    }
    if (axis.values.length === 0)
      out.push(
        error('empty-sweep-axis', `'${axis.path}' has no values; give at least one: ${axis.path} [a, b]`, [
          ...at,
          'path',
        ]),
      );
    const shown = new Map<string, number>();
    axis.values.forEach((v, j) => {
      const k = JSON.stringify(v);
      const i = shown.get(k);
      if (i !== undefined)
        out.push(
          error('duplicate-sweep-value', `'${axis.path}' takes the value ${String(v)} twice (values ${i} and ${j})`, [
            ...at,
            'values',
            j,
          ]),
        );
      else shown.set(k, j);
      if (typeof v === 'number' && !Number.isFinite(v))
        out.push(error('out-of-range', `'${axis.path}' takes finite numbers, not ${String(v)}`, [...at, 'values', j]));
    });
  }
  sweep.zip.forEach((group, g) => {
    const n = group[0]?.values.length ?? 0;
    group.forEach((axis, i) => {
      if (axis.values.length !== n)
        out.push(
          error(
            'zip-length-mismatch',
            `the settings of a zip go together value by value, but '${axis.path}' has ${axis.values.length} value${axis.values.length === 1 ? '' : 's'} and '${group[0]!.path}' has ${n}`,
            [...where, 'zip', g, i, 'path'],
            {
              expected: `${n} values`,
              actual: String(axis.values.length),
            },
          ),
        );
    });
  });
  const points = sweepSize(sweep);
  if (points > MAX_SWEEP_POINTS)
    out.push(
      error('too-many-points', `the sweep has ${points} points; at most ${MAX_SWEEP_POINTS}`, where, {
        expected: `at most ${MAX_SWEEP_POINTS}`,
        actual: String(points),
      }),
    );
  return out;
};

const startsWith = (path: SpecPath | undefined, prefix: SpecPath): boolean =>
  path !== undefined && prefix.length <= path.length && prefix.every((p, i) => path[i] === p);

/** The experiment of every arm, base first, with the sweep each runs over. */
const sweptArms = (
  spec: Experiment,
): { name: string; experiment: Experiment; sweep: ReturnType<typeof armSweep> }[] => [
  { name: baseArmName(spec), experiment: { ...spec, compare: [] }, sweep: armSweep(spec, 0) },
  ...spec.compare.map((a, i) => ({ name: a.name, experiment: resolveArm(spec, a), sweep: armSweep(spec, i + 1) })),
];

/**
 * The diagnostics of every (arm, sweep point). One about a swept setting moves to the value in the sweep
 * that caused it; another one keeps its path and names the point. Each value is tried on its own first, so
 * that every setting that does not apply is reported, not only the first of a point.
 */
const checkSweepPoints = (spec: Experiment): Check => {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  const add = (d: Diagnostic): void => {
    const k = key(d);
    if (seen.has(k)) return;
    seen.add(k);
    out.push(d);
  };
  const arms = sweptArms(spec);
  const inArm = (name: string, i: number, own: boolean): string =>
    own ? '' : i > 0 ? ` in compare arm '${name}'` : spec.compare.length > 0 ? ' in the base experiment' : '';
  arms.forEach(({ name, experiment, sweep }, i) => {
    if (sweep === undefined) return;
    const own = sweep.at[0] === 'compare';
    for (const { axis, at } of sweepAxes(sweep.sweep, sweep.at))
      axis.values.forEach((value, j) => {
        const applied = applyPoint(experiment, {
          index: 0,
          label: '',
          settings: [{ path: axis.path, value, at: [...at, 'values', j] }],
        });
        if (!applied.ok)
          add(
            error(
              'sweep-not-applicable',
              `${applied.message}${inArm(name, i, own)}`,
              applied.aboutValue ? [...at, 'values', j] : [...at, 'path'],
            ),
          );
      });
  });
  if (out.length > 0) return out;
  arms.forEach(({ name, experiment, sweep }, i) => {
    if (sweep === undefined) return;
    const own = sweep.at[0] === 'compare';
    for (const point of sweepPoints(sweep.sweep, sweep.at)) {
      const applied = applyPoint(experiment, point);
      if (!applied.ok) continue; // reported above
      for (const d of checkOne(applied.experiment)) {
        const s = applied.changed.findIndex((paths) => paths.some((p) => startsWith(d.path, p)));
        const note = d.note === undefined ? '' : `${d.note}; `;
        if (s >= 0) {
          const setting = point.settings[s]!;
          add({
            ...d,
            path: setting.at,
            note: `${note}${setting.path} = ${String(setting.value)}${inArm(name, i, own)}`,
          });
        } else add({ ...d, note: `${note}at sweep point ${point.label}${inArm(name, i, own)}` });
      }
    }
  });
  return out;
};

/** Every sweep's shape, and the number of runs of the whole plan. */
const checkSweeps = (spec: Experiment): Check => {
  const shapes = [
    ...checkSweepShape(spec, spec.sweep, ['sweep']),
    ...spec.compare.flatMap((a, i) => checkSweepShape(spec, a.sweep, ['compare', i, 'sweep'])),
  ];
  if (shapes.length > 0) return shapes;
  const runs =
    sweptArms(spec).reduce((n, a) => n + (a.sweep === undefined ? 1 : sweepSize(a.sweep.sweep)), 0) * spec.repeat;
  if (runs > MAX_RUNS)
    return [
      error(
        'too-many-runs',
        `the arms, sweep points and repeats make ${runs} runs; at most ${MAX_RUNS}`,
        spec.sweep === undefined ? ['compare'] : ['sweep'],
        { expected: `at most ${MAX_RUNS}`, actual: String(runs) },
      ),
    ];
  return [];
};

/** Every diagnostic of `spec`, base experiment first, then each compare arm in order, then the sweeps, then `too-large`. */
export const diagnose = (spec: Experiment, options: CheckOptions = {}): Check => {
  const ds = [...diagnoseShapes(spec), ...checkSweeps(spec)];
  if (ds.length > 0) return ds;
  const points = checkSweepPoints(spec);
  if (points.length > 0) return points;
  const memory = options.memory;
  if (memory === false) return [];
  if (spec.sweep === undefined && spec.compare.every((a) => a.sweep === undefined))
    return checkMemory(spec, memory ?? {});
  // Every (arm, point)'s own estimate: a sweep over widths changes the memory a run needs.
  const seen = new Set<string>();
  return sweptArms(spec)
    .flatMap(({ experiment, sweep }) =>
      sweep === undefined
        ? checkMemory(experiment, memory ?? {})
        : sweepPoints(sweep.sweep, sweep.at).flatMap((point) => {
            const r = applyPoint(experiment, point);
            return r.ok
              ? checkMemory(r.experiment, memory ?? {}).map((d) => ({
                  ...d,
                  note:
                    d.note === undefined ? `at sweep point ${point.label}` : `${d.note}; at sweep point ${point.label}`,
                }))
              : [];
          }),
    )
    .filter((d) => {
      const k = key(d);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
};

const diagnoseShapes = (spec: Experiment): Check => {
  const base = checkOne(spec);
  if (spec.compare.length > MAX_ARMS)
    return [
      ...base,
      error(
        'too-many-arms',
        `an experiment compares at most ${MAX_ARMS} arms, got ${spec.compare.length}`,
        ['compare'],
        {
          expected: `at most ${MAX_ARMS}`,
          actual: String(spec.compare.length),
        },
      ),
    ];
  const baseKeys = new Set(base.map(key));
  return [
    ...base,
    ...checkArmNames(spec.compare, spec.baseArm),
    ...spec.compare.flatMap((arm, i) => checkArm(spec, baseKeys, arm, i)),
  ];
};

/**
 * `right(spec)` when the experiment passes every check, otherwise `left` with every diagnostic at once.
 */
export const check = (
  spec: Experiment,
  options: CheckOptions = {},
): E.Either<RNEA.ReadonlyNonEmptyArray<Diagnostic>, Experiment> => {
  const diagnostics = diagnose(spec, options);
  return RA.isNonEmpty(diagnostics) ? E.left(diagnostics) : E.right(spec);
};
