// Direct convolution loops for 8, 16, 24 or 32 channels (forward, input gradient, filter gradient): they read a
// zero-padded copy of the input once and keep Cout-wide accumulators in vector registers, where im2col + sgemm
// is memory bound (a P × KH·KW·Cin patch matrix for an N = Cout product).
#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels.h"
#include "threads.h"

namespace sprout_native {

// The direct loops' padded input (see the file comment: the whole batch, kept at its largest size).
thread_local std::vector<float> padScratch;

// A zero-padded copy of x [B, H, W, C] as [B, Hp, Wp, C] with x at row pt, column pl (rows / columns of x
// outside the padded frame are dropped).
const float* PadInput(const float* x, int64_t B, int64_t H, int64_t W, int64_t C, int64_t Hp, int64_t Wp, int64_t pt,
                      int64_t pl) {
  const size_t n = (size_t)(B * Hp * Wp * C);
  if (padScratch.size() < n) padScratch.resize(n);
  float* xp = padScratch.data();
  const int64_t w0 = std::max<int64_t>(0, -pl), w1 = std::min<int64_t>(W, Wp - pl);
  const int64_t per = Hp * Wp * C;
  ParallelFor(B, 8, [&](int64_t b0, int64_t b1) {
    std::fill(xp + b0 * per, xp + b1 * per, 0.f);
    for (int64_t b = b0; b < b1; ++b)
      for (int64_t h = 0; h < H; ++h) {
        const int64_t hp = h + pt;
        if (hp < 0 || hp >= Hp || w1 <= w0) continue;
        std::memcpy(xp + ((b * Hp + hp) * Wp + pl + w0) * C, x + ((b * H + h) * W + w0) * C, sizeof(float) * (w1 - w0) * C);
      }
  });
  return xp;
}

struct DirectGeom {
  int64_t B, Hp, Wp, Cin, OH, OW, KH, KW, sh, sw, dh, dw;
};

// out[b, oh, ow, :] = act(bias + Σ_{kh, kw, ci} xp[b, oh·sh + kh·dh, ow·sw + kw·dw, ci] · w[kh, kw, ci, :]),
// Cout = 8·NV, PX output pixels of a row at a time.
template <int L, int NV, int PX>
void DirectConvRow(const DirectGeom& g, const float* xp, const float* w, const float* bias, int32_t act, int64_t b,
                   int64_t oh, int64_t ow0, float* out, int64_t outStride) {
  typedef typename VecT<L>::V V;
  constexpr int64_t COUT = L * NV;
  V acc[PX][NV];
  for (int p = 0; p < PX; ++p)
    for (int j = 0; j < NV; ++j) acc[p][j] = bias != nullptr ? LoadV<L>(bias + L * j) : V{};
  if (g.Cin == 1) {  // one input channel (a first layer on grey images): the taps are the inner loop
    for (int64_t kh = 0; kh < g.KH; ++kh) {
      const float* row = xp + (b * g.Hp + oh * g.sh + kh * g.dh) * g.Wp + ow0 * g.sw;
      const float* wk = w + kh * g.KW * COUT;
      for (int64_t kw = 0; kw < g.KW; ++kw) {
        V wv[NV];
        for (int j = 0; j < NV; ++j) wv[j] = LoadV<L>(wk + kw * COUT + L * j);
        const float* r = row + kw * g.dw;
        for (int p = 0; p < PX; ++p) {
          const float xs = r[p * g.sw];
          for (int j = 0; j < NV; ++j) acc[p][j] += xs * wv[j];
        }
      }
    }
  } else
  for (int64_t kh = 0; kh < g.KH; ++kh) {
    const float* row = xp + ((b * g.Hp + oh * g.sh + kh * g.dh) * g.Wp) * g.Cin;
    for (int64_t kw = 0; kw < g.KW; ++kw) {
      const float* px[PX];
      for (int p = 0; p < PX; ++p) px[p] = row + ((ow0 + p) * g.sw + kw * g.dw) * g.Cin;
      const float* wk = w + (kh * g.KW + kw) * g.Cin * COUT;
      for (int64_t ci = 0; ci < g.Cin; ++ci) {
        V wv[NV];
        for (int j = 0; j < NV; ++j) wv[j] = LoadV<L>(wk + ci * COUT + L * j);
        for (int p = 0; p < PX; ++p) {
          const float xs = px[p][ci];
          for (int j = 0; j < NV; ++j) acc[p][j] += xs * wv[j];
        }
      }
    }
  }
  for (int p = 0; p < PX; ++p) {
    float* o = out + ((b * g.OH + oh) * g.OW + ow0 + p) * outStride;
    for (int j = 0; j < NV; ++j) {
      V v = acc[p][j];
      if (act == kRelu) v = v < 0.f ? V{} : v;  // tfjs: NaN stays NaN
      StoreV<L>(o + L * j, v);
    }
  }
}

// outStride: floats between output pixels (Cout, or more when this call computes one block of the channels).
template <int L, int NV>
void DirectConv(const DirectGeom& g, const float* xp, const float* w, const float* bias, int32_t act, float* out,
                int64_t outStride) {
  // About 8 independent accumulators hide the FMA latency.
  constexpr int PX = NV == 1 ? 8 : NV == 2 ? 4 : 3;
  // Output rows are independent: chunks of rows over the pool (a few hundred thousand multiply-adds each).
  const int64_t rowWork = std::max<int64_t>(1, g.OW * g.KH * g.KW * g.Cin * L * NV);
  ParallelFor(g.B * g.OH, std::max<int64_t>(1, (int64_t(1) << 19) / rowWork), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t b = r / g.OH, oh = r % g.OH;
      int64_t ow = 0;
      for (; ow + PX <= g.OW; ow += PX) DirectConvRow<L, NV, PX>(g, xp, w, bias, act, b, oh, ow, out, outStride);
      if (PX > 2 && ow + 2 <= g.OW) {  // e.g. 8 = 3 + 3 + 2 pixels
        DirectConvRow<L, NV, 2>(g, xp, w, bias, act, b, oh, ow, out, outStride);
        ow += 2;
      }
      for (; ow < g.OW; ++ow) DirectConvRow<L, NV, 1>(g, xp, w, bias, act, b, oh, ow, out, outStride);
    }
  });
}

