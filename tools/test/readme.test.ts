// Runs the "From TypeScript" example of the root README.md (its first ```ts block, test-support/readme.mjs)
// in a temporary working directory, so the documented example cannot drift from the code.
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { readmeBlocks, runReadmeBlock } from '../../test-support/readme.mjs';

it('runs the root README example', async () => {
  const work = mkdtempSync(join(tmpdir(), 'sprout-root-readme-'));
  const lines: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => void lines.push(args.join(' '));
  try {
    await runReadmeBlock(import.meta.url, { readme: '../../README.md', cwd: work });
  } finally {
    console.log = log;
  }
  const runs = join(work, 'runs', 'spirals-from-typescript');
  expect(existsSync(runs)).toBe(true);
  expect(readdirSync(join(runs, readdirSync(runs)[0]!))).toContain('summary.json');
  // The example prints epochs 25, 50, 75, 100 and where the results are; the loss falls.
  const losses = lines.filter((l) => l.startsWith('epoch')).map((l) => Number(/train loss ([\d.]+)/.exec(l)![1]));
  expect(losses).toHaveLength(4);
  expect(losses[3]!).toBeLessThan(losses[0]!);
  expect(lines.at(-1)).toMatch(/^results in /);
});

it('the root README example .sprout file (its first fence without a language) passes sprout check', async () => {
  const { checkText } = await import('@sprout/dsl');
  const block = readmeBlocks(import.meta.url, '../../README.md', '')[0];
  expect(block).toContain('experiment "spirals-fnn"');
  const result = checkText(block!, 'README.md');
  expect(result._tag).toBe('Right');
});
