// Max pooling and its gradient, NHWC (tfjs-backend-cpu's tie rule: the first strictly greatest entry).
#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels.h"
#include "napi_util.h"
#include "threads.h"

namespace sprout_native {

// Examples per chunk: about 2¹⁶ input floats.
int64_t BatchGrain(const ConvGeom& g) { return std::max<int64_t>(1, (int64_t(1) << 16) / std::max<int64_t>(g.H * g.W * g.Cin, 1)); }

// Pooling windows that tile the input: stride = window, no padding, no dilation, every window inside the
// input. Each input entry then lies in at most one window (rows / columns past the last window in none).
bool TilesInput(const ConvGeom& g) {
  return g.sh == g.KH && g.sw == g.KW && g.padTop == 0 && g.padLeft == 0 && g.dh == 1 && g.dw == 1 &&
         g.OH * g.KH <= g.H && g.OW * g.KW <= g.W;
}

// Calls tap(offset) for each tap of output pixel (oh, ow)'s window inside the input (padding excluded), in
// row-major order; offset = (ih·W + iw)·C is the tap's first channel within one example.
template <typename Tap>
inline void ForEachWindowTap(const ConvGeom& g, int64_t oh, int64_t ow, int64_t C, Tap&& tap) {
  for (int64_t kh = 0; kh < g.KH; ++kh) {
    const int64_t ih = oh * g.sh - g.padTop + kh * g.dh;
    if (ih < 0 || ih >= g.H) continue;
    for (int64_t kw = 0; kw < g.KW; ++kw) {
      const int64_t iw = ow * g.sw - g.padLeft + kw * g.dw;
      if (iw < 0 || iw >= g.W) continue;
      tap((ih * g.W + iw) * C);
    }
  }
}

// maxPoolGrad(dy, x, dx, geometry): dx[argmax of each window] += dy, the argmax being the first
// strictly greatest entry of the window in row-major order with padding excluded (tfjs-backend-cpu's
// maxPoolPositions). geometry as for convolutions, with Cin = Cout = C.
napi_value MaxPoolGrad(napi_env env, napi_callback_info info) {
  F32 a[3];
  ConvGeom g;
  if (!GetArraysAndGeom(env, info, "maxPoolGrad", {"dy", "x", "dx"}, a, &g)) return nullptr;
  const F32 &dy = a[0], &x = a[1], &dx = a[2];
  const int64_t C = g.Cin;
  const int64_t nx = g.B * g.H * g.W * C;
  if (!CheckLen(env, x, nx, "maxPoolGrad: x too short") || !CheckLen(env, dx, nx, "maxPoolGrad: dx too short") ||
      !CheckLen(env, dy, g.B * g.OH * g.OW * C, "maxPoolGrad: dy too short"))
    return nullptr;
  // Windows that tile the input (at most 64 taps): every input entry lies in at most one window, so dx is
  // written once, window by window, with no zeroing pass and no scatter.
  if (TilesInput(g) && g.KH * g.KW <= 64) {
    const int64_t taps = g.KH * g.KW;
    // Rows and columns past the last full window get no gradient.
    const auto zeroUncovered = [&](float* dxb) {
      for (int64_t ih = g.OH * g.KH; ih < g.H; ++ih) std::fill(dxb + ih * g.W * C, dxb + (ih + 1) * g.W * C, 0.f);
      if (g.OW * g.KW < g.W)
        for (int64_t ih = 0; ih < g.OH * g.KH; ++ih)
          std::fill(dxb + (ih * g.W + g.OW * g.KW) * C, dxb + (ih + 1) * g.W * C, 0.f);
    };
    if (C % 8 == 0) {
      typedef VecT<8>::V V;
      typedef int32_t Vi __attribute__((vector_size(32)));
      // Examples are independent: chunks of examples over the pool.
ParallelFor(g.B, BatchGrain(g), [&](int64_t bBegin, int64_t bEnd) {
 for (int64_t b = bBegin; b < bEnd; ++b) {
        const float* xb = x.data + b * g.H * g.W * C;
        float* dxb = dx.data + b * g.H * g.W * C;
        zeroUncovered(dxb);
        for (int64_t oh = 0; oh < g.OH; ++oh)
          for (int64_t ow = 0; ow < g.OW; ++ow)
            for (int64_t c = 0; c < C; c += 8) {
              const V d = LoadV<8>(dy.data + ((b * g.OH + oh) * g.OW + ow) * C + c);
              V best = LoadV<8>(xb + ((oh * g.KH) * g.W + ow * g.KW) * C + c);
              Vi arg = Vi{};
              for (int64_t t = 1; t < taps; ++t) {
                const int64_t kh = t / g.KW, kw = t % g.KW;
                const V v = LoadV<8>(xb + ((oh * g.KH + kh) * g.W + ow * g.KW + kw) * C + c);
                const Vi gt = v > best;  // first strictly greatest entry, as tfjs-backend-cpu
                best = gt ? v : best;
                arg = gt ? Vi{} + (int32_t)t : arg;
              }
              for (int64_t t = 0; t < taps; ++t) {
                const int64_t kh = t / g.KW, kw = t % g.KW;
                StoreV<8>(dxb + ((oh * g.KH + kh) * g.W + ow * g.KW + kw) * C + c, arg == (int32_t)t ? d : V{});
              }
            }
      }
});
      return Undefined(env);
    }
    // Examples are independent: chunks of examples over the pool.
ParallelFor(g.B, BatchGrain(g), [&](int64_t bBegin, int64_t bEnd) {
 for (int64_t b = bBegin; b < bEnd; ++b) {
      std::vector<float> best((size_t)C);
      std::vector<int32_t> arg((size_t)C);
      const float* xb = x.data + b * g.H * g.W * C;
      float* dxb = dx.data + b * g.H * g.W * C;
      zeroUncovered(dxb);
      for (int64_t oh = 0; oh < g.OH; ++oh)
        for (int64_t ow = 0; ow < g.OW; ++ow) {
          const float* pdy = dy.data + ((b * g.OH + oh) * g.OW + ow) * C;
          float* bst = best.data();
          int32_t* a = arg.data();
          for (int64_t t = 0; t < taps; ++t) {
            const int64_t kh = t / g.KW, kw = t % g.KW;
            const float* px = xb + ((oh * g.KH + kh) * g.W + ow * g.KW + kw) * C;
            if (t == 0) {
              for (int64_t c = 0; c < C; ++c) {
                bst[c] = px[c];
                a[c] = 0;
              }
            } else {
              for (int64_t c = 0; c < C; ++c) {  // first strictly greatest entry, as tfjs-backend-cpu
                const bool gt = px[c] > bst[c];
                bst[c] = gt ? px[c] : bst[c];
                a[c] = gt ? (int32_t)t : a[c];
              }
            }
          }
          for (int64_t t = 0; t < taps; ++t) {
            const int64_t kh = t / g.KW, kw = t % g.KW;
            float* pd = dxb + ((oh * g.KH + kh) * g.W + ow * g.KW + kw) * C;
            for (int64_t c = 0; c < C; ++c) pd[c] = a[c] == t ? pdy[c] : 0.f;
          }
        }
    }
});
    return Undefined(env);
  }
  // Examples are independent: chunks of examples over the pool.
ParallelFor(g.B, BatchGrain(g), [&](int64_t bBegin, int64_t bEnd) {
 for (int64_t b = bBegin; b < bEnd; ++b) {
    std::fill(dx.data + b * g.H * g.W * C, dx.data + (b + 1) * g.H * g.W * C, 0.f);
    std::vector<float> best((size_t)C);
    std::vector<int32_t> where((size_t)C);  // offsets inside one example (< 2³¹ floats)
    const float* xb = x.data + b * g.H * g.W * C;
    float* dxb = dx.data + b * g.H * g.W * C;
    for (int64_t oh = 0; oh < g.OH; ++oh) {
      for (int64_t ow = 0; ow < g.OW; ++ow) {
        std::fill(best.begin(), best.end(), -INFINITY);
        std::fill(where.begin(), where.end(), -1);
        float* bst = best.data();
        int32_t* whr = where.data();
        ForEachWindowTap(g, oh, ow, C, [&](int64_t base) {
          const float* px = xb + base;
          for (int64_t c = 0; c < C; ++c) {  // branch-free, so it vectorises over channels
            const bool gt = px[c] > bst[c];
            bst[c] = gt ? px[c] : bst[c];
            whr[c] = gt ? (int32_t)(base + c) : whr[c];
          }
        });
        const float* pdy = dy.data + ((b * g.OH + oh) * g.OW + ow) * C;
        for (int64_t c = 0; c < C; ++c)
          if (where[c] >= 0) dxb[where[c]] += pdy[c];
      }
    }
  }
});
  return Undefined(env);
}

// maxPool(x, out, geometry): out[b, oh, ow, c] = max over the window (padding excluded), NHWC; as
// conv geometry with Cin = Cout = C.
napi_value MaxPool(napi_env env, napi_callback_info info) {
  F32 a[2];
  ConvGeom g;
  if (!GetArraysAndGeom(env, info, "maxPool", {"x", "out"}, a, &g)) return nullptr;
  const F32 &x = a[0], &out = a[1];
  const int64_t C = g.Cin;
  if (!CheckLen(env, x, g.B * g.H * g.W * C, "maxPool: x too short") ||
      !CheckLen(env, out, g.B * g.OH * g.OW * C, "maxPool: out too short"))
    return nullptr;
  // Windows that tile the input with 8·k channels: vector loads, no bounds checks.
  if (TilesInput(g) && C % 8 == 0) {
    typedef VecT<8>::V V;
    // Examples are independent: chunks of examples over the pool.
ParallelFor(g.B, BatchGrain(g), [&](int64_t bBegin, int64_t bEnd) {
 for (int64_t b = bBegin; b < bEnd; ++b) {
      const float* xb = x.data + b * g.H * g.W * C;
      for (int64_t oh = 0; oh < g.OH; ++oh)
        for (int64_t ow = 0; ow < g.OW; ++ow) {
          float* o = out.data + ((b * g.OH + oh) * g.OW + ow) * C;
          for (int64_t c = 0; c < C; c += 8) {
            V m = V{} - INFINITY;  // as the generic loop: NaN entries are never the maximum
            for (int64_t kh = 0; kh < g.KH; ++kh)
              for (int64_t kw = 0; kw < g.KW; ++kw) {
                const V v = LoadV<8>(xb + ((oh * g.KH + kh) * g.W + ow * g.KW + kw) * C + c);
                m = v > m ? v : m;
              }
            StoreV<8>(o + c, m);
          }
        }
    }
});
    return Undefined(env);
  }
  // Examples are independent: chunks of examples over the pool.
ParallelFor(g.B, BatchGrain(g), [&](int64_t bBegin, int64_t bEnd) {
 for (int64_t b = bBegin; b < bEnd; ++b) {
    const float* xb = x.data + b * g.H * g.W * C;
    for (int64_t oh = 0; oh < g.OH; ++oh) {
      for (int64_t ow = 0; ow < g.OW; ++ow) {
        float* o = out.data + ((b * g.OH + oh) * g.OW + ow) * C;
        for (int64_t c = 0; c < C; ++c) o[c] = -INFINITY;
        ForEachWindowTap(g, oh, ow, C, [&](int64_t base) {
          const float* px = xb + base;
          for (int64_t c = 0; c < C; ++c) o[c] = px[c] > o[c] ? px[c] : o[c];
        });
      }
    }
  }
});
  return Undefined(env);
}

}  // namespace sprout_native
