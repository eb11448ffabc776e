/**
 * A compiled experiment and what running it produces: the typed events that reporters consume, the
 * errors a run can end with, and the result of a finished run. `compile` (compile.ts) builds a
 * `Pipeline` from a checked spec; `pipeline.run` trains every arm over every repeat.
 */
import type { TaskEither } from 'fp-ts/lib/TaskEither.js';
import type { Experiment, MemoryCheckOptions, SweepValue } from '@sprout/spec';
import type { InsertionEvent } from '@sprout/sensitivity';
import type { WeightSnapshot } from '@sprout/model';
import type { BackendChoice, RunHost } from './host.js';

export type { BackendChoice } from './host.js';

/** Name of the base experiment's arm in events, metrics and the summary, unless the spec's `baseArm` names it. */
export const BASE_ARM = 'base';

export interface RunOptions {
  /**
   * The run directory: created, or used when it exists and is empty; a folder that exists and holds files
   * is refused (`output-error`). Without it, the default folder gets a suffix `-2`, `-3`, … if it exists.
   * @default `<runsDir>/<experiment>/<UTC time>`
   */
  readonly out?: string;
  /** Root of the default run directories. @default 'runs' */
  readonly runsDir?: string;
  /** Write the outputs (spec.json, metrics.csv, events.jsonl, summary.json, curves.svg, model/). @default true */
  readonly write?: boolean;
  /**
   * Initialise this backend before training. When absent: the backend the caller already set (or started by
   * using tensors) is kept; if TensorFlow.js has started none yet, `auto` is used, as by `sprout run`.
   * @default 'auto' when no backend is started yet, else the current one
   */
  readonly backend?: BackendChoice;
  /** Emit a `step` event every this many steps (each one reads the loss from the backend). @default 0 (none) */
  readonly stepEvery?: number;
  /** Called with every event, in order, before `run` resolves. @default undefined */
  readonly onEvent?: (event: RunEvent) => void;
  /**
   * Called about every 100 ms inside a long epoch with the steps done so far (for a progress display; not an
   * event, so not written to events.jsonl). @default undefined
   */
  readonly onProgress?: (progress: StepProgress) => void;
  /** Save each run's final model in the TensorFlow.js layers format. @default true */
  readonly saveModel?: boolean;
  /**
   * Write the plots and final.csv that the spec's `report` asks for when the run ends. A study's runs leave
   * them out: the study draws them once over all its runs. @default true
   */
  readonly report?: boolean;
  /**
   * Flush spec.json, summary.json and the report's files to the disk (fsync) when they are written, so that
   * they survive a power failure and not only a killed process. A study's runs skip it: a run whose
   * summary.json is lost continues from its checkpoint when the study is resumed. @default true
   */
  readonly durable?: boolean;
  /**
   * Stop the run: the current step finishes, then the run ends with an `interrupted` error (outputs so far
   * are kept, as for any failure). @default undefined
   */
  readonly signal?: AbortSignal;
  /**
   * Continue the run in this run directory (written by an earlier `run` of the same spec): runs that ended
   * are skipped, the interrupted one continues from its checkpoint, later ones start; metrics.csv and
   * events.jsonl are appended to (rows after the checkpoint are dropped first). `out` is ignored. Refused
   * (`checkpoint-error`) when the spec differs from the run's spec.json record, or a checkpoint fails its
   * checksum with no sound one before it, or belongs to another run, arm or seed.
   * @default undefined
   */
  readonly resume?: string;
  /**
   * A warm start: the weights (from `loadWarmStart`, whose `network` the spec must train) every run of an
   * arm with the spec's own network starts from, instead of a seeded initialisation; arms with a network of
   * their own start as usual. The weights are saved to `initial/` in the run directory, and `warmStart` is
   * recorded in spec.json's `run`, so a resume finds them there. @default undefined
   */
  readonly initialWeights?: readonly WeightSnapshot[];
  /** Where `initialWeights` came from, for spec.json's record. @default undefined */
  readonly warmStart?: string;
  /**
   * With `resume`: the spec may differ from the run's record in its training epochs (more of them, for the
   * base and any arm): every run, finished ones included, continues from its last checkpoint to the new
   * epochs, and spec.json becomes the extended spec (its `run.extended` lists what it was extended from).
   * @default false
   */
  readonly extend?: boolean;
  /**
   * With `resume`: take over the run directory's lock even when its process seems alive (a lock left by a
   * process whose pid the system gave to another program, where that cannot be told apart). @default false
   */
  readonly forceUnlock?: boolean;
  /**
   * Write checkpoints of every run (arm × seed) to `checkpoints/<arm>/seed-<s>.ckpt` (only with `write`): at
   * the end of an epoch per `checkpointInterval`, and always after a growth decision, after the last epoch
   * and when interrupted. @default true
   */
  readonly checkpoints?: boolean;
  /**
   * Seconds between two per-epoch checkpoints of a run: an epoch ends with a checkpoint when this much time
   * has passed since the last one, and always after an insertion, after the last epoch and when interrupted.
   * A killed run loses at most one epoch or this many seconds of training, whichever is more. 0 checkpoints
   * every epoch (which can triple the wall time of a tiny net whose epochs take a millisecond). @default 1
   */
  readonly checkpointInterval?: number;
  /**
   * Where the steps of a run are computed. `auto`: runs of dense/residual nets (relu, tanh, sigmoid, linear;
   * no batch norm, no active dropout) trained by SGD, momentum or Adam with a schedule and the Euclidean
   * metric use @sprout/model's host net where it pays (the closed-form back-propagation in plain loops,
   * large products through @sprout/native's OpenBLAS gemm; no TensorFlow.js dispatch per step): always
   * when @sprout/native's gemm is built, else only for nets of at most HOST_LOOPS_MAX_MULTIPLY_ADDS
   * (1,000) multiply-adds per example, above which plain loops lose to TensorFlow.js' kernels. Every other
   * run uses TensorFlow.js; the `run-start` event's `engine` says which a run uses. `tfjs`: TensorFlow.js
   * for every step. Results agree to float32 rounding, not bit for bit. @default 'auto'
   */
  readonly engine?: 'auto' | 'tfjs';
  /**
   * Threads of @sprout/native's kernels (OpenBLAS products, convolution, pooling and large elementwise loops),
   * for this process from the run's start on. With one thread a run is deterministic: the same inputs give the
   * same bits. With more, the addon's own loops still give the same bits as with one (their work is cut by
   * size, not by thread count), but OpenBLAS's products are cut by thread count and differ in the last bits,
   * so a run is repeatable at a fixed count but not bit-identical to a one-thread run. Recorded as `threads`
   * in spec.json's run record and the `started` event. @default unchanged: SPROUT_NATIVE_THREADS, else the
   * core count
   */
  readonly threads?: number;
}