// The widest block of the direct loops: wider outputs (64, 96, …, 256 channels) are computed 32 channels at a
// time, each block reading the padded input again with its own contiguous copy of the filter's columns.
constexpr int64_t kDirectBlock = 32;
constexpr int64_t kDirectMaxCout = 256;

bool DirectCout(int64_t cout) {
  return cout == 8 || cout == 16 || cout == 24 || (cout % kDirectBlock == 0 && cout >= kDirectBlock && cout <= kDirectMaxCout);
}

bool DirectConvDispatch(const DirectGeom& g, int64_t cout, const float* xp, const float* w, const float* bias,
                        int32_t act, float* out) {
  switch (cout) {
    case 8: DirectConv<8, 1>(g, xp, w, bias, act, out, cout); return true;
    // (16-lane vectors made these loops slower here: tools/src/bench-conv.ts; the filter gradient uses them.)
    case 16: DirectConv<8, 2>(g, xp, w, bias, act, out, cout); return true;
    case 24: DirectConv<8, 3>(g, xp, w, bias, act, out, cout); return true;
    default: break;
  }
  if (!DirectCout(cout)) return false;
  const int64_t rows = g.KH * g.KW * g.Cin;
  std::vector<float> block(cout == kDirectBlock ? 0 : (size_t)(rows * kDirectBlock));
  for (int64_t c0 = 0; c0 < cout; c0 += kDirectBlock) {
    const float* wb = w;
    if (cout != kDirectBlock) {
      for (int64_t r = 0; r < rows; ++r) std::memcpy(block.data() + r * kDirectBlock, w + r * cout + c0, sizeof(float) * kDirectBlock);
      wb = block.data();
    }
    DirectConv<8, 4>(g, xp, wb, bias == nullptr ? nullptr : bias + c0, act, out + c0, cout);
  }
  return true;
}

// The padded frame of a forward convolution: rows needed (OH − 1)·sh + (KH − 1)·dh + 1, likewise columns.
DirectGeom ForwardFrame(const ConvGeom& g) {
  return DirectGeom{g.B, (g.OH - 1) * g.sh + (g.KH - 1) * g.dh + 1, (g.OW - 1) * g.sw + (g.KW - 1) * g.dw + 1, g.Cin,
                    g.OH, g.OW, g.KH, g.KW, g.sh, g.sw, g.dh, g.dw};
}

