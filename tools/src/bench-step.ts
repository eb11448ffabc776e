// Training-step cost of tiny nets: @sprout/model's lossAndGradients on the gradient tape
// (tf.variableGrads through forward) against its closed-form back-propagation, plus a plain SGD update,
// on the spirals protocol's nets (FNN 2-5-2 and 2-5-5-2 ReLU, ResNet [3, 3] tanh; full batch 450,
// softmax cross-entropy on int32 labels), on wasm and cpu, in one run; and the same step in PyTorch
// (1 thread) when /usr/bin/python3 has torch. A third variant, `lean`, is the closed form as the pipeline
// can call it at its cheapest: one-hot targets made once per run and the learning rate folded into the
// gradients (gradScale), so the SGD update is one subtraction per parameter. Prints ms per step (wall, and
// CPU via process.cpuUsage), kernels per step, and the ratios to the tape and to PyTorch.
//
//   node --conditions=sprout-source --import tsx tools/src/bench-step.ts [--steps N] [--rounds R] [--backends wasm,cpu]
//
// Wall times depend on the load of the shared machine; the CPU time of this one-threaded process is the
// steadier figure. Each figure is the median over R rounds, the paths interleaved round by round.
import * as tf from '@tensorflow/tfjs';
import * as E from 'fp-ts/lib/Either.js';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { initBackend } from '@sprout/backend';
import { createNet, disposeNet, lossAndGradients, type Net } from '@sprout/model';
import { dense, network, output, residual, type Network } from '@sprout/spec';
import { arg, meanTiming, medianOfTimings, type Timing } from './bench-lib.js';

const steps = Number(arg('--steps', '600'));
const rounds = Number(arg('--rounds', '3'));
const backends = arg('--backends', 'wasm,cpu').split(',') as Array<'wasm' | 'cpu'>;
const BATCH = 450;

interface Case {
  readonly name: string;
  readonly network: Network;
  readonly lr: number;
}
const CASES: readonly Case[] = [
  { name: 'FNN 2-5-2', network: network(2, [dense(5, 'relu')], output(2, 'linear')), lr: 0.2 },
  { name: 'FNN 2-5-5-2', network: network(2, [dense(5, 'relu'), dense(5, 'relu')], output(2, 'linear')), lr: 0.2 },
  {
    name: 'ResNet [3,3]',
    network: network(
      2,
      [dense(3, 'tanh'), residual(dense(3, 'tanh'), dense(3, 'linear', { bias: false }))],
      output(2, 'linear'),
    ),
    lr: 0.1,
  },
];

/** `lean`: closed form with one-hot targets made once and the learning rate folded in (gradScale). */
type Path = 'tape' | 'closed-form' | 'lean';
const PATHS: readonly Path[] = ['tape', 'closed-form', 'lean'];

/**
 * One SGD step θ ← θ − lr ∂J/∂θ through lossAndGradients on the given path (`y` int32 labels; `yHot` the
 * same as one-hot rows, for `lean`).
 */
function stepFn(net: Net, x: tf.Tensor, y: tf.Tensor, yHot: tf.Tensor, lr: number, path: Path): () => void {
  if (path === 'lean')
    return () =>
      tf.tidy(() => {
        const r = lossAndGradients(net, x, yHot, { loss: 'cross_entropy', training: true, seed: 1, gradScale: lr });
        if (r.path !== 'closed-form') throw new Error(`expected the closed-form path, got ${r.path}`);
        for (const p of net.params) p.variable.assign(tf.sub(p.variable, r.grads[p.name]!));
      });
  return () =>
    tf.tidy(() => {
      const r = lossAndGradients(net, x, y, {
        loss: 'cross_entropy',
        training: true,
        seed: 1,
        forceTape: path === 'tape',
      });
      if (r.path !== path) throw new Error(`expected the ${path} path, got ${r.path}`);
      for (const p of net.params) p.variable.assign(tf.sub(p.variable, tf.mul(r.grads[p.name]!, lr)));
    });
}

const time = (f: () => void, n: number): Timing => meanTiming(f, n, 0);

async function kernelsPerStep(f: () => void): Promise<number> {
  const p = await tf.profile(() => {
    f();
  });
  return p.kernels.length;
}

/** PyTorch's time per step of the same nets (1 thread), or undefined without torch. */
function torchTimes(): Map<string, Timing> | undefined {
  const python = '/usr/bin/python3';
  if (!existsSync(python)) return undefined;
  const script = `
import json, sys, time
try:
    import torch
except ImportError:
    print("null"); sys.exit(0)
import torch.nn as nn
torch.set_num_threads(1); torch.manual_seed(0)
steps, rounds, B = ${steps}, ${rounds}, ${BATCH}
class ResBlock(nn.Module):
    def __init__(self, w):
        super().__init__(); self.l1 = nn.Linear(w, w); self.l2 = nn.Linear(w, w, bias=False)
    def forward(self, x): return x + self.l2(torch.tanh(self.l1(x)))
nets = {
  "FNN 2-5-2": (nn.Sequential(nn.Linear(2, 5), nn.ReLU(), nn.Linear(5, 2)), 0.2),
  "FNN 2-5-5-2": (nn.Sequential(nn.Linear(2, 5), nn.ReLU(), nn.Linear(5, 5), nn.ReLU(), nn.Linear(5, 2)), 0.2),
  "ResNet [3,3]": (nn.Sequential(nn.Linear(2, 3), nn.Tanh(), ResBlock(3), nn.Linear(3, 2)), 0.1),
}
x = torch.randn(B, 2); y = torch.randint(0, 2, (B,))
out = {}
for name, (net, lr) in nets.items():
    opt = torch.optim.SGD(net.parameters(), lr=lr); lf = nn.CrossEntropyLoss()
    def step():
        opt.zero_grad(); loss = lf(net(x), y); loss.backward(); opt.step()
    for _ in range(50): step()
    walls, cpus = [], []
    for _ in range(rounds):
        t, c = time.perf_counter(), time.process_time()
        for _ in range(steps): step()
        walls.append((time.perf_counter() - t) / steps * 1e3); cpus.append((time.process_time() - c) / steps * 1e3)
    out[name] = {"wall": sorted(walls)[len(walls) // 2], "cpu": sorted(cpus)[len(cpus) // 2]}
print(json.dumps(out))
`;
  try {
    const text = execFileSync(python, ['-c', script], {
      encoding: 'utf8',
      env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' },
    }).trim();
    const parsed = JSON.parse(text) as Record<string, Timing> | null;
    return parsed === null ? undefined : new Map(Object.entries(parsed));
  } catch (e) {
    console.log(`PyTorch timing failed: ${String(e)}`);
    return undefined;
  }
}

