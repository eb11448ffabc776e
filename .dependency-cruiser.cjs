// Module boundaries of the Sprout packages, checked by `npm run boundaries` (part of `npm test`).
// Layers, bottom to top; a package imports only from its own layer's lower neighbours, never upwards:
//   0 spec, native
//   1 dsl, backend, data, inner-product
//   2 model, step-size
//   3 growth
//   4 sensitivity
//   5 pipeline
//   6 study
//   7 cli, playground (the browser app; neither imports the other)
// tools/package-graph.mjs draws the README's package diagram from the same imports and checks it.
/** @type {import('dependency-cruiser').IConfiguration} */
const LAYERS = [
  ['spec', 'native'],
  ['dsl', 'backend', 'data', 'inner-product'],
  ['model', 'step-size'],
  ['growth'],
  ['sensitivity'],
  ['pipeline'],
  ['study'],
  ['cli', 'playground'],
];
const pkg = (names) => `^packages/(${names.join('|')})/`;
const upward = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `layer-${i}-imports-upward`,
  comment: `${layer.join(', ')} must not import from a higher layer`,
  severity: 'error',
  from: { path: pkg(layer) },
  to: { path: pkg(LAYERS.slice(i + 1).flat()) },
}));
const sameLayer = LAYERS.filter((l) => l.length > 1).flatMap((layer) =>
  layer.map((name) => ({
    name: `same-layer-import-${name}`,
    comment: `${name} must not import a package of its own layer`,
    severity: 'error',
    from: { path: pkg([name]) },
    to: { path: pkg(layer.filter((n) => n !== name)) },
  })),
);

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'modules must not import each other in a cycle',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-foreign-internal',
      severity: 'error',
      comment: "another package's internal/ folder is private: import its entry point",
      from: { path: '^packages/([^/]+)/' },
      to: { path: '^packages/([^/]+)/src/internal/', pathNot: '^packages/$1/' },
    },
    {
      name: 'src-imports-no-tests',
      severity: 'error',
      comment: 'sources do not import test code',
      from: { path: '^packages/[^/]+/src/' },
      to: { path: '^packages/[^/]+/test/' },
    },
    {
      name: 'declared-dependencies-only',
      severity: 'error',
      comment: "a package imports only what its package.json declares (no hoisted neighbours' dependencies)",
      from: { path: '^packages/[^/]+/src/' },
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: { path: '^packages/' },
      // @tensorflow/tfjs-node is an optional peer that cannot be installed here (its download fails).
      to: { couldNotResolve: true, pathNot: '^@tensorflow/tfjs-node$' },
    },
    ...upward,
    ...sameLayer,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|build|node_modules)/|\\.tmp\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    combinedDependencies: false,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['sprout-source', 'import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.mts', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
    },
  },
};
