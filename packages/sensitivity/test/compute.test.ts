import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as E from 'fp-ts/lib/Either.js';
import { createNetFromLayers, disposeNet, forward, toHostNet, type Net } from '@sprout/model';
import { candidatePositions, disposeAdded, insertVirtualLayers } from '@sprout/growth';
import type { Gram, Metric } from '@sprout/spec';
import { computeSensitivities, lossFunction, type Sensitivities, type SensitivityOptions } from '../src/index.js';
import { cnn, fnn, inputs, resnet } from '@sprout/growth/testing';

const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(JSON.stringify(e.left));
  return e.right;
};

/** Labels 0..C−1 in turn, int32. */
const labels = (n: number, classes: number): tf.Tensor1D =>
  tf.tensor1d(
    Array.from({ length: n }, (_, i) => (i * 7) % classes),
    'int32',
  );
const classesOf = (net: Net): number => {
  const l = net.layers[net.layers.length - 1]!;
  return l._tag === 'dense' ? l.units : 0;
};

/** Sets every bias of the hidden ReLU layers to `b`, so all hidden units are active on small inputs. */
const activate = (net: Net, b: number): void => {
  for (const p of net.params)
    if (p.role === 'bias' && p.path[0]! < net.layers.length - 1) p.variable.assign(tf.fill(p.variable.shape, b));
};

const J = lossFunction('cross_entropy');

/** A conv+ReLU stack with average pooling: max pooling is not differentiable at ties, which FD would see. */
const smoothCnn = (seed: number): Net => cnn(seed, 'avg');

describe('each sensitivity is the squared directional derivative (central finite differences)', () => {
  // s_p = ‖g‖² with g = ∂J/∂W_v (full batch). Along d = g/‖g‖, dJ/dε (W_v + ε d) = ⟨g, d⟩ = ‖g‖. Central
  // differences D(h) = (J(h) − J(−h))/2h have error O(h²); Richardson (4 D(h/2) − D(h))/3 removes the h² term.
  // ReLU nets are made smooth along the direction by positive hidden biases (every unit active, so the
  // virtual ReLU sees h > 0; a unit at exactly 0 would make J one-sided there).
  const cases: [string, () => Net, number, SensitivityOptions][] = [
    ['fnn', () => fnn(5), 0.5, {}],
    ['resnet', () => resnet(5), 1, {}],
    // The reference's second block initialisation: the sensitivity is ∂J/∂W₁ at W₁ = 0, W₂ = 0.8 I.
    ['resnet inner_zero', () => resnet(5), 1, { residualInit: 'inner_zero' }],
    ['cnn', () => smoothCnn(5), 0.5, {}],
  ];
  for (const [name, make, scale, options] of cases) {
    it(`${name}: relative error < 1e-3 at every position`, () => {
      const net = make();
      if (!name.startsWith('resnet')) activate(net, 2);
      const x = inputs(net, 32, 3, scale);
      const y = labels(32, classesOf(net));
      const s = right(computeSensitivities(net, { x, y }, options));
      const ext = insertVirtualLayers(
        net,
        s.positions,
        options.residualInit === undefined ? {} : { residualInit: options.residualInit },
      );
      for (let p = 0; p < s.positions.length; p++) {
        const w = ext.net.params.find((q) => q.name === ext.weights[p])!.variable;
        const w0 = w.clone();
        const g = tf.tensor(s.gradients[p]!.values, w.shape);
        const d = tf.div(g, tf.norm(g));
        const at = (h: number): number => {
          w.assign(tf.tidy(() => tf.add(w0, tf.mul(h, d))));
          return tf.tidy(() => J(forward(ext.net, x), y).dataSync()[0]!);
        };
        const D = (h: number): number => (at(h) - at(-h)) / (2 * h);
        const h = 0.05;
        const fd = (4 * D(h / 2) - D(h)) / 3;
        w.assign(w0);
        const exact = Math.sqrt(s.scores[p]!);
        expect(exact).toBeGreaterThan(1e-2);
        if (process.env.SHOW_FD) console.log(name, p, Math.abs(fd - exact) / exact);
        expect(Math.abs(fd - exact) / exact).toBeLessThan(1e-3);
        tf.dispose([w0, g, d]);
      }
      disposeAdded(ext.net, net);
      tf.dispose([x, y]);
      disposeNet(net);
    });
  }
});

