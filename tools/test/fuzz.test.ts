// The CI version of the fuzz harness: 2,000 generated and mutated inputs through every text entry
// point of @sprout/dsl, in process; plus the harness's own guarantees (determinism, classification of
// throws, stack overflows, oracle violations and slow inputs, reproducible failure files). The full run is
// `npm run fuzz -w tools -- --count 100000 --seed 1`.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { checkBytes, format } from '@sprout/dsl';
import { buildCorpus } from '../src/fuzz-corpus.js';
import { range, runInputs, type Failure } from '../src/fuzz-harness.js';
import { inputAt, type FuzzInput } from '../src/fuzz-mutate.js';
import { saveFailure } from '../src/fuzz-supervisor.js';
import { OracleViolation, runTarget, safetyNetFired } from '../src/fuzz-target.js';

const corpus = buildCorpus(7, { generated: 60 });
const tmp = mkdtempSync(join(tmpdir(), 'sprout-fuzz-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const bytesOf = (i: FuzzInput): Uint8Array => ('bytes' in i ? i.bytes : new TextEncoder().encode(i.text));

describe('fuzz harness', () => {
  it('runs 2,000 inputs through the parser and checker: nothing throws, overflows the stack or breaks an oracle', () => {
    // Every failure (a throw, stack overflow, oracle violation or slow input) fails this test.
    const failures: Failure[] = [];
    const tally = runInputs(range(0, 2_000), {
      seed: 7,
      corpus,
      // A generous limit: CI machines are shared; the real limit (1 s) is the CLI's.
      timeLimitMs: 5_000,
      // Small inputs only (no megabyte lines): the heavy ones are the CLI run's.
      heavy: false,
      onFailure: (f) => failures.push(f),
    });
    expect(failures.map((f) => `${f.kind} #${f.index} at ${f.stage}: ${f.message}`)).toEqual([]);
    expect(tally.inputs).toBe(2_000);
    expect(tally.valid + tally.invalid + tally.failed).toBe(2_000);
    // Both paths are exercised: valid files (through print → check) and diagnostics of many kinds.
    expect(tally.valid).toBeGreaterThan(100);
    expect(Object.keys(tally.codes).length).toBeGreaterThan(10);
    expect(tally.codes['invalid-utf8']).toBeGreaterThan(0);
    expect(tally.codes['too-deeply-nested']).toBeGreaterThan(0);
    // 2,000 inputs take about 15 s on an idle 2-core machine; the limit only guards against a hang, so it
    // leaves room for a loaded one (each input's own limit above is what catches a slow input).
  }, 600_000);

  it('makes the same input for the same seed and index, and different inputs across indexes', () => {
    const again = buildCorpus(7, { generated: 60 });
    expect(again.map((e) => e.text)).toEqual(corpus.map((e) => e.text));
    for (const i of [0, 1, 17, 999]) expect(bytesOf(inputAt(again, 7, i))).toEqual(bytesOf(inputAt(corpus, 7, i)));
    const distinct = new Set(
      Array.from({ length: 200 }, (_, i) => Buffer.from(bytesOf(inputAt(corpus, 7, i))).toString('base64')),
    );
    expect(distinct.size).toBeGreaterThan(150);
  });

  it('seeds from the examples and from printed arbitrary experiments, which all check clean', () => {
    expect(corpus.filter((e) => e.name.startsWith('examples/')).length).toBeGreaterThanOrEqual(5);
    for (const e of corpus) expect(checkBytes(new TextEncoder().encode(e.text))._tag, e.name).toBe('Right');
  });

  it('classifies a throw, a stack overflow, an oracle violation and a slow input, and keeps counting', () => {
    const failures: Failure[] = [];
    let clock = 0;
    const tally = runInputs(range(0, 8), {
      seed: 7,
      corpus,
      timeLimitMs: 1_000,
      clock: () => clock,
      target: (input, progress) => {
        progress.stage = 'fake';
        const kind = input.index % 4;
        if (kind === 1) throw new TypeError('boom');
        if (kind === 2) {
          const deep = (n: number): number => deep(n + 1) + 1;
          deep(0);
        }
        if (kind === 3) throw new OracleViolation('format is not idempotent');
        if (input.index === 4) {
          clock += 5_000; // every call of this input takes 5 s of "CPU"
          progress.times['checkText'] = 5_000;
        }
        return runTarget(input, progress);
      },
      onFailure: (f) => failures.push(f),
    });
    expect(failures.map((f) => [f.index, f.kind])).toEqual([
      [1, 'throw'],
      [2, 'stack-overflow'],
      [3, 'oracle'],
      [4, 'slow'],
      [5, 'throw'],
      [6, 'stack-overflow'],
      [7, 'oracle'],
    ]);
    expect(failures[0]!.stack).toContain('boom');
    expect(failures[3]!.ms).toEqual([5_000, 5_000]);
    expect(tally.inputs).toBe(8);
    expect(tally.failed).toBe(7);
    expect(tally.slowest[0]!.index).toBe(4);
  });

  it("treats format's safety net firing as an oracle violation, except over the token limit", () => {
    const unstable = {
      code: 'format-failed',
      severity: 'error',
      message: 'formatting this file is not stable (a second pass changes it); the file is left as it is',
    } as const;
    expect(safetyNetFired([{ code: 'syntax-error', severity: 'error', message: 'x' }, unstable])).toBe(unstable);
    expect(safetyNetFired([{ code: 'syntax-error', severity: 'error', message: 'x' }])).toBeUndefined();
    // 16,700 settings without commas: 33,407 tokens; formatted with `, ` between them, over MAX_TOKENS (50,000).
    const nearLimit = `experiment "x" { data spirals { ${'points 1 '.repeat(16_700)}} }\n`;
    const formatted = format(nearLimit);
    expect(E.isLeft(formatted) && formatted.left.map((d) => d.code)).toEqual(['format-failed']);
    expect(E.isLeft(formatted) && safetyNetFired(formatted.left)).toBeUndefined();
    expect(runTarget({ index: 0, recipe: [], text: nearLimit }).valid).toBe(false);
  });

  it('saves a failure as a file with the exact input and a record that says how to replay it', () => {
    const input = inputAt(corpus, 7, 3);
    const failure: Failure = {
      kind: 'throw',
      index: 3,
      recipe: input.recipe,
      stage: 'checkText',
      message: 'TypeError: boom',
      ms: [1],
    };
    const saved = saveFailure(tmp, 7, failure, input);
    expect(new Uint8Array(readFileSync(saved.files[0]!))).toEqual(bytesOf(input));
    const record = JSON.parse(readFileSync(saved.files[1]!, 'utf8')) as {
      replay: string;
      regenerate: string;
      seed: number;
    };
    expect(record.seed).toBe(7);
    expect(record.replay).toContain('--replay');
    expect(record.regenerate).toContain('--seed 7 --start 3 --count 1');
    // A text input with a lone surrogate (which UTF-8 cannot hold) is kept exactly in the JSON record.
    const text: FuzzInput = { index: 9, recipe: ['x'], text: 'experiment "\ud800" { }' };
    const savedText = saveFailure(tmp, 7, { ...failure, index: 9 }, text);
    expect((JSON.parse(readFileSync(savedText.files[1]!, 'utf8')) as { text: string }).text).toBe(
      'experiment "\ud800" { }',
    );
  });
});
