/**
 * Concern: every name in the spec (tags, activations, paddings, modes, …) belongs to its vocabulary, with
 * "did you mean" for a close one. TypeScript callers cannot get these wrong, but specs from JSON or
 * JavaScript can; `decodeExperiment` reports the same diagnostics when it reads JSON.
 */
import type { Diagnostic, SpecPath } from '../Diagnostic.js';
import { MAX_NESTING } from '../limits.js';
import type {
  Data,
  Experiment,
  Gram,
  Growth,
  Layer,
  Metric,
  Network,
  Optimizer,
  Report,
  StepSize,
  Training,
} from '../Spec.js';
import { isKnownName, unknownName, type NameKindKey } from '../unknown-name.js';

type Check = readonly Diagnostic[];

const name = (kind: NameKindKey, value: unknown, path: SpecPath): Check =>
  isKnownName(kind, value) ? [] : [unknownName(kind, value, path)];

const checkLayer = (layer: Layer, path: SpecPath, depth: number): Check => {
  const at = (k: string): SpecPath => [...path, k];
  switch (layer._tag) {
    case 'dense':
      return name('activation', layer.activation, at('activation'));
    case 'conv':
      return [
        ...name('padding', layer.padding, at('padding')),
        ...name('activation', layer.activation, at('activation')),
      ];
    case 'pool':
      return name('pool', layer.kind, at('kind'));
    case 'residual':
      return depth >= MAX_NESTING ? [] : layer.body.flatMap((l, i) => checkLayer(l, [...path, 'body', i], depth + 1));
    case 'flatten':
    case 'dropout':
    case 'batchnorm':
      return [];
    default:
      return name('layer', (layer as { _tag: unknown })._tag, at('_tag'));
  }
};

const checkNetworkNames = (net: Network, path: SpecPath): Check => [
  ...net.layers.flatMap((l, i) => checkLayer(l, [...path, 'layers', i], 0)),
  ...name('activation', net.output.activation, [...path, 'output', 'activation']),
];

const checkDataNames = (data: Data, path: SpecPath): Check => [
  ...name('data', data._tag, [...path, '_tag']),
  ...('splitDraw' in data && data.splitDraw !== undefined
    ? name('splitDraw', data.splitDraw, [...path, 'splitDraw'])
    : []),
  ...(data.augment === undefined ? [] : name('flip', data.augment.flip, [...path, 'augment', 'flip'])),
];

const checkTrainingNames = (train: Training, path: SpecPath): Check =>
  train.stop === undefined ? [] : name('monitor', train.stop.monitor, [...path, 'stop', 'monitor']);

const checkGram = (gram: Gram, path: SpecPath): Check =>
  gram._tag === 'data'
    ? [
        ...name('structure', gram.structure, [...path, 'structure']),
        ...name('estimate', gram.estimate, [...path, 'estimate']),
      ]
    : name('gram', gram._tag, [...path, '_tag']);

const checkMetric = (metric: Metric, path: SpecPath): Check => [
  ...name('metric', metric._tag, [...path, '_tag']),
  ...checkGram(metric.domain, [...path, 'domain']),
  ...checkGram(metric.codomain, [...path, 'codomain']),
];

const checkStep = (step: StepSize, path: SpecPath): Check =>
  step._tag === 'adaptive'
    ? [
        ...name('variance', step.variance, [...path, 'variance']),
        ...name('onIncrease', step.onIncrease, [...path, 'onIncrease']),
        ...name('initialL', step.initialL, [...path, 'initialL']),
        ...name('restart', step.restart, [...path, 'restart']),
      ]
    : name('step', step._tag, [...path, '_tag']);

const checkOptimizerNames = (opt: Optimizer, path: SpecPath): Check => [
  ...name('optimizer', opt._tag, [...path, '_tag']),
  ...checkStep(opt.step, [...path, 'step']),
  ...checkMetric(opt.metric, [...path, 'metric']),
];

const checkGrowthNames = (g: Growth, path: SpecPath): Check => {
  if (g._tag !== 'sensli') return name('growth', g._tag, [...path, '_tag']);
  const at = (k: string): SpecPath => [...path, k];
  return [
    ...name('schedule', g.schedule._tag, [...at('schedule'), '_tag']),
    ...(g.norm._tag === 'metric'
      ? checkMetric(g.norm.metric, [...at('norm'), 'metric'])
      : name('norm', g.norm._tag, [...at('norm'), '_tag'])),
    ...name('selection', g.select._tag, [...at('select'), '_tag']),
    ...name('optimizerState', g.optimizerState, at('optimizerState')),
    ...(g.residualInit === undefined ? [] : name('residualInit', g.residualInit, at('residualInit'))),
    ...(g.select._tag === 'threshold' && g.select.mean !== undefined
      ? name('thresholdMean', g.select.mean, [...at('select'), 'mean'])
      : []),
  ];
};

const checkReport = (r: Report, path: SpecPath): Check => [
  ...r.plots.flatMap((p, i) => name('plot', p, [...path, 'plots', i])),
  ...r.tables.flatMap((t, i) => name('table', t, [...path, 'tables', i])),
];

/** Every name of one experiment's sections (not its compare arms, which `check.ts` resolves and checks). */
export const checkNames = (e: Experiment): Check => [
  ...checkDataNames(e.data, ['data']),
  ...checkNetworkNames(e.network, ['network']),
  ...name('loss', e.loss, ['loss']),
  ...checkOptimizerNames(e.optimizer, ['optimizer']),
  ...checkTrainingNames(e.train, ['train']),
  ...checkGrowthNames(e.growth, ['growth']),
  ...checkReport(e.report, ['report']),
];