/** How far a run is inside an epoch (`RunOptions.onProgress`). */
export interface StepProgress extends RunId {
  /** The epoch under way, from 1. */
  readonly epoch: number;
  /** Steps of the epoch done, and in all. */
  readonly step: number;
  readonly steps: number;
  /** Training examples of the epoch's steps done (a resumed epoch counts from where it resumed). */
  readonly examples: number;
  /**
   * Wall seconds those steps took, measured by the run (a display elsewhere, which hears of them late,
   * divides `examples` by it for the pace).
   */
  readonly seconds: number;
}

/** Which run of which arm an event belongs to. */
export interface RunId {
  readonly arm: string;
  /** 0-based repeat index; the seed is `spec.seed + repeat`. */
  readonly repeat: number;
  readonly seed: number;
}

/** State of an adaptive step-size controller (ALGORITHMS.md §2), logged per epoch when one runs. */
export interface StepSizeState {
  readonly L: number;
  readonly rho: number;
  readonly a: number;
}

/** The metrics of one epoch; `epoch` counts from 1. */
export interface EpochMetrics {
  readonly epoch: number;
  /** Mean training loss over the epoch's steps, weighted by batch size. */
  readonly trainLoss: number;
  readonly testLoss: number;
  /**
   * Fraction of misclassified test examples (argmax of the output against the label), in [0, 1]: the
   * `test_error_fraction` column of metrics.csv; tables, the terminal and plots show it as a percentage.
   */
  readonly testError: number;
  /** Mean loss on the validation set held out of the training data (`validation` in the data), when there is one. */
  readonly validationLoss?: number;
  /** Fraction of misclassified validation examples, when there is a validation set. */
  readonly validationError?: number;
  /** Step size (learning rate) used in the epoch's last step. */
  readonly stepSize: number;
  readonly parameterCount: number;
  /** Wall time since the start of this run, in seconds. */
  readonly seconds: number;
  readonly stepSizeState?: StepSizeState;
}

