/**
 * SensLI growth between epochs (ALGORITHMS.md §3): the sensitivity pass decides whether and where a layer
 * goes, and after an insertion the run continues on the grown net with its updater carried over and the
 * step size × lrFactor.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import type { Net } from '@sprout/model';
import type { Growth } from '@sprout/spec';
import { describeLayer, stepAfterInsertion } from '@sprout/growth';
import { growBySensitivity, shouldGrowAt, type GrowStep } from '@sprout/sensitivity';
import type { RunError, RunEvent, RunId } from '../../Pipeline.js';
import type { ArmPlan } from '../plan.js';
import type { InsertionLayers } from '../plot.js';
import type { HostEngine } from '../host-engine.js';
import type { DatasetTensors } from '../deps.js';
import { updaterAfterInsertion, type Updater, type UpdaterSettings } from './updater.js';
import { errorMessage } from './errors.js';

type Sensli = Extract<Growth, { _tag: 'sensli' }>;

/** The arm's SensLI growth when its schedule asks for a decision after `epochsDone` of `epochs` epochs. */
export const growthDue = (arm: ArmPlan, epochsDone: number, epochs: number, insertions: number): Sensli | undefined =>
  arm.growth._tag === 'sensli' && epochsDone < epochs && shouldGrowAt(arm.growth.schedule, epochsDone, insertions)
    ? arm.growth
    : undefined;

/**
 * The layers of the net before and after an insertion, as the candidate positions describe them, and the
 * index of the new one: the first place where the two lists differ (between two equal layers, the later).
 */
const insertionLayers = (before: Net, after: Net): InsertionLayers => {
  const b = before.layers.map(describeLayer);
  const a = after.layers.map(describeLayer);
  let inserted = a.findIndex((d, i) => d !== b[i]);
  if (inserted < 0) inserted = a.length - 1;
  return { before: b, after: a, inserted };
};

/** A growth decision: the net and updater to continue with, and the event that reports it. */
interface Grown {
  readonly inserted: boolean;
  readonly net: Net;
  readonly updater: Updater;
  readonly lrScale: number;
  /** The insertion (or declined insertion) event. */
  readonly event: RunEvent;
}

/**
 * The growth decision after `epochsDone` epochs: the sensitivity pass on the training set (the host engine's
 * net where it has one, after `host.sync`), the rule's choice, and after an insertion the grown net, the
 * updater carried over (updaterAfterInsertion) and the learning-rate scale × lrFactor. `lastStep` is the
 * step size the event reports as before (and × lrFactor as after an insertion). On Left, `net` is the net
 * to dispose (the grown one when the updater could not follow it).
 */
export const growAfterEpoch = (input: {
  readonly id: RunId;
  readonly arm: ArmPlan;
  readonly growth: Sensli;
  readonly data: DatasetTensors;
  readonly net: Net;
  readonly host: HostEngine;
  readonly updater: Updater;
  readonly settings: UpdaterSettings;
  readonly epochsDone: number;
  readonly lastStep: number;
}): E.Either<{ readonly error: RunError; readonly net: Net }, Grown> => {
  const { id, arm, growth, data: d, host, updater, settings, lastStep } = input;
  const old = input.net;
  host.sync(old);
  let grown: E.Either<unknown, GrowStep> | undefined;
  const passStart = performance.now();
  tf.tidy(() => {
    // The host arrays let dense/residual nets take @sprout/sensitivity's host pass without a copy.
    const arrays =
      d.host !== undefined && d.inputShape.length === 1 ? { host: { x: d.host.trainX, y: d.host.trainY } } : {};
    // Getters: the host pass reads only the host arrays, so the tensors need not be uploaded.
    const data = {
      get x() {
        return d.trainX;
      },
      get y() {
        return d.trainY;
      },
      ...arrays,
    };
    grown = growBySensitivity(old, data, {
      norm: growth.norm,
      select: growth.select,
      loss: arm.loss,
      batchSize: arm.train.batch,
      epoch: input.epochsDone,
      hostNet: host.hostNet(),
      ...(growth.residualInit === undefined ? {} : { residualInit: growth.residualInit }),
      ...(growth.insertBatchnorm === undefined ? {} : { insertBatchnorm: growth.insertBatchnorm }),
    });
  });
  if (grown === undefined || E.isLeft(grown)) {
    const why = grown === undefined ? 'no result' : errorMessage(grown.left);
    return E.left({
      error: { _tag: 'internal-error', message: `the sensitivity pass after epoch ${input.epochsDone} failed: ${why}` },
      net: old,
    });
  }
  const g = grown.right;
  const seconds = (performance.now() - passStart) / 1000;
  if (g.choice._tag !== 'insert')
    return E.right({
      inserted: false,
      net: old,
      updater,
      lrScale: settings.lrScale,
      event: { ...g.event, ...id, stepBefore: lastStep, stepAfter: lastStep, seconds },
    });
  const net = g.net;
  // The engine ran this epoch on the host if it has a net there (it is prepared from the grown net next).
  const onHost = host.active();
  host.invalidate();
  const stepAfter =
    Number.isFinite(lastStep) && lastStep > 0 ? stepAfterInsertion(lastStep, growth.lrFactor) : lastStep;
  const lrScale = settings.lrScale * growth.lrFactor;
  const next = updaterAfterInsertion(updater, { old, grown: net, growth }, { ...settings, lrScale }, onHost);
  if (E.isLeft(next)) return E.left({ error: next.left, net });
  return E.right({
    inserted: true,
    net,
    updater: next.right,
    lrScale,
    event: { ...g.event, ...id, stepBefore: lastStep, stepAfter, seconds, layers: insertionLayers(old, net) },
  });
};
