/**
 * The training worker: parses the experiment (only parsed: the text is data, never code), compiles it with
 * @sprout/pipeline/core on a memory host and runs it on TensorFlow.js' wasm backend with Sprout's kernels
 * (webgl or cpu on request), posting every run event; Stop aborts the run (its checkpoints stay in memory),
 * Continue resumes it from them, Download sends the run directory's files. Between epochs it reads the
 * latest checkpoint of the run in progress for the architecture diagram and the decision boundary.
 */
import './polyfills.js';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import * as E from 'fp-ts/lib/Either.js';
import { registerWasmKernels } from '@sprout/backend';
import { parseExperiment, renderDiagnostics } from '@sprout/dsl';
import { createNetFromLayers, disposeNet, forward, setWeights } from '@sprout/model';
import { planArms, type Experiment } from '@sprout/spec';
import { BASE_ARM, compile, latestCheckpoint, memoryHost, type RunEvent, type RunHost } from '@sprout/pipeline/core';
import { browserLoadData, type UserFiles } from './browser-data.js';
import type { Boundary, FromWorker, ToWorker, TrainingBackend } from './protocol.js';

const post = (m: FromWorker, transfer: Transferable[] = []): void => postMessage(m, { transfer });

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
});

const RUN_DIR = '/run';
let userFiles: UserFiles = new Map();
let host = memoryHost();
let current:
  { spec: Experiment; stop: AbortController; text: string; backend: TrainingBackend; runDir: string } | undefined;
let running = false;

/** Which backends this browser has (for the page to show), whichever one trains. */
const availableBackends = async (): Promise<string[]> => {
  const out: string[] = [];
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter: () => Promise<unknown> } }).gpu;
  if (gpu !== undefined && (await gpu.requestAdapter().catch(() => null)) !== null) out.push('webgpu');
  try {
    const canvas = new OffscreenCanvas(1, 1);
    if (canvas.getContext('webgl2') !== null || canvas.getContext('webgl') !== null) out.push('webgl');
  } catch {
    // No OffscreenCanvas: no webgl in a worker.
  }
  out.push('wasm', 'cpu');
  return out;
};

const useBackend = async (backend: TrainingBackend): Promise<void> => {
  if (tf.getBackend() === backend) return;
  if (!(await tf.setBackend(backend))) throw new Error(`the ${backend} backend does not start in this browser`);
  await tf.ready();
  const supplied = backend === 'wasm' ? registerWasmKernels() : [];
  post({
    type: 'backend',
    name: tf.getBackend(),
    message:
      backend === 'wasm'
        ? `TensorFlow.js wasm backend (SIMD ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'on' : 'off'}), Sprout's kernels: ${supplied.join(', ')}`
        : `TensorFlow.js ${backend} backend`,
    available: await availableBackends(),
  });
};

/** The first layers of each arm (the base network of each compare arm), for the diagram before growth. */
const armNetworks = (spec: Experiment): Map<string, Experiment['network']> =>
  new Map(planArms(spec, BASE_ARM).map((a) => [a.name, a.experiment.network]));

const GRID = 48;

/** Predicted classes on a grid over the training points, from the run's latest checkpoint (2-D inputs only). */
const boundaryOf = (
  runDir: string,
  arm: string,
  seed: number,
  points: readonly (readonly [number, number, number])[],
): Boundary | undefined => {
  const c = latestCheckpoint(host, runDir, arm, seed);
  if (c === undefined || c.input.length !== 1 || c.input[0] !== 2 || points.length === 0) return undefined;
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const pad = 0.1;
  const extent = [Math.min(...xs) - pad, Math.max(...xs) + pad, Math.min(...ys) - pad, Math.max(...ys) + pad] as const;
  const net = createNetFromLayers(c.input, c.layers, { seed });
  try {
    const weights = [...net.params, ...net.state].flatMap((p) => {
      const t = c.tensors.get(`param:${p.name}`) ?? c.tensors.get(`state:${p.name}`);
      return t === undefined ? [] : [{ name: p.name, shape: t.shape, values: t.values }];
    });
    if (E.isLeft(setWeights(net, weights))) return undefined;
    const grid = new Float32Array(GRID * GRID * 2);
    for (let i = 0; i < GRID; i++)
      for (let j = 0; j < GRID; j++) {
        grid[(i * GRID + j) * 2] = extent[0] + ((j + 0.5) / GRID) * (extent[1] - extent[0]);
        grid[(i * GRID + j) * 2 + 1] = extent[3] - ((i + 0.5) / GRID) * (extent[3] - extent[2]);
      }
    const classes = tf.tidy(() => tf.argMax(forward(net, tf.tensor2d(grid, [GRID * GRID, 2])), -1).dataSync());
    return { arm, seed, epoch: c.epoch, size: GRID, extent, classes: Uint8Array.from(classes), points };
  } finally {
    disposeNet(net);
  }
};

