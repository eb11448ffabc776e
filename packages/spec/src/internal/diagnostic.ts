/** Constructors of the diagnostics this package reports; every one is an error with a spec path. */
import type { Diagnostic, SpecPath } from '../Diagnostic.js';
import { compact } from './compact.js';

export interface Details {
  readonly expected?: string;
  readonly actual?: string;
  readonly note?: string;
}

export const error = (code: string, message: string, path: SpecPath | undefined, details: Details = {}): Diagnostic =>
  compact({ code, severity: 'error' as const, message, path, ...details });

/** How a value is shown in a message: strings quoted, long ones cut. */
export const show = (value: unknown): string => {
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`;
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return String(value);
};
