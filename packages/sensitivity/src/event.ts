/**
 * What the pipeline logs for an insertion (`events.jsonl`): every position's sensitivity, the
 * norm and the rule, the chosen position (or the decline), the parameter count and the step size before and
 * after. Plain JSON data.
 */
import { parameterCount, type Net } from '@sprout/model';
import type { Selection, SensitivityNorm } from '@sprout/spec';
import type { Architecture } from '@sprout/growth';
import type { Sensitivities } from './compute.js';
import type { Choice } from './select.js';

export interface InsertionEvent {
  readonly _tag: 'insertion';
  readonly epoch: number;
  readonly architecture: Architecture;
  readonly norm: SensitivityNorm;
  readonly rule: Selection;
  readonly positions: readonly { readonly index: number; readonly description: string; readonly sensitivity: number }[];
  /** Scores of the existing layers' kernels, when computed (threshold rule). */
  readonly existing: readonly { readonly name: string; readonly score: number }[];
  /** The chosen position, or null when the rule declined. */
  readonly chosen: number | null;
  readonly declined: boolean;
  readonly paramsBefore: number;
  readonly paramsAfter: number;
  readonly stepBefore?: number;
  readonly stepAfter?: number;
}

/** The event record of one growth attempt; `after` is the grown net (the same net when declined). */
export function insertionEvent(args: {
  readonly epoch: number;
  readonly sensitivities: Sensitivities;
  readonly rule: Selection;
  readonly choice: Choice;
  readonly before: Net;
  readonly after: Net;
  readonly stepBefore?: number;
  readonly stepAfter?: number;
}): InsertionEvent {
  const s = args.sensitivities;
  return {
    _tag: 'insertion',
    epoch: args.epoch,
    architecture: s.architecture,
    norm: s.norm,
    rule: args.rule,
    positions: s.positions.map((p, i) => ({ index: p.index, description: p.description, sensitivity: s.scores[i]! })),
    existing: s.existing,
    chosen: args.choice._tag === 'insert' ? args.choice.position : null,
    declined: args.choice._tag === 'decline',
    paramsBefore: parameterCount(args.before),
    paramsAfter: parameterCount(args.after),
    ...(args.stepBefore === undefined ? {} : { stepBefore: args.stepBefore }),
    ...(args.stepAfter === undefined ? {} : { stepAfter: args.stepAfter }),
  };
}
