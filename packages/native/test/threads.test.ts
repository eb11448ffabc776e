// What the thread count promises (README "Threads"): the addon's own loops (direct convolutions, the
// padding copy, pooling, elementwise ops, sums, the epilogue) and the large products gemm cuts into column
// blocks give the same bits for any thread count, because their work is cut by size, not by thread count;
// the other OpenBLAS products are cut by thread count, so they are only promised to repeat at a fixed count. 3 threads on a 2-core machine still hands chunks to other threads.
import { afterAll, describe, expect, it } from 'vitest';
import {
  defaultNativeThreads,
  nativeAddon,
  nativeInfo,
  nativeThreads,
  setNativeThreads,
  type NativeAddon,
} from '@sprout/native';

const info = nativeInfo();
const required = process.env['SPROUT_NATIVE_REQUIRED'] === '1';

/** Deterministic values in [-1, 1) (mulberry32). */
function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1;
  }
  return out;
}

/** [B, H, W, Cin, OH, OW, Cout, KH, KW, sh, sw, dh, dw, padTop, padLeft] of a 3×3 'same' stride-1 convolution. */
const same3 = (b: number, h: number, cin: number, cout: number): Int32Array =>
  Int32Array.from([b, h, h, cin, h, h, cout, 3, 3, 1, 1, 1, 1, 1, 1]);
/** 2×2 max pooling with stride 2 (windows that tile the input), or 3×3 with stride 2 and padding 1 (they overlap). */
const pool = (b: number, h: number, c: number, overlap: boolean): Int32Array =>
  overlap
    ? Int32Array.from([b, h, h, c, h / 2, h / 2, c, 3, 3, 2, 2, 1, 1, 1, 1])
    : Int32Array.from([b, h, h, c, h / 2, h / 2, c, 2, 2, 2, 2, 1, 1, 0, 0]);

/** The products of a wide MLP's training step (784-512-512, batch 128): forward, weight and input gradients. */
const LARGE_PRODUCTS: readonly (readonly [number, number, number, boolean, boolean])[] = [
  [128, 512, 784, false, false],
  [784, 512, 128, true, false],
  [128, 512, 512, false, true],
];

/** C = op(A)·op(B) through the addon's gemm, on deterministic inputs of the given sizes. */
function largeProduct(a: NativeAddon, m: number, n: number, k: number, ta: boolean, tb: boolean): Float32Array {
  const c = new Float32Array(m * n);
  a.gemm(values(m * k, m + k), values(k * n, n + k), c, m, n, k, ta, tb, 1, 0, 0, 0, null, 0, 0);
  return c;
}

/** Every call of the addon's own loops on inputs large enough to be cut into chunks; each returns its output. */
const ownLoops = (a: NativeAddon): Record<string, () => Float32Array> => {
  const B = 24;
  const x16 = values(B * 16 * 16 * 16, 1);
  const w16x32 = values(9 * 16 * 32, 2);
  const dy32 = values(B * 16 * 16 * 32, 3);
  const w32x16 = values(9 * 32 * 16, 4);
  const dy16 = values(B * 16 * 16 * 16, 5);
  const bias32 = values(32, 6);
  return {
    'direct conv forward (16 → 32, bias, relu)': () => {
      const y = new Float32Array(B * 16 * 16 * 32);
      a.conv2d(x16, w16x32, y, bias32, 1, 0, same3(B, 16, 16, 32));
      return y;
    },
    'direct input gradient (32 → 16)': () => {
      const dx = new Float32Array(B * 16 * 16 * 32);
      a.conv2dBackpropInput(dy16, w32x16, dx, same3(B, 16, 32, 16));
      return dx;
    },
    'direct filter gradient (16 → 32: a sum over the batch)': () => {
      const dw = new Float32Array(9 * 16 * 32);
      a.conv2dBackpropFilter(x16, dy32, dw, same3(B, 16, 16, 32));
      return dw;
    },
    'max pool (tiling windows)': () => {
      const y = new Float32Array(B * 8 * 8 * 32);
      a.maxPool(dy32, y, pool(B, 16, 32, false));
      return y;
    },
    'max pool (overlapping windows)': () => {
      const y = new Float32Array(B * 8 * 8 * 32);
      a.maxPool(dy32, y, pool(B, 16, 32, true));
      return y;
    },
    'max pool gradient (tiling windows)': () => {
      const dx = new Float32Array(B * 16 * 16 * 32);
      a.maxPoolGrad(values(B * 8 * 8 * 32, 7), dy32, dx, pool(B, 16, 32, false));
      return dx;
    },
    'max pool gradient (overlapping windows: a scatter-add)': () => {
      const dx = new Float32Array(B * 16 * 16 * 32);
      a.maxPoolGrad(values(B * 8 * 8 * 32, 7), dy32, dx, pool(B, 16, 32, true));
      return dx;
    },
    'add of a per-channel bias': () => {
      const y = new Float32Array(dy32.length);
      a.binary(dy32, bias32, y, 0, 32, false);
      return y;
    },
    'multiply, same shapes': () => {
      const y = new Float32Array(dy32.length);
      a.binary(dy32, dy32, y, 2, dy32.length, false);
      return y;
    },
    relu: () => {
      const y = new Float32Array(dy32.length);
      a.unary(dy32, y, 0, 0);
      return y;
    },
    'relu gradient': () => {
      const y = new Float32Array(dy32.length);
      a.reluGrad(dy32, x16.length === dy32.length ? x16 : values(dy32.length, 8), y);
      return y;
    },
    'sum over the leading axes (a bias gradient)': () => {
      const y = new Float32Array(32);
      a.sumRows(dy32, y, dy32.length / 32, 32);
      return y;
    },
    'Adam update (two steps)': () => {
      const theta = Float32Array.from(dy32);
      const m = new Float32Array(theta.length);
      const v = new Float32Array(theta.length);
      for (const t of [1, 2]) {
        const c1 = 1 - Math.pow(0.9, t);
        const c2 = 1 - Math.pow(0.999, t);
        a.update(2, theta, values(theta.length, 20 + t), m, v, 0.01, 0.9, 0.999, 1e-8, c1, c2);
      }
      return theta;
    },
    ...Object.fromEntries(
      LARGE_PRODUCTS.map(([m, n, k, ta, tb]) => [
        `gemm ${m}×${n}×${k}${ta ? ', Aᵀ' : ''}${tb ? ', Bᵀ' : ''} (cut into column blocks by size)`,
        () => largeProduct(a, m, n, k, ta, tb),
      ]),
    ),
    'running sums in double (accumulate)': () => {
      const acc = new Float64Array(dy32.length);
      a.accumulate(acc, dy32);
      a.accumulate(acc, values(dy32.length, 9));
      return new Float32Array(acc.buffer); // the doubles' bytes, compared as they are
    },
  };
};

