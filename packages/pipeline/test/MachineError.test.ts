// Failures of the machine become one user-facing error, not an internal error with a stack: the errors
// here are real ones (a write to /dev/full fails with ENOSPC; a WebAssembly load past its memory traps),
// not constructed look-alikes.
import { openSync, writeSync, closeSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { machineError } from '../src/internal/machine-error.js';

// The WebAssembly global, typed here: the packages' TypeScript lib has no DOM or WebAssembly types.
const wasm = (
  globalThis as unknown as {
    WebAssembly: {
      Module: new (bytes: Uint8Array) => object;
      Instance: new (module: object) => { exports: Record<string, unknown> };
    };
  }
).WebAssembly;

const thrown = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
};

describe('machineError', () => {
  it('a full disk (ENOSPC) is an output-error that names the file and the cause', () => {
    const fd = openSync('/dev/full', 'w');
    const e = thrown(() => writeSync(fd, 'row\n'));
    closeSync(fd);
    const r = machineError(e, '/runs/x');
    expect(r).toMatchObject({ _tag: 'output-error', code: 'ENOSPC' });
    expect(r?.message).toMatch(/the disk is full \(ENOSPC\)/);
  });

  it("a WebAssembly memory trap (the wasm backend's heap) is out-of-memory", () => {
    // (module (memory 1) (func (export "f") (result i32) (i32.load (i32.const 70000))))
    const bytes = new Uint8Array([
      0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 127, 3, 2, 1, 0, 5, 3, 1, 0, 1, 7, 5, 1, 1, 102, 0, 0, 10, 11, 1,
      9, 0, 65, 240, 162, 4, 40, 2, 0, 11,
    ]);
    const instance = new wasm.Instance(new wasm.Module(bytes));
    const e = thrown(() => (instance.exports['f'] as () => number)());
    expect(String(e)).toMatch(/memory access out of bounds/);
    const r = machineError(e, undefined);
    expect(r?._tag).toBe('out-of-memory');
    expect(r?.message).toMatch(/out of memory: .* 4 GiB/);
  });

  it('a failed allocation of a typed array is out-of-memory; a bug stays a bug', () => {
    const e = thrown(() => new Float32Array(2 ** 40));
    expect(machineError(e, undefined)?._tag).toBe('out-of-memory');
    expect(machineError(new TypeError('x is undefined'), undefined)).toBeUndefined();
  });
});
