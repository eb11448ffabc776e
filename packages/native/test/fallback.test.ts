// Without the addon (SPROUT_NATIVE=0, as on a machine without a compiler or OpenBLAS) registering is a
// no-op that says so exactly once, and TensorFlow.js keeps computing with its stock kernels.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = fileURLToPath(new URL('.', import.meta.url));

describe('fallback without the addon', () => {
  it('returns ok: false with the reason, warns once, and tf still works', () => {
    const dir = mkdtempSync(join(here, 'tmp-fallback-'));
    try {
      const script = join(dir, 'run.ts');
      writeFileSync(
        script,
        [
          "import * as tf from '@tensorflow/tfjs';",
          "import { registerNativeKernels, nativeInfo } from '@sprout/native';",
          // Importing @sprout/native does not register the wasm backend as a side effect.
          "const wasmBefore = tf.findBackendFactory('wasm') !== null;",
          "await import('@tensorflow/tfjs-backend-wasm');",
          'const a = registerNativeKernels();',
          'const b = registerNativeKernels();',
          "await tf.setBackend('wasm');",
          'const y = tf.matMul(tf.ones([64, 64]), tf.ones([64, 64])).dataSync()[0];',
          'console.log(JSON.stringify({ a, b, y, info: nativeInfo(), wasmBefore }));',
        ].join('\n'),
      );
      const r = spawnSync(process.execPath, ['--conditions=sprout-source', '--import', 'tsx', script], {
        env: { ...process.env, SPROUT_NATIVE: '0' },
        encoding: 'utf8',
      });
      expect(r.status, r.stderr).toBe(0);
      const line = r.stdout.split('\n').find((l) => l.startsWith('{'))!;
      const out = JSON.parse(line) as {
        a: { ok: boolean; reason: string; kernels: string[] };
        b: { ok: boolean };
        y: number;
        info: { available: boolean };
        wasmBefore: boolean;
      };
      expect(out.wasmBefore).toBe(false);
      expect(out.a).toEqual({ ok: false, reason: 'disabled by SPROUT_NATIVE=0', kernels: [] });
      expect(out.b.ok).toBe(false);
      expect(out.info.available).toBe(false);
      expect(out.y).toBe(64);
      const notes = r.stderr.split('\n').filter((l) => l.includes('[sprout] native kernels unavailable'));
      expect(notes).toHaveLength(1);
      expect(notes[0]).toContain('npm rebuild @sprout/native');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
