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
import { MAX_ARMS } from './limits.js';
import { checkMemory, type MemoryCheckOptions } from './memory.js';
import type { Arm, Experiment } from './Spec.js';

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

const checkArmNames = (arms: readonly Arm[]): Check => {
  const seen = new Map<string, number>();
  return arms.flatMap((arm, i): Diagnostic[] => {
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
    seen.set(arm.name, i);
    return [];
  });
};

/** Every diagnostic of `spec`, base experiment first, then each compare arm in order, then `too-large`. */
export const diagnose = (spec: Experiment, options: CheckOptions = {}): Check => {
  const ds = diagnoseShapes(spec);
  if (options.memory === false || ds.length > 0) return ds;
  return [...ds, ...checkMemory(spec, options.memory ?? {})];
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
    ...checkArmNames(spec.compare),
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
