/**
 * What the pipeline can run today. A spec that asks for something a dependency has not implemented yet
 * fails at compile with the `not-implemented` diagnostic naming the feature and where it is used, never
 * halfway through a run. Entries leave these lists as the features land.
 */
import { notImplemented, type Diagnostic, type Experiment, type Layer, type SpecPath } from '@sprout/spec';
import { armPlans } from './plan.js';

const LAYERS: ReadonlySet<Layer['_tag']> = new Set(['dense', 'conv', 'pool', 'flatten', 'residual', 'dropout', 'batchnorm']);
const DATA: ReadonlySet<string> = new Set(['spirals', 'mnist', 'fashion_mnist', 'csv', 'idx']);
const STEPS: ReadonlySet<string> = new Set(['constant', 'step', 'cosine']);

const layerDiagnostics = (layers: readonly Layer[], path: SpecPath): Diagnostic[] =>
  layers.flatMap((layer, i) => [
    ...(LAYERS.has(layer._tag) ? [] : [notImplemented(`layer '${layer._tag}'`, [...path, i])]),
    ...(layer._tag === 'residual' ? layerDiagnostics(layer.body, [...path, i, 'body']) : []),
  ]);

export const unsupported = (spec: Experiment): Diagnostic[] => {
  const out: Diagnostic[] = [];
  armPlans(spec).forEach((arm, a) => {
    const base: SpecPath = a === 0 ? [] : ['compare', a - 1];
    const at = (section: string, own: boolean): SpecPath => (a === 0 || own ? [...base, section] : [section]);
    const armSpec = a === 0 ? undefined : spec.compare[a - 1];
    if (a === 0 || armSpec?.network !== undefined) out.push(...layerDiagnostics(arm.network.layers, [...at('network', true), 'layers']));
    if ((a === 0 || armSpec?.data !== undefined) && !DATA.has(arm.data._tag)) out.push(notImplemented(`data '${arm.data._tag}'`, at('data', true)));
    if (a === 0 || armSpec?.optimizer !== undefined) {
      const o = arm.optimizer;
      if (!STEPS.has(o.step._tag)) out.push(notImplemented(`step size '${o.step._tag}'`, [...at('optimizer', true), 'step']));
      if (o.metric.domain._tag !== 'identity' || o.metric.codomain._tag !== 'identity')
        out.push(notImplemented('a non-Euclidean metric (Frobenius-type inner product)', [...at('optimizer', true), 'metric']));
    }
    if ((a === 0 || armSpec?.growth !== undefined) && arm.growth._tag !== 'none') out.push(notImplemented(`grow ${arm.growth._tag}`, at('growth', true)));
  });
  return out;
};
