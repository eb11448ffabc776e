// Runs the first ```ts block of README.md, so the README example cannot drift from the code.
import { afterAll, expect, it } from 'vitest';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const file = join(here, 'readme-example.generated.ts');
afterAll(() => rmSync(file, { force: true }));

it('the README example runs', async () => {
  const readme = readFileSync(join(here, '..', 'README.md'), 'utf8');
  const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(code).toBeDefined();
  writeFileSync(file, code!);
  await import(file);
});