const bits = (x: Float32Array): Uint32Array => new Uint32Array(x.buffer, x.byteOffset, x.length);

describe.skipIf(!info.available && !required)('threads', () => {
  const addon = nativeAddon()!;
  const before = nativeThreads();
  afterAll(() => setNativeThreads(before));

  it('default to SPROUT_NATIVE_THREADS or the core count; setNativeThreads clamps to [1, 64]', () => {
    expect(defaultNativeThreads()).toBeGreaterThanOrEqual(1);
    expect(setNativeThreads(3)).toBe(3);
    expect(nativeThreads()).toBe(3);
    expect(nativeInfo().threads).toBe(3);
    expect(setNativeThreads(0)).toBe(1);
    expect(setNativeThreads(1000)).toBe(64);
    expect(setNativeThreads()).toBe(defaultNativeThreads());
  });

  for (const [name, run] of Object.entries(ownLoops(addon)))
    it(`${name}: the same bits with 1, 2 and 3 threads`, () => {
      setNativeThreads(1);
      const one = run();
      expect(one.some((v) => v !== 0)).toBe(true);
      for (const n of [2, 3]) {
        setNativeThreads(n);
        expect(bits(run()), `${n} threads`).toEqual(bits(one));
      }
    });

  it('a product cut into column blocks is the product (float64 reference), at 1 and 2 threads', () => {
    for (const [m, n, k, ta, tb] of LARGE_PRODUCTS) {
      const A = values(m * k, m + k);
      const B = values(k * n, n + k);
      const at = (i: number, p: number): number => (ta ? A[p * m + i]! : A[i * k + p]!);
      const bt = (p: number, j: number): number => (tb ? B[j * k + p]! : B[p * n + j]!);
      for (const threads of [1, 2]) {
        setNativeThreads(threads);
        const c = largeProduct(addon, m, n, k, ta, tb);
        let worst = 0;
        // Every 7th row and column: all column blocks are visited.
        for (let i = 0; i < m; i += 7)
          for (let j = 0; j < n; j += 7) {
            let s = 0;
            for (let p = 0; p < k; p++) s += at(i, p) * bt(p, j);
            worst = Math.max(worst, Math.abs(c[i * n + j]! - s));
          }
        expect(worst, `${m}×${n}×${k} ${ta} ${tb}, ${threads} threads`).toBeLessThan(1e-4);
      }
    }
  });

  it('OpenBLAS products (gemm, im2col convolutions) repeat bit for bit at a fixed thread count', () => {
    const M = 256;
    const K = 384;
    const N = 320;
    const A = values(M * K, 11);
    const Bm = values(K * N, 12);
    const x = values(16 * 16 * 16 * 64, 13);
    const w = values(9 * 64 * 64, 14);
    const product = (): Float32Array => {
      const c = new Float32Array(M * N);
      addon.gemm(A, Bm, c, M, N, K, false, false, 1, 0, 0, 0, null, 0, 0);
      return c;
    };
    const conv64 = (): Float32Array => {
      const y = new Float32Array(16 * 16 * 16 * 64);
      addon.conv2d(x, w, y, null, 0, 0, same3(16, 16, 64, 64));
      return y;
    };
    for (const n of [1, 2]) {
      setNativeThreads(n);
      expect(bits(product()), `gemm, ${n} threads`).toEqual(bits(product()));
      expect(bits(conv64()), `im2col conv, ${n} threads`).toEqual(bits(conv64()));
    }
  });
});
