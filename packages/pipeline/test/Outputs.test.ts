// A run's directory: spec.json, metrics.csv (a row per epoch), events.jsonl, summary.json, curves.svg and
// model/ in the layers format, which tf.loadLayersModel reads back (through `modelFiles`) with the same
// predictions: its test loss and error equal the run's final ones. Two runs never share a directory: a
// named folder that holds files is refused, an empty one is used.
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as E from 'fp-ts/Either';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { loadData } from '@sprout/data';
import { compile, modelFiles, type RunError, type RunOptions, type RunResult } from '../src/index.js';
import { tiny, useCpu } from './tiny.js';

beforeAll(useCpu);

const temp = (): string => mkdtempSync(join(tmpdir(), 'sprout-pipeline-'));

describe('outputs', () => {
  const spec = tiny({ train: { epochs: 5, batch: 16 } });
  let result: RunResult<string>;
  let again: E.Either<RunError, RunResult>;
  const root = temp();

  beforeAll(async () => {
    const p = compile(spec);
    if (E.isLeft(p)) throw new Error(JSON.stringify(p.left));
    const r = await p.right.run({ out: join(root, 'run') })();
    again = await p.right.run({ out: join(root, 'run') })();
    if (E.isLeft(r)) throw new Error('run failed');
    result = r.right;
  });

  it('uses a named folder that exists and is empty', async () => {
    const empty = join(root, 'empty');
    mkdirSync(empty);
    const p = compile(spec);
    if (E.isLeft(p)) throw new Error(JSON.stringify(p.left));
    const r = await p.right.run({ out: empty, saveModel: false })();
    expect(E.isRight(r) && r.right.outDir).toBe(empty);
    expect(existsSync(join(empty, 'metrics.csv'))).toBe(true);
  });

  it('names its directory in RunResult.outDir whenever it writes, and has none with write: false', async () => {
    const p = compile(spec);
    if (E.isLeft(p)) throw new Error(JSON.stringify(p.left));
    // The types say so too (checked by tsc over the tests): a string unless `write: false`.
    const unwritten = await p.right.run({ write: false })();
    if (E.isLeft(unwritten)) throw new Error(unwritten.left.message);
    expectTypeOf(unwritten.right.outDir).toEqualTypeOf<undefined>();
    expect(unwritten.right.outDir).toBeUndefined();
    const runsDir = join(root, 'default');
    const written = await p.right.run({ runsDir, saveModel: false })();
    if (E.isLeft(written)) throw new Error(written.left.message);
    expectTypeOf(written.right.outDir).toEqualTypeOf<string>();
    expect(written.right.outDir.startsWith(join(runsDir, spec.name))).toBe(true);
    expect(existsSync(join(written.right.outDir, 'summary.json'))).toBe(true);
    const resumed = await p.right.run({ resume: written.right.outDir, write: false })();
    if (E.isLeft(resumed)) throw new Error(resumed.left.message);
    expectTypeOf(resumed.right.outDir).toEqualTypeOf<string>();
    expect(resumed.right.outDir).toBe(written.right.outDir);
    // Options known only as RunOptions: either.
    const options: RunOptions = { write: false };
    const either = await p.right.run(options)();
    if (E.isLeft(either)) throw new Error(either.left.message);
    expectTypeOf(either.right.outDir).toEqualTypeOf<string | undefined>();
    expect(either.right.outDir).toBeUndefined();
  });

  it('writes every file into a fresh directory', () => {
    expect(result.outDir).toBe(join(root, 'run'));
    // The same folder again holds a run: refused, not written next to it under another name.
    expect(E.isLeft(again) && again.left._tag).toBe('output-error');
    expect(E.isLeft(again) && again.left.message).toContain(`${join(root, 'run')} exists and is not empty`);
    for (const f of [
      'spec.json',
      'metrics.csv',
      'events.jsonl',
      'summary.json',
      'curves.svg',
      'final.csv',
      'model/model.json',
      'model/weights.bin',
    ])
      expect(existsSync(join(result.outDir, f)), f).toBe(true);
  });

  it('records the resolved spec with seeds, backend and versions', () => {
    const saved = JSON.parse(readFileSync(join(result.outDir, 'spec.json'), 'utf8'));
    expect(saved.network).toEqual(spec.network);
    expect(saved.seed).toBe(7);
    expect(saved.run.seeds).toEqual([7]);
    expect(saved.run.backend).toBe('cpu');
    expect(saved.run.versions['@sprout/pipeline']).toBe('0.1.0');
    expect(saved.run.versions['tfjs-core']).toMatch(/^4\./);
  });

  it('has one metrics row per epoch, matching the events', () => {
    const lines = readFileSync(join(result.outDir, 'metrics.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe(
      'arm,repeat,seed,epoch,train_loss,test_loss,test_error_fraction,step_size,parameter_count,seconds',
    );
    expect(lines).toHaveLength(6);
    const events = readFileSync(join(result.outDir, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const epochs = events.filter((e) => e._tag === 'epoch-end');
    expect(lines.slice(1).map((l) => Number(l.split(',')[4]))).toEqual(epochs.map((e) => e.trainLoss));
    expect(events.at(-1)._tag).toBe('finished');
    const summary = JSON.parse(readFileSync(join(result.outDir, 'summary.json'), 'utf8'));
    expect(summary.status).toBe('finished');
    expect(summary.arms[0].final.trainLoss.mean).toBe(epochs.at(-1).trainLoss);
    expect(readFileSync(join(result.outDir, 'curves.svg'), 'utf8')).toMatch(/^<svg[^>]*>[\s\S]*<\/svg>$/);
  });

  it('saves a model that loads back with the same predictions', async () => {
    const model = await tf.loadLayersModel(modelFiles(join(result.outDir, 'model')));
    const ds = await loadData(spec.data, { seed: spec.seed })();
    if (E.isLeft(ds)) throw new Error('data');
    const n = ds.right.testY.length;
    const [loss, error] = tf.tidy(() => {
      const logits = model.predict(tf.tensor2d(ds.right.testX, [n, 2])) as tf.Tensor2D;
      const y = tf.tensor1d(ds.right.testY, 'int32');
      const loss = tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(y, 2), tf.logSoftmax(logits)), 1)));
      const error = tf.mean(tf.notEqual(tf.argMax(logits, 1), y).toFloat());
      return [loss.dataSync()[0]!, error.dataSync()[0]!];
    });
    model.dispose();
    const final = result.arms[0]!.runs[0]!.final;
    expect(loss).toBeCloseTo(final.testLoss, 6);
    expect(error).toBeCloseTo(final.testError, 6);
  });
});