const run = async (resume: boolean): Promise<void> => {
  if (current === undefined || running) return;
  running = true;
  const run = current;
  run.stop = new AbortController();
  const networks = armNetworks(run.spec);
  const seen = new Map<string, number>();
  let points: (readonly [number, number, number])[] = [];
  let lastDraw = 0;
  let live: { arm: string; seed: number } | undefined;
  const p = compile(run.spec, { host });
  if (E.isLeft(p)) {
    post({ type: 'diagnostics', messages: p.left.map((d) => d.message) });
    running = false;
    return;
  }
  const drawNet = (arm: string, seed: number, inserted?: number): void => {
    const c = latestCheckpoint(host, run.runDir, arm, seed);
    if (c === undefined) return;
    const key = `${arm}\u0000${seed}`;
    if (seen.get(key) === c.layers.length && inserted === undefined) return;
    seen.set(key, c.layers.length);
    post({
      type: 'architecture',
      arm,
      seed,
      input: c.input,
      layers: c.layers,
      ...(inserted !== undefined ? { inserted } : {}),
    });
  };
  const onEvent = (event: RunEvent): void => {
    post({ type: 'event', event });
    if (event._tag === 'run-start') {
      live = { arm: event.arm, seed: event.seed };
      const n = networks.get(event.arm);
      // A continued run starts from its checkpoint's architecture (grown layers included).
      const saved =
        event.resumedAt !== undefined ? latestCheckpoint(host, run.runDir, event.arm, event.seed) : undefined;
      if (saved !== undefined)
        post({ type: 'architecture', arm: event.arm, seed: event.seed, input: saved.input, layers: saved.layers });
      else if (n !== undefined)
        post({
          type: 'architecture',
          arm: event.arm,
          seed: event.seed,
          input: n.input,
          layers: [...n.layers, { _tag: 'dense', units: n.output.units, activation: n.output.activation } as never],
        });
    } else if (event._tag === 'insertion' && event.chosen !== null) {
      const description = event.positions.find((q) => q.index === event.chosen)?.description ?? '';
      pendingInsertion = {
        arm: event.arm,
        seed: event.seed,
        inserted: event.layers?.inserted ?? insertedIndex(description),
      };
    } else if (event._tag === 'run-end') {
      // The last epoch always writes a checkpoint: the final boundary of every run, short ones included.
      const b = boundaryOf(run.runDir, event.arm, event.seed, points);
      if (b !== undefined) post({ type: 'boundary', ...b });
    } else if (event._tag === 'epoch-end' && live !== undefined) {
      if (pendingInsertion !== undefined) {
        drawNet(pendingInsertion.arm, pendingInsertion.seed, pendingInsertion.inserted);
        pendingInsertion = undefined;
      }
      const now = performance.now();
      if (now - lastDraw > 250) {
        lastDraw = now;
        const b = boundaryOf(run.runDir, live.arm, live.seed, points);
        if (b !== undefined) post({ type: 'boundary', ...b });
      }
    }
  };
  let pendingInsertion: { arm: string; seed: number; inserted: number | undefined } | undefined;
  // The spirals training points for the boundary plot (the run's own split, made by the same loader).
  if (run.spec.data._tag === 'spirals') {
    const d = await host.loadData(run.spec.data, { baseDir: '/', seed: run.spec.seed, classes: 2 })();
    if (E.isRight(d))
      points = Array.from({ length: d.right.trainY.length }, (_, i) => [
        d.right.trainX[2 * i]!,
        d.right.trainX[2 * i + 1]!,
        d.right.trainY[i]!,
      ]);
  }
  try {
    await useBackend(run.backend);
    const outcome = await p.right.run({
      ...(resume ? { resume: run.runDir } : { out: run.runDir }),
      signal: run.stop.signal,
      checkpointInterval: 0.25,
      onEvent,
    })();
    if (E.isRight(outcome))
      post({ type: 'ended', outcome: 'finished', message: `finished in ${outcome.right.seconds.toFixed(2)} s` });
    else
      post({
        type: 'ended',
        outcome: outcome.left._tag === 'interrupted' ? 'interrupted' : 'failed',
        message: outcome.left.message,
      });
  } catch (e) {
    post({ type: 'ended', outcome: 'failed', message: e instanceof Error ? e.message : String(e) });
  } finally {
    running = false;
  }
};

/**
 * Where the grown layer sits when the event does not say (`layers.inserted`): a position "after layer i (…)"
 * (@sprout/growth) puts it at top-level index i + 1.
 */
const insertedIndex = (description: string): number | undefined => {
  const m = /after layer (\d+)/.exec(description);
  return m === null ? undefined : Number(m[1]) + 1;
};

onmessage = (m: MessageEvent<ToWorker>): void => {
  const msg = m.data;
  if (msg.type === 'run') {
    if (running) return;
    const parsed = parseExperiment(msg.text, 'playground.sprout');
    if (E.isLeft(parsed)) {
      post({ type: 'diagnostics', messages: [renderDiagnostics(parsed.left, 'playground.sprout', msg.text)] });
      return;
    }
    userFiles = new Map(Object.entries(msg.files));
    host = memoryHost({
      loadData: browserLoadData(() => userFiles),
      versions: { browser: navigator.userAgent },
    }) satisfies RunHost;
    current = {
      spec: parsed.right.spec,
      stop: new AbortController(),
      text: msg.text,
      backend: msg.backend,
      runDir: RUN_DIR,
    };
    void run(false);
  } else if (msg.type === 'stop') current?.stop.abort();
  else if (msg.type === 'continue') void run(true);
  else if (msg.type === 'download') {
    const files = [...host.files.entries()]
      .filter(([path]) => !path.includes('/checkpoints/'))
      .map(([path, bytes]) => [path.slice(RUN_DIR.length + 1), bytes.slice()] as const);
    post({ type: 'files', files });
  }
};

void useBackend('wasm').catch((e: unknown) =>
  post({ type: 'ended', outcome: 'failed', message: `no backend: ${e instanceof Error ? e.message : String(e)}` }),
);
