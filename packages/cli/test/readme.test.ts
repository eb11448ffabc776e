// The README's first ```ts block runs as a test, so its example cannot drift from the command.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';

test('the first ts example of the README runs', async () => {
  const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
  const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(code).toBeDefined();
  const file = join(import.meta.dirname, `readme-example.${process.pid}.tmp.ts`);
  writeFileSync(file, code!);
  try {
    await import(file);
  } finally {
    rmSync(file, { force: true });
  }
});
