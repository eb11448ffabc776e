/**
 * One training run: one arm of the experiment with one seed, in named steps (train/):
 *  - where it starts (restore.ts): the seeded initialisation, a warm start, or a checkpoint;
 *  - its updater and engine (updater.ts): a Euclidean rule or the preconditioned optimizer, on the host
 *    engine (host-engine.ts) where it pays, else on TensorFlow.js kernels;
 *  - each epoch (epoch.ts): seeded batches, a step on each, the epoch's metrics;
 *  - checkpoints (checkpoint-content.ts): at the end of an epoch per `checkpointInterval`, after every growth
 *    decision, after the last epoch and when interrupted;
 *  - SensLI growth between epochs (grow.ts).
 * The host engine's values are ahead of the net's variables while it steps; they are written back before
 * anything reads them (a checkpoint, the sensitivity pass, the end of the run).
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Net, WeightSnapshot } from '@sprout/model';
import { isSchedule, learningRateAt } from '@sprout/step-size';
import type { ArmPlan } from './plan.js';
import type { EpochMetrics, RunError, RunEvent, RunId, StepProgress } from '../Pipeline.js';
import { batches, disposeNet, parameterCount, type DatasetTensors } from './deps.js';
import type { CheckpointContent, StoredTensor } from './checkpoint.js';
import { earlyStopState } from './early-stop.js';
import { startingNet, startingTrace, type Resume, type StepTrace } from './train/restore.js';
import { chooseEngine, chooseUpdater, disposeUpdater, type Updater, type UpdaterSettings } from './train/updater.js';
import { augmentation, epochMetrics, epochSums, eventLoopTurns, runEpoch } from './train/epoch.js';
import { checkpointContent } from './train/checkpoint-content.js';
import { growAfterEpoch, growthDue } from './train/grow.js';
import { nonFinite } from './train/errors.js';

/** How often (ms) a long epoch lets the event loop run, so that a stop signal is seen within a step. */
const YIELD_EVERY_MS = 100;

export interface TrainContext {
  readonly id: RunId;
  readonly index: number;
  readonly arm: ArmPlan;
  readonly data: DatasetTensors;
  readonly stepEvery: number;
  readonly emit: (event: RunEvent) => void;
  readonly signal?: AbortSignal;
  /**
   * Write a checkpoint: at the end of an epoch per `checkpointInterval`, and always after a growth decision,
   * after the last epoch and when interrupted. Returns the file written, relative to the run directory.
   */
  readonly checkpoint?: (content: CheckpointContent, tensors: readonly StoredTensor[]) => string;
  /** Seconds between per-epoch checkpoints (see `RunOptions.checkpointInterval`). */
  readonly checkpointInterval: number;
  /** See `RunOptions.engine`. */
  readonly engine: 'auto' | 'tfjs';
  /** Start from these weights (a warm start) instead of the seeded initialisation. */
  readonly initialWeights?: readonly WeightSnapshot[];
  /** See `RunOptions.onProgress`. */
  readonly progress?: (p: StepProgress) => void;
  /** Continue from this checkpoint instead of starting afresh (its `run-start` event says `resumedAt`). */
  readonly resumeFrom?: Resume;
}

export interface TrainOutcome {
  readonly net: Net;
  readonly final: EpochMetrics;
}

/** The warning of a resumed run whose running statistics the checkpoint does not hold, if it has any. */
const resumeWarning = (id: RunId, arm: ArmPlan): string | undefined => {
  const { step, metric } = arm.optimizer;
  // The running statistics of data-based metrics and of the `ema` variance are not in the checkpoint.
  const distanceBased = step._tag === 'dog' || step._tag === 'prodigy';
  const ema = step._tag === 'adaptive' && step.variance === 'ema';
  if (!(metric.domain._tag === 'data' || metric.codomain._tag === 'data' || ema || distanceBased)) return undefined;
  const what = distanceBased ? `'${step._tag}' step (x₀ and its sums)` : ema ? "'ema' variance" : 'data-based metric';
  return `arm '${id.arm}', seed ${id.seed}: resumed without the running statistics of its ${what} (they start afresh), so its metrics may differ from an uninterrupted run's`;
};

