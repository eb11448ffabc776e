// The .d.cts twins tools/build-types.mjs writes for the `require` condition of every package.
import { expect, it } from 'vitest';
import { toCommonJsDeclaration } from '../build-types.mjs';

it('points relative specifiers at the .cjs files and leaves other packages alone', () => {
  const text =
    "import type { Io } from '../Io.js';\nexport * from './a.js';\nexport declare const f: typeof import('./b.js').f;\nimport * as E from 'fp-ts/lib/Either.js';\n";
  expect(toCommonJsDeclaration(text)).toBe(
    "import type { Io } from '../Io.cjs';\nexport * from './a.cjs';\nexport declare const f: typeof import('./b.cjs').f;\nimport * as E from 'fp-ts/lib/Either.js';\n",
  );
});

it('imports the types of an ES-module-only library (chevrotain) with resolution-mode import', () => {
  const text =
    "import { type CstNode, IToken } from 'chevrotain';\nexport declare const t: import('chevrotain').TokenType;\n";
  expect(toCommonJsDeclaration(text)).toBe(
    "import type { CstNode, IToken } from 'chevrotain' with { 'resolution-mode': 'import' };\n" +
      "export declare const t: import('chevrotain', { with: { 'resolution-mode': 'import' } }).TokenType;\n",
  );
});