// Direct forward convolution (with bias and relu/linear epilogue); false when the shape is not covered.
bool TryDirectConv(const ConvGeom& g, const float* x, const float* w, const float* bias, int32_t act, float* y) {
  if (!DirectCout(g.Cout) || (act != kLinear && act != kRelu) || g.P() == 0 || g.KC() == 0) return false;
  const DirectGeom d = ForwardFrame(g);
  const float* xp = PadInput(x, g.B, g.H, g.W, g.Cin, d.Hp, d.Wp, g.padTop, g.padLeft);
  return DirectConvDispatch(d, g.Cout, xp, w, bias, act, y);
}

// dx of a stride-1, dilation-1 convolution as a direct convolution of dy (zero-padded by KH − 1 − padTop,
// KW − 1 − padLeft) with the flipped, transposed filter w'[kh, kw, co, ci] = w[KH−1−kh, KW−1−kw, ci, co].
bool TryDirectBackpropInput(const ConvGeom& g, const float* dy, const float* w, float* dx) {
  // (Also with more output than input channels: on this AMD EPYC (Zen, AVX2) 32 → 64 channels at 16×16 took
  // 22 ms of CPU against 39 with col2im + sgemm, tools/src/bench-vgg-profile.ts; on an AVX-512 Xeon sgemm won.)
  if (!DirectCout(g.Cin) || g.sh != 1 || g.sw != 1 || g.dh != 1 || g.dw != 1) return false;
  const int64_t pt = g.KH - 1 - g.padTop, pl = g.KW - 1 - g.padLeft;
  if (pt < 0 || pl < 0 || g.H == 0 || g.W == 0 || g.Cout == 0) return false;
  std::vector<float> wt((size_t)(g.KH * g.KW * g.Cout * g.Cin));
  for (int64_t kh = 0; kh < g.KH; ++kh)
    for (int64_t kw = 0; kw < g.KW; ++kw)
      for (int64_t ci = 0; ci < g.Cin; ++ci)
        for (int64_t co = 0; co < g.Cout; ++co)
          wt[(((g.KH - 1 - kh) * g.KW + (g.KW - 1 - kw)) * g.Cout + co) * g.Cin + ci] =
              w[((kh * g.KW + kw) * g.Cin + ci) * g.Cout + co];
  const DirectGeom d{g.B, g.H + g.KH - 1, g.W + g.KW - 1, g.Cout, g.H, g.W, g.KH, g.KW, 1, 1, 1, 1};
  const float* dyp = PadInput(dy, g.B, g.OH, g.OW, g.Cout, d.Hp, d.Wp, pt, pl);
  return DirectConvDispatch(d, g.Cin, dyp, wt.data(), nullptr, kLinear, dx);
}

