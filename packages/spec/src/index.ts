// Public API of @sprout/spec. (Being filled in: builders, defaults and checks.)
export * from './Spec.js';
export type { Diagnostic, Position, SourceRange, SpecPath, Severity } from './Diagnostic.js';
