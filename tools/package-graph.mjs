// The package diagram of the root README, drawn from the real imports: every `@sprout/…` import in
// packages/*/src. Checks that each such import is declared in the importing package's package.json and that
// each declared @sprout dependency is imported, then compares the README's block (between the
// `package-graph` markers) with the drawing.
//
//   node tools/package-graph.mjs           check (exit 1 and a diff when the README is stale), part of npm test
//   node tools/package-graph.mjs --write   rewrite the README's block
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const START = '<!-- package-graph:start (drawn by tools/package-graph.mjs from the imports; do not edit) -->';
const END = '<!-- package-graph:end -->';

const sources = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : /\.(ts|mts|js|mjs|cjs)$/.test(e.name) ? [join(dir, e.name)] : [],
  );

const IMPORT = /(?:from\s+|import\s*\(\s*|import\s+|require\s*\(\s*)['"]@sprout\/([a-z-]+)/g;

/** package name → the set of @sprout packages its sources import. */
export function importGraph() {
  const graph = new Map();
  for (const name of readdirSync(join(root, 'packages')).sort()) {
    const deps = new Set();
    for (const file of sources(join(root, 'packages', name, 'src')))
      for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) if (m[1] !== name) deps.add(m[1]);
    graph.set(name, deps);
  }
  return graph;
}

/** Mismatches between the imports and each package.json's dependencies/peerDependencies. */
export function undeclared(graph) {
  const problems = [];
  for (const [name, deps] of graph) {
    const pkg = JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8'));
    const declared = new Set(
      Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies, ...pkg.optionalDependencies })
        .filter((d) => d.startsWith('@sprout/'))
        .map((d) => d.slice('@sprout/'.length)),
    );
    for (const d of deps)
      if (!declared.has(d)) problems.push(`@sprout/${name} imports @sprout/${d} but does not declare it`);
    for (const d of declared)
      if (!deps.has(d)) problems.push(`@sprout/${name} declares @sprout/${d} but never imports it`);
  }
  return problems;
}

/** The README block: a Mermaid flowchart (arrows from a package to those that import it) and the same as a table. */
export function drawing(graph) {
  const lines = ['```mermaid', 'flowchart LR'];
  for (const [name, deps] of graph) for (const d of [...deps].sort()) lines.push(`  ${d} --> ${name}`);
  lines.push('```', '', '| package | imports |', '|---|---|');
  for (const [name, deps] of graph) lines.push(`| ${name} | ${[...deps].sort().join(', ') || '—'} |`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const graph = importGraph();
  const problems = undeclared(graph);
  const readmePath = join(root, 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) problems.push(`README.md lacks the markers ${START} … ${END}`);
  else {
    const wanted = `${readme.slice(0, start + START.length)}\n${drawing(graph)}\n${readme.slice(end)}`;
    if (process.argv.includes('--write')) writeFileSync(readmePath, wanted);
    else if (wanted !== readme)
      problems.push(
        `README.md's package diagram differs from the imports; run node tools/package-graph.mjs --write. Wanted:\n${drawing(graph)}`,
      );
  }
  for (const p of problems) console.error(`package-graph: ${p}`);
  if (problems.length === 0) console.log(`package-graph: ${graph.size} packages, README diagram matches the imports`);
  process.exit(problems.length === 0 ? 0 : 1);
}