// dfilter[kh, kw, ci, :] = Σ_{b, oh, ow} xp[b, oh·sh + kh·dh, ow·sw + kw·dw, ci] · dy[b, oh, ow, :]: the
// KH·KW·Cin × Cout accumulators (a few KiB) stay in L1; each output pixel's dy row is loaded once.
template <int L, int NV>
void DirectFilter(const DirectGeom& g, const float* xp, const float* dy, float* dw) {
  typedef typename VecT<L>::V V;
  constexpr int64_t COUT = L * NV;
  constexpr int PX = 4;  // output pixels of a row per accumulator update (PX FMAs per load/store)
  const int64_t kc = g.KH * g.KW * g.Cin;
  // A reduction over the batch: one set of accumulators per chunk of examples, the chunks fixed by the batch
  // size alone (kFilterChunks at most) and added in order, so the sum is the same for any thread count.
  constexpr int64_t kFilterChunks = 8;
  const int64_t chunks = std::min<int64_t>(kFilterChunks, std::max<int64_t>(g.B, 1));
  std::vector<V> acc((size_t)(chunks * kc * NV), V{});
  ParallelChunks(chunks, [&](int64_t c) {
  V* a = acc.data() + c * kc * NV;
  for (int64_t b = ChunkBegin(g.B, chunks, c); b < ChunkBegin(g.B, chunks, c + 1); ++b)
    for (int64_t oh = 0; oh < g.OH; ++oh) {
      int64_t ow = 0;
      if (g.Cin == 1 && g.KH * g.KW * NV <= 16) {
        // One input channel: the KH·KW·NV accumulators stay in registers over the whole row.
        V r[16];
        for (int64_t k = 0; k < g.KH * g.KW * NV; ++k) r[k] = a[k];
        for (; ow < g.OW; ++ow) {
          const float* d = dy + ((b * g.OH + oh) * g.OW + ow) * COUT;
          V dv[NV];
          for (int j = 0; j < NV; ++j) dv[j] = LoadV<L>(d + L * j);
          for (int64_t kh = 0; kh < g.KH; ++kh) {
            const float* row = xp + (b * g.Hp + oh * g.sh + kh * g.dh) * g.Wp + ow * g.sw;
            for (int64_t kw = 0; kw < g.KW; ++kw) {
              const float xs = row[kw * g.dw];
              for (int j = 0; j < NV; ++j) r[(kh * g.KW + kw) * NV + j] += xs * dv[j];
            }
          }
        }
        for (int64_t k = 0; k < g.KH * g.KW * NV; ++k) a[k] = r[k];
      }
      for (; ow + PX <= g.OW; ow += PX) {
        V dv[PX][NV];
        for (int p = 0; p < PX; ++p)
          for (int j = 0; j < NV; ++j) dv[p][j] = LoadV<L>(dy + ((b * g.OH + oh) * g.OW + ow + p) * COUT + L * j);
        for (int64_t kh = 0; kh < g.KH; ++kh) {
          const float* row = xp + ((b * g.Hp + oh * g.sh + kh * g.dh) * g.Wp) * g.Cin;
          for (int64_t kw = 0; kw < g.KW; ++kw) {
            const float* px[PX];
            for (int p = 0; p < PX; ++p) px[p] = row + ((ow + p) * g.sw + kw * g.dw) * g.Cin;
            V* ak = a + (kh * g.KW + kw) * g.Cin * NV;
            for (int64_t ci = 0; ci < g.Cin; ++ci)
              for (int j = 0; j < NV; ++j) {
                V s = ak[ci * NV + j];
                for (int p = 0; p < PX; ++p) s += px[p][ci] * dv[p][j];
                ak[ci * NV + j] = s;
              }
          }
        }
      }
      for (; ow < g.OW; ++ow) {
        const float* d = dy + ((b * g.OH + oh) * g.OW + ow) * COUT;
        V dv[NV];
        for (int j = 0; j < NV; ++j) dv[j] = LoadV<L>(d + L * j);
        for (int64_t kh = 0; kh < g.KH; ++kh) {
          const float* row = xp + ((b * g.Hp + oh * g.sh + kh * g.dh) * g.Wp + ow * g.sw) * g.Cin;
          for (int64_t kw = 0; kw < g.KW; ++kw) {
            const float* px = row + kw * g.dw * g.Cin;
            V* ak = a + (kh * g.KW + kw) * g.Cin * NV;
            for (int64_t ci = 0; ci < g.Cin; ++ci) {
              const float xs = px[ci];
              for (int j = 0; j < NV; ++j) ak[ci * NV + j] += xs * dv[j];
            }
          }
        }
      }
    }
  });
  for (int64_t c = 1; c < chunks; ++c)
    for (int64_t k = 0; k < kc * NV; ++k) acc[k] += acc[c * kc * NV + k];
  for (int64_t k = 0; k < kc; ++k)
    for (int j = 0; j < NV; ++j) StoreV<L>(dw + k * COUT + L * j, acc[k * NV + j]);
}

bool TryDirectBackpropFilter(const ConvGeom& g, const float* x, const float* dy, float* dw) {
  // Up to 64 KiB of accumulators.
  if (g.Cout > kDirectBlock || !DirectCout(g.Cout) || g.P() == 0 || g.KC() == 0 || g.KC() * g.Cout > 16384) return false;
  const DirectGeom d = ForwardFrame(g);
  const float* xp = PadInput(x, g.B, g.H, g.W, g.Cin, d.Hp, d.Wp, g.padTop, g.padLeft);
  switch (g.Cout) {
    case 8: DirectFilter<8, 1>(d, xp, dy, dw); return true;
    case 16:
      if (kHave16 && use16) DirectFilter<16, 1>(d, xp, dy, dw);
      else DirectFilter<8, 2>(d, xp, dy, dw);
      return true;
    case 24: DirectFilter<8, 3>(d, xp, dy, dw); return true;
    case 32:
      if (kHave16 && use16) DirectFilter<16, 2>(d, xp, dy, dw);
      else DirectFilter<8, 4>(d, xp, dy, dw);
      return true;
    default: return false;
  }
}

}  // namespace sprout_native
