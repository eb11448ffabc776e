/**
 * The fenced blocks of language `lang` of the README at `readme` (relative to the calling test file's folder).
 * @default readme '../README.md'
 * @default lang 'ts' ('' for fences without a language)
 */
export function readmeBlocks(testFileUrl: string, readme?: string, lang?: string): string[];

export interface RunReadmeBlockOptions {
  /** Which ```ts block. @default 0 */
  readonly index?: number;
  /** The README, relative to the calling test file's folder. @default '../README.md' */
  readonly readme?: string;
  /** Working directory while the block runs. @default the current one */
  readonly cwd?: string;
}

/** Runs a ```ts block of a README as a module next to the calling test; resolves to its exports. */
export function runReadmeBlock(testFileUrl: string, options?: RunReadmeBlockOptions): Promise<Record<string, unknown>>;
