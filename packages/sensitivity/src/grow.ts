/**
 * One SensLI growth step (ALGORITHMS.md §3): the sensitivity pass, the selection rule, and the insertion of
 * the chosen virtual layer alone at its identity/zero initialisation, with the event the pipeline logs.
 * Optimizer state and step size are the caller's (growth's `transferOptimizerState`, `stepAfterInsertion`).
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Selection } from '@sprout/spec';
import type { Net } from '@sprout/model';
import { insertVirtualLayers } from '@sprout/growth';
import type { SensitivityError } from './SensitivityError.js';
import { computeSensitivities, type SensitivityOptions, type Sensitivities, type TrainingData } from './compute.js';
import { selectPosition, type Choice } from './select.js';
import { insertionEvent, type InsertionEvent } from './event.js';

export interface GrowOptions extends SensitivityOptions {
  /** The selection rule. @default { _tag: 'max' } */
  readonly select?: Selection;
  /** Completed epochs, for the event record. @default 0 */
  readonly epoch?: number;
}

export interface GrowStep {
  /** The grown net (sharing the old net's variables), or the same net when the rule declined. */
  readonly net: Net;
  readonly choice: Choice;
  readonly sensitivities: Sensitivities;
  readonly event: InsertionEvent;
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
    E.map((choice: Choice): GrowStep => {
      const grown =
        choice._tag === 'insert'
          ? insertVirtualLayers(net, [s.positions[choice.position]!], {
              ...(options.residualScale === undefined ? {} : { residualScale: options.residualScale }),
              ...(options.residualInit === undefined ? {} : { residualInit: options.residualInit }),
            }).net
          : net;
      return {
        net: grown,
        choice,
        sensitivities: s,
        event: insertionEvent({ epoch: options.epoch ?? 0, sensitivities: s, rule, choice, before: net, after: grown }),
      };
    })(selectPosition(rule, s)),
  )(computeSensitivities(net, data, { ...options, existing }));
}
