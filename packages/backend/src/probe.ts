/**
 * What can be known about the backends without loading TensorFlow.js: for commands that must stay light
 * (`sprout check`) and for limits that depend on the backend before it is initialised (the wasm heap).
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { BackendName } from './BackendInfo.js';

const require = createRequire(import.meta.url);

/**
 * Why @tensorflow/tfjs-node cannot load, found without loading it: the package is not installed, or its
 * native addon (`lib/napi-v<N>/tfjs_binding.node`, put there by its install script) is missing, which is
 * the usual case where the TensorFlow C library cannot be downloaded. Requiring the package to find that
 * out first loads its JavaScript, a second copy of TensorFlow.js and protobuf: about 0.15 s of every
 * `sprout run` with the default backend. `undefined` when the addon is there (then it is required).
 */
export function nodeAddonMissing(): string | undefined {
  let root: string;
  try {
    root = dirname(require.resolve('@tensorflow/tfjs-node/package.json'));
  } catch (e) {
    return (e instanceof Error ? e.message : String(e)).split('\n')[0]!.trim().replace(/\.$/, '');
  }
  const lib = join(root, 'lib');
  const built =
    existsSync(lib) &&
    readdirSync(lib).some((d) => d.startsWith('napi-v') && existsSync(join(lib, d, 'tfjs_binding.node')));
  return built ? undefined : `its native addon (tfjs_binding.node) is not built in ${lib}`;
}

/** The backend `auto` tries first: `node` when tfjs-node's addon is built, else `wasm`. */
export function autoBackendName(): BackendName {
  return nodeAddonMissing() === undefined ? 'node' : 'wasm';
}
