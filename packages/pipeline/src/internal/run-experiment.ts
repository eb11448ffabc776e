/**
 * Runs a compiled experiment: every repeat of every arm, in the order (repeat, arm) so the arms of one
 * seed run side by side; events to the writer and the subscriber; at the end summary.json and the plot.
 * A failure stops the experiment with a `failed` event; outputs written up to then stay.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as E from 'fp-ts/lib/Either.js';
import type { Data, Experiment } from '@sprout/spec';
import type { ArmSummary, EpochMetrics, RunError, RunEvent, RunId, RunOptions, RunResult } from '../Pipeline.js';
import { armPlans, pointOf, seeds, type ArmPlan } from './plan.js';
import { createExclusiveDir, metricColumns, runFolder, runWriter, slug, timeStamp, type RunWriter } from './outputs.js';
import { decodeExperiment, singleRun } from '@sprout/spec';
import {
  checkpointFile,
  checkpointForResume,
  checkpointPath,
  encodeCheckpoint,
  previousCheckpointPath,
  specHash,
  type CheckpointIdentity,
  type CheckpointManifest,
  type Sha256,
  type StoredTensor,
} from './checkpoint.js';
import { endedRuns, removeStaleTemporaries, runKey, trimEvents, trimMetrics } from './resume.js';
import {
  createNet,
  setWeights,
  disposeDatasetTensors,
  disposeNet,
  formatDataError,
  holdOutValidation,
  toLayersModel,
  toTensors,
  type DatasetTensors,
} from './deps.js';
import type { RunFiles, RunHost } from '../host.js';
import { trainRun } from './train-run.js';
import { armSectionPath, dataProblem } from './data-problem.js';
import { armSummary, finalTable, markBest } from './summary.js';
import {
  architectureSvg,
  curvesSvg,
  insertionMark,
  sensitivitiesSvg,
  sensitivityBars,
  type CurvePoint,
  type InsertionMark,
  type SensitivityBar,
} from './plot.js';
import { saveLayersModel } from './model-io.js';
import { machineError } from './machine-error.js';

/**
 * The seed of a run's train/test split: the run's own seed, or with `split_draw fixed` the experiment's
 * first seed, so every repeat trains and tests on the same examples (the SensLI reference's protocol).
 */
export const dataSeed = (data: Data, experimentSeed: number, runSeed: number): number =>
  'splitDraw' in data && data.splitDraw === 'fixed' ? experimentSeed : runSeed;

/**
 * The seed of a run's validation set: that of its train/test split, or for data whose test set is fixed
 * (MNIST, Fashion-MNIST, CIFAR-10) the experiment's first seed, so every repeat validates on the same examples.
 */
const validationSeed = (data: Data, experimentSeed: number, runSeed: number): number =>
  'split' in data ? dataSeed(data, experimentSeed, runSeed) : experimentSeed;

export interface ExperimentContext {
  readonly spec: Experiment;
  /** Where the run runs: files, data, backend (nodeHost, memoryHost). */
  readonly host: RunHost;
  readonly baseDir: string;
  /** Whether the metrics get the adaptive controller's columns L, rho, a. */
  readonly stepSizeColumns: boolean;
  /** Whether the metrics get the validation set's columns. */
  readonly validationColumns: boolean;
}

const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));

const summarize = (plans: readonly ArmPlan[], finals: readonly (RunId & { final: EpochMetrics })[]): ArmSummary[] =>
  markBest(
    plans.map((plan) =>
      armSummary(
        plan.name,
        finals.filter((f) => f.arm === plan.name),
        pointOf(plan),
      ),
    ),
  );

/**
 * The `run` record of a run directory's spec.json: its id and the hash of the settings it started with, the
 * whole record, and the epochs it recorded (the base's, then each compare arm's own, for `extend`).
 * `readAs`: when the file's settings are those of the record (unedited), the hash of the spec a decoder of
 * today reads from them (the same hash unless the file predates a field, which then takes its default).
 */
