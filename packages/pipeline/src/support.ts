/**
 * @sprout/pipeline/support: what the pipeline can run today, loaded without TensorFlow.js so that
 * `sprout check` reports a feature that is not implemented yet exactly as `sprout run` would. A spec that asks for something not implemented yet fails at compile
 * with the `not-implemented` diagnostic naming the feature and where it is used, never halfway through a
 * run; so does a `select position` past the network's candidate positions, which only the growth package
 * can count. Entries leave these lists as the features land.
 */
import * as E from 'fp-ts/lib/Either.js';
import { notImplemented, type Diagnostic, type Experiment, type Layer, type SpecPath } from '@sprout/spec';
import { networkLayers } from '@sprout/model/shapes';
import { candidatePositions } from '@sprout/growth/positions';
import { planArms } from '@sprout/spec';

const LAYERS: ReadonlySet<Layer['_tag']> = new Set([
  'dense',
  'conv',
  'pool',
  'flatten',
  'residual',
  'dropout',
  'batchnorm',
]);
const DATA: ReadonlySet<string> = new Set(['spirals', 'mnist', 'fashion_mnist', 'cifar10', 'csv', 'idx']);
const isDataGram = (g: { readonly _tag: string }): boolean => g._tag === 'data';

const layerDiagnostics = (layers: readonly Layer[], path: SpecPath): Diagnostic[] =>
  layers.flatMap((layer, i) => [
    ...(LAYERS.has(layer._tag) ? [] : [notImplemented(`layer '${layer._tag}'`, [...path, i])]),
    ...(layer._tag === 'residual' ? layerDiagnostics(layer.body, [...path, i, 'body']) : []),
  ]);

/** The base and compare arms without the sweep, each with its sections. */
const armsOf = (spec: Experiment): Experiment[] =>
  planArms({ ...spec, sweep: undefined, compare: spec.compare.map(({ sweep: _s, ...a }) => a) } as Experiment).map(
    (p) => p.experiment,
  );

/**
 * What `spec` asks for that this pipeline cannot run. A sweep point that asks for more (a swept setting
 * the pipeline does not support) is reported at the sweep, naming the point.
 */
export const unsupported = (spec: Experiment): Diagnostic[] => {
  const out = unsupportedArms(spec);
  if ((spec.sweep === undefined && spec.compare.every((a) => a.sweep === undefined)) || out.length > 0) return out;
  const seen = new Set<string>();
  for (const p of planArms(spec))
    for (const d of unsupportedArms(p.experiment))
      if (!seen.has(d.message)) {
        seen.add(d.message);
        out.push({ ...d, path: ['sweep'], note: `in ${p.name}` });
      }
  return out;
};

const unsupportedArms = (spec: Experiment): Diagnostic[] => {
  const out: Diagnostic[] = [];
  armsOf(spec).forEach((arm, a) => {
    const base: SpecPath = a === 0 ? [] : ['compare', a - 1];
    const at = (section: string, own: boolean): SpecPath => (a === 0 || own ? [...base, section] : [section]);
    const armSpec = a === 0 ? undefined : spec.compare[a - 1];
    if (a === 0 || armSpec?.network !== undefined)
      out.push(...layerDiagnostics(arm.network.layers, [...at('network', true), 'layers']));
    if ((a === 0 || armSpec?.data !== undefined) && !DATA.has(arm.data._tag))
      out.push(notImplemented(`data '${arm.data._tag}'`, at('data', true)));
    const own = (section: 'optimizer' | 'growth') => a === 0 || armSpec?.[section] !== undefined;
    const o = arm.optimizer;
    // Momentum/Adam with a step-size controller: the spec check refuses it (unsupported-combination).
    const g = arm.growth;
    if (g._tag === 'sensli' && (own('growth') || own('optimizer'))) {
      const path = at('growth', own('growth'));
      const preconditioned =
        !(o.step._tag === 'constant' || o.step._tag === 'step' || o.step._tag === 'cosine') ||
        o.metric.domain._tag !== 'identity' ||
        o.metric.codomain._tag !== 'identity';
      if (g.optimizerState === 'keep' && preconditioned)
        out.push(
          notImplemented(
            "optimizer state 'keep' across insertions with a step-size controller or a non-Euclidean metric",
            [...path, 'optimizerState'],
          ),
        );
      if (g.norm._tag === 'metric' && (isDataGram(g.norm.metric.domain) || isDataGram(g.norm.metric.codomain)))
        out.push(notImplemented('a sensitivity norm with data-based Gram matrices', [...path, 'norm']));
    }
    // SensLI's candidate positions exist for feed-forward nets, ResNets (a stem, then residual blocks) and
    // conv+ReLU stacks: another architecture would fail at the first sensitivity pass, after training.
    if (g._tag === 'sensli' && (own('growth') || a === 0 || armSpec?.network !== undefined)) {
      const positions = candidatePositions({ input: arm.network.input, layers: networkLayers(arm.network) });
      if (E.isLeft(positions))
        out.push(
          notImplemented(`SensLI growth of this network (${positions.left.message})`, at('growth', own('growth'))),
        );
      // `select position k` must name a candidate of the net as it starts: the first decision would fail.
      else if (g.select._tag === 'position' && g.select.index >= positions.right.positions.length) {
        const count = positions.right.positions.length;
        out.push({
          code: 'position-out-of-range',
          severity: 'error',
          message: `insertion position ${g.select.index} does not exist: this network has ${count === 1 ? 'one candidate position, 0' : `candidate positions 0..${count - 1}`}`,
          path: [...at('growth', own('growth')), 'select', 'index'],
          expected: `0..${count - 1}`,
          actual: String(g.select.index),
          ...(a === 0 ? {} : { note: `in compare arm '${arm.name}'` }),
        });
      }
      // σ(0) ≠ 0 breaks function preservation of the inner-zero block.
      else if (g.residualInit === 'inner_zero' && positions.right.positions.some((p) => p.activation === 'sigmoid'))
        out.push(
          notImplemented(
            'residual_init inner_zero with sigmoid blocks (σ(0) ≠ 0 would change the network function; use outer_zero)',
            [...at('growth', own('growth')), 'residualInit'],
          ),
        );
      // Conv + batch norm + ReLU goes only at conv positions: another net would fail at its first insertion.
      if (E.isRight(positions) && g.insertBatchnorm !== undefined && positions.right.architecture !== 'cnn')
        out.push(
          notImplemented(
            `insert_batchnorm on a ${positions.right.architecture === 'fnn' ? 'feed-forward net' : 'ResNet'} (conv + batch norm goes at conv positions only)`,
            [...at('growth', own('growth')), 'insertBatchnorm'],
          ),
        );
      // The reference's op22 scores conv kernels only: a net with dense positions would fail at the first pass.
      if (
        E.isRight(positions) &&
        g.norm._tag === 'op22_reference' &&
        positions.right.positions.some((p) => p.kind !== 'conv')
      )
        out.push(
          notImplemented(
            'norm op22_reference on a network with dense or residual positions (it scores conv kernels; use spectral_same or fro)',
            [...at('growth', own('growth')), 'norm'],
          ),
        );
    }
  });
  return out;
};
