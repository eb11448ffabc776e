// Runs the first ```ts block of README.md (in a temporary working directory, where it writes runs/), so
// the documented example cannot drift from the code.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { useCpu } from './tiny.js';

const here = dirname(fileURLToPath(import.meta.url));

it('runs the README example', async () => {
  await useCpu();
  const readme = readFileSync(join(here, '..', 'README.md'), 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(block).toBeDefined();
  const file = join(here, `readme-example.${process.pid}.tmp.ts`);
  writeFileSync(file, block!);
  const cwd = process.cwd();
  const work = mkdtempSync(join(tmpdir(), 'sprout-readme-'));
  process.chdir(work);
  try {
    await import(file);
    const runs = join(work, 'runs', 'spirals-from-typescript');
    expect(existsSync(runs)).toBe(true);
    expect(readdirSync(join(runs, readdirSync(runs)[0]!))).toContain('summary.json');
  } finally {
    process.chdir(cwd);
    rmSync(file, { force: true });
  }
});
