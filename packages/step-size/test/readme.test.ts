// The first ```ts block of README.md runs as a test: it is written to a temporary file in this folder and
// imported, so the documented example cannot drift from the code.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

it('the README example runs', async () => {
  const readme = readFileSync(join(here, '..', 'README.md'), 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(block).toBeDefined();
  const file = join(here, `.readme-example-${process.pid}.ts`);
  writeFileSync(file, block!);
  try {
    await import(file);
  } finally {
    rmSync(file, { force: true });
  }
});
