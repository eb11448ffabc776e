/**
 * From an experiment to a runnable pipeline. Compilation is pure: it checks the spec (every diagnostic at
 * once, @sprout/spec's `check`), then what this version of the pipeline can run (`not-implemented`), and
 * returns a `Pipeline` whose `run` does the work.
 */
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { check, type Diagnostic, type Experiment } from '@sprout/spec';
import type { CompileOptions, Pipeline, RunError, RunEvent, RunOptions, RunResult } from './Pipeline.js';
import { unsupported } from './support.js';
import { metricColumnOptions } from './internal/plan.js';
import { runExperiment } from './internal/run-experiment.js';
import { eventStream } from './internal/event-stream.js';
import type { RunHost } from './host.js';

/** Compile `spec` into a pipeline that runs on `options.host`, or return every diagnostic that stops it from running. */
export const compileOn = (
  spec: Experiment,
  options: CompileOptions & { readonly host: RunHost },
): E.Either<readonly Diagnostic[], Pipeline> => {
  const checked = check(spec, options.memory !== undefined ? { memory: options.memory } : {});
  if (E.isLeft(checked)) return checked;
  const problems = unsupported(spec);
  if (problems.length > 0) return E.left(problems);
  const ctx = {
    spec,
    host: options.host,
    baseDir: options.baseDir ?? options.host.cwd(),
    ...metricColumnOptions(spec),
  };
  // runExperiment makes a run directory exactly when it resumes one or writes, as Pipeline['run'] types it.
  const run = ((runOptions: RunOptions = {}): TE.TaskEither<RunError, RunResult> =>
    () =>
      runExperiment(ctx, runOptions)) as Pipeline['run'];
  const events = (runOptions: Omit<RunOptions, 'onEvent'> = {}): AsyncIterable<RunEvent> => {
    // Leaving the loop early stops the run; a caller's own signal still works.
    const controller = new AbortController();
    runOptions.signal?.addEventListener('abort', () => controller.abort(), { once: true });
    if (runOptions.signal?.aborted === true) controller.abort();
    return eventStream(
      (onEvent) => runExperiment(ctx, { ...runOptions, onEvent, signal: controller.signal }),
      () => controller.abort(),
    );
  };
  return E.right({ spec, run, events });
};
