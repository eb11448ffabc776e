// Every setting the spec (and so the packages that read it) knows is reachable from the language: for each
// settings block, the spec fields of its defaults must all be named by a word of the language's table
// (SETTINGS in to-spec.ts). A field added to a package's spec defaults without a word in the language fails
// here; so does a word that maps to no spec field.
import { DEFAULTS } from '@sprout/spec';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../src/to-spec.js';

/** Language block → the spec defaults it sets, and the spec fields written as statements, not settings. */
const BLOCKS: ReadonlyArray<readonly [string, object, readonly string[]]> = [
  ['adaptive', DEFAULTS.adaptive, []],
  ['dog', DEFAULTS.dog, []],
  ['prodigy', DEFAULTS.prodigy, []],
  ['momentum', DEFAULTS.momentum, []],
  ['adam', DEFAULTS.adam, []],
  ['step', DEFAULTS.stepDecay, []],
  ['cosine', DEFAULTS.cosine, []],
  ['armijo', DEFAULTS.armijo, []],
  ['data', DEFAULTS.dataGram, []],
  // `norm` and `select` are statements of the grow block (`norm fro`, `select max`).
  ['sensli', DEFAULTS.sensli, ['norm', 'select']],
  ['spirals', DEFAULTS.spirals, []],
  ['csv', DEFAULTS.csv, []],
  ['idx', DEFAULTS.idx, []],
  ['cifar10', DEFAULTS.cifar10, []],
  // `batch` and `shuffle` are settings; nothing of train is a statement.
  ['train', DEFAULTS.train, []],
];

/** Words of the language that set a spec field outside the block's defaults (options without a default). */
const WITHOUT_DEFAULT: Readonly<Record<string, readonly string[]>> = {
  adaptive: ['preset'],
  sensli: ['thresholdMean', 'residualInit', 'insertBatchnorm'],
  spirals: ['splitDraw', 'validation'],
  csv: ['label', 'splitDraw', 'validation'],
  idx: ['splitDraw', 'validation', 'crop', 'flip'],
  cifar10: ['trainLimit', 'testLimit', 'validation', 'crop', 'flip'],
  train: ['patience', 'monitor', 'minDelta'],
};

describe("the language's settings and the spec's fields", () => {
  it.each(BLOCKS)('%s: every spec field has a word, every word a field', (block, defaults, statements) => {
    const schema = SETTINGS[block];
    expect(schema, `no settings table for '${block}'`).toBeDefined();
    const reachable = new Set(Object.values(schema!).map((s) => s.field));
    const fields = Object.keys(defaults).filter((k) => !statements.includes(k));
    expect(fields.filter((k) => !reachable.has(k))).toEqual([]);
    const known = new Set([...fields, ...(WITHOUT_DEFAULT[block] ?? [])]);
    expect([...reachable].filter((k) => !known.has(k))).toEqual([]);
  });
});
