/**
 * The diagnostic for a spec feature that is parsed and checked but not yet run: the pipeline reports it
 * (code `not-implemented`) instead of silently ignoring the feature or crashing.
 */
import type { Diagnostic, SpecPath } from './Diagnostic.js';
import { error } from './internal/diagnostic.js';

/** "`feature` is not implemented yet", at `path` (into the spec) when given. */
export const notImplemented = (feature: string, path?: SpecPath): Diagnostic =>
  error('not-implemented', `${feature} is not implemented yet`, path, {
    note: 'the spec is valid; this version of Sprout cannot run it',
  });