describe('rows held back', () => {
  it('are on file up to the last checkpoint while the run trains, and all of them at its end', async () => {
    const spec = tiny({ train: { epochs: 30, batch: 16 } });
    const p = compile(spec);
    if (E.isLeft(p)) throw new Error(JSON.stringify(p.left));
    const out = join(temp(), 'run');
    const onFile = (): number[] =>
      readFileSync(join(out, 'metrics.csv'), 'utf8')
        .split('\n')
        .slice(1, -1)
        .map((l) => Number(l.split(',')[3]));
    const seen: { epoch: number; rows: number[] }[] = [];
    // A checkpoint after every epoch: when epoch k ends, the checkpoint after epoch k − 1 has been written.
    const r = await p.right.run({
      out,
      checkpointInterval: 0,
      saveModel: false,
      report: false,
      onEvent: (e) => {
        if (e._tag === 'epoch-end') seen.push({ epoch: e.epoch, rows: onFile() });
      },
    })();
    expect(E.isRight(r)).toBe(true);
    for (const { epoch, rows } of seen) {
      const upTo = Array.from({ length: epoch - 1 }, (_, i) => i + 1);
      expect(rows.slice(0, epoch - 1)).toEqual(upTo);
      expect(rows.length).toBeLessThanOrEqual(epoch);
    }
    expect(onFile()).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    // `report: false`: the summary, but no plots or table (a study draws them once for all its runs).
    expect(existsSync(join(out, 'summary.json'))).toBe(true);
    expect(existsSync(join(out, 'curves.svg'))).toBe(false);
    expect(existsSync(join(out, 'final.csv'))).toBe(false);
  });
});