describe('the one-pass result equals inserting each candidate alone', () => {
  for (const [name, make] of [
    ['fnn', fnn],
    ['resnet', resnet],
    ['cnn', cnn],
  ] as const) {
    it(`${name}`, () => {
      const net = make(9);
      const x = inputs(net, 20, 4);
      const y = labels(20, classesOf(net));
      const s = right(computeSensitivities(net, { x, y }));
      const { positions } = right(candidatePositions(net));
      expect(s.scores).toHaveLength(positions.length);
      for (const pos of positions) {
        const alone = insertVirtualLayers(net, [pos]);
        const w = alone.net.params.find((q) => q.name === alone.weights[0])!.variable;
        const g = Array.from(
          tf.tidy(() => tf.variableGrads(() => J(forward(alone.net, x), y), [w]).grads[w.name]!.dataSync()),
        );
        const norm2 = g.reduce((a, v) => a + v * v, 0);
        expect(Math.abs(s.scores[pos.index]! - norm2)).toBeLessThanOrEqual(1e-5 * norm2 + 1e-12);
        const one = s.gradients[pos.index]!.values;
        for (let i = 0; i < g.length; i++) expect(one[i]).toBeCloseTo(g[i]!, 6);
        disposeAdded(alone.net, net);
      }
      // Not all zero: a real signal.
      expect(Math.max(...s.scores)).toBeGreaterThan(1e-6);
      tf.dispose([x, y]);
      disposeNet(net);
    });
  }
});

describe('batches accumulate to the epoch-averaged gradient', () => {
  it('equal batches give the full-batch gradient, not the mean of per-batch norms', () => {
    const net = fnn(4);
    const x = inputs(net, 24, 5);
    const y = labels(24, 2);
    const full = right(computeSensitivities(net, { x, y }));
    const opts: SensitivityOptions = { batchSize: 8 };
    const batched = right(computeSensitivities(net, { x, y }, opts));
    expect(batched.batches).toBe(3);
    const order = Array.from({ length: 24 }, (_, i) => (i * 5) % 24); // a permutation
    const shuffled = right(computeSensitivities(net, { x, y }, { batchSize: 8, order }));
    for (let p = 0; p < full.scores.length; p++) {
      expect(batched.scores[p]).toBeCloseTo(full.scores[p]!, 6);
      expect(shuffled.scores[p]).toBeCloseTo(full.scores[p]!, 6);
    }
    // The mean of the per-batch squared norms is larger (Jensen), and the result is not that.
    const perBatch = [0, 8, 16].map((s0) => {
      const xb = x.slice(s0, 8);
      const yb = y.slice(s0, 8);
      const r = right(computeSensitivities(net, { x: xb, y: yb }));
      tf.dispose([xb, yb]);
      return r.scores;
    });
    for (let p = 0; p < full.scores.length; p++) {
      const meanOfNorms = (perBatch[0]![p]! + perBatch[1]![p]! + perBatch[2]![p]!) / 3;
      expect(meanOfNorms).toBeGreaterThan(full.scores[p]! * 1.01);
    }
    tf.dispose([x, y]);
    disposeNet(net);
  });

  it('uneven batches average the batch gradients with equal weights (the reference)', () => {
    const net = fnn(4);
    const x = inputs(net, 10, 5);
    const y = labels(10, 2);
    const s = right(computeSensitivities(net, { x, y }, { batchSize: 6 }));
    // Batches of 6 and 4: ḡ = (g₁ + g₂)/2, each the batch-mean gradient.
    const parts = [
      [0, 6],
      [6, 4],
    ].map(([a, n]) => {
      const xb = x.slice(a!, n);
      const yb = y.slice(a!, n);
      const r = right(computeSensitivities(net, { x: xb, y: yb }));
      tf.dispose([xb, yb]);
      return r.gradients;
    });
    for (let p = 0; p < s.scores.length; p++) {
      const avg = parts[0]![p]!.values.map((v, i) => (v + parts[1]![p]!.values[i]!) / 2);
      const n2 = avg.reduce((a, v) => a + v * v, 0);
      expect(s.scores[p]).toBeCloseTo(n2, 6);
    }
    tf.dispose([x, y]);
    disposeNet(net);
  });
});

