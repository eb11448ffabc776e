// Runs the first ```ts block of README.md, so the documented example cannot drift from the code.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

it('runs the README example', async () => {
  const readme = readFileSync(join(here, '..', 'README.md'), 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(block).toBeDefined();
  const file = join(here, `readme-example.${process.pid}.tmp.ts`);
  writeFileSync(file, block!);
  try {
    await import(file);
  } finally {
    rmSync(file, { force: true });
  }
});