/** Train one run. On failure the net is disposed and the error names the epoch and step. */
export const trainRun = async (ctx: TrainContext): Promise<E.Either<RunError, TrainOutcome>> => {
  const { id, arm, data: d, emit } = ctx;
  const spec = arm.optimizer;
  const epochs = arm.train.epochs;
  const stepsPerEpoch = batches(d.trainCount, arm.train.batch, id.seed, 0, { shuffle: false }).length;
  const resume = ctx.resumeFrom;

  const started = startingNet(id, arm, { resume, initialWeights: ctx.initialWeights });
  if (E.isLeft(started)) return started;
  let net = started.right;
  // Step size after insertions: lr = lrFactor × last lr (ALGORITHMS.md §3), as a scale on the schedule.
  let settings: UpdaterSettings = {
    optimizer: spec,
    lrScale: resume?.manifest.lrScale ?? 1,
    totalEpochs: epochs,
    datasetSize: d.trainCount,
    hostEngine: ctx.engine === 'auto',
  };
  const chosen = chooseUpdater(
    net,
    settings,
    resume === undefined
      ? undefined
      : { rule: resume.manifest.rule, pre: resume.manifest.pre, tensors: resume.tensors },
  );
  if (E.isLeft(chosen)) {
    disposeNet(net);
    return chosen;
  }
  let updater: Updater = chosen.right;
  const host = chooseEngine({
    updater: () => updater,
    settings,
    arm: { loss: arm.loss, augmented: arm.data.augment !== undefined },
    data: d,
  });
  const augmentFor = augmentation(arm, d, id.seed, stepsPerEpoch);

  const start = performance.now() - (resume?.manifest.seconds ?? 0) * 1000;
  let count = parameterCount(net);
  let insertions = resume?.manifest.insertions ?? 0;
  let trace: StepTrace = startingTrace(
    resume,
    isSchedule(spec.step) ? learningRateAt(spec.step, 0, epochs) : Number.NaN,
  );
  host.prepare(net);
  emit({
    _tag: 'run-start',
    ...id,
    index: ctx.index,
    epochs,
    stepsPerEpoch,
    parameterCount: count,
    engine: host.active() ? 'host' : 'tfjs',
    ...(resume === undefined ? {} : { resumedAt: { epoch: resume.manifest.epoch, step: resume.manifest.step } }),
  });
  const warning = resume === undefined ? undefined : resumeWarning(id, arm);
  if (warning !== undefined) emit({ _tag: 'warning', message: warning });
  const history: EpochMetrics[] = [...(resume?.manifest.metrics ?? [])];
  let last: EpochMetrics | undefined = history.at(-1);
  let lastCheckpointAt = Number.NEGATIVE_INFINITY;
  const turns = eventLoopTurns(YIELD_EVERY_MS);

  /** Checkpoint after `epoch` epochs and `step` steps of the next one (with their batch losses), and say so. */
  const saveCheckpoint = (
    reason: Extract<RunEvent, { _tag: 'checkpoint' }>['reason'],
    epoch: number,
    step: number,
    partialLosses: readonly number[],
    partialSizes: readonly number[],
  ) => {
    if (ctx.checkpoint === undefined) return;
    host.sync(net);
    const { content, tensors } = checkpointContent(
      id,
      { epoch, step, partialLosses, partialSizes, seconds: (performance.now() - start) / 1000 },
      { net, lrScale: settings.lrScale, insertions, trace, history },
      updater,
      host.active(),
    );
    const file = ctx.checkpoint(content, tensors);
    emit({ _tag: 'checkpoint', ...id, epoch, step, file, reason });
  };
  const failed = (error: RunError): E.Either<RunError, TrainOutcome> => {
    disposeNet(net);
    return E.left(error);
  };
  // Early stopping decides from the metrics alone (early-stop.ts): a run resumed after its stop ends at once.
  const earlyStop = arm.train.stop;
  let stopped = earlyStop !== undefined && history.length > 0 && earlyStopState(history, earlyStop).stop;
  try {
    for (let epoch = resume?.manifest.epoch ?? 0; epoch < epochs && !stopped; epoch++) {
      const lr = isSchedule(spec.step) ? learningRateAt(spec.step, epoch, epochs) * settings.lrScale : Number.NaN;
      const resumedInside = resume !== undefined && epoch === resume.manifest.epoch && resume.manifest.step > 0;
      const steps = await runEpoch(
        {
          id,
          arm,
          data: d,
          net,
          updater,
          host,
          epoch,
          lr,
          stepsPerEpoch,
          trace,
          augmentFor,
          ...(resumedInside
            ? {
                taken: {
                  steps: resume.manifest.step,
                  losses: resume.manifest.partialLosses,
                  sizes: resume.manifest.partialSizes,
                },
              }
            : {}),
        },
        { emit, stepEvery: ctx.stepEvery, signal: ctx.signal, progress: ctx.progress, turns },
      );
      if (steps._tag === 'failed') return failed(steps.error);
      trace = steps.trace;
      if (steps._tag === 'interrupted') {
        // A checkpoint inside the epoch: nothing of the steps taken is lost.
        saveCheckpoint('interrupted', epoch, steps.step, steps.losses, steps.sizes);
        return failed({
          _tag: 'interrupted',
          ...id,
          epoch: epoch + 1,
          step: steps.step,
          message: `interrupted after epoch ${epoch + 1}, step ${steps.step} (arm '${id.arm}', seed ${id.seed})`,
        });
      }
      const metrics = epochMetrics({
        epoch: epoch + 1,
        sums: await epochSums(net, arm, d, host, steps),
        sizes: steps.sizes,
        trainCount: d.trainCount,
        testCount: d.testCount,
        validationCount: d.validation?.count,
        trace,
        adaptive: spec.step._tag === 'adaptive',
        parameterCount: count,
        seconds: (performance.now() - start) / 1000,
      });
      if (E.isLeft(metrics)) return failed(nonFinite(id, epoch + 1, metrics.left.step));
      last = metrics.right;
      history.push(last);
      emit({ _tag: 'epoch-end', ...id, ...last });
      if (earlyStop !== undefined && epoch + 1 < epochs) {
        const state = earlyStopState(history, earlyStop);
        if (state.stop) {
          stopped = true;
          emit({
            _tag: 'early-stop',
            ...id,
            epoch: epoch + 1,
            monitor: earlyStop.monitor,
            best: state.best,
            bestEpoch: state.bestEpoch,
            patience: earlyStop.patience,
          });
          saveCheckpoint('early-stop', epoch + 1, 0, [], []);
          break;
        }
      }

      // SensLI growth after `epoch + 1` completed epochs (ALGORITHMS.md §3); the decision (insert or
      // decline) is always checkpointed.
      const growth = growthDue(arm, epoch + 1, epochs, insertions);
      if (growth !== undefined) {
        const grown = growAfterEpoch({
          id,
          arm,
          growth,
          data: d,
          net,
          host,
          updater,
          settings,
          epochsDone: epoch + 1,
          lastStep: trace.lastStep,
        });
        if (E.isLeft(grown)) {
          net = grown.left.net;
          return failed(grown.left.error);
        }
        if (grown.right.inserted) {
          insertions += 1;
          net = grown.right.net;
          updater = grown.right.updater;
          settings = { ...settings, lrScale: grown.right.lrScale };
          count = parameterCount(net);
        }
        emit(grown.right.event);
      }
      const now = performance.now();
      if (growth !== undefined || epoch + 1 === epochs || now - lastCheckpointAt >= ctx.checkpointInterval * 1000) {
        saveCheckpoint(
          growth !== undefined ? 'growth' : epoch + 1 === epochs ? 'last-epoch' : 'interval',
          epoch + 1,
          0,
          [],
          [],
        );
        lastCheckpointAt = now;
      }
      // Let timers (progress display) and I/O run between epochs.
      await turns.take();
    }
    // The host engine's values into the net (and its slots into the rule, disposed just below).
    host.sync(net);
  } finally {
    disposeUpdater(updater);
  }
  if (last === undefined)
    throw new Error('trainRun: a run needs at least one epoch; the spec check should have rejected 0');
  return E.right({ net, final: last });
};
