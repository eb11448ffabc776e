// @sprout/pipeline/core: the pipeline without Node modules. Its own modules bundle for a browser, and on a
// memory host a run writes the same run directory as on disk (metrics equal to a Node run's), is stopped
// and continued from its in-memory checkpoints to the same metrics, and saves a model that loads back.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import * as tf from '@tensorflow/tfjs';
import * as E from 'fp-ts/Either';
import { beforeAll, describe, expect, it } from 'vitest';
import { atEpochs, dense, network, sensli } from '@sprout/spec';
import { compile, memoryHost, type RunEvent, type RunOptions } from '../src/core.js';
import { compile as compileOnNode } from '../src/index.js';
import { metricRows } from '../../../test-support/metric-rows.mjs';
import { tiny, useCpu } from './tiny.js';

beforeAll(useCpu);

const spec = tiny({
  repeat: 2,
  network: network(2, [dense(6, 'relu')], 2),
  train: { epochs: 5, batch: 16 },
  growth: sensli({ schedule: atEpochs(2) }),
});

const text = (bytes: Uint8Array | undefined): string => new TextDecoder().decode(bytes);
/** metrics.csv without its `seconds` column, as metricRows gives it for a folder on disk. */
const rowsOf = (csv: string): string[] => {
  const lines = csv.trim().split('\n');
  const seconds = lines[0]!.split(',').indexOf('seconds');
  return lines.map((l) =>
    l
      .split(',')
      .filter((_, i) => i !== seconds)
      .join(','),
  );
};

describe('@sprout/pipeline/core', () => {
  it("bundles for a browser: none of the pipeline's own modules imports a Node built-in", async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL('../src/core.ts', import.meta.url))],
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'esm',
      packages: 'external',
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((p) => p.endsWith('src/core.ts'))).toBe(true);
    expect(inputs.filter((p) => /node-host|lock-file|atomic-write|model-files|report/.test(p))).toEqual([]);
    // With Node's built-ins left to resolve, a browser bundle fails at the first one imported.
    const imports = Object.values(result.metafile.inputs).flatMap((i) => i.imports.map((x) => x.path));
    expect(imports.filter((p) => p.startsWith('node:'))).toEqual([]);
  });

  it('runs on a memory host, writing the files and metrics a Node run writes', async () => {
    const host = memoryHost({ versions: { browser: 'test' } });
    const p = compile(spec, { host });
    if (E.isLeft(p)) throw new Error(JSON.stringify(p.left));
    const r = await p.right.run({ out: 'runs/tiny' })();
    if (E.isLeft(r)) throw new Error(r.left.message);
    expect(r.right.outDir).toBe('/runs/tiny');
    const files = host.files.entries();
    for (const f of [
      'spec.json',
      'metrics.csv',
      'events.jsonl',
      'summary.json',
      'model/model.json',
      'model/weights.bin',
    ])
      expect(files.has(`/runs/tiny/${f}`), f).toBe(true);
    expect(JSON.parse(text(files.get('/runs/tiny/spec.json'))).run.versions.browser).toBe('test');

    const disk = join(mkdtempSync(join(tmpdir(), 'sprout-core-')), 'run');
    const onNode = compileOnNode(spec);
    if (E.isLeft(onNode)) throw new Error('does not compile');
    expect(E.isRight(await onNode.right.run({ out: disk, saveModel: false })())).toBe(true);
    expect(rowsOf(text(files.get('/runs/tiny/metrics.csv')))).toEqual(metricRows(disk));

    // The saved model is a layers-format model that TensorFlow.js loads.
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({
        ...(JSON.parse(text(files.get('/runs/tiny/model/model.json'))) as tf.io.ModelJSON),
        weightSpecs: (JSON.parse(text(files.get('/runs/tiny/model/model.json'))) as tf.io.ModelJSON).weightsManifest[0]!
          .weights,
        weightData: files.get('/runs/tiny/model/weights.bin')!.slice().buffer,
      } as unknown as tf.io.ModelArtifacts),
    );
    expect(model.layers.length).toBeGreaterThan(1);
    model.dispose();
  }, 60_000);

  it('stops, and continues from its in-memory checkpoints to the metrics of an uninterrupted run', async () => {
    const host = memoryHost();
    const p = compile(spec, { host });
    if (E.isLeft(p)) throw new Error('does not compile');
    const run = (options: RunOptions) => p.right.run({ saveModel: false, checkpointInterval: 0, ...options })();
    expect(E.isRight(await run({ out: '/full' }))).toBe(true);

    const stop = new AbortController();
    const stopped = await run({
      out: '/stopped',
      signal: stop.signal,
      onEvent: (e: RunEvent) => e._tag === 'epoch-end' && e.seed === 8 && e.epoch === 3 && stop.abort(),
    });
    expect(E.isLeft(stopped) && stopped.left._tag).toBe('interrupted');
    const continued = await run({ resume: '/stopped' });
    expect(E.isRight(continued)).toBe(true);
    const files = host.files.entries();
    expect(rowsOf(text(files.get('/stopped/metrics.csv')))).toEqual(rowsOf(text(files.get('/full/metrics.csv'))));
  }, 60_000);
});
