// estimateMemory / checkMemory and the `too-large` diagnostic of `check` (a network that cannot fit
// is rejected before anything is allocated, and the error gives the estimate and the limit).
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  adam,
  arm,
  atEpochs,
  check,
  checkMemory,
  conv,
  dataGram,
  DEFAULT_MEMORY_LIMIT,
  dense,
  estimateArmMemory,
  estimateMemory,
  experiment,
  flatten,
  frobenius,
  identity,
  mnist,
  momentum,
  network,
  output,
  residual,
  sensli,
  sgd,
  showBytes,
  type Diagnostic,
  type Experiment,
} from '../src/index.js';
import { arbitraryExperiment } from '../src/testing.js';

const codes = (e: Experiment, options?: Parameters<typeof check>[1]): string[] => {
  const r = check(e, options);
  return E.isLeft(r) ? r.left.map((d: Diagnostic) => d.code) : [];
};
const tooLarge = (e: Experiment, options?: Parameters<typeof check>[1]): Diagnostic | undefined => {
  const r = check(e, options);
  return E.isLeft(r) ? r.left.find((d) => d.code === 'too-large') : undefined;
};

describe('estimateMemory', () => {
  it('adds weights, gradients and optimizer state per parameter, and activations × batch × 2', () => {
    // input 2 → dense 5 → output 2: P = 2·5 + 5 + 5·2 + 2 = 27; A = 2 + 5 + 2 = 9 values per example.
    const spec = experiment('tiny', { network: network(2, [dense(5)], output(2)), train: { batch: 10 } });
    const e = estimateMemory(spec);
    expect(e).toMatchObject({
      parameters: 27,
      parameterCopies: 2,
      activationsPerExample: 9,
      batch: 10,
      batchIsLowerBound: false,
    });
    expect(e.parameterBytes).toBe(27 * 4 * 2);
    expect(e.activationBytes).toBe(9 * 10 * 4 * 2);
    expect(e.metricBytes).toBe(0);
    expect(e.totalBytes).toBe(27 * 4 * 2 + 9 * 10 * 4 * 2);
    // Momentum keeps one more copy, Adam two (m and v).
    expect(estimateMemory({ ...spec, optimizer: momentum(0.9) }).parameterCopies).toBe(3);
    expect(estimateMemory({ ...spec, optimizer: adam() }).parameterCopies).toBe(4);
    expect(estimateMemory({ ...spec, optimizer: adam() }).parameterBytes).toBe(27 * 4 * 4);
    // The batch option overrides the spec's.
    expect(estimateMemory(spec, { batch: 1000 }).activationBytes).toBe(9 * 1000 * 4 * 2);
  });

  it('takes a full batch from the data: spirals 2·points·split, MNIST trainLimit or 60,000', () => {
    const spirals = experiment('s', { train: { batch: 'full' } }); // 300 points per class, split 0.75
    expect(estimateMemory(spirals).batch).toBe(450);
    const m = experiment('m', {
      data: mnist(),
      network: network(784, [dense(8)], output(10)),
      train: { batch: 'full' },
    });
    expect(estimateMemory(m).batch).toBe(60_000);
    expect(estimateMemory({ ...m, data: mnist({ trainLimit: 1000 }) }).batch).toBe(1000);
  });

  it('counts image activations, residual sums, growth insertions and data Gram matrices', () => {
    // 28×28×1 → conv 4 (same) → flatten → output 10.
    const cnn = experiment('c', {
      data: mnist(),
      network: network([28, 28, 1], [conv(4, 3), flatten()], output(10)),
      train: { batch: 1 },
    });
    const a = 784 + 784 * 4 + 784 * 4 + 10;
    expect(estimateMemory(cnn).activationsPerExample).toBe(a);
    expect(estimateMemory(cnn).parameters).toBe(3 * 3 * 1 * 4 + 4 + 3136 * 10 + 10);
    // A residual block stores its body's outputs and the sum x + f(x).
    const res = experiment('r', {
      network: network(2, [dense(3), residual(dense(3), dense(3))], output(2)),
      train: { batch: 1 },
    });
    expect(estimateMemory(res).activationsPerExample).toBe(2 + 3 + 3 + 3 + 3 + 2);
    // Two insertions of the widest square candidate (5 × 5 + 5 parameters, 5 activations each).
    const base = experiment('g', { network: network(2, [dense(5)], output(2)), train: { epochs: 10, batch: 1 } });
    const grown = { ...base, growth: sensli({ schedule: atEpochs(3, 6) }) };
    expect(estimateMemory(grown).parameters - estimateMemory(base).parameters).toBe(2 * 30);
    expect(estimateMemory(grown).activationsPerExample - estimateMemory(base).activationsPerExample).toBe(2 * 5);
    // Dense data Gram on both sides: 2·n² per side and weight; weights (2→5) and (5→2).
    const gram = {
      ...base,
      optimizer: sgd({ metric: frobenius(dataGram({ structure: 'dense' }), dataGram({ structure: 'dense' })) }),
    };
    expect(estimateMemory(gram).metricBytes).toBe((2 * 4 + 2 * 25 + 2 * 25 + 2 * 4) * 4);
    const diagonal = { ...base, optimizer: sgd({ metric: frobenius(dataGram(), identity()) }) };
    expect(estimateMemory(diagonal).metricBytes).toBe((2 * 2 + 2 * 5) * 4);
  });

  it('estimates a compare arm as the base with its sections substituted', () => {
    const spec = experiment('a', {
      compare: [arm('wide', { network: network(2, [dense(100)], output(2)) })],
      train: { batch: 1 },
    });
    expect(estimateArmMemory(spec, spec.compare[0]!).parameters).toBe(2 * 100 + 100 + 100 * 2 + 2);
  });
});

