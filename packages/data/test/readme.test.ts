// Runs every ```ts block of README.md as written (imports of '@sprout/data' resolve to this package's
// source), so the README's examples cannot drift from the API.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const readme = readFileSync(path.join(here, '..', 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
const written: string[] = [];
afterAll(() => written.forEach((f) => rmSync(f, { force: true })));

const run = async (k: number): Promise<Record<string, unknown>> => {
  const file = path.join(here, `.readme-example-${k}.ts`);
  writeFileSync(file, blocks[k]!);
  written.push(file);
  return (await import(/* @vite-ignore */ file)) as Record<string, unknown>;
};

describe('README examples', () => {
  it('has the usage example and two more', () => {
    expect(blocks.length).toBe(3);
  });

  it('runs the usage example: MNIST, tensors, one epoch of batches', async () => {
    const mod = await run(0);
    expect(mod['result']).toEqual({ name: 'mnist', classes: 10, train: 1000, seen: 1000 });
  });

  it('runs the other examples', async () => {
    await run(1);
    await run(2);
  });
});
