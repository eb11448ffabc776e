// Declarations for every published package, generated from the sources by one tsc program (`tsc -p` on a config
// that includes every packages/*/src and resolves @sprout/* to their sources through the `sprout-source`
// condition, so each package's types are checked once): dist/**/*.d.ts for the `import` condition, and a
// copy of each as .d.cts with its relative specifiers pointing at .cjs files for the `require` condition
// (TypeScript reads a .d.ts of a "type": "module" package as an ES module, which a CommonJS consumer
// under node16 could not require: TS1479). Imports of other packages stay bare (`@sprout/spec`); a
// declaration that reaches into another package's files by path fails the build.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

const walk = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });

/** Whether a library's types are ES modules only (a CommonJS declaration must import them as such). */
const esmOnly = new Map();
const isEsmOnly = (name) => {
  if (!esmOnly.has(name)) {
    let only = false;
    try {
      const manifest = JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8'));
      const exportsMap = JSON.stringify(manifest.exports ?? {});
      // Types for `require` are a .d.cts file, or sit under a `require` condition (where a nested
      // package.json may make them CommonJS); otherwise a "type": "module" package's types are ES modules.
      only =
        manifest.type === 'module' && !exportsMap.includes('.d.cts') && !/"require":\{[^}]*"types/.test(exportsMap);
    } catch {
      only = false; // not installed at the root: a Node built-in or a package resolved elsewhere
    }
    esmOnly.set(name, only);
  }
  return esmOnly.get(name);
};
const packageName = (specifier) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

/**
 * The .d.cts twin of a declaration file: relative specifiers name the .cjs files, and the types of an
 * ES-module-only library (chevrotain) are imported with `resolution-mode: import`, as TypeScript asks
 * of a CommonJS file (TS1541/TS1542; TypeScript >= 5.3 reads the attribute).
 */
export const toCommonJsDeclaration = (text) =>
  text
    .replace(/(['"])(\.{1,2}\/[^'"]*?)\.js\1/g, '$1$2.cjs$1')
    .replace(/^import (type )?([^;]*? from (['"])([^'"]+)\3);/gm, (line, _type, rest, _q, spec) =>
      spec.startsWith('.') || !isEsmOnly(packageName(spec))
        ? line
        : `import type ${rest.replace(/([{,]\s*)type\s+/g, '$1')} with { 'resolution-mode': 'import' };`,
    )
    .replace(/import\((['"])([^'"]+)\1\)/g, (call, q, spec) =>
      spec.startsWith('.') || !isEsmOnly(packageName(spec))
        ? call
        : `import(${q}${spec}${q}, { with: { 'resolution-mode': 'import' } })`,
    );

/** The folders of the packages that are published: a private one (the playground, a web app) has no types to ship. */
const publishedPackages = () =>
  readdirSync(join(root, 'packages')).filter((pkg) => {
    try {
      return JSON.parse(readFileSync(join(root, 'packages', pkg, 'package.json'), 'utf8')).private !== true;
    } catch {
      return false;
    }
  });

/**
 * Writes the declarations of every published package into `distOf(name)` (default packages/<name>/dist); returns
 * how many files it wrote.
 */
export const buildTypes = (distOf = (pkg) => join(root, 'packages', pkg, 'dist')) => {
  // Inside the clone's node_modules, so that tsc finds @types/node from the config's folder; a folder of
  // its own, so that two builds at once do not share one.
  mkdirSync(join(root, 'node_modules', '.cache'), { recursive: true });
  const work = mkdtempSync(join(root, 'node_modules', '.cache', 'sprout-types-'));
  const config = join(work, 'tsconfig.json');
  writeFileSync(
    config,
    JSON.stringify({
      extends: join(root, 'tsconfig.base.json'),
      compilerOptions: {
        noEmit: false,
        declaration: true,
        emitDeclarationOnly: true,
        sourceMap: false,
        declarationMap: false,
        rootDir: join(root, 'packages'),
        outDir: join(work, 'out'),
      },
      include: publishedPackages().map((pkg) => join(root, 'packages', pkg, 'src')),
    }),
  );
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', config], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`tsc failed to generate the declarations (exit ${r.status})`);
  let count = 0;
  const problems = [];
  const out = join(work, 'out');
  for (const pkg of readdirSync(out)) {
    const from = join(out, pkg, 'src');
    const dist = distOf(pkg);
    for (const file of walk(from)) {
      const text = readFileSync(file, 'utf8');
      const target = join(dist, relative(from, file));
      for (const m of text.matchAll(/(?:from |import\()\s*['"](\.{1,2}\/[^'"]*)['"]/g)) {
        const resolved = join(dirname(file), m[1]);
        if (!resolved.startsWith(from + sep))
          problems.push(`${relative(root, target)} refers to ${m[1]}, outside its package`);
      }
      mkdirSync(dirname(target), { recursive: true });
      cpSync(file, target);
      writeFileSync(target.replace(/\.d\.ts$/, '.d.cts'), toCommonJsDeclaration(text));
      count += 2;
    }
  }
  rmSync(work, { recursive: true, force: true });
  if (problems.length > 0)
    throw new Error(`declarations that would not resolve once published:\n${problems.join('\n')}`);
  return count;
};

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = performance.now();
  const count = buildTypes();
  console.log(
    `sprout build: ${count} declaration files (.d.ts and .d.cts) in ${Math.round(performance.now() - started)} ms`,
  );
}
