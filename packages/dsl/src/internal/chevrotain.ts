/**
 * chevrotain, loaded from the single-file ES module bundle it ships (`lib/chevrotain.mjs`, listed in its
 * package `files`). Its `exports` map points at `lib/src/api.js`, which imports about 600 small lodash-es
 * modules; under tsx (how the CLI runs from source) that alone costs about 1.5 s of CPU at every start of
 * `sprout check`. Same code, same version; if the bundle cannot be found the package entry is used.
 */
import type * as Chevrotain from 'chevrotain';

const load = async (): Promise<typeof Chevrotain> => {
  try {
    const bundle = new URL('../chevrotain.mjs', import.meta.resolve('chevrotain')).href;
    return (await import(bundle)) as typeof Chevrotain;
  } catch {
    return await import('chevrotain');
  }
};

const chevrotain = await load();

export const { createToken, Lexer, CstParser, EOF, generateCstDts } = chevrotain;
