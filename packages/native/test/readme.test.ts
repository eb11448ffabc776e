// Runs the first ```ts block of README.md (test-support/readme.mjs), so the documented example cannot
// drift from the code.
import { expect, it } from 'vitest';
import { readmeBlocks, runReadmeBlock } from '../../../test-support/readme.mjs';

it('runs the README example', async () => {
  expect(readmeBlocks(import.meta.url)[0]).toBeDefined();
  await runReadmeBlock(import.meta.url);
});