describe('norms, existing layers, memory and errors', () => {
  const run = (net: Net, options: SensitivityOptions): Sensitivities => {
    const x = inputs(net, 16, 8);
    const y = labels(16, classesOf(net));
    const r = right(computeSensitivities(net, { x, y }, options));
    tf.dispose([x, y]);
    return r;
  };

  it('fro_numel, Frobenius-type (identity, width) and spectral scores agree with their definitions', () => {
    const net = cnn(2);
    const fro = run(net, { norm: { _tag: 'fro' } });
    const numel = run(net, { norm: { _tag: 'fro_numel' } });
    const id = run(net, {
      norm: {
        _tag: 'metric',
        metric: { _tag: 'frobenius', domain: { _tag: 'identity' }, codomain: { _tag: 'identity' } },
      },
    });
    const width = run(net, {
      norm: { _tag: 'metric', metric: { _tag: 'frobenius', domain: { _tag: 'width' }, codomain: { _tag: 'width' } } },
    });
    const spectral = run(net, { norm: { _tag: 'spectral' } });
    fro.positions.forEach((pos, p) => {
      const m = pos.width;
      expect(numel.scores[p]).toBeCloseTo(fro.scores[p]! / (9 * m * m), 12);
      // Frobenius-type norms are computed by @sprout/inner-product on the tfjs side (float32).
      expect(Math.abs(id.scores[p]! - fro.scores[p]!) / fro.scores[p]!).toBeLessThan(1e-5);
      // tr(Gᵀ M_Y⁻¹ G M_X) with M_X = I/n (n = 9m), M_Y = I/m: (m / 9m) ‖G‖².
      expect(Math.abs(width.scores[p]! - fro.scores[p]! / 9) / fro.scores[p]!).toBeLessThan(1e-5);
      // σ_max² ≤ ‖G‖_F² summed over frequencies ... and at least the mean over frequencies: ‖Ĝ‖² = HW‖G‖²,
      // so HW·σ_max² ≥ ‖G‖_F² (Parseval) and σ_max² ≤ 9‖G‖_F² (each DFT entry sums 9 taps).
      const [H, W] = pos.inputShape as [number, number, number];
      expect(spectral.scores[p]! * H * W).toBeGreaterThanOrEqual(fro.scores[p]! * (1 - 1e-6));
      expect(spectral.scores[p]!).toBeLessThanOrEqual(9 * fro.scores[p]!);
    });
    // Data-based Gram matrices with a huge damping ε are ≈ ε I (codomain) and ≈ I/ε (domain): ‖R‖² ≈ ‖G‖²/ε.
    // This runs the statistics path (conv input patches, per-location δ) end to end.
    const eps = 1e6;
    for (const side of ['domain', 'codomain'] as const) {
      const data = {
        _tag: 'data',
        structure: 'dense',
        damping: eps,
        estimate: 'ema',
        decay: 0.5,
        refreshEvery: 1,
        minDiagonal: 1e-12,
      } as const;
      const id: Gram = { _tag: 'identity' };
      const metric: Metric = {
        _tag: 'frobenius',
        domain: side === 'domain' ? data : id,
        codomain: side === 'codomain' ? data : id,
      };
      const r = run(net, { norm: { _tag: 'metric', metric }, batchSize: 5 });
      const f = run(net, { batchSize: 5 });
      r.scores.forEach((v, p) => expect(Math.abs(v * eps - f.scores[p]!) / f.scores[p]!).toBeLessThan(1e-3));
    }
    disposeNet(net);
  });

  it('a data-based domain Gram weighs the gradient by the inputs: Σ G_io² / (E[x_i²] + ε)', () => {
    // M_X = diag(1/(E[x²] + ε)), M_Y = I: tr(Gᵀ M_Y⁻¹ G M_X) = Σ_{i,o} G[i,o]² / (E[x_i²] + ε) (tfjs layout
    // G[in, out]); x is the virtual layer's input, the output of the layer the position follows.
    const net = fnn(7);
    const x = inputs(net, 16, 8);
    const y = labels(16, 2);
    const eps = 1e-2;
    const metric = {
      _tag: 'frobenius',
      domain: {
        _tag: 'data',
        structure: 'diagonal',
        damping: eps,
        estimate: 'batch',
        decay: 0.9,
        refreshEvery: 1,
        minDiagonal: 1e-12,
      },
      codomain: { _tag: 'identity' },
    } as const;
    const s = right(computeSensitivities(net, { x, y }, { norm: { _tag: 'metric', metric } }));
    s.positions.forEach((pos, p) => {
      const h = tf.tidy(() => forward({ ...net, layers: net.layers.slice(0, pos.after + 1) }, x));
      const ex2 = tf.tidy(() => tf.mean(tf.square(h), 0).dataSync());
      const g = s.gradients[p]!.values;
      const w = pos.width;
      let expected = 0;
      for (let i = 0; i < w; i++) for (let o = 0; o < w; o++) expected += g[i * w + o]! ** 2 / (ex2[i]! + eps);
      expect(Math.abs(s.scores[p]! - expected) / expected).toBeLessThan(1e-4);
      h.dispose();
    });
    tf.dispose([x, y]);
    disposeNet(net);
  });

  it('scores the existing kernels with the same norm from the same pass', () => {
    const net = fnn(6);
    const x = inputs(net, 16, 8);
    const y = labels(16, 2);
    const s = right(computeSensitivities(net, { x, y }, { existing: true }));
    expect(s.existing.map((e) => e.name)).toEqual(['0.kernel', '1.kernel', '2.kernel']);
    // The gradient of an existing kernel is the same in the extended and in the original net.
    const vars = net.params.filter((p) => p.role === 'kernel').map((p) => p.variable);
    const direct = tf.tidy(() => {
      const { grads } = tf.variableGrads(() => J(forward(net, x), y), vars);
      return vars.map((v) => tf.sum(tf.square(grads[v.name]!)).dataSync()[0]!);
    });
    direct.forEach((d, i) => expect(s.existing[i]!.score).toBeCloseTo(d, 7));
    expect(s.existingMean).toBeCloseTo(direct.reduce((a, b) => a + b, 0) / 3, 7);
    const c = run(cnn(2), { existing: true });
    expect(c.existing.map((e) => e.name)).toEqual(['0.kernel', '2.kernel']); // conv kernels only, as the reference
    tf.dispose([x, y]);
    disposeNet(net);
  });

  it('leaves no tensor behind and does not change the net', () => {
    const net = resnet(3);
    const x = inputs(net, 16, 8);
    const y = labels(16, 2);
    const before = tf.tidy(() => forward(net, x).dataSync());
    right(computeSensitivities(net, { x, y }, { existing: true, batchSize: 5 }));
    const start = tf.memory().numTensors;
    right(computeSensitivities(net, { x, y }, { existing: true, batchSize: 5 }));
    expect(tf.memory().numTensors).toBe(start);
    // The statistics path of data-based metrics (taps, probes, conv patches, metric moments) too.
    const metric: Metric = {
      _tag: 'frobenius',
      domain: {
        _tag: 'data',
        structure: 'dense',
        damping: 1e-3,
        estimate: 'ema',
        decay: 0.9,
        refreshEvery: 1,
        minDiagonal: 1e-12,
      },
      codomain: {
        _tag: 'data',
        structure: 'diagonal',
        damping: 1e-3,
        estimate: 'batch',
        decay: 0.9,
        refreshEvery: 1,
        minDiagonal: 1e-12,
      },
    };
    for (const [m, xm] of [
      [net, x],
      [cnn(1), inputs(cnn(1), 16, 8)],
    ] as const) {
      const ym = labels(16, classesOf(m));
      right(
        computeSensitivities(m, { x: xm, y: ym }, { norm: { _tag: 'metric', metric }, batchSize: 6, existing: true }),
      );
      const count = tf.memory().numTensors;
      right(
        computeSensitivities(m, { x: xm, y: ym }, { norm: { _tag: 'metric', metric }, batchSize: 6, existing: true }),
      );
      expect(tf.memory().numTensors).toBe(count);
      ym.dispose();
    }
    // Inside a caller's tf.tidy (as the pipeline calls it) the data-metric path gives the same scores.
    const outside = right(
      computeSensitivities(net, { x, y }, { norm: { _tag: 'metric', metric }, batchSize: 6 }),
    ).scores;
    let inside: readonly number[] = [];
    tf.tidy(() => {
      inside = right(computeSensitivities(net, { x, y }, { norm: { _tag: 'metric', metric }, batchSize: 6 })).scores;
    });
    expect(inside).toEqual(outside);
    expect(Array.from(tf.tidy(() => forward(net, x).dataSync()))).toEqual(Array.from(before));
    expect(net.layers).toHaveLength(3);
    tf.dispose([x, y]);
    disposeNet(net);
  });

  it('returns errors as values', () => {
    const net = fnn(1);
    const empty = computeSensitivities(net, { x: tf.zeros([0, 2]), y: tf.zeros([0], 'int32') });
    expect(E.isLeft(empty) && empty.left._tag).toBe('empty-data');
    const bad = computeSensitivities(net, { x: tf.zeros([3, 2]), y: labels(3, 2) }, { order: [0, 0, 1] });
    expect(E.isLeft(bad) && bad.left._tag).toBe('invalid-order');
    const x = tf.fill([4, 2], Number.NaN);
    const nan = computeSensitivities(net, { x, y: labels(4, 2) });
    expect(E.isLeft(nan) && nan.left._tag).toBe('non-finite-sensitivity');
    const tanh = computeSensitivities(
      { ...net, layers: [{ _tag: 'dense', units: 5, activation: 'tanh', bias: true }, ...net.layers.slice(1)] },
      { x: tf.zeros([2, 2]), y: labels(2, 2) },
    );
    expect(E.isLeft(tanh) && tanh.left._tag).toBe('unsupported-architecture');
    disposeNet(net);
  });
});