const readRunRecord = (
  files: RunFiles,
  dir: string,
  sha256: Sha256,
): {
  id?: string;
  specHash?: string;
  readAs?: string;
  record: Record<string, unknown>;
  epochs: { base: unknown; arms: unknown[] };
} => {
  const path = files.join(dir, 'spec.json');
  const bytes = files.read(path);
  if (bytes === undefined) throw new Error(`${path} does not exist`);
  const json = JSON.parse(new TextDecoder().decode(bytes)) as {
    run?: Record<string, unknown>;
    train?: { epochs?: unknown };
    compare?: { train?: { epochs?: unknown } }[];
  };
  const id = json.run?.['id'];
  const hash = json.run?.['specHash'];
  const { run: _record, ...settings } = json;
  const decoded =
    typeof hash === 'string' && specHash(settings, sha256) === hash ? decodeExperiment(settings) : undefined;
  return {
    ...(typeof id === 'string' ? { id } : {}),
    ...(typeof hash === 'string' ? { specHash: hash } : {}),
    ...(decoded !== undefined && E.isRight(decoded) ? { readAs: specHash(decoded.right, sha256) } : {}),
    record: json.run ?? {},
    epochs: {
      base: json.train?.epochs,
      arms: Array.isArray(json.compare) ? json.compare.map((a) => a.train?.epochs) : [],
    },
  };
};

/** `spec` with the training epochs of `epochs` (base and arms), to compare with a recorded spec. */
const withEpochs = (spec: Experiment, epochs: { base: unknown; arms: unknown[] }): Experiment => ({
  ...spec,
  train: { ...spec.train, epochs: epochs.base as number },
  compare: spec.compare.map((a, i) =>
    a.train === undefined ? a : { ...a, train: { ...a.train, epochs: epochs.arms[i] as number } },
  ),
});

