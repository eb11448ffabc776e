/**
 * The seed corpus of the fuzz harness: valid Sprout files that mutations start from. Two sources: the
 * hand-written `examples/*.sprout` (comments, omitted defaults, every paper protocol) and experiments drawn
 * from `arbitraryExperiment` (`@sprout/spec/testing`) and printed by the language's printer (every spec
 * variant, written out in full). The draw is seeded, so a run's corpus depends only on its seed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { print } from '@sprout/dsl';
import { arbitraryExperiment } from '@sprout/spec/testing';

export interface CorpusEntry {
  /** `examples/<file>` or `generated/<n>`. */
  readonly name: string;
  readonly text: string;
}

export interface CorpusOptions {
  /** Experiments drawn from `arbitraryExperiment`. @default 300 */
  readonly generated?: number;
  /** Folder of hand-written `.sprout` seeds. @default the repository's `examples/` */
  readonly examplesDir?: string;
}

/** The repository's `examples/` folder. */
export const EXAMPLES_DIR = fileURLToPath(new URL('../../examples/', import.meta.url));

/** Names drawn from every plane of Unicode (printed with escapes where the printer needs them). */
const oddNames = fc.string({ minLength: 1, maxLength: 12, unit: 'binary' });

/** The corpus of run `seed`: the examples, then the generated experiments. */
export const buildCorpus = (seed: number, options: CorpusOptions = {}): readonly CorpusEntry[] => {
  const generated = options.generated ?? 300;
  const dir = options.examplesDir ?? EXAMPLES_DIR;
  const examples = readdirSync(dir)
    .filter((f) => f.endsWith('.sprout'))
    .sort()
    .map((f) => ({ name: `examples/${f}`, text: readFileSync(join(dir, f), 'utf8') }));
  const plain = Math.ceil(generated * 0.75);
  const specs = [
    ...fc.sample(arbitraryExperiment(), { seed, numRuns: plain }),
    ...fc.sample(arbitraryExperiment({ text: oddNames, maxLayers: 8, maxArms: 3 }), {
      seed: seed + 1,
      numRuns: generated - plain,
    }),
  ];
  return [...examples, ...specs.map((s, i) => ({ name: `generated/${i}`, text: print(s) }))];
};
