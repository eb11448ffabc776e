// Each name means one thing across packages: no two packages export the same name for different
// declarations (a user importing from both would have to rename one, and a reader would confuse them).
// Entry points are every package's exports map (the TypeScript sources, through the sprout-source
// condition); the entry points of one package may share a declaration (`compile` in @sprout/pipeline and
// @sprout/pipeline/core is the same function for two hosts).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

/** Names exported by more than one package, with the packages; names known to collide map to why. */
const collisions = (): Map<string, string[]> => {
  const entries: { pkg: string; entry: string; file: string }[] = [];
  for (const dir of readdirSync(join(root, 'packages'))) {
    const manifest = join(root, 'packages', dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name: string; private?: boolean; exports?: object };
    if (pkg.private === true) continue;
    for (const [sub, target] of Object.entries(pkg.exports ?? {})) {
      const source = (target as Record<string, unknown> | null)?.['sprout-source'];
      if (typeof source === 'string' && source.endsWith('.ts'))
        entries.push({ pkg: pkg.name, entry: pkg.name + sub.slice(1), file: join(root, 'packages', dir, source) });
    }
  }
  const program = ts.createProgram(
    entries.map((e) => e.file),
    {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      customConditions: ['sprout-source'],
      noEmit: true,
      skipLibCheck: true,
    },
  );
  const checker = program.getTypeChecker();
  const declared = new Map<string, Map<string, ts.Declaration>>(); // name → package → declaration
  for (const e of entries) {
    const module = checker.getSymbolAtLocation(program.getSourceFile(e.file)!);
    for (const exported of module === undefined ? [] : checker.getExportsOfModule(module)) {
      const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const declaration = target.declarations?.[0];
      if (declaration === undefined) continue;
      const byPackage = declared.get(exported.name) ?? new Map<string, ts.Declaration>();
      byPackage.set(e.pkg, declaration);
      declared.set(exported.name, byPackage);
    }
  }
  const out = new Map<string, string[]>();
  for (const [name, byPackage] of declared)
    if (new Set(byPackage.values()).size > 1) out.set(name, [...byPackage.keys()].sort());
  return out;
};

describe('exported names', () => {
  it('no two packages export one name for two different things', () => {
    expect(Object.fromEntries(collisions())).toEqual({});
  }, 300_000);
});
