// The shared test helpers of test-support/ (used by every package's tests): README fences by language, and
// the deterministic test values as float32.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { readmeBlocks } from '../../test-support/readme.mjs';
import { testFloats, testValues } from '../../test-support/values.mjs';

const dir = mkdtempSync(join(tmpdir(), 'sprout-test-support-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('readmeBlocks pairs fences in order and filters them by language', () => {
  writeFileSync(
    join(dir, 'README.md'),
    '# x\n```sh\nnpm test\n```\ntext\n```ts\nconst a = 1;\n```\n```\nexperiment "e" { }\n```\n  ```ts\n  const b = 2;\n  ```\n',
  );
  const url = pathToFileURL(join(dir, 'x.test.ts')).href;
  expect(readmeBlocks(url, 'README.md')).toEqual(['const a = 1;\n', '  const b = 2;\n']);
  expect(readmeBlocks(url, 'README.md', '')).toEqual(['experiment "e" { }\n']);
  expect(readmeBlocks(url, 'README.md', 'sh')).toEqual(['npm test\n']);
});

it('testFloats is testValues as float32', () => {
  const f = testFloats(5, 3);
  expect(f).toBeInstanceOf(Float32Array);
  expect(f).toEqual(Float32Array.from(testValues(5, 3)));
});