describe('conv+ReLU stacks: the pass without materialised virtual layers (internal/cnn-pass.ts)', () => {
  const conv = (
    filters: number,
    stride = 1,
    padding: 'same' | 'valid' = 'same',
    activation: 'relu' | 'linear' = 'relu',
  ) => ({ _tag: 'conv', filters, kernel: 3, stride, padding, activation }) as const;
  const nets: Array<[string, () => Net]> = [
    ['max pools, two candidates', () => cnn(5)],
    [
      'stride 2, valid padding, avg pool, linear conv, hidden dense, inactive dropout',
      () =>
        createNetFromLayers(
          [9, 9, 2],
          [
            conv(3, 2, 'valid'),
            conv(4, 1, 'same', 'linear'),
            { _tag: 'dropout', rate: 0.3 },
            conv(5),
            { _tag: 'pool', kind: 'avg', size: 2, stride: 1 },
            { _tag: 'flatten' },
            { _tag: 'dense', units: 6, activation: 'relu', bias: true },
            { _tag: 'dense', units: 3, activation: 'linear', bias: false },
          ],
          { seed: 3 },
        ),
    ],
  ];
  for (const [name, make] of nets) {
    it(`${name}: every virtual and existing kernel gradient equals the tape through the extended net`, () => {
      const net = make();
      const x = inputs(net, 12, 6);
      const y = labels(12, classesOf(net));
      const start = tf.memory().numTensors;
      const s = right(computeSensitivities(net, { x, y }, { existing: true, batchSize: 5 }));
      expect(tf.memory().numTensors).toBe(start);
      const { positions } = right(candidatePositions(net));
      const ext = insertVirtualLayers(net, positions);
      const virtual = ext.weights.map((w) => ext.net.params.find((q) => q.name === w)!.variable);
      const kernels = net.params.filter((p) => p.role === 'kernel' && net.layers[p.path[0]!]!._tag === 'conv');
      expect(s.existing.map((e) => e.name)).toEqual(kernels.map((k) => k.name));
      // The existing kernels of the extended net: their names shift past the inserted layers.
      const shifted = kernels.map((k) => {
        const before = positions.filter((p) => p.after < k.path[0]!).length;
        return ext.net.params.find((q) => q.name === `${k.path[0]! + before}.kernel`)!.variable;
      });
      const vars = [...virtual, ...shifted];
      // Epoch average over batches of 5, 5, 2 through the materialised extended net with the gradient tape.
      const expected = tf.tidy(() => {
        const sums = vars.map((v) => tf.zerosLike(v));
        for (const [a, b] of [
          [0, 5],
          [5, 10],
          [10, 12],
        ] as const) {
          const { grads } = tf.variableGrads(() => J(forward(ext.net, x.slice(a, b - a)), y.slice(a, b - a)), vars);
          vars.forEach((v, i) => (sums[i] = tf.add(sums[i]!, grads[v.name]!)));
        }
        return sums.map((t) => Array.from(tf.div(t, 3).dataSync()));
      });
      const got = [...s.gradients.map((g) => Array.from(g.values))];
      const existingScores = s.existing.map((e) => e.score);
      expected.forEach((e, i) => {
        const scale = Math.max(1e-6, ...e.map(Math.abs));
        if (i < positions.length) {
          expect(got[i]!.length).toBe(e.length);
          for (let j = 0; j < e.length; j++) expect(Math.abs(got[i]![j]! - e[j]!)).toBeLessThanOrEqual(1e-5 * scale);
        } else {
          const norm2 = e.reduce((a, v) => a + v * v, 0);
          expect(Math.abs(existingScores[i - positions.length]! - norm2)).toBeLessThanOrEqual(1e-4 * norm2 + 1e-12);
        }
      });
      expect(Math.max(...s.scores)).toBeGreaterThan(1e-8);
      disposeAdded(ext.net, net);
      tf.dispose([x, y]);
      disposeNet(net);
    });
  }
});

