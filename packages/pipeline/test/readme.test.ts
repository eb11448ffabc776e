// Runs the first ```ts block of README.md (test-support/readme.mjs) in a temporary working directory,
// where it writes runs/, so the documented example cannot drift from the code.
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { readmeBlocks, runReadmeBlock } from '../../../test-support/readme.mjs';
import { useCpu } from './tiny.js';

it('runs the README example', async () => {
  await useCpu();
  expect(readmeBlocks(import.meta.url)[0]).toBeDefined();
  const work = mkdtempSync(join(tmpdir(), 'sprout-readme-'));
  await runReadmeBlock(import.meta.url, { cwd: work });
  const runs = join(work, 'runs', 'spirals-from-typescript');
  expect(existsSync(runs)).toBe(true);
  expect(readdirSync(join(runs, readdirSync(runs)[0]!))).toContain('summary.json');
});
