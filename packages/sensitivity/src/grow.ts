/**
 * One SensLI growth step (ALGORITHMS.md §3): the sensitivity pass, the selection rule, and the insertion of
 * the chosen virtual layer alone at its identity/zero initialisation (or, with `insertBatchnorm`, the CNN
 * reference's conv + batch norm + ReLU, growth's batchnorm-block.ts), with the event the pipeline logs.
 * Optimizer state and step size are the caller's (growth's `transferOptimizerState`, `stepAfterInsertion`).
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Selection } from '@sprout/spec';
import type { Net } from '@sprout/model';
import {
  activationMoments,
  insertConvBatchnorm,
  insertVirtualLayers,
  type BatchnormInit,
  type Position,
} from '@sprout/growth';
import type { SensitivityError } from './SensitivityError.js';
import { computeSensitivities, type SensitivityOptions, type Sensitivities, type TrainingData } from './compute.js';
import { selectPosition, type Choice } from './select.js';
import { insertionEvent, type InsertionEvent } from './event.js';

export interface GrowOptions extends SensitivityOptions {
  /** The selection rule. @default { _tag: 'max' } */
  readonly select?: Selection;
  /** Completed epochs, for the event record. @default 0 */
  readonly epoch?: number;
  /**
   * Conv positions: insert conv + batch norm + ReLU, the norm as the reference's (`reference`) or from the
   * statistics of the training inputs' activations at the position (`preserve`); absent: the plain virtual
   * layer. The sensitivity pass is the plain conv's either way, as in the reference.
   */
  readonly insertBatchnorm?: 'reference' | 'preserve';
}

export interface GrowStep {
  /** The grown net (sharing the old net's variables), or the same net when the rule declined. */
  readonly net: Net;
  readonly choice: Choice;
  readonly sensitivities: Sensitivities;
  readonly event: InsertionEvent;
}

/** The net with the chosen position's layer (or conv + BN + ReLU block) inserted. */
function insertChosen(
  net: Net,
  position: Position,
  data: TrainingData,
  options: GrowOptions,
): E.Either<SensitivityError, Net> {
  if (options.insertBatchnorm === undefined)
    return E.right(
      insertVirtualLayers(net, [position], {
        ...(options.residualScale === undefined ? {} : { residualScale: options.residualScale }),
        ...(options.residualInit === undefined ? {} : { residualInit: options.residualInit }),
      }).net,
    );
  if (position.kind !== 'conv')
    return E.left({
      _tag: 'unsupported-architecture',
      message: `insert_batchnorm applies to conv positions; position ${position.index} is a ${position.kind} position`,
    });
  const init: BatchnormInit =
    options.insertBatchnorm === 'reference'
      ? { _tag: 'reference' }
      : {
          _tag: 'preserve',
          ...activationMoments(
            net,
            position.at,
            data.x,
            typeof options.batchSize === 'number' ? options.batchSize : undefined,
          ),
        };
  return E.right(insertConvBatchnorm(net, position, init));
}

/** Sensitivities of `net` on `data`, the rule's choice, and the net with the chosen layer inserted. */
export function growBySensitivity(
  net: Net,
  data: TrainingData,
  options: GrowOptions = {},
): E.Either<SensitivityError, GrowStep> {
  const rule = options.select ?? { _tag: 'max' };
  const existing = options.existing ?? rule._tag === 'threshold';
  return E.chain((s: Sensitivities) =>
    E.chain((choice: Choice) =>
      E.map((grown: Net): GrowStep => ({
        net: grown,
        choice,
        sensitivities: s,
        event: insertionEvent({ epoch: options.epoch ?? 0, sensitivities: s, rule, choice, before: net, after: grown }),
      }))(choice._tag === 'insert' ? insertChosen(net, s.positions[choice.position]!, data, options) : E.right(net)),
    )(selectPosition(rule, s)),
  )(computeSensitivities(net, data, { ...options, existing }));
}
