// @sprout/pipeline/support is what `sprout check` imports: it must not load TensorFlow.js (the check would
// pay its start-up for nothing). A fresh process imports it and reports whether a tfjs engine exists.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const pkg = fileURLToPath(new URL('..', import.meta.url));

describe('@sprout/pipeline/support', () => {
  it('loads without TensorFlow.js', () => {
    const script =
      "const m = await import('@sprout/pipeline/support'); console.log(JSON.stringify({ unsupported: typeof m.unsupported, tf: globalThis._tfengine === undefined }));";
    const r = spawnSync(
      process.execPath,
      ['--conditions=sprout-source', '--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: pkg, encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout.trim())).toEqual({ unsupported: 'function', tf: true });
  }, 60_000);
});
