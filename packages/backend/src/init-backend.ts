/**
 * Backend selection: tfjs-node when its native addon loads, else wasm (with Sprout's kernels), else cpu.
 * The choice is recorded with the reason for any fallback, so runs can say which backend produced them.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { createRequire } from 'node:module';
import type { BackendError, BackendInfo, BackendName, BackendPreference } from './BackendInfo.js';
import { registerWasmKernels } from './wasm-kernels.js';
import { registerNativeKernels } from '@sprout/native';
import { nodeAddonMissing } from './probe.js';

const require = createRequire(import.meta.url);

const TF_NAMES: Record<BackendName, string> = { node: 'tensorflow', wasm: 'wasm', cpu: 'cpu' };

/** First line of an error, for one-line messages. */
function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n')[0]!.trim().replace(/\.$/, '');
}

type Loaded = E.Either<string, readonly string[]>;
/** What the optional OpenBLAS kernels did when the wasm or cpu backend loaded (once per process). */
let native: { readonly ok: boolean; readonly reason?: string; readonly kernels: readonly string[] } | undefined;
const loads = new Map<BackendName, Promise<Loaded>>();

/** Loads a backend's package (once) and makes it the active backend; Left holds the reason it failed. */
function load(name: BackendName): Promise<Loaded> {
  let pending = loads.get(name);
  if (pending === undefined) {
    pending = loadOnce(name);
    loads.set(name, pending);
  }
  return pending.then(async (loaded) => {
    if (E.isLeft(loaded)) return loaded;
    if (tf.getBackend() !== TF_NAMES[name] && !(await tf.setBackend(TF_NAMES[name]))) {
      return E.left(`tf.setBackend('${TF_NAMES[name]}') failed`);
    }
    return loaded;
  });
}

async function loadOnce(name: BackendName): Promise<Loaded> {
  try {
    switch (name) {
      case 'node': {
        // An optional dependency whose native addon is often missing: any failure is a quiet fallback (the
        // catch below words it).
        const missing = nodeAddonMissing();
        if (missing !== undefined) throw new Error(missing);
        require('@tensorflow/tfjs-node');
        break;
      }
      case 'wasm':
        // The Node build locates its .wasm files next to itself: no setWasmPaths needed offline.
        await import('@tensorflow/tfjs-backend-wasm');
        break;
      case 'cpu':
        await import('@tensorflow/tfjs-backend-cpu');
        break;
    }
    if (tf.findBackendFactory(TF_NAMES[name]) === null)
      return E.left(`no backend named '${TF_NAMES[name]}' registered`);
    const supplied = name === 'wasm' ? registerWasmKernels() : [];
    // The OpenBLAS kernels wrap whatever kernels are registered now, so they come after Sprout's wasm kernels.
    // SPROUT_NATIVE=0 turns the fast path off (for comparisons and for debugging a kernel).
    if (name !== 'node') {
      native =
        process.env['SPROUT_NATIVE'] === '0'
          ? { ok: false, reason: 'turned off by SPROUT_NATIVE=0', kernels: [] }
          : registerNativeKernels({ backends: [name], warn: false });
    }
    // tf.setBackend logs its own warning when initialisation fails; silence it, we report the reason.
    const warn = console.warn;
    console.warn = () => {};
    let ok: boolean;
    try {
      ok = await tf.setBackend(TF_NAMES[name]);
    } finally {
      console.warn = warn;
    }
    return ok ? E.right(supplied) : E.left(`the ${name} backend failed to initialise`);
  } catch (e) {
    return E.left(
      name === 'node'
        ? `@tensorflow/tfjs-node did not load (${firstLine(e)})`
        : `${name} did not load (${firstLine(e)})`,
    );
  }
}

/**
 * Selects and initialises the TensorFlow.js backend. `auto` (the default) uses tfjs-node when it loads, else
 * wasm, else cpu, and says in `fallbackReason` and `message` why it fell back. An explicit preference that
 * cannot load is a `backend-unavailable` error. Idempotent: calling it again selects the same backend
 * without reloading or re-registering anything.
 */
export async function initBackend(
  preference: BackendPreference = 'auto',
): Promise<E.Either<BackendError, BackendInfo>> {
  const info = (name: BackendName, supplied: readonly string[], fallbackReason?: string): BackendInfo => {
    const accelerated = name === 'node' || native === undefined ? undefined : native;
    const fast =
      accelerated === undefined
        ? ''
        : accelerated.ok
          ? ' with OpenBLAS kernels'
          : ` without OpenBLAS kernels (${accelerated.reason ?? 'unavailable'})`;
    return {
      name,
      tfName: TF_NAMES[name],
      suppliedKernels: supplied,
      message:
        fallbackReason === undefined
          ? `Using the TensorFlow.js ${name} backend${fast}.`
          : `Using the TensorFlow.js ${name} backend${fast}: ${fallbackReason}.`,
      ...(fallbackReason === undefined ? {} : { fallbackReason }),
      ...(accelerated === undefined ? {} : { native: accelerated }),
    };
  };
  if (preference !== 'auto') {
    const loaded = await load(preference);
    return E.isRight(loaded)
      ? E.right(info(preference, loaded.right))
      : E.left({
          _tag: 'backend-unavailable',
          backend: preference,
          reason: loaded.left,
          message: `The ${preference} backend is not available: ${loaded.left}.`,
        });
  }
  const reasons: string[] = [];
  for (const name of ['node', 'wasm', 'cpu'] as const) {
    const loaded = await load(name);
    if (E.isRight(loaded))
      return E.right(info(name, loaded.right, reasons.length > 0 ? reasons.join('; ') : undefined));
    reasons.push(loaded.left);
  }
  return E.left({
    _tag: 'backend-unavailable',
    backend: 'cpu',
    reason: reasons.join('; '),
    message: `No TensorFlow.js backend is available: ${reasons.join('; ')}.`,
  });
}
