// The TensorFlow-free entry points, bundled for the browser by tools/test/consumer.test.ts (esbuild,
// platform browser): the build fails if any of them reaches a Node built-in.
import * as E from 'fp-ts/lib/Either.js';
import { parseExperiment } from '@sprout/dsl';
import { frobeniusSpaceFor, matFromRows } from '@sprout/inner-product';
import { experiment, DEFAULTS } from '@sprout/spec';

const parsed = parseExperiment('experiment "web" { train { epochs 2 } }', 'web.sprout');
const space = frobeniusSpaceFor(
  { _tag: 'frobenius', domain: { _tag: 'width' }, codomain: { _tag: 'width' } },
  { n: 2, m: 2 },
);
export const result = {
  parsed: E.isRight(parsed) ? parsed.right.spec.train.epochs : -1,
  riesz: E.isRight(space)
    ? space.right.riesz(
        matFromRows([
          [1, 2],
          [3, 4],
        ]),
      ).data[0]
    : -1,
  defaults: DEFAULTS,
  experiment,
};