export type RunEvent =
  | {
      readonly _tag: 'started';
      readonly experiment: string;
      readonly outDir: string | undefined;
      readonly backend: string;
      /** The backend package's one-line note (which backend, why it fell back), when `run` initialised it. */
      readonly backendMessage?: string;
      /** Where a study's runs train when not in this process: `2 worker processes`, `queue redis://host:port`. */
      readonly workers?: string;
      /** Threads of the native kernels (`RunOptions.threads`; 1 without @sprout/native's addon). */
      readonly threads: number;
      readonly arms: readonly string[];
      readonly repeats: number;
      readonly epochs: number;
      /** Number of (arm, repeat) runs. */
      readonly runs: number;
      /** Epochs summed over all runs (arms may train for different numbers of epochs). */
      readonly totalEpochs: number;
    }
  | (RunId & {
      readonly _tag: 'run-start';
      /** 0-based index of this run among all runs. */
      readonly index: number;
      readonly epochs: number;
      readonly stepsPerEpoch: number;
      readonly parameterCount: number;
      /** Where the run's steps are computed from its start: @sprout/model's host net or TensorFlow.js (see `RunOptions.engine`). */
      readonly engine: 'host' | 'tfjs';
      /** A resumed run: the epochs and steps done before (the checkpoint it continues from). */
      readonly resumedAt?: { readonly epoch: number; readonly step: number };
    })
  | (RunId & { readonly _tag: 'step'; readonly epoch: number; readonly step: number; readonly loss: number })
  | (RunId & { readonly _tag: 'epoch-end' } & EpochMetrics)
  /**
   * A SensLI growth attempt after `epoch` completed epochs (@sprout/sensitivity's record): every position's
   * sensitivity, the norm and rule, the chosen position (`null` when the rule declined), the parameter
   * count and the step size before and after.
   */
  | (RunId &
      InsertionEvent & {
        readonly stepBefore: number;
        readonly stepAfter: number;
        /** Wall seconds of the sensitivity pass with the selection and the insertion (growBySensitivity). */
        readonly seconds: number;
        /** When a layer was inserted: the layers before and after (described) and the new one's index. */
        readonly layers?: {
          readonly before: readonly string[];
          readonly after: readonly string[];
          readonly inserted: number;
        };
      })
  /**
   * Early stopping (`train { patience … }`) ended the run after `epoch` epochs: `monitor` had not improved on
   * its best value `best` (reached after `bestEpoch` epochs) for `patience` epochs.
   */
  | (RunId & {
      readonly _tag: 'early-stop';
      readonly epoch: number;
      readonly monitor: string;
      readonly best: number;
      readonly bestEpoch: number;
      readonly patience: number;
    })
  /**
   * A checkpoint of the run was written (`RunOptions.checkpoints`): the run can continue from here with
   * `resume`. `epoch` epochs and `step` steps of the next one were done (as in `run-start`'s `resumedAt`);
   * `file` is the checkpoint's path inside the run directory. `reason`: `interval` (an epoch's end, per
   * `checkpointInterval`), `growth` (after a growth decision), `early-stop`, `last-epoch`, `interrupted`.
   */
  | (RunId & {
      readonly _tag: 'checkpoint';
      readonly epoch: number;
      readonly step: number;
      readonly file: string;
      readonly reason: 'interval' | 'growth' | 'early-stop' | 'last-epoch' | 'interrupted';
    })
  | (RunId & { readonly _tag: 'run-end'; readonly final: EpochMetrics })
  /** Something the user should know that does not stop the run (e.g. a model that could not be exported). */
  | { readonly _tag: 'warning'; readonly message: string }
  | { readonly _tag: 'finished'; readonly result: RunResult }
  | { readonly _tag: 'failed'; readonly error: RunError };

export type RunEventTag = RunEvent['_tag'];

/** Mean, sample standard deviation (n − 1 in the denominator; 0 for a single run), least and greatest. */
export interface Spread {
  readonly mean: number;
  readonly std: number;
  readonly min: number;
  readonly max: number;
}

/** The summary of one (arm, sweep point) over its seeds. */
export interface ArmSummary {
  /** The (arm, point)'s name, as in metrics.csv: the arm, then the point's settings (`base [lr=0.1]`). */
  readonly arm: string;
  /** The compare arm (or `base`) it belongs to, when the experiment has a sweep. */
  readonly group?: string;
  /** The sweep point's settings by path as written, when the experiment has a sweep. */
  readonly point?: Readonly<Record<string, SweepValue>>;
  readonly runs: readonly (RunId & { readonly final: EpochMetrics })[];
  /** Seeds whose runs finished (the spreads are over these). */
  readonly finished: number;
  /** The best (arm, point) of the experiment: lowest mean final test error, then test loss (only among two or more). */
  readonly best: boolean;
  /** Mean and spread over the repeats of every final metric. */
  readonly final: {
    readonly trainLoss: Spread;
    readonly testLoss: Spread;
    readonly testError: Spread;
    readonly parameterCount: Spread;
    readonly seconds: Spread;
    /** Over the runs with a validation set, when every run has one. */
    readonly validationLoss?: Spread;
    readonly validationError?: Spread;
    /** Epochs trained (fewer than the spec's when early stopping ended a run). */
    readonly epochs: Spread;
  };
}