export const runExperiment = async (
  ctx: ExperimentContext,
  options: RunOptions,
): Promise<E.Either<RunError, RunResult>> => {
  const { spec, host } = ctx;
  const { files } = host;
  const plans = armPlans(spec);
  const runSeeds = seeds(spec);
  const started = new Date();
  const t0 = performance.now();
  let backendMessage: string | undefined;
  // The CLI's default (`auto`) when the caller has chosen no backend yet: a tfjs engine that has not
  // started one. A backend the caller set, or started by using tensors, is kept.
  const backendChoice = options.backend ?? (tf.engine().backendName == null ? 'auto' : undefined);
  if (backendChoice !== undefined) {
    const info = await host.initBackend(backendChoice);
    if (E.isLeft(info)) return E.left({ _tag: 'backend-error', message: info.left.message });
    backendMessage = info.right.message;
  }
  const backend = tf.getBackend();
  const threads = options.threads !== undefined ? host.setThreads(options.threads) : host.threads();

  const columns = {
    stepSizeColumns: ctx.stepSizeColumns,
    validationColumns: ctx.validationColumns,
    durable: options.durable ?? true,
  };
  let writer: RunWriter | undefined;
  let release: (() => void) | undefined;
  // Which run a checkpoint belongs to: a fresh id per run directory, and the settings' hash.
  let identity: CheckpointIdentity = { run: host.randomId(), specHash: specHash(spec, host.sha256) };
  const warnings: string[] = [];
  // A resumed run: the checkpoint of each unfinished run, and the events kept from before.
  const resumeFrom = new Map<string, { manifest: CheckpointManifest; tensors: Map<string, StoredTensor> }>();
  let ended = new Set<string>();
  let previous: Record<string, unknown>[] = [];
  // The data of the latest (data, seed, input shape); arms of one repeat that share it reuse it.
  let cached: { key: string; tensors: DatasetTensors } | undefined;
  const dataFor = async (plan: ArmPlan, runSeed: number): Promise<E.Either<RunError, DatasetTensors>> => {
    const seed = dataSeed(plan.data, spec.seed, runSeed);
    const vSeed = validationSeed(plan.data, spec.seed, runSeed);
    const key = JSON.stringify([plan.data, seed, vSeed, plan.network.input, plan.network.output.units]);
    if (cached?.key === key) return E.right(cached.tensors);
    if (cached !== undefined) disposeDatasetTensors(cached.tensors);
    cached = undefined;
    // Where the arm's data is written in the spec, so that a front end can point at the line.
    const path = armSectionPath(spec, plan.arm, 'data');
    const outputPath = [...armSectionPath(spec, plan.arm, 'network'), 'output'];
    const loaded = await host.loadData(plan.data, {
      baseDir: ctx.baseDir,
      seed,
      classes: plan.network.output.units,
    })();
    if (E.isLeft(loaded))
      return E.left({
        _tag: 'data-error',
        ...dataProblem(loaded.left, formatDataError(loaded.left), plan.network.output.units, path, outputPath),
      });
    // The validation set is held out here, after any host's loader, with its own seed.
    const held =
      plan.data.validation === undefined ? loaded : holdOutValidation(loaded.right, plan.data.validation, vSeed);
    if (E.isLeft(held)) return E.left({ _tag: 'data-error', message: formatDataError(held.left), path });
    const tensors = toTensors(held.right, { inputShape: plan.network.input });
    if (E.isLeft(tensors)) return E.left({ _tag: 'data-error', message: formatDataError(tensors.left), path });
    cached = { key, tensors: tensors.right };
    return tensors;
  };

  if (options.resume !== undefined) {
    const dir = files.resolve(options.resume);
    try {
      const lock = host.lock(dir, { force: options.forceUnlock ?? false });
      if (!lock.ok)
        return E.left({
          _tag: 'output-error',
          path: dir,
          message: `the run directory ${dir} is in use by process ${lock.pid}${lock.host !== undefined ? ` on ${lock.host}` : ''} (since ${lock.since}); wait for it to end or stop it first, or, if that process is not a Sprout run of this folder (or has died on that machine), resume with --force-unlock`,
        });
      release = lock.release;
      const refuse = (path: string, message: string): E.Either<RunError, RunResult> => {
        release?.();
        return E.left({ _tag: 'checkpoint-error', path, message });
      };
      removeStaleTemporaries(files, dir);
      const recorded = readRunRecord(files, dir, host.sha256);
      // A spec.json written before a field existed reads with the field's default: the same settings, so the
      // run goes on under the recorded hash (its checkpoints carry it).
      if (recorded.specHash !== undefined && recorded.readAs === identity.specHash && !options.extend)
        identity = { ...identity, specHash: recorded.specHash };
      // `extend`: the spec may differ from the recorded one in its epochs alone, and only by more of them.
      const extending = options.extend === true && recorded.specHash !== identity.specHash;
      if (extending) {
        const fewer = plans.some((p) => {
          const armIndex = spec.compare.findIndex((a) => a.name === p.arm);
          const before =
            armIndex >= 0 && spec.compare[armIndex]!.train !== undefined
              ? recorded.epochs.arms[armIndex]
              : recorded.epochs.base;
          return typeof before === 'number' && p.train.epochs < before;
        });
        // The recorded settings as written, or as today's decoder reads them (a spec.json written before a
        // field existed: the field at its default).
        const before = specHash(withEpochs(spec, recorded.epochs), host.sha256);
        if (before !== recorded.specHash && before !== recorded.readAs)
          return refuse(
            dir,
            `cannot extend the run in ${dir}: its settings differ from the run's record in more than the epochs; start a new run with the changed settings instead`,
          );
        if (fewer) return refuse(dir, `cannot extend the run in ${dir} to fewer epochs than it was trained for`);
      } else if (recorded.specHash !== identity.specHash)
        return refuse(
          dir,
          `cannot resume the run in ${dir}: its spec.json changed since the run started (the settings no longer match the run's record); start a new run with the changed settings instead`,
        );
      if (recorded.id === undefined)
        return refuse(
          dir,
          `cannot resume the run in ${dir}: its spec.json has no run id (written by an older Sprout, or edited); start a new run`,
        );
      identity = { run: recorded.id, specHash: identity.specHash };
      // Checkpoints written before an extension carry the recorded settings' hash; new ones the new hash.
      const readIdentity = { run: recorded.id, specHash: recorded.specHash ?? identity.specHash };
      // An extension continues the runs that ended too, from the checkpoint after their last epoch.
      ended = extending ? new Set() : endedRuns(files, dir);
      const checkpointed = new Map<string, { epoch: number; step: number }>();
      for (const seed of runSeeds)
        for (const plan of plans) {
          const key = runKey(plan.name, seed);
          if (ended.has(key)) continue;
          const c = checkpointForResume(files, host.sha256, checkpointPath(files, dir, plan.name, seed), {
            arm: plan.name,
            seed,
            identity: readIdentity,
            epochs: plan.train.epochs,
          });
          if (c._tag === 'none') continue;
          if (c._tag === 'refused') return refuse(c.path, c.message);
          if (c.warning !== undefined) warnings.push(c.warning);
          resumeFrom.set(key, c.checkpoint);
          checkpointed.set(key, { epoch: c.checkpoint.manifest.epoch, step: c.checkpoint.manifest.step });
        }
      trimMetrics(files, dir, metricColumns(ctx), { ended, checkpointed });
      previous = trimEvents(files, dir, { ended, checkpointed });
      writer = runWriter(files, dir, { ...columns, append: true });
      // The extended spec is the run's spec from now on; the record says what it was extended from.
      if (extending)
        writer.json('spec.json', {
          ...spec,
          run: {
            ...recorded.record,
            specHash: identity.specHash,
            extended: [
              ...(Array.isArray(recorded.record['extended']) ? recorded.record['extended'] : []),
              { from: recorded.epochs, specHash: recorded.specHash, at: started.toISOString() },
            ],
          },
        });
    } catch (e) {
      release?.();
      return E.left({
        _tag: 'output-error',
        path: dir,
        message: `cannot resume the run in ${dir}: ${errorMessage(e)}`,
      });
    }
  } else if (options.write ?? true) {
    // The first run's data before its folder: a run that cannot start leaves no half-made run directory.
    const first = await dataFor(plans[0]!, runSeeds[0]!);
    if (E.isLeft(first)) return first;
    const wanted = files.resolve(
      options.out ?? files.join(options.runsDir ?? 'runs', slug(spec.name), timeStamp(started)),
    );
    try {
      const dir = createExclusiveDir(files, wanted, { given: options.out !== undefined });
      const lock = host.lock(dir, { force: false });
      if (lock.ok) release = lock.release;
      writer = runWriter(files, dir, columns);
      writer.json('spec.json', {
        ...spec,
        run: {
          id: identity.run,
          specHash: identity.specHash,
          seeds: runSeeds,
          backend,
          threads,
          started: started.toISOString(),
          baseDir: files.resolve(ctx.baseDir),
          versions: {
            '@sprout/pipeline': host.versions['@sprout/pipeline'] ?? 'unknown',
            'tfjs-core': tf.version_core,
            'tfjs-layers': tfl.version_layers,
            ...host.versions,
          },
          ...(options.initialWeights !== undefined ? { warmStart: options.warmStart ?? 'weights given' } : {}),
        },
      });
      // A warm start's weights go into the run directory, where a resume finds them (initial/model.json).
      if (options.initialWeights !== undefined) {
        const net = createNet(spec.network, { seed: spec.seed });
        try {
          const set = setWeights(net, options.initialWeights);
          if (E.isLeft(set)) throw new Error(`the warm start's weights do not fit the network: ${set.left.message}`);
          const model = toLayersModel(net);
          try {
            await saveLayersModel(model, files.join(dir, 'initial'), files);
          } finally {
            model.dispose();
          }
        } finally {
          disposeNet(net);
        }
      }
      // Each run's own resolved experiment (one arm at one sweep point with one seed): it reruns that run alone.
      if (spec.compare.length > 0 || spec.sweep !== undefined || spec.repeat > 1)
        for (const seed of runSeeds)
          for (const plan of plans)
            files.writeAtomic(
              files.join(runFolder(files, dir, plan.name, seed), 'spec.json'),
              new TextEncoder().encode(`${JSON.stringify(singleRun(plan.experiment, seed), null, 2)}\n`),
              { durable: false },
            );
    } catch (e) {
      writer?.close();
      release?.();
      return E.left({
        _tag: 'output-error',
        path: wanted,
        message: `cannot write the run directory ${wanted}: ${errorMessage(e)}`,
      });
    }
  }
  const outDir = writer?.dir;
  const checkpoints = writer !== undefined && (options.checkpoints ?? true);

  const curve: CurvePoint[] = [];
  const insertions: InsertionMark[] = [];
  const bars: SensitivityBar[] = [];
  const finals: (RunId & { final: EpochMetrics })[] = [];
  // Without a report at the end, only the finals are kept (for summary.json).
  const report = options.report ?? true;
  const remember = (event: RunEvent): void => {
    if (event._tag === 'epoch-end') {
      if (report) curve.push(event);
    } else if (event._tag === 'insertion') {
      const mark = insertionMark(event);
      if (mark !== undefined) insertions.push(mark);
      bars.push(...sensitivityBars(event));
    } else if (event._tag === 'run-end')
      finals.push({ arm: event.arm, repeat: event.repeat, seed: event.seed, final: event.final });
  };
  // The plots and the summary of a resumed run include what was trained before.
  for (const e of previous) remember(e as unknown as RunEvent);
  const emit = (event: RunEvent): void => {
    writer?.event(event);
    if (event._tag === 'epoch-end') writer?.metrics(event, event);
    remember(event);
    options.onEvent?.(event);
  };
  const writeEnd = async (status: unknown): Promise<void> => {
    if (writer === undefined) return;
    writer.json('summary.json', status);
    if (!report) return;
    if (spec.report.plots.includes('curves') && curve.length > 0)
      writer.text('curves.svg', await curvesSvg(spec.name, curve, insertions));
    if (spec.report.plots.includes('sensitivities') && bars.length > 0)
      writer.text('sensitivities.svg', await sensitivitiesSvg(`${spec.name}: sensitivities`, bars));
    if (spec.report.plots.includes('sensitivities') && insertions.some((i) => i.layers !== undefined))
      writer.text(
        'architecture.svg',
        await architectureSvg(`${spec.name}: architecture at each insertion`, insertions),
      );
    if (spec.report.tables.includes('final')) writer.text('final.csv', finalTable(summarize(plans, finals)));
  };
  const fail = async (error: RunError, arms: ArmSummary[]): Promise<E.Either<RunError, RunResult>> => {
    const failed: RunEvent = { _tag: 'failed', error };
    try {
      emit(failed);
      writer?.flush();
    } catch {
      // The outputs cannot take the event (the failure may be that very disk): the caller still hears of it.
      options.onEvent?.(failed);
    }
    try {
      await writeEnd({
        status: error._tag === 'interrupted' ? 'interrupted' : 'failed',
        experiment: spec.name,
        backend,
        outDir,
        error,
        arms,
      });
    } catch {
      // The failure being reported matters more than a summary that could not be written.
    }
    return E.left(error);
  };

  try {
    emit({
      _tag: 'started',
      experiment: spec.name,
      outDir,
      backend,
      ...(backendMessage !== undefined ? { backendMessage } : {}),
      threads,
      arms: plans.map((p) => p.name),
      repeats: spec.repeat,
      epochs: Math.max(...plans.map((p) => p.train.epochs)),
      runs: plans.length * runSeeds.length,
      totalEpochs: runSeeds.length * plans.reduce((sum, p) => sum + p.train.epochs, 0),
    });
    for (const message of warnings) emit({ _tag: 'warning', message });
    let index = 0;
    for (const [repeat, seed] of runSeeds.entries()) {
      for (const plan of plans) {
        const key = runKey(plan.name, seed);
        if (ended.has(key)) {
          index += 1;
          continue;
        }
        const data = await dataFor(plan, seed);
        if (E.isLeft(data)) return await fail(data.left, summarize(plans, finals));
        const id: RunId = { arm: plan.name, repeat, seed };
        const dir = writer?.dir;
        const resumed = resumeFrom.get(key);
        const outcome = await trainRun({
          id,
          index,
          arm: plan,
          data: data.right,
          stepEvery: options.stepEvery ?? 0,
          checkpointInterval: options.checkpointInterval ?? 1,
          engine: options.engine ?? 'auto',
          // A warm start applies to the arms that train the spec's own network.
          ...(options.initialWeights !== undefined && JSON.stringify(plan.network) === JSON.stringify(spec.network)
            ? { initialWeights: options.initialWeights }
            : {}),
          emit,
          ...(options.onProgress !== undefined ? { progress: options.onProgress } : {}),
          ...(options.signal !== undefined ? { signal: options.signal } : {}),
          ...(checkpoints && dir !== undefined
            ? {
                // Per-epoch checkpoints are atomic but not fsync-ed: they must survive a killed process, not
                // a power failure, and an fsync per epoch would dominate the epochs of small nets.
                checkpoint: (content, tensors) => {
                  writer?.flush(); // the rows up to the checkpoint are on file before it is
                  const file = checkpointFile(files, plan.name, seed);
                  const path = files.join(dir, file);
                  files.writeAtomic(path, encodeCheckpoint(content, identity, tensors, host.sha256), {
                    durable: false,
                    previous: previousCheckpointPath(path),
                  });
                  return file;
                },
              }
            : {}),
          ...(resumed !== undefined ? { resumeFrom: resumed } : {}),
        });
        index += 1;
        if (E.isLeft(outcome)) return await fail(outcome.left, summarize(plans, finals));
        const { net, final } = outcome.right;
        try {
          if (writer !== undefined && (options.saveModel ?? true)) {
            const dir =
              repeat === 0 && plan.name === plans[0]!.name
                ? 'model'
                : files.join('models', slug(plan.name), `seed-${seed}`);
            let model: tfl.LayersModel | undefined;
            try {
              model = toLayersModel(net);
              await saveLayersModel(model, files.join(writer.dir, dir), files);
            } catch (e) {
              emit({
                _tag: 'warning',
                message: `the model of arm '${plan.name}', seed ${seed} was not saved: ${errorMessage(e)}`,
              });
            } finally {
              model?.dispose();
            }
          }
        } finally {
          disposeNet(net);
        }
        emit({ _tag: 'run-end', ...id, final }); // remembered in `finals`
      }
    }
    const result: RunResult = {
      experiment: spec.name,
      backend,
      outDir,
      arms: summarize(plans, finals),
      seconds: (performance.now() - t0) / 1000,
    };
    await writeEnd({ status: 'finished', ...result });
    emit({ _tag: 'finished', result });
    writer?.flush();
    return E.right(result);
  } catch (e) {
    return await fail(
      machineError(e, outDir) ?? {
        _tag: 'internal-error',
        message: errorMessage(e),
        ...(e instanceof Error && e.stack !== undefined ? { stack: e.stack } : {}),
      },
      summarize(plans, finals),
    );
  } finally {
    try {
      writer?.close();
    } catch {
      // Only what a failure left held back (its error is the one reported).
    }
    if (cached !== undefined) disposeDatasetTensors(cached.tensors);
    release?.();
  }
};
