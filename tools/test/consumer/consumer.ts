// A project that is not Sprout's: its own TensorFlow.js, its own tf.sequential, and Sprout's packages as
// installed from their tarballs. tools/test/consumer.test.ts type-checks this file under node16, nodenext
// and bundler resolution (strict, exactOptionalPropertyTypes, no skipLibCheck), then runs it as an ES
// module (.mts) and as CommonJS (.cts). It prints one JSON line of what it measured.
import * as tf from '@tensorflow/tfjs';
import * as E from 'fp-ts/lib/Either.js';
import { checkText, parseExperiment } from '@sprout/dsl';
import { insertLayer } from '@sprout/growth';
import { frobeniusSpaceFor, matFromRows } from '@sprout/inner-product';
import { layerMetricFor as tfFromMetric } from '@sprout/inner-product/tfjs';
import { fromLayersModel, toLayersModel } from '@sprout/model';
import { computeSensitivities, selectPosition } from '@sprout/sensitivity';
import type { Metric, Optimizer } from '@sprout/spec';
import { arbitraryExperiment } from '@sprout/spec/testing';
import { ADAPTIVE_DEFAULTS, createPreconditionedOptimizer } from '@sprout/step-size';
import fc from 'fast-check';

const fail = (message: string): never => {
  throw new Error(message);
};
const scalar = (t: tf.Tensor): number => {
  const v = t.dataSync()[0];
  t.dispose();
  return v ?? fail('empty tensor');
};

const main = async (): Promise<void> => {
  await tf.setBackend('cpu');
  // The user's own model, built with the user's own TensorFlow.js.
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [2], units: 8, activation: 'relu' }),
      tf.layers.dense({ units: 8, activation: 'relu' }),
      tf.layers.dense({ units: 2 }),
    ],
  });
  const x = tf.randomNormal([64, 2], 0, 1, 'float32', 1);
  const y = tf.tensor1d(
    Array.from({ length: 64 }, (_, i) => i % 2),
    'int32',
  );

  // Sensitivities of every candidate position, and the layer inserted where they are largest.
  const net = fromLayersModel(model);
  if (E.isLeft(net)) return fail(net.left.message);
  const s = computeSensitivities(net.right, { x, y }, { norm: { _tag: 'fro' }, batchSize: 16, loss: 'cross_entropy' });
  if (E.isLeft(s)) return fail(s.left.message);
  const scores = s.right.scores;
  if (scores.length < 2 || !scores.every((v) => Number.isFinite(v) && v >= 0) || !scores.some((v) => v > 0)) {
    return fail(`sensitivities are not finite non-negative numbers: ${JSON.stringify(scores)}`);
  }
  const choice = selectPosition({ _tag: 'max' }, s.right);
  if (E.isLeft(choice) || choice.right._tag !== 'insert') return fail('no position chosen');
  const grown = insertLayer(net.right, choice.right.position);
  if (E.isLeft(grown)) return fail(grown.left.message);
  const bigger = toLayersModel(grown.right);
  const gap = scalar(tf.max(tf.abs(tf.sub(model.predict(x) as tf.Tensor, bigger.predict(x) as tf.Tensor))));
  if (!(gap < 1e-5)) fail(`the grown model computes another function: largest output change ${gap}`);
  const layersAdded = grown.right.layers.length - net.right.layers.length;

  // One Riesz-mapped gradient step on the user's first kernel (tfjs layout n×m = 2×8): for the
  // width-scaled Frobenius metric the Riesz map of Gᵀ is (m/n)·Gᵀ (@sprout/inner-product README).
  const width: Metric = { _tag: 'frobenius', domain: { _tag: 'width' }, codomain: { _tag: 'width' } };
  const kernel = model.layers[0]?.getWeights()[0] ?? fail('no kernel');
  const [n, m] = kernel.shape as [number, number];
  const metric = tfFromMetric(width, { n, m });
  if (E.isLeft(metric)) return fail(JSON.stringify(metric.left));
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const lossOf = (): tf.Scalar =>
    tf.losses.softmaxCrossEntropy(tf.oneHot(y, 2), model.predict(x) as tf.Tensor) as tf.Scalar;
  const { value, grads } = tf.variableGrads(lossOf, vars);
  const gradT = grads[vars[0]?.name ?? fail('no variable')] ?? fail('no gradient');
  const riesz = metric.right.kernel().riesz(gradT);
  const rieszError = scalar(tf.max(tf.abs(tf.sub(riesz, tf.mul(gradT, m / n)))));
  if (!(rieszError < 1e-6)) fail(`Riesz map differs from (m/n)·G by ${rieszError}`);
  // The same map in the TensorFlow-free reference instance (paper layout, G is m×n).
  const reference = frobeniusSpaceFor(width, { n: 3, m: 2 });
  if (E.isLeft(reference)) return fail(JSON.stringify(reference.left));
  const R = reference.right.riesz(
    matFromRows([
      [1, 0, -2],
      [0, 3, 1],
    ]),
  );
  if (Math.abs((R.data[2] ?? 0) + 4 / 3) > 1e-12) fail('reference Riesz map is wrong');
  tf.dispose([riesz, value, ...Object.values(grads)]);
  metric.right.dispose();

  // The adaptive step-size controller with that metric, one step on the user's model.
  const optimizer: Optimizer = { _tag: 'sgd', step: { ...ADAPTIVE_DEFAULTS }, metric: width };
  const groups = model.layers.flatMap((layer, li) =>
    layer.trainableWeights.map((w) => {
      const variable = w.read() as tf.Variable;
      return {
        name: variable.name,
        kind: w.shape.length === 2 ? ('dense' as const) : ('bias' as const),
        variable,
        layer: `layer${li}`,
      };
    }),
  );
  const made = createPreconditionedOptimizer(groups, optimizer, { initialL: 'first_estimate' });
  if (E.isLeft(made)) return fail(JSON.stringify(made.left));
  const before = scalar(lossOf());
  const step = tf.variableGrads(lossOf, vars);
  const info = made.right.step(step.grads, { loss: step.value, lossAt: () => scalar(lossOf()) });
  if (E.isLeft(info)) return fail(JSON.stringify(info.left));
  const after = scalar(lossOf());
  tf.dispose([step.value, ...Object.values(step.grads)]);
  made.right.dispose();
  if (!(Number.isFinite(after) && after < before))
    fail(`the adaptive step did not lower the loss: ${before} → ${after}`);

  // The TensorFlow-free packages: the language, and the spec's generator for property tests.
  const parsed = parseExperiment('experiment "short" { train { epochs 3 } }', 'short.sprout');
  if (E.isLeft(parsed) || parsed.right.spec.train.epochs !== 3) fail('parseExperiment failed');
  if (!E.isLeft(checkText('experiment "bad" { train { epochs 0 } }', 'bad.sprout')))
    fail('checkText accepted epochs 0');
  const generated = fc.sample(arbitraryExperiment(), { numRuns: 3, seed: 1 }).length;

  console.log(
    JSON.stringify({
      backend: tf.getBackend(),
      scores: scores.length,
      layersAdded,
      gap,
      rieszError,
      before,
      after,
      generated,
    }),
  );
};

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exitCode = 1;
});