describe('the too-large check', () => {
  it('rejects dense 100,000 × 10 on MNIST, naming the estimate and the limit', () => {
    const hostile = experiment('hostile', {
      data: mnist(),
      network: network(
        784,
        Array.from({ length: 10 }, () => dense(100_000)),
        output(10),
      ),
      optimizer: adam(),
      train: { batch: 100 },
    });
    // `check` stops at the parameter limit; the memory check itself gives the bytes.
    expect(codes(hostile)).toEqual(['too-many-parameters']);
    const [d, ...rest] = checkMemory(hostile);
    expect(rest).toEqual([]);
    expect(d!.code).toBe('too-large');
    const e = estimateMemory(hostile);
    expect(e.parameters).toBe(784 * 100_000 + 100_000 + 9 * (100_000 * 100_000 + 100_000) + 100_000 * 10 + 10);
    expect(d!.message).toContain(`about ${showBytes(e.totalBytes)}`);
    expect(d!.message).toContain('the limit of 8.0 GiB');
    expect(d!.message).toMatch(/parameters 90\d+ × 4 B × 4 copies/);
    expect(d!.expected).toBe(`at most 8.0 GiB (${DEFAULT_MEMORY_LIMIT} bytes)`);
    expect(d!.actual).toContain(String(Math.round(e.totalBytes)));
    expect(d!.path).toEqual(['network']);
  });

  it('rejects in `check` a network under the parameter limit that does not fit: dense 4,000 × 5, Adam, full-batch MNIST', () => {
    const hostile = experiment('hostile', {
      data: mnist(),
      network: network(
        784,
        Array.from({ length: 5 }, () => dense(4_000)),
        output(10),
      ),
      optimizer: adam(),
      train: { batch: 'full' },
    });
    expect(codes(hostile)).toEqual(['too-large']);
    const d = tooLarge(hostile)!;
    const e = estimateMemory(hostile);
    expect(e.activationsPerExample).toBe(784 + 5 * 4_000 + 10);
    expect(d.message).toBe(
      `training needs about ${showBytes(e.totalBytes)} of memory, more than the limit of 8.0 GiB (parameters ${e.parameters} × 4 B × 4 copies = ${showBytes(e.parameterBytes)}; activations 20794 per example × batch 60000 × 4 B × 2 = ${showBytes(e.activationBytes)})`,
    );
  });

  it('rejects a network with few parameters whose activations do not fit (full-batch MNIST CNN)', () => {
    const cnn = experiment('cnn', {
      data: mnist(),
      network: network([28, 28, 1], [conv(64, 3), conv(64, 3), flatten()], output(10)),
      train: { batch: 'full' },
    });
    expect(codes(cnn)).toEqual(['too-large']);
    expect(tooLarge(cnn)!.message).toMatch(/activations \d+ per example × batch 60000 × 4 B × 2/);
    // The same network with minibatches of 100 fits.
    expect(codes({ ...cnn, train: { ...cnn.train, batch: 100 } })).toEqual([]);
  });

  it('takes its limit as an option, and can be turned off', () => {
    const spec = experiment('tiny', { network: network(2, [dense(5)], output(2)), train: { batch: 10 } });
    const total = estimateMemory(spec).totalBytes;
    expect(codes(spec, { memory: { limitBytes: total } })).toEqual([]);
    expect(codes(spec, { memory: { limitBytes: total - 1 } })).toEqual(['too-large']);
    expect(tooLarge(spec, { memory: { limitBytes: 500 } })!.message).toContain('more than the limit of 500 B');
    expect(codes(spec, { memory: false })).toEqual([]);
    expect(checkMemory(spec, { limitBytes: 1000, batch: 1 })).toEqual([]);
  });

  it('reports an arm that alone does not fit at its own path', () => {
    const spec = experiment('a', {
      train: { batch: 1 },
      compare: [
        arm('small'),
        arm('huge', { network: network(2, [dense(40_000), dense(40_000)], output(2)), optimizer: adam() }),
      ],
    });
    const ds = checkMemory(spec);
    expect(ds.map((d) => [d.code, d.path, d.note])).toEqual([
      [
        'too-large',
        ['compare', 1, 'network'],
        "in compare arm 'huge'; use fewer or narrower layers, or a smaller batch",
      ],
    ]);
  });

  it('runs only on an otherwise valid spec (its estimate assumes the shapes fit)', () => {
    const bad = experiment('bad', {
      network: network(2, [dense(100_000), conv(3, 3)], output(2)),
      train: { batch: 1 },
    });
    expect(codes(bad, { memory: { limitBytes: 1 } })).not.toContain('too-large');
  });

  it('accepts every generated experiment under the default limit', () => {
    fc.assert(
      fc.property(arbitraryExperiment(), (e) => checkMemory(e).length === 0),
      { numRuns: 200 },
    );
  });
});
