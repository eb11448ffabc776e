// @sprout/pipeline/core: the same pipeline without Node modules, for browsers and Web Workers. It runs on a
// RunHost given to `compile` (`memoryHost()`: run directories in memory, the TensorFlow.js backend already
// set); @sprout/pipeline is this with `nodeHost` (files on disk, the native addon, tfjs-node).
import type * as E from 'fp-ts/lib/Either.js';
import type { Diagnostic, Experiment } from '@sprout/spec';
import { compileOn } from './compile.js';
import type { CompileOptions, Pipeline } from './Pipeline.js';
import type { RunHost } from './host.js';

/** Compile `spec` into a pipeline that runs on `options.host`, or every diagnostic that stops it. */
export const compile = (
  spec: Experiment,
  options: CompileOptions & { readonly host: RunHost },
): E.Either<readonly Diagnostic[], Pipeline> => compileOn(spec, options);
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
export { memoryHost, memoryFiles, type MemoryHostOptions, type MemoryFiles } from './memory-host.js';
export type { LineSink, LockResult, RunFiles, RunHost } from './host.js';
export { unsupported } from './support.js';
export { latestCheckpoint, type CheckpointSnapshot } from './checkpoint-snapshot.js';
