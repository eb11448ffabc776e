// README examples as tests, shared by every package's test/readme.test.ts: a ```ts block of a README is
// written to a temporary file next to the calling test (so its imports resolve as that package's own) and
// imported, so the documented example cannot drift from the code. Plain JavaScript with a declaration
// file beside it, so that packages import it from outside their TypeScript rootDir.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The fenced blocks of language `lang` (```ts by default; '' for fences without a language) of the README
 * at `readme` (relative to the calling test file's folder). Fences are paired in order, so a closing fence
 * is never read as the opening of a block.
 */
export function readmeBlocks(testFileUrl, readme = '../README.md', lang = 'ts') {
  const text = readFileSync(join(dirname(fileURLToPath(testFileUrl)), readme), 'utf8');
  return [...text.matchAll(/^[ \t]*```([\w-]*)\n([\s\S]*?)^[ \t]*```/gm)].filter((m) => m[1] === lang).map((m) => m[2]);
}

/** Runs block `index` of the README (see `readmeBlocks`), in working directory `cwd` if given; returns its exports. */
export async function runReadmeBlock(testFileUrl, { index = 0, readme = '../README.md', cwd } = {}) {
  const code = readmeBlocks(testFileUrl, readme)[index];
  if (code === undefined) throw new Error(`${readme} has no \`\`\`ts block number ${index}`);
  const file = join(dirname(fileURLToPath(testFileUrl)), `readme-example.${process.pid}.${index}.tmp.ts`);
  writeFileSync(file, code);
  const previous = process.cwd();
  if (cwd !== undefined) process.chdir(cwd);
  try {
    return await import(/* @vite-ignore */ file);
  } finally {
    process.chdir(previous);
    rmSync(file, { force: true });
  }
}
