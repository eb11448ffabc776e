// Runs every ```ts block of README.md as written (imports of '@sprout/data' resolve to this package's
// source), so the README's examples cannot drift from the API.
import { describe, expect, it } from 'vitest';
import { readmeBlocks, runReadmeBlock } from '../../../test-support/readme.mjs';

const blocks = readmeBlocks(import.meta.url);
const run = (k: number): Promise<Record<string, unknown>> => runReadmeBlock(import.meta.url, { index: k });

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
