// Public API of @sprout/pipeline: compile a spec, run it, consume its events, reload its saved model.
export { compile } from './compile.js';
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
  StepSizeState,
} from './Pipeline.js';
export { modelFiles } from './internal/model-io.js';
export { report } from './report.js';
export type { ReportError, ReportOptions, ReportResult } from './report.js';