describe('dense and residual nets: the direct host pass (internal/host-pass.ts) equals the tape through the extended net', () => {
  it('host arrays with one label too few or one input row too many are refused (empty-data), not read past', () => {
    const net = fnn(4);
    const x = inputs(net, 13, 7);
    const y = labels(13, classesOf(net));
    const hx = x.dataSync() as Float32Array;
    const hy = Int32Array.from(y.dataSync());
    for (const host of [
      { x: hx, y: hy.subarray(0, 12) },
      { x: hx.subarray(0, hx.length - 1), y: hy },
    ]) {
      const r = computeSensitivities(net, { x, y, host });
      expect(E.isLeft(r) && r.left._tag).toBe('empty-data');
    }
    tf.dispose([x, y]);
    disposeNet(net);
  });

  // A spec loss takes the host pass; the same loss as a function takes the tape through the extended net.
  for (const [name, make] of [
    ['fnn', () => fnn(4)],
    ['resnet', () => resnet(4)],
  ] as const) {
    for (const loss of ['cross_entropy', 'mse'] as const) {
      it(`${name}, ${loss}: uneven shuffled batches, virtual and existing kernels`, () => {
        const net = make();
        const x = inputs(net, 13, 7);
        const y = labels(13, classesOf(net));
        const order = Array.from({ length: 13 }, (_, i) => (i * 5) % 13);
        const options: SensitivityOptions = { existing: true, batchSize: 5, order };
        const start = tf.memory().numTensors;
        const host = right(computeSensitivities(net, { x, y }, { ...options, loss }));
        expect(tf.memory().numTensors).toBe(start);
        const tape = right(computeSensitivities(net, { x, y }, { ...options, loss: lossFunction(loss) }));
        // With host arrays handed in (as the pipeline does) the result is the same.
        const given = right(
          computeSensitivities(
            net,
            { x, y, host: { x: x.dataSync() as Float32Array, y: Int32Array.from(y.dataSync()) } },
            { ...options, loss },
          ),
        );
        expect(given.scores).toEqual(host.scores);
        // On the caller's host net (the pipeline's host engine) too; one of another loss is not used.
        const other = loss === 'mse' ? 'cross_entropy' : 'mse';
        for (const hostNet of [toHostNet(net, { loss })!, toHostNet(net, { loss: other })!]) {
          const on = right(computeSensitivities(net, { x, y }, { ...options, loss, hostNet }));
          expect(on.scores).toEqual(host.scores);
          expect(on.existing).toEqual(host.existing);
        }
        // It is the one computed on: other values there give other sensitivities.
        const changed = toHostNet(net, { loss })!;
        changed.params.get('0.kernel')![0]! += 0.5;
        expect(right(computeSensitivities(net, { x, y }, { ...options, loss, hostNet: changed })).scores).not.toEqual(
          host.scores,
        );
        expect(host.gradients.map((g) => [g.name, g.kind, g.shape, g.inputShape])).toEqual(
          tape.gradients.map((g) => [g.name, g.kind, g.shape, g.inputShape]),
        );
        expect(host.existing.map((e) => e.name)).toEqual(tape.existing.map((e) => e.name));
        host.gradients.forEach((g, i) => {
          const e = tape.gradients[i]!.values;
          const scale = Math.max(1e-6, ...Array.from(e, Math.abs));
          expect(scale).toBeGreaterThan(1e-6);
          for (let j = 0; j < e.length; j++) expect(Math.abs(g.values[j]! - e[j]!)).toBeLessThanOrEqual(1e-5 * scale);
        });
        host.existing.forEach((e, i) =>
          expect(Math.abs(e.score - tape.existing[i]!.score)).toBeLessThanOrEqual(
            1e-4 * tape.existing[i]!.score + 1e-12,
          ),
        );
        expect(host.existing.length).toBeGreaterThan(0);
        tf.dispose([x, y]);
        disposeNet(net);
      });
    }
  }
});
