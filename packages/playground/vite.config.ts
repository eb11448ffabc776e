// The playground's build: the workspace packages from their TypeScript sources (the `sprout-source`
// condition, as the tests read them), the training in an ES-module Web Worker, and Node's built-ins that
// sibling packages import for their file loaders and native addon (never called in a browser) replaced by
// a module whose functions say so.
import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig } from 'vite';

const stub = fileURLToPath(new URL('./src/node-stub.ts', import.meta.url));
const builtins = ['fs', 'fs/promises', 'path', 'module', 'url', 'os', 'zlib', 'crypto', 'worker_threads'];

export default defineConfig({
  base: './',
  resolve: {
    conditions: ['sprout-source', ...defaultClientConditions],
    alias: builtins.flatMap((b) => [
      { find: new RegExp(`^node:${b}$`), replacement: stub },
      { find: new RegExp(`^${b}$`), replacement: stub },
    ]),
  },
  worker: { format: 'es' },
  build: { target: 'es2022', outDir: 'dist', chunkSizeWarningLimit: 8000 },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
