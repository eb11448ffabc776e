/**
 * The one shape every Sprout diagnostic has, from the lexer to the semantic checks (after vfile-message).
 * Rendering to text is a separate pure function in `@sprout/dsl`.
 */

/** A position in source text: 1-based line and column, 0-based offset. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
  readonly offset: number;
}

/** A span of source text; `end` is exclusive. */
export interface SourceRange {
  readonly start: SourcePosition;
  readonly end: SourcePosition;
}

/** Path of a value inside a spec, e.g. `['network', 'layers', 2, 'activation']`. */
export type SpecPath = readonly (string | number)[];

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  /** Stable kebab-case code, e.g. `unknown-activation`. */
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  /** Where in the spec the problem is (semantic checks). */
  readonly path?: SpecPath;
  /** Where in the source text the problem is (when the spec came from text). */
  readonly range?: SourceRange;
  readonly expected?: string;
  readonly actual?: string;
  readonly note?: string;
}
