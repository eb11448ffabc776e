// Backend selection on this machine: tfjs-node's native addon is missing, so `auto` falls back to wasm.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as E from 'fp-ts/lib/Either.js';
import { initBackend, WASM_KERNELS } from '../src/index.js';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function canLoadNode(): boolean {
  try {
    require('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

describe('initBackend', () => {
  it('auto picks the fastest backend that loads and says why it fell back', async () => {
    const r = await initBackend();
    expect(E.isRight(r)).toBe(true);
    if (E.isLeft(r)) return;
    // Without its native addon tfjs-node is not required at all (its JavaScript and a second TensorFlow.js
    // would load only to fail): the probe looks for lib/napi-v<N>/tfjs_binding.node first.
    const tfjsNodeLoaded = () =>
      Object.keys(require.cache).some((k) => /[\\/]@tensorflow[\\/]tfjs-node[\\/]dist[\\/]/.test(k));
    if (r.right.name !== 'node' && /tfjs_binding\.node/.test(r.right.fallbackReason ?? ''))
      expect(tfjsNodeLoaded()).toBe(false);
    if (canLoadNode()) {
      expect(r.right.name).toBe('node');
      return;
    }
    expect(r.right.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(r.right.fallbackReason).toMatch(/tfjs-node did not load/);
    expect(r.right.message).toMatch(
      /^Using the TensorFlow.js wasm backend( with OpenBLAS kernels| without OpenBLAS kernels \(.+\))?: @tensorflow\/tfjs-node did not load/,
    );
    // The OpenBLAS kernels are optional; either they are registered, or the message says why not.
    expect(r.right.native).toBeDefined();
    if (r.right.native?.ok === true) expect(r.right.native.kernels.length).toBeGreaterThan(0);
    else expect(r.right.message).toContain(r.right.native?.reason ?? '<no reason>');
    for (const k of WASM_KERNELS) expect(r.right.suppliedKernels).toContain(k);
  });

  it('is idempotent', async () => {
    const a = await initBackend('auto');
    const b = await initBackend('auto');
    expect(b).toEqual(a);
    const kernels = tf.getKernelsForBackend('wasm').length;
    await initBackend('wasm');
    expect(tf.getKernelsForBackend('wasm').length).toBe(kernels);
  });

  it('an explicit backend that cannot load is an error value naming it and the reason', async () => {
    if (canLoadNode()) return;
    const r = await initBackend('node');
    expect(E.isLeft(r)).toBe(true);
    if (E.isRight(r)) return;
    expect(r.left._tag).toBe('backend-unavailable');
    expect(r.left.backend).toBe('node');
    expect(r.left.reason).toMatch(/tfjs-node did not load/);
    expect(r.left.message).toMatch(/^The node backend is not available: /);
  });

  it('explicit cpu and wasm switch the active backend', async () => {
    const cpu = await initBackend('cpu');
    expect(E.isRight(cpu) && cpu.right.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    const wasm = await initBackend('wasm');
    expect(E.isRight(wasm) && wasm.right.fallbackReason).toBe(undefined);
    expect(tf.getBackend()).toBe('wasm');
  });
});