interface Row {
  readonly backend: string;
  readonly name: string;
  readonly tape: Timing;
  readonly closed: Timing;
  readonly lean: Timing;
  readonly kernels: Record<Path, number>;
  readonly gap: number;
}

async function main(): Promise<void> {
  console.log(
    `bench-step: ${steps} steps × ${rounds} rounds per figure, batch ${BATCH}; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const rows: Row[] = [];
  for (const backend of backends) {
    const init = await initBackend(backend);
    if (E.isLeft(init) || tf.getBackend() !== backend)
      throw new Error(`backend ${backend} failed: ${JSON.stringify(E.isLeft(init) ? init.left : tf.getBackend())}`);
    for (const c of CASES) {
      const x = tf.randomNormal([BATCH, 2], 0, 1, 'float32', 3);
      const y = tf.tidy(() => tf.cast(tf.greater(tf.randomUniform([BATCH], 0, 1, 'float32', 4), 0.5), 'int32'));
      const yHot = tf.tidy(() => tf.cast(tf.oneHot(y as tf.Tensor1D, 2), 'float32'));
      // The paths must take the same steps: 20 steps from the same start.
      const nets = PATHS.map(() => createNet(c.network, { seed: 1 }));
      for (let i = 0; i < 20; i++) PATHS.forEach((p, k) => stepFn(nets[k]!, x, y, yHot, c.lr, p)());
      const gap = Math.max(
        ...nets
          .slice(1)
          .flatMap((b) =>
            nets[0]!.params.map((p, i) =>
              tf.tidy(() => tf.max(tf.abs(tf.sub(p.variable, b.params[i]!.variable))).dataSync()[0]!),
            ),
          ),
      );
      const a = nets[0]!;
      nets.slice(1).forEach((b) => disposeNet(b));
      const fs = Object.fromEntries(PATHS.map((p) => [p, stepFn(a, x, y, yHot, c.lr, p)])) as Record<Path, () => void>;
      const kernels = {
        tape: await kernelsPerStep(fs.tape),
        'closed-form': await kernelsPerStep(fs['closed-form']),
        lean: await kernelsPerStep(fs.lean),
      };
      const before = tf.memory().numTensors;
      const got: Record<Path, Timing[]> = { tape: [], 'closed-form': [], lean: [] };
      for (const f of Object.values(fs)) time(f, 50);
      for (let r = 0; r < rounds; r++) for (const p of PATHS) got[p].push(time(fs[p], steps));
      if (tf.memory().numTensors !== before) throw new Error(`tensors leaked: ${before} → ${tf.memory().numTensors}`);
      rows.push({
        backend,
        name: c.name,
        tape: medianOfTimings(got.tape),
        closed: medianOfTimings(got['closed-form']),
        lean: medianOfTimings(got.lean),
        kernels,
        gap,
      });
      disposeNet(a);
      tf.dispose([x, y, yHot]);
    }
  }
  const torch = torchTimes();
  const f = (v: number): string => v.toFixed(3);
  const ratio = (a: Timing, b: Timing | undefined): string =>
    b === undefined ? 'n/a' : `${(a.cpu / b.cpu).toFixed(2)} (${(a.wall / b.wall).toFixed(2)})`;
  console.log(
    `\n| backend | net | tape ms wall / CPU | closed-form ms wall / CPU | lean ms wall / CPU | kernels tape / closed / lean | ` +
      `closed/tape CPU (wall) | lean/tape | PyTorch ms wall / CPU | closed/PyTorch | lean/PyTorch | max |Δθ| after 20 steps |`,
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const t = torch?.get(r.name);
    console.log(
      `| ${r.backend} | ${r.name} | ${f(r.tape.wall)} / ${f(r.tape.cpu)} | ${f(r.closed.wall)} / ${f(r.closed.cpu)} | ${f(r.lean.wall)} / ${f(r.lean.cpu)} | ` +
        `${r.kernels.tape} / ${r.kernels['closed-form']} / ${r.kernels.lean} | ${ratio(r.closed, r.tape)} | ${ratio(r.lean, r.tape)} | ` +
        `${t === undefined ? 'n/a' : `${f(t.wall)} / ${f(t.cpu)}`} | ${ratio(r.closed, t)} | ${ratio(r.lean, t)} | ${r.gap.toExponential(1)} |`,
    );
  }
  console.log(
    '\nRatios: CPU (wall). lean = closed form with one-hot targets made once and gradScale = lr (update: one Sub per parameter).',
  );
  if (torch === undefined) console.log('\nPyTorch: /usr/bin/python3 has no torch; no peer figures.');
  console.log(
    `\nload average at the end ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
}

await main();
