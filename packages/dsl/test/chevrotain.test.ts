// The language loads chevrotain's single-file bundle (see src/internal/chevrotain.ts), not the
// lodash-es-based package entry; both are the same version.
import { expect, test } from 'vitest';
import * as bundled from '../src/internal/chevrotain.js';

test('chevrotain comes from its bundle, at the version the package entry has', async () => {
  const entry = await import('chevrotain');
  expect(bundled.Lexer).not.toBe(entry.Lexer);
  const bundle = (await import(new URL('../chevrotain.mjs', import.meta.resolve('chevrotain')).href)) as typeof entry;
  expect(bundled.Lexer).toBe(bundle.Lexer);
  expect(bundle.VERSION).toBe(entry.VERSION);
});
