/**
 * The last lines of `sprout run`: where the results are, and the plots to open (the SVG files written);
 * with `--quiet` only where the results are.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export const resultsLines = (outDir: string, options: { readonly quiet?: boolean } = {}): string => {
  if (options.quiet === true) return `Results in ${outDir}\n`;
  let plots: string[] = [];
  try {
    plots = readdirSync(outDir)
      .filter((f) => f.endsWith('.svg'))
      .sort();
  } catch {
    // A folder that cannot be listed has no plots to name; where it is still says enough.
  }
  return (
    `Results in ${outDir}\n` +
    (plots.length === 0 ? '' : `Open the plots:\n${plots.map((f) => `  ${join(outDir, f)}\n`).join('')}`)
  );
};
