/** Numeric ranges and the diagnostic for a value outside one ("epochs must be an integer in [1, 1000000], got 0"). */
import type { Diagnostic, SpecPath } from '../Diagnostic.js';
import { error, show } from './diagnostic.js';

export interface Range {
  readonly min: number;
  readonly max: number;
  /** Whether `min` itself is excluded. @default false */
  readonly minOpen?: boolean;
  /** Whether `max` itself is excluded. @default false */
  readonly maxOpen?: boolean;
  /** Whether the value must be an integer. @default false */
  readonly integer?: boolean;
}

export const positiveInt = (max: number): Range => ({ min: 1, max, integer: true });
export const nonNegativeInt = (max: number): Range => ({ min: 0, max, integer: true });
/** A finite number > 0. */
export const positive: Range = { min: 0, max: Infinity, minOpen: true, maxOpen: true };
/** A finite number ≥ 0. */
export const nonNegative: Range = { min: 0, max: Infinity, maxOpen: true };
/** The open unit interval (0, 1). */
export const openUnit: Range = { min: 0, max: 1, minOpen: true, maxOpen: true };
/** [0, 1): betas, decays, dropout rates. */
export const halfOpenUnit: Range = { min: 0, max: 1, maxOpen: true };
/** (0, 1]. */
export const unitExcludingZero: Range = { min: 0, max: 1, minOpen: true };

const fmt = (x: number): string =>
  Number.isInteger(x) && Math.abs(x) >= 1e5 ? x.toLocaleString('en-US').replace(/,/g, '_') : String(x);

/** The range in words: "an integer in [1, 100_000]", "a finite number > 0". */
const describe = (r: Range): string => {
  const kind = r.integer ? 'an integer' : 'a finite number';
  if (r.max === Infinity) return `${kind} ${r.minOpen ? '>' : '≥'} ${fmt(r.min)}`;
  return `${kind} in ${r.minOpen ? '(' : '['}${fmt(r.min)}, ${fmt(r.max)}${r.maxOpen ? ')' : ']'}`;
};

export const inRange = (value: unknown, r: Range): boolean =>
  typeof value === 'number' &&
  Number.isFinite(value) &&
  (!r.integer || Number.isInteger(value)) &&
  (r.minOpen ? value > r.min : value >= r.min) &&
  (r.maxOpen ? value < r.max : value <= r.max);

/**
 * No diagnostic when `value` lies in `r`; otherwise one with `code` saying "`what` must be … , got …".
 */
export const checkRange = (
  value: unknown,
  r: Range,
  path: SpecPath,
  what: string,
  code = 'out-of-range',
): readonly Diagnostic[] =>
  inRange(value, r)
    ? []
    : [
        error(code, `${what} must be ${describe(r)}, got ${show(value)}`, path, {
          expected: describe(r),
          actual: show(value),
        }),
      ];
