// Runs the first ```ts block of README.md (test-support/readme.mjs), so the documented example cannot
// drift from the code.
import { it } from 'vitest';
import { runReadmeBlock } from '../../../test-support/readme.mjs';

it('the README example runs', async () => {
  await runReadmeBlock(import.meta.url);
});
