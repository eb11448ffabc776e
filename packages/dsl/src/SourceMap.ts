/**
 * Where each part of a spec came from in the source text: spec path → source range. Semantic diagnostics
 * carry a spec path; `rangeOf` gives the range of that path, or of its nearest ancestor that has one (a
 * value filled in from a default points at the section that omitted it).
 */
import type { SourceRange, SpecPath } from '@sprout/spec';

export type SourceMap = ReadonlyMap<string, SourceRange>;

/** The key of a path in a `SourceMap`: its parts joined by `.` (`network.layers.2.units`). */
export const pathKey = (path: SpecPath): string => path.map(String).join('.');

/** The range of `path` or of its nearest ancestor with one; `undefined` only for an empty map. */
export const rangeOf = (map: SourceMap, path: SpecPath): SourceRange | undefined => {
  for (let n = path.length; n >= 0; n--) {
    const r = map.get(pathKey(path.slice(0, n)));
    if (r !== undefined) return r;
  }
  return undefined;
};
