// im2col (the patch matrix of a convolution, so that it becomes one sgemm) and col2im, its adjoint, for NHWC
// inputs; and the thread-local scratch that holds one chunk of patch rows.
#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels.h"
#include "threads.h"

namespace sprout_native {

// Rows of im2col scratch per chunk: about 4 Mi floats (16 MiB), at least 64 rows.
int64_t ChunkRows(const ConvGeom& g) {
  const int64_t kc = std::max<int64_t>(g.KC(), 1);
  return std::max<int64_t>(64, (int64_t(1) << 22) / kc);
}

thread_local std::vector<float> scratch;

float* Scratch(size_t n) {
  if (scratch.size() < n) scratch.resize(n);
  return scratch.data();
}

// cols[(p - p0), (kh, kw, ci)] = x[b, oh·sh − padTop + kh·dh, ow·sw − padLeft + kw·dw, ci] (0 outside).
// With dw = 1 the taps kw of one kh are KW·Cin consecutive input floats: one copy per (p, kh).
void Im2colRows(const ConvGeom& g, const float* x, int64_t p0, int64_t p1, int64_t first, float* cols) {
  const int64_t kc = g.KC();
  const int64_t span = g.KW * g.Cin;
  for (int64_t p = p0; p < p1; ++p) {
    const int64_t b = p / (g.OH * g.OW);
    const int64_t rem = p % (g.OH * g.OW);
    const int64_t oh = rem / g.OW, ow = rem % g.OW;
    float* row = cols + (p - first) * kc;
    const int64_t iw0 = ow * g.sw - g.padLeft;
    for (int64_t kh = 0; kh < g.KH; ++kh) {
      const int64_t ih = oh * g.sh - g.padTop + kh * g.dh;
      float* dst = row + kh * span;
      if (ih < 0 || ih >= g.H) {
        std::memset(dst, 0, sizeof(float) * span);
        continue;
      }
      const float* src = x + ((b * g.H + ih) * g.W) * g.Cin;
      if (g.dw == 1) {
        const int64_t lo = std::min<int64_t>(g.KW, std::max<int64_t>(0, -iw0));
        const int64_t hi = std::max<int64_t>(lo, std::min<int64_t>(g.KW, g.W - iw0));
        if (lo > 0) std::memset(dst, 0, sizeof(float) * lo * g.Cin);
        if (hi > lo) std::memcpy(dst + lo * g.Cin, src + (iw0 + lo) * g.Cin, sizeof(float) * (hi - lo) * g.Cin);
        if (hi < g.KW) std::memset(dst + hi * g.Cin, 0, sizeof(float) * (g.KW - hi) * g.Cin);
        continue;
      }
      for (int64_t kw = 0; kw < g.KW; ++kw) {
        const int64_t iw = iw0 + kw * g.dw;
        if (iw < 0 || iw >= g.W) {
          std::memset(dst + kw * g.Cin, 0, sizeof(float) * g.Cin);
        } else {
          std::memcpy(dst + kw * g.Cin, src + iw * g.Cin, sizeof(float) * g.Cin);
        }
      }
    }
  }
}

// The adjoint of Im2col: dx[b, ih, iw, ci] += dcols[(p − p0), (kh, kw, ci)].
void Col2imRows(const ConvGeom& g, const float* dcols, int64_t p0, int64_t p1, int64_t first, float* dx) {
  const int64_t kc = g.KC();
  const int64_t span = g.KW * g.Cin;
  for (int64_t p = p0; p < p1; ++p) {
    const int64_t b = p / (g.OH * g.OW);
    const int64_t rem = p % (g.OH * g.OW);
    const int64_t oh = rem / g.OW, ow = rem % g.OW;
    const float* row = dcols + (p - first) * kc;
    const int64_t iw0 = ow * g.sw - g.padLeft;
    for (int64_t kh = 0; kh < g.KH; ++kh) {
      const int64_t ih = oh * g.sh - g.padTop + kh * g.dh;
      if (ih < 0 || ih >= g.H) continue;
      const float* src = row + kh * span;
      float* dst = dx + ((b * g.H + ih) * g.W) * g.Cin;
      if (g.dw == 1) {
        const int64_t lo = std::min<int64_t>(g.KW, std::max<int64_t>(0, -iw0));
        const int64_t hi = std::max<int64_t>(lo, std::min<int64_t>(g.KW, g.W - iw0));
        const float* s = src + lo * g.Cin;
        float* d = dst + (iw0 + lo) * g.Cin;
        const int64_t n = (hi - lo) * g.Cin;
        for (int64_t i = 0; i < n; ++i) d[i] += s[i];
        continue;
      }
      for (int64_t kw = 0; kw < g.KW; ++kw) {
        const int64_t iw = iw0 + kw * g.dw;
        if (iw < 0 || iw >= g.W) continue;
        const float* s = src + kw * g.Cin;
        float* d = dst + iw * g.Cin;
        for (int64_t ci = 0; ci < g.Cin; ++ci) d[ci] += s[ci];
      }
    }
  }
}

// Rows of the patch matrix are independent: chunks of rows over the pool.
void Im2col(const ConvGeom& g, const float* x, int64_t p0, int64_t p1, float* cols) {
  const int64_t grain = std::max<int64_t>(16, (int64_t(1) << 16) / std::max<int64_t>(g.KC(), 1));
  ParallelFor(p1 - p0, grain, [&](int64_t a, int64_t b) { Im2colRows(g, x, p0 + a, p0 + b, p0, cols); });
}

// Rows of different examples add into disjoint parts of dx: chunks of whole examples over the pool, each
// example's rows added in order (the same sums as one thread).
void Col2im(const ConvGeom& g, const float* dcols, int64_t p0, int64_t p1, float* dx) {
  const int64_t per = std::max<int64_t>(g.OH * g.OW, 1);
  const int64_t b0 = p0 / per, b1 = (p1 + per - 1) / per;
  ParallelFor(b1 - b0, 1, [&](int64_t a, int64_t b) {
    const int64_t r0 = std::max(p0, (b0 + a) * per), r1 = std::min(p1, (b0 + b) * per);
    if (r1 > r0) Col2imRows(g, dcols, r0, r1, p0, dx);
  });
}

}  // namespace sprout_native
