// Language fixtures: every folder of test/fixtures/valid checks clean; every folder of test/fixtures/invalid
// gives exactly the diagnostics rendered in its expected.txt (update with `vitest -u` and review the diff).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, test } from 'vitest';
import { checkBytes, renderDiagnostics } from '../src/index.js';

const root = join(import.meta.dirname, 'fixtures');
const cases = (kind: string): string[] => readdirSync(join(root, kind)).sort();

/** What `sprout check` prints for one file (rendering as the CLI does, text decoded leniently for the source lines). */
const report = (dir: string): string => {
  const bytes = readFileSync(join(dir, 'input.sprout'));
  const result = checkBytes(bytes, 'input.sprout');
  if (E.isRight(result)) return 'valid\n';
  return renderDiagnostics(result.left, 'input.sprout', new TextDecoder().decode(bytes));
};

describe('valid fixtures', () => {
  test.each(cases('valid'))('%s', (name) => {
    expect(report(join(root, 'valid', name))).toBe('valid\n');
  });
});

describe('invalid fixtures', () => {
  test.each(cases('invalid'))('%s', async (name) => {
    const out = report(join(root, 'invalid', name));
    expect(out).not.toBe('valid\n');
    await expect(out).toMatchFileSnapshot(join(root, 'invalid', name, 'expected.txt'));
  });
});
