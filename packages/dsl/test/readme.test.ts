// The README cannot drift: its first ```ts block runs as a test, its grammar table names every parser rule
// (and only those), and its statement reference names every setting the language accepts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { RULE_NAMES, SETTINGS } from '../src/index.js';
import { runReadmeBlock } from '../../../test-support/readme.mjs';

const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');

test('the first ts example of the README runs', async () => {
  await runReadmeBlock(import.meta.url);
});

test('the grammar table has one row per parser rule, and no other rows', () => {
  const section = readme.slice(readme.indexOf('### Grammar'), readme.indexOf('### Meaning'));
  const rows = [...section.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]);
  expect(rows).toEqual([...RULE_NAMES]);
});

test('the statement reference names every setting', () => {
  const section = readme.slice(readme.indexOf('### Meaning'));
  for (const [block, schema] of Object.entries(SETTINGS)) {
    for (const key of Object.keys(schema)) expect(section, `${block}: ${key}`).toContain(key);
  }
});