/**
 * What a finished run returns. `OutDir` is the type of `outDir`: `string` for a run that writes its outputs
 * (`pipeline.run()`, `run({ out })`, anything without `write: false`), `undefined` for `run({ write: false })`,
 * and either when the options' `write` is only known to be a boolean (as in the `finished` event).
 */
export interface RunResult<OutDir extends string | undefined = string | undefined> {
  readonly experiment: string;
  readonly backend: string;
  /**
   * The run directory that holds the outputs (absolute or as given by `out`/`runsDir`; on resume, the
   * resumed directory). A run with `write: false` makes no directory, so it has none: `undefined`.
   */
  readonly outDir: OutDir;
  readonly arms: readonly ArmSummary[];
  /** Wall time of the whole experiment in seconds. */
  readonly seconds: number;
}

/** Why a run stopped. Outputs written before the failure are kept. */
export type RunError =
  | (RunId & {
      readonly _tag: 'non-finite-loss';
      readonly epoch: number;
      /** 1-based step within the epoch at which the training loss first was NaN or infinite. */
      readonly step: number;
      readonly message: string;
    })
  /**
   * The optimizer could not take step `step` of epoch `epoch` (both 1-based): an Armijo line search that found
   * no step with `on_line_search_failure error`, an inner product that cannot be built, … (`message` says which).
   */
  | (RunId & { readonly _tag: 'step-failed'; readonly epoch: number; readonly step: number; readonly message: string })
  /** `options.signal` was aborted; `epoch` and `step` (1-based) are the last step that ran. */
  | (RunId & { readonly _tag: 'interrupted'; readonly epoch: number; readonly step: number; readonly message: string })
  /** The data cannot be loaded; `path` is where the arm's `data` is written in the spec. */
  | { readonly _tag: 'data-error'; readonly message: string; readonly path?: readonly (string | number)[] }
  | { readonly _tag: 'backend-error'; readonly message: string }
  /**
   * The outputs cannot be written: at the start (an unwritable folder), or mid-run (a full disk, a folder
   * made read-only); `code` is the system error (ENOSPC, EROFS, …) where there is one.
   */
  | { readonly _tag: 'output-error'; readonly path: string; readonly message: string; readonly code?: string }
  /**
   * `resume` refused a checkpoint: it fails its checksum (and no earlier one is sound), belongs to another
   * run, arm or seed, stands at an epoch outside the spec, or the run's spec.json changed since it started.
   */
  | { readonly _tag: 'checkpoint-error'; readonly path: string; readonly message: string }
  /** The backend ran out of memory (the wasm heap's 4 GiB, or an allocation the machine refused). */
  | { readonly _tag: 'out-of-memory'; readonly message: string }
  | { readonly _tag: 'internal-error'; readonly message: string; readonly stack?: string };

/**
 * The type of `RunResult.outDir` for a run with options `O`: a directory when the run resumes one or writes
 * (the default), `undefined` with `write: false`, either when `write` is only known to be a boolean.
 */
type OutDirOf<O extends RunOptions> = O extends { readonly resume: string }
  ? string
  : O extends { readonly write: false }
    ? undefined
    : O extends { readonly write: true }
      ? string
      : 'write' extends keyof O
        ? string | undefined
        : string;

export interface Pipeline {
  /** The checked experiment this pipeline runs. */
  readonly spec: Experiment;
  /**
   * Train every arm over every repeat; events go to `options.onEvent`. The result's `outDir` is typed a
   * `string` unless the options say `write: false` (see `RunResult`).
   */
  readonly run: {
    (): TaskEither<RunError, RunResult<string>>;
    <O extends RunOptions>(options?: O): TaskEither<RunError, RunResult<OutDirOf<O>>>;
  };
  /**
   * The same run as an async iterator of its events, ending with `finished` or `failed`.
   * Events are buffered until the consumer pulls them; training does not wait for the consumer. Leaving the
   * loop early (`break`) stops the run after its current step.
   */
  readonly events: (options?: Omit<RunOptions, 'onEvent'>) => AsyncIterable<RunEvent>;
}

export interface CompileOptions {
  /** Directory that relative data paths (csv, idx) are resolved against. @default the host's working directory */
  readonly baseDir?: string;
  /**
   * Where the pipeline runs: its files, data loader and backend. Required by `@sprout/pipeline/core`'s
   * `compile` (`memoryHost()` in a browser). @default nodeHost (in `@sprout/pipeline`)
   */
  readonly host?: RunHost;
  /**
   * The memory check of `check` (its limit, and where the limit comes from), or `false` to skip it.
   * @default { limitBytes: DEFAULT_MEMORY_LIMIT } (8 GiB; the CLI passes a share of the machine's memory)
   */
  readonly memory?: MemoryCheckOptions | false;
}
