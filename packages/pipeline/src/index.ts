// Public API of @sprout/pipeline (Node): compile a spec, run it, consume its events, reload its saved model.
// The same pipeline without Node modules, on a host of one's own: @sprout/pipeline/core.
import type * as E from 'fp-ts/lib/Either.js';
import type { Diagnostic, Experiment } from '@sprout/spec';
import { compileOn } from './compile.js';
import { nodeHost } from './node-host.js';
import type { CompileOptions, Pipeline } from './Pipeline.js';

/** Compile `spec` into a pipeline (on `options.host`, by default this Node process), or every diagnostic that stops it. */
export const compile = (spec: Experiment, options: CompileOptions = {}): E.Either<readonly Diagnostic[], Pipeline> =>
  compileOn(spec, { ...options, host: options.host ?? nodeHost });
export { BASE_ARM } from './Pipeline.js';
export type {
  ArmSummary,
  BackendChoice,
  CompileOptions,
  EpochMetrics,
  Pipeline,
  RunError,
  RunEvent,
  RunEventTag,
  RunId,
  RunOptions,
  RunResult,
  Spread,
  StepProgress,
  StepSizeState,
} from './Pipeline.js';
export { modelFiles } from './model-files.js';
export type { WarmStart } from './warm-start.js';
export { loadWarmStart } from './warm-start.js';
export { addInsertionEvents, addMetricRows, metricsHeader, reportRuns, runRecords } from './report.js';
export { csvField, csvFields } from './csv.js';
export type { ReportError, ReportOptions, ReportResult, RunRecords } from './report.js';
export { nodeHost, nodeFiles } from './node-host.js';
export { memoryHost, memoryFiles, type MemoryHostOptions, type MemoryFiles } from './memory-host.js';
export type { LineSink, LockResult, RunFiles, RunHost } from './host.js';
