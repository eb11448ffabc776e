// The options a package documents for its users are reachable from the language: each is listed here with
// the setting that writes it, the setting is parsed and must land in the spec field the package reads, and
// the package's README row names exactly the options listed. An option dropped from the schema fails to
// parse; one added to the package's options type without a setting fails the typecheck of this record
// (`satisfies`); one added to the README without an entry here fails the README comparison.
import { readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { parseExperiment } from '@sprout/dsl';
import { DEFAULTS } from '@sprout/spec';
import type { AdaptiveOverrides, PreconditionedOptimizerOptions } from '@sprout/step-size';

type Setting = readonly [text: string, value: unknown];

/** `AdaptiveOverrides` of @sprout/step-size: the language's settings of `step adaptive { … }`. */
const ADAPTIVE = {
  a0: ['a0 0.05', 0.05],
  lossResolution: ['loss_resolution 0.001', 1e-3],
  onIncrease: ['on_increase reject', 'reject'],
  initialL: ['initial_l L0', 'L0'],
  emaDecay: ['ema_decay 0.5', 0.5],
  minDirectionNorm2: ['min_direction_norm2 1e-12', 1e-12],
} as const satisfies Record<keyof AdaptiveOverrides, Setting>;

/** Armijo's options of `createPreconditionedOptimizer`: the language's settings of `step armijo { … }`. */
const ARMIJO = {
  maxBacktracks: ['max_backtracks 5', 5],
  onLineSearchFailure: ['on_line_search_failure error', 'error'],
} as const satisfies Partial<Record<keyof PreconditionedOptimizerOptions, Setting>>;

/**
 * `LayerMetricOptions` of @sprout/inner-product (options of `createPreconditionedOptimizer` too): the
 * language's settings of a data Gram, `data { … }` (per side of the metric).
 */
const DATA_GRAM = {
  refreshEvery: ['refresh_every 10', 10],
  minDiagonal: ['min_diagonal 1e-6', 1e-6],
} as const satisfies Partial<Record<keyof PreconditionedOptimizerOptions, Setting>>;

/**
 * The other options of `createPreconditionedOptimizer`: the run sets these from the experiment or from its
 * own state, so they are not settings of their own.
 */
const FROM_THE_RUN = {
  totalEpochs: 'train { epochs }',
  deltaIs: "the pipeline's taps are batch-mean gradients",
  checkFinite: 'the pipeline checks the epoch loss itself',
  datasetSize: 'the training set size',
  resume: 'a checkpoint or a layer insertion',
} as const;

/** Options the language cannot set yet (kept visible so the gap is not silent). */
const NOT_YET = [] as const;

type Listed =
  | keyof typeof ADAPTIVE
  | keyof typeof ARMIJO
  | keyof typeof DATA_GRAM
  | keyof typeof FROM_THE_RUN
  | (typeof NOT_YET)[number];
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Fails the typecheck when an option of `createPreconditionedOptimizer` is missing above, or one above is not an option. */
const everyOptionListed: Same<keyof PreconditionedOptimizerOptions, Listed> = true;

/** The backticked option names of the README's table row that starts with `name`. */
const readmeRow = (readme: string, name: string): string[] => {
  const row = readFileSync(new URL(readme, import.meta.url), 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`| \`${name}\``));
  expect(row, `no README row for ${name}`).toBeDefined();
  const options = row!.split('|')[2]!;
  return [...options.matchAll(/`([A-Za-z][A-Za-z0-9]*)`/g)].map((m) => m[1]!);
};

describe("@sprout/step-size's options and the language", () => {
  it.each(Object.entries(ADAPTIVE))('%s is set by `step adaptive { %s }`', (field, [text, value]) => {
    expect(DEFAULTS.adaptive[field as keyof typeof DEFAULTS.adaptive]).not.toEqual(value);
    const r = parseExperiment(`experiment "x" { optimizer sgd { step adaptive { ${text} } } }`);
    if (E.isLeft(r)) throw new Error(JSON.stringify(r.left));
    expect(r.right.spec.optimizer.step).toMatchObject({ _tag: 'adaptive', [field]: value });
  });

  it.each(Object.entries(ARMIJO))('%s is set by `step armijo { %s }`', (field, [text, value]) => {
    expect(DEFAULTS.armijo[field as keyof typeof DEFAULTS.armijo]).not.toEqual(value);
    const r = parseExperiment(`experiment "x" { optimizer sgd { step armijo { ${text} } } }`);
    if (E.isLeft(r)) throw new Error(JSON.stringify(r.left));
    expect(r.right.spec.optimizer.step).toMatchObject({ _tag: 'armijo', [field]: value });
  });

  it.each(Object.entries(DATA_GRAM))(
    '%s is set by `metric frobenius { domain data { %s } }`',
    (field, [text, value]) => {
      expect(DEFAULTS.dataGram[field as keyof typeof DEFAULTS.dataGram]).not.toEqual(value);
      const r = parseExperiment(`experiment "x" { optimizer sgd { metric frobenius { domain data { ${text} } } } }`);
      if (E.isLeft(r)) throw new Error(JSON.stringify(r.left));
      expect(r.right.spec.optimizer.metric.domain).toMatchObject({ _tag: 'data', [field]: value });
    },
  );

  it("the README's AdaptiveOverrides row documents exactly these options", () => {
    const documented = readmeRow('../../packages/step-size/README.md', 'AdaptiveOverrides');
    expect(new Set(documented)).toEqual(new Set(Object.keys(ADAPTIVE)));
  });

  it("every option of createPreconditionedOptimizer is listed, and the README's row names no other", () => {
    expect(everyOptionListed).toBe(true);
    const documented = readmeRow('../../packages/step-size/README.md', 'PreconditionedOptimizerOptions');
    // `datasetSize` has a row of its own.
    expect(new Set([...documented, 'datasetSize'])).toEqual(
      new Set([
        ...Object.keys(ARMIJO),
        ...Object.keys(DATA_GRAM),
        ...Object.keys(FROM_THE_RUN),
        ...NOT_YET,
        'AdaptiveOverrides',
      ]),
    );
  });
});
