// Public API of @sprout/dsl: the Sprout language from text to spec and back.
export {
  parseExperiment,
  parseSyntax,
  checkText,
  checkBytes,
  decodeText,
  locate,
  MAX_BRACE_DEPTH,
  MAX_DIAGNOSTICS,
  MAX_SOURCE_LENGTH,
  MAX_TOKENS,
} from './parse.js';
export type { Diagnostics, Parsed, Syntax } from './parse.js';
export { rangeOf, pathKey } from './SourceMap.js';
export type { SourceMap } from './SourceMap.js';
export { renderDiagnostic, renderDiagnostics, RENDER_WIDTH } from './render.js';
export { print } from './printer.js';
export { format } from './format.js';
export { lex } from './lexer.js';
export type { LexResult } from './lexer.js';
export { parseTokens, RULE_NAMES, MAX_SYNTAX_ERRORS } from './parser.js';
export type { ParseResult, ParseTokensOptions } from './parser.js';
export { toAst } from './to-ast.js';
export { toSpec, EXPERIMENT_STATEMENTS, LAYER_STATEMENTS, SETTINGS } from './to-spec.js';
export type * as Ast from './Ast.js';
