// Sprout's native kernels: single-precision matrix products (OpenBLAS cblas_sgemm) with a fused
// bias + activation epilogue; NHWC 2-D convolution with both of its backprops, by direct loops for 8, 16, 24
// or 32 channels or via im2col / col2im + sgemm; max pooling and its gradient; elementwise add / sub / mul,
// relu, step and the relu gradient; sums over leading axes. Every entry point is synchronous and works in
// place on caller-owned Float32Arrays (for the TensorFlow.js wasm backend these are zero-copy views on the
// wasm linear memory). The addon's own memory is two thread-local scratch buffers that grow to the largest
// call and are never shrunk: `scratch`, the im2col patches of one chunk of output rows (about 16 MiB at
// most, more only when one patch row exceeds 65536 floats), and `padScratch`, the zero-padded copy of the
// whole batch's input (or dy) that the direct loops read (not chunked: B·Hp·Wp·C floats); plus small
// per-call vectors (a transposed filter, the filter-gradient accumulators, max-pool argmax rows).
//
// Plain C N-API (node_api.h), no node-addon-api, so the build needs nothing but node-gyp, a C++
// compiler and libopenblas-dev.
#include <node_api.h>
#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace {

// The interface version (addon.ts ADDON_ABI; see Init).
constexpr int32_t kAddonAbi = 2;

// 0–5 are tfjs' fused activations (tfjs-core fused_types.ts; prelu is left to the fallback kernel); tanh is
// Sprout's own (the host net's tanh layers).
enum Activation : int32_t { kLinear = 0, kRelu = 1, kRelu6 = 2, kElu = 3, kLeakyRelu = 4, kSigmoid = 5, kTanh = 6 };

struct F32 {
  float* data = nullptr;
  size_t length = 0;
};

bool Throw(napi_env env, const char* msg) {
  napi_throw_error(env, "SPROUT_NATIVE", msg);
  return false;
}

// The first N arguments of a call into argv, or false after throwing `message` when fewer were passed.
template <size_t N>
bool GetArgs(napi_env env, napi_callback_info info, napi_value (&argv)[N], const char* message) {
  size_t argc = N;
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  return argc >= N || Throw(env, message);
}

// The Float32Array (or, with allow_null, null / undefined) v; false after throwing `what` + `whatTail` (the
// message is put together only on failure).
bool GetF32(napi_env env, napi_value v, F32* out, bool allow_null, const char* what, const char* whatTail = "") {
  const auto fail = [&]() { return Throw(env, (std::string(what) + whatTail).c_str()); };
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (allow_null && (t == napi_null || t == napi_undefined)) {
    out->data = nullptr;
    out->length = 0;
    return true;
  }
  bool is_ta = false;
  napi_is_typedarray(env, v, &is_ta);
  if (!is_ta) return fail();
  napi_typedarray_type type;
  size_t length;
  void* data;
  napi_value ab;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, &length, &data, &ab, &offset) != napi_ok ||
      type != napi_float32_array)
    return fail();
  if (data == nullptr && length > 0) return Throw(env, "detached Float32Array");
  out->data = static_cast<float*>(data);
  out->length = length;
  return true;
}

bool GetI32(napi_env env, napi_value v, int32_t* out) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t == napi_boolean) {
    bool b;
    napi_get_value_bool(env, v, &b);
    *out = b ? 1 : 0;
    return true;
  }
  if (napi_get_value_int32(env, v, out) != napi_ok) return Throw(env, "expected an integer");
  return true;
}

bool GetF64(napi_env env, napi_value v, double* out) {
  if (napi_get_value_double(env, v, out) != napi_ok) return Throw(env, "expected a number");
  return true;
}

bool GetI32Array(napi_env env, napi_value v, const int32_t** out, size_t need) {
  bool is_ta = false;
  napi_is_typedarray(env, v, &is_ta);
  if (!is_ta) return Throw(env, "expected an Int32Array of parameters");
  napi_typedarray_type type;
  size_t length;
  void* data;
  napi_value ab;
  size_t offset;
  napi_get_typedarray_info(env, v, &type, &length, &data, &ab, &offset);
  if (type != napi_int32_array || length < need) return Throw(env, "expected an Int32Array of parameters");
  *out = static_cast<const int32_t*>(data);
  return true;
}

// y <- act(y + bias) on a rows × cols row-major block; bias (length cols) may be null.
void Epilogue(float* y, int64_t rows, int64_t cols, const float* bias, int32_t act, float alpha) {
  if (bias == nullptr && act == kLinear) return;
  for (int64_t r = 0; r < rows; ++r) {
    float* row = y + r * cols;
    if (bias != nullptr)
      for (int64_t c = 0; c < cols; ++c) row[c] += bias[c];
    switch (act) {
      case kRelu:
        for (int64_t c = 0; c < cols; ++c) row[c] = row[c] < 0.f ? 0.f : row[c];  // tfjs: NaN stays NaN
        break;
      case kRelu6:
        for (int64_t c = 0; c < cols; ++c) row[c] = std::min(std::max(row[c], 0.f), 6.f);
        break;
      case kElu:
        for (int64_t c = 0; c < cols; ++c) row[c] = row[c] > 0.f ? row[c] : std::expm1(row[c]);
        break;
      case kLeakyRelu:
        for (int64_t c = 0; c < cols; ++c) row[c] = row[c] > 0.f ? row[c] : alpha * row[c];
        break;
      case kSigmoid:
        for (int64_t c = 0; c < cols; ++c) row[c] = 1.f / (1.f + std::exp(-row[c]));
        break;
      case kTanh:
        for (int64_t c = 0; c < cols; ++c) row[c] = std::tanh(row[c]);
        break;
      default:
        break;
    }
  }
}

napi_value Undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

// gemm(A, B, C, M, N, K, transA, transB, batch, strideA, strideB, strideC, bias, activation, alpha)
// For each batch index i: C_i (M×N, row-major) = act(op(A_i) op(B_i) + bias), with A_i = A + i·strideA
// (stride 0 broadcasts one matrix over the batch), op(X) = Xᵀ when trans is set. op(A) is M×K, op(B) K×N.
napi_value Gemm(napi_env env, napi_callback_info info) {
  napi_value argv[15];
  if (!GetArgs(env, info, argv, "gemm expects 15 arguments")) return nullptr;
  F32 a, b, c, bias;
  int32_t m, n, k, ta, tb, batch, sa, sb, sc, act;
  double alpha;
  if (!GetF32(env, argv[0], &a, false, "A must be a Float32Array") ||
      !GetF32(env, argv[1], &b, false, "B must be a Float32Array") ||
      !GetF32(env, argv[2], &c, false, "C must be a Float32Array") || !GetI32(env, argv[3], &m) ||
      !GetI32(env, argv[4], &n) || !GetI32(env, argv[5], &k) || !GetI32(env, argv[6], &ta) ||
      !GetI32(env, argv[7], &tb) || !GetI32(env, argv[8], &batch) || !GetI32(env, argv[9], &sa) ||
      !GetI32(env, argv[10], &sb) || !GetI32(env, argv[11], &sc) ||
      !GetF32(env, argv[12], &bias, true, "bias must be a Float32Array or null") ||
      !GetI32(env, argv[13], &act) || !GetF64(env, argv[14], &alpha))
    return nullptr;
  if (m < 0 || n < 0 || k < 0 || batch < 0 || sa < 0 || sb < 0 || sc < 0) {
    Throw(env, "gemm: negative size");
    return nullptr;
  }
  if (act < kLinear || act > kTanh) {
    Throw(env, "gemm: unknown activation code");
    return nullptr;
  }
  const int64_t last = batch > 0 ? batch - 1 : 0;
  if (batch > 0 && ((size_t)(last * (int64_t)sa + (int64_t)m * k) > a.length ||
                    (size_t)(last * (int64_t)sb + (int64_t)k * n) > b.length ||
                    (size_t)(last * (int64_t)sc + (int64_t)m * n) > c.length)) {
    Throw(env, "gemm: array too short for the given sizes");
    return nullptr;
  }
  if (bias.data != nullptr && bias.length < (size_t)n) {
    Throw(env, "gemm: bias shorter than N");
    return nullptr;
  }
  const int lda = ta ? m : k;
  const int ldb = tb ? k : n;
  for (int32_t i = 0; i < batch; ++i) {
    float* ci = c.data + (int64_t)i * sc;
    if (k == 0) {
      std::fill(ci, ci + (int64_t)m * n, 0.f);
    } else if (m > 0 && n > 0) {
      cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k,
                  1.f, a.data + (int64_t)i * sa, std::max(lda, 1), b.data + (int64_t)i * sb, std::max(ldb, 1),
                  0.f, ci, std::max(n, 1));
    }
    Epilogue(ci, m, n, bias.data, act, (float)alpha);
  }
  return Undefined(env);
}

// Convolution geometry, NHWC input [B, H, W, Cin], HWIO filter [KH, KW, Cin, Cout], NHWC output
// [B, OH, OW, Cout]; the same layout as tfjs' Conv2DInfo (backend_util.computeConv2DInfo).
struct ConvGeom {
  int64_t B, H, W, Cin, OH, OW, Cout, KH, KW, sh, sw, dh, dw, padTop, padLeft;
  int64_t P() const { return B * OH * OW; }
  int64_t KC() const { return KH * KW * Cin; }
  bool Pointwise() const {
    return KH == 1 && KW == 1 && sh == 1 && sw == 1 && padTop == 0 && padLeft == 0 && OH == H && OW == W;
  }
};

bool GetGeom(napi_env env, napi_value v, ConvGeom* g) {
  const int32_t* p;
  if (!GetI32Array(env, v, &p, 15)) return false;
  *g = ConvGeom{p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13], p[14]};
  if (g->B < 0 || g->H < 0 || g->W < 0 || g->Cin < 0 || g->OH < 0 || g->OW < 0 || g->Cout < 0 || g->KH < 1 ||
      g->KW < 1 || g->sh < 1 || g->sw < 1 || g->dh < 1 || g->dw < 1)
    return Throw(env, "conv: invalid geometry");
  return true;
}

// Rows of im2col scratch per chunk: about 4 Mi floats (16 MiB), at least 64 rows.
int64_t ChunkRows(const ConvGeom& g) {
  const int64_t kc = std::max<int64_t>(g.KC(), 1);
  return std::max<int64_t>(64, (int64_t(1) << 22) / kc);
}

thread_local std::vector<float> scratch;

// Whether the direct convolution loops are used where they apply (setDirectConv; on by default).
bool useDirect = true;
// Whether the direct loops use 16-lane vectors where compiled for AVX-512 (setDirectConv's second argument).
bool use16 = true;

float* Scratch(size_t n) {
  if (scratch.size() < n) scratch.resize(n);
  return scratch.data();
}

// cols[(p - p0), (kh, kw, ci)] = x[b, oh·sh − padTop + kh·dh, ow·sw − padLeft + kw·dw, ci] (0 outside).
// With dw = 1 the taps kw of one kh are KW·Cin consecutive input floats: one copy per (p, kh).
void Im2col(const ConvGeom& g, const float* x, int64_t p0, int64_t p1, float* cols) {
  const int64_t kc = g.KC();
  const int64_t span = g.KW * g.Cin;
  for (int64_t p = p0; p < p1; ++p) {
    const int64_t b = p / (g.OH * g.OW);
    const int64_t rem = p % (g.OH * g.OW);
    const int64_t oh = rem / g.OW, ow = rem % g.OW;
    float* row = cols + (p - p0) * kc;
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
void Col2im(const ConvGeom& g, const float* dcols, int64_t p0, int64_t p1, float* dx) {
  const int64_t kc = g.KC();
  const int64_t span = g.KW * g.Cin;
  for (int64_t p = p0; p < p1; ++p) {
    const int64_t b = p / (g.OH * g.OW);
    const int64_t rem = p % (g.OH * g.OW);
    const int64_t oh = rem / g.OW, ow = rem % g.OW;
    const float* row = dcols + (p - p0) * kc;
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


// ---- direct convolution for few output channels ----------------------------------------------------------
// For Cout a multiple of 8 up to 32 (first layers and small nets: 8, 16, 24, 32 channels) im2col + sgemm is
// memory bound (a P × KH·KW·Cin patch matrix for an N = Cout product). These loops read a zero-padded copy
// of the input once and keep Cout-wide accumulators in vector registers.

// L-lane float vectors for the direct convolution loops: 8 (AVX2), and 16 where the compiler targets AVX-512
// (a 16-channel row is then one register, half the instructions per multiply-add; used by the filter gradient,
// whose accumulators live in L1: 100×14×14×16 → 16 went from 58 to 91 GFLOP/s, while the forward loops
// were slower with them).
template <int L>
struct VecT;
// V is the vector, U the same with 4-byte alignment for loads and stores at any float offset.
template <>
struct VecT<8> {
  typedef float V __attribute__((vector_size(32)));
  typedef float U __attribute__((vector_size(32), aligned(4)));
};
#if defined(__AVX512F__)
constexpr bool kHave16 = true;
template <>
struct VecT<16> {
  typedef float V __attribute__((vector_size(64)));
  typedef float U __attribute__((vector_size(64), aligned(4)));
};
#else
constexpr bool kHave16 = false;
template <>
struct VecT<16> : VecT<8> {};  // never instantiated for work (kHave16 is false)
#endif
template <int L>
inline typename VecT<L>::V LoadV(const float* p) {
  return *reinterpret_cast<const typename VecT<L>::U*>(p);
}
template <int L>
inline void StoreV(float* p, typename VecT<L>::V v) {
  *reinterpret_cast<typename VecT<L>::U*>(p) = v;
}

// The direct loops' padded input (see the file comment: the whole batch, kept at its largest size).
thread_local std::vector<float> padScratch;

// A zero-padded copy of x [B, H, W, C] as [B, Hp, Wp, C] with x at row pt, column pl (rows / columns of x
// outside the padded frame are dropped).
const float* PadInput(const float* x, int64_t B, int64_t H, int64_t W, int64_t C, int64_t Hp, int64_t Wp, int64_t pt,
                      int64_t pl) {
  const size_t n = (size_t)(B * Hp * Wp * C);
  if (padScratch.size() < n) padScratch.resize(n);
  float* xp = padScratch.data();
  std::fill(xp, xp + n, 0.f);
  const int64_t w0 = std::max<int64_t>(0, -pl), w1 = std::min<int64_t>(W, Wp - pl);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < H; ++h) {
      const int64_t hp = h + pt;
      if (hp < 0 || hp >= Hp || w1 <= w0) continue;
      std::memcpy(xp + ((b * Hp + hp) * Wp + pl + w0) * C, x + ((b * H + h) * W + w0) * C, sizeof(float) * (w1 - w0) * C);
    }
  return xp;
}

struct DirectGeom {
  int64_t B, Hp, Wp, Cin, OH, OW, KH, KW, sh, sw, dh, dw;
};

// out[b, oh, ow, :] = act(bias + Σ_{kh, kw, ci} xp[b, oh·sh + kh·dh, ow·sw + kw·dw, ci] · w[kh, kw, ci, :]),
// Cout = 8·NV, PX output pixels of a row at a time.
template <int L, int NV, int PX>
void DirectConvRow(const DirectGeom& g, const float* xp, const float* w, const float* bias, int32_t act, int64_t b,
                   int64_t oh, int64_t ow0, float* out) {
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
    float* o = out + ((b * g.OH + oh) * g.OW + ow0 + p) * COUT;
    for (int j = 0; j < NV; ++j) {
      V v = acc[p][j];
      if (act == kRelu) v = v < 0.f ? V{} : v;  // tfjs: NaN stays NaN
      StoreV<L>(o + L * j, v);
    }
  }
}

template <int L, int NV>
void DirectConv(const DirectGeom& g, const float* xp, const float* w, const float* bias, int32_t act, float* out) {
  // About 8 independent accumulators hide the FMA latency.
  constexpr int PX = NV == 1 ? 8 : NV == 2 ? 4 : 2;
  for (int64_t b = 0; b < g.B; ++b)
    for (int64_t oh = 0; oh < g.OH; ++oh) {
      int64_t ow = 0;
      for (; ow + PX <= g.OW; ow += PX) DirectConvRow<L, NV, PX>(g, xp, w, bias, act, b, oh, ow, out);
      for (; ow < g.OW; ++ow) DirectConvRow<L, NV, 1>(g, xp, w, bias, act, b, oh, ow, out);
    }
}

bool DirectConvDispatch(const DirectGeom& g, int64_t cout, const float* xp, const float* w, const float* bias,
                        int32_t act, float* out) {
  switch (cout) {
    case 8: DirectConv<8, 1>(g, xp, w, bias, act, out); return true;
    // (16-lane vectors made these loops slower here: tools/src/bench-conv.ts; the filter gradient uses them.)
    case 16: DirectConv<8, 2>(g, xp, w, bias, act, out); return true;
    case 24: DirectConv<8, 3>(g, xp, w, bias, act, out); return true;
    case 32: DirectConv<8, 4>(g, xp, w, bias, act, out); return true;
    default: return false;
  }
}

bool DirectCout(int64_t cout) { return cout == 8 || cout == 16 || cout == 24 || cout == 32; }

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
  // (With more output than input channels im2col + sgemm is as fast or faster: tools/src/bench-conv.ts.)
  if (!DirectCout(g.Cin) || g.Cout > g.Cin || g.sh != 1 || g.sw != 1 || g.dh != 1 || g.dw != 1) return false;
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
  std::vector<V> acc((size_t)(kc * NV), V{});
  V* a = acc.data();
  for (int64_t b = 0; b < g.B; ++b)
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
  for (int64_t k = 0; k < kc; ++k)
    for (int j = 0; j < NV; ++j) StoreV<L>(dw + k * COUT + L * j, a[k * NV + j]);
}

bool TryDirectBackpropFilter(const ConvGeom& g, const float* x, const float* dy, float* dw) {
  // Up to 64 KiB of accumulators.
  if (!DirectCout(g.Cout) || g.P() == 0 || g.KC() == 0 || g.KC() * g.Cout > 16384) return false;
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

// The calls f(a_1, …, a_N, geometry) of the convolution and pooling kernels: the argument count, the N
// Float32Arrays (`names` for the error messages, put together only on failure) and the geometry; false after
// throwing.
template <size_t N>
bool GetArraysAndGeom(napi_env env, napi_callback_info info, const char* fn, const char* const (&names)[N], F32 (&arrays)[N],
                      ConvGeom* g) {
  napi_value argv[N + 1];
  size_t argc = N + 1;
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < N + 1) return Throw(env, (std::string(fn) + " expects " + std::to_string(N + 1) + " arguments").c_str());
  for (size_t i = 0; i < N; ++i)
    if (!GetF32(env, argv[i], &arrays[i], false, names[i], " must be a Float32Array")) return false;
  return GetGeom(env, argv[N], g);
}

bool CheckLen(napi_env env, const F32& a, int64_t need, const char* what) {
  if ((int64_t)a.length < need) return Throw(env, what);
  return true;
}

// conv2d(x, filter, out, bias, activation, alpha, geometry): out = act(im2col(x) · filter + bias).
napi_value Conv2d(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  if (!GetArgs(env, info, argv, "conv2d expects 7 arguments")) return nullptr;
  F32 x, w, y, bias;
  int32_t act;
  double alpha;
  ConvGeom g;
  if (!GetF32(env, argv[0], &x, false, "x must be a Float32Array") ||
      !GetF32(env, argv[1], &w, false, "filter must be a Float32Array") ||
      !GetF32(env, argv[2], &y, false, "out must be a Float32Array") ||
      !GetF32(env, argv[3], &bias, true, "bias must be a Float32Array or null") || !GetI32(env, argv[4], &act) ||
      !GetF64(env, argv[5], &alpha) || !GetGeom(env, argv[6], &g))
    return nullptr;
  const int64_t P = g.P(), KC = g.KC();
  if (!CheckLen(env, x, g.B * g.H * g.W * g.Cin, "conv2d: x too short") ||
      !CheckLen(env, w, KC * g.Cout, "conv2d: filter too short") ||
      !CheckLen(env, y, P * g.Cout, "conv2d: out too short") ||
      (bias.data != nullptr && !CheckLen(env, bias, g.Cout, "conv2d: bias too short")))
    return nullptr;
  if (P == 0 || g.Cout == 0) return Undefined(env);
  if (useDirect && TryDirectConv(g, x.data, w.data, bias.data, act, y.data)) return Undefined(env);
  if (KC == 0) {
    std::fill(y.data, y.data + P * g.Cout, 0.f);
  } else if (g.Pointwise()) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, P, g.Cout, KC, 1.f, x.data, KC, w.data, g.Cout, 0.f,
                y.data, g.Cout);
  } else {
    const int64_t chunk = ChunkRows(g);
    float* cols = Scratch((size_t)(std::min(chunk, P) * KC));
    for (int64_t p0 = 0; p0 < P; p0 += chunk) {
      const int64_t p1 = std::min(P, p0 + chunk);
      Im2col(g, x.data, p0, p1, cols);
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, p1 - p0, g.Cout, KC, 1.f, cols, KC, w.data, g.Cout,
                  0.f, y.data + p0 * g.Cout, g.Cout);
    }
  }
  Epilogue(y.data, P, g.Cout, bias.data, act, (float)alpha);
  return Undefined(env);
}

// conv2dBackpropInput(dy, filter, dx, geometry): dx = col2im(dy · filterᵀ).
napi_value Conv2dBackpropInput(napi_env env, napi_callback_info info) {
  F32 a[3];
  ConvGeom g;
  if (!GetArraysAndGeom(env, info, "conv2dBackpropInput", {"dy", "filter", "dx"}, a, &g)) return nullptr;
  const F32 &dy = a[0], &w = a[1], &dx = a[2];
  const int64_t P = g.P(), KC = g.KC();
  if (!CheckLen(env, dy, P * g.Cout, "conv2dBackpropInput: dy too short") ||
      !CheckLen(env, w, KC * g.Cout, "conv2dBackpropInput: filter too short") ||
      !CheckLen(env, dx, g.B * g.H * g.W * g.Cin, "conv2dBackpropInput: dx too short"))
    return nullptr;
  const int64_t nx = g.B * g.H * g.W * g.Cin;
  if (useDirect && TryDirectBackpropInput(g, dy.data, w.data, dx.data)) return Undefined(env);
  if (g.Pointwise() && g.Cout > 0) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, P, KC, g.Cout, 1.f, dy.data, g.Cout, w.data, g.Cout, 0.f,
                dx.data, KC);
    return Undefined(env);
  }
  std::fill(dx.data, dx.data + nx, 0.f);
  if (P == 0 || KC == 0 || g.Cout == 0) return Undefined(env);
  const int64_t chunk = ChunkRows(g);
  float* dcols = Scratch((size_t)(std::min(chunk, P) * KC));
  for (int64_t p0 = 0; p0 < P; p0 += chunk) {
    const int64_t p1 = std::min(P, p0 + chunk);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, p1 - p0, KC, g.Cout, 1.f, dy.data + p0 * g.Cout, g.Cout,
                w.data, g.Cout, 0.f, dcols, KC);
    Col2im(g, dcols, p0, p1, dx.data);
  }
  return Undefined(env);
}

// conv2dBackpropFilter(x, dy, dfilter, geometry): dfilter = im2col(x)ᵀ · dy.
napi_value Conv2dBackpropFilter(napi_env env, napi_callback_info info) {
  F32 a[3];
  ConvGeom g;
  if (!GetArraysAndGeom(env, info, "conv2dBackpropFilter", {"x", "dy", "dfilter"}, a, &g)) return nullptr;
  const F32 &x = a[0], &dy = a[1], &dw = a[2];
  const int64_t P = g.P(), KC = g.KC();
  if (!CheckLen(env, x, g.B * g.H * g.W * g.Cin, "conv2dBackpropFilter: x too short") ||
      !CheckLen(env, dy, P * g.Cout, "conv2dBackpropFilter: dy too short") ||
      !CheckLen(env, dw, KC * g.Cout, "conv2dBackpropFilter: dfilter too short"))
    return nullptr;
  if (KC == 0 || g.Cout == 0) return Undefined(env);
  if (P == 0) {
    std::fill(dw.data, dw.data + KC * g.Cout, 0.f);
    return Undefined(env);
  }
  if (useDirect && TryDirectBackpropFilter(g, x.data, dy.data, dw.data)) return Undefined(env);
  if (g.Pointwise()) {
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, KC, g.Cout, P, 1.f, x.data, KC, dy.data, g.Cout, 0.f,
                dw.data, g.Cout);
    return Undefined(env);
  }
  const int64_t chunk = ChunkRows(g);
  float* cols = Scratch((size_t)(std::min(chunk, P) * KC));
  for (int64_t p0 = 0; p0 < P; p0 += chunk) {
    const int64_t p1 = std::min(P, p0 + chunk);
    Im2col(g, x.data, p0, p1, cols);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, KC, g.Cout, p1 - p0, 1.f, cols, KC,
                dy.data + p0 * g.Cout, g.Cout, p0 == 0 ? 0.f : 1.f, dw.data, g.Cout);
  }
  return Undefined(env);
}

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
      for (int64_t b = 0; b < g.B; ++b) {
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
      return Undefined(env);
    }
    std::vector<float> best((size_t)C);
    std::vector<int32_t> arg((size_t)C);
    for (int64_t b = 0; b < g.B; ++b) {
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
    return Undefined(env);
  }
  std::fill(dx.data, dx.data + nx, 0.f);
  std::vector<float> best((size_t)C);
  std::vector<int32_t> where((size_t)C);  // offsets inside one example (< 2³¹ floats)
  for (int64_t b = 0; b < g.B; ++b) {
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
  return Undefined(env);
}


// ---- elementwise kernels and reductions (float32, contiguous) -------------------------------------------

enum BinaryOp : int32_t { kAdd = 0, kSub = 1, kMul = 2 };

template <int OP>
inline float Apply(float a, float b) {
  if (OP == kAdd) return a + b;
  if (OP == kSub) return a - b;
  return a * b;
}

// out[i] = a[i] op b[i mod period] (bFirst = 0) or out[i] = b[i mod period] op a[i] (bFirst = 1): b is the
// broadcast operand, repeated along the leading axes (period = n: same shape; period = 1: a scalar).
template <int OP>
void BinaryLoop(const float* a, const float* b, float* out, int64_t n, int64_t period, bool bFirst) {
  if (period == n) {
    if (bFirst)
      for (int64_t i = 0; i < n; ++i) out[i] = Apply<OP>(b[i], a[i]);
    else
      for (int64_t i = 0; i < n; ++i) out[i] = Apply<OP>(a[i], b[i]);
    return;
  }
  if (period == 1) {
    const float s = b[0];
    if (bFirst)
      for (int64_t i = 0; i < n; ++i) out[i] = Apply<OP>(s, a[i]);
    else
      for (int64_t i = 0; i < n; ++i) out[i] = Apply<OP>(a[i], s);
    return;
  }
  for (int64_t r = 0; r < n; r += period) {
    const float* ar = a + r;
    float* o = out + r;
    if (bFirst)
      for (int64_t c = 0; c < period; ++c) o[c] = Apply<OP>(b[c], ar[c]);
    else
      for (int64_t c = 0; c < period; ++c) o[c] = Apply<OP>(ar[c], b[c]);
  }
}

// binary(a, b, out, op, period, bFirst): see BinaryLoop; n = out.length = a.length, b.length ≥ period.
napi_value Binary(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  if (!GetArgs(env, info, argv, "binary expects 6 arguments")) return nullptr;
  F32 a, b, out;
  int32_t op, period, bFirst;
  if (!GetF32(env, argv[0], &a, false, "a must be a Float32Array") ||
      !GetF32(env, argv[1], &b, false, "b must be a Float32Array") ||
      !GetF32(env, argv[2], &out, false, "out must be a Float32Array") || !GetI32(env, argv[3], &op) ||
      !GetI32(env, argv[4], &period) || !GetI32(env, argv[5], &bFirst))
    return nullptr;
  const int64_t n = (int64_t)out.length;
  if ((int64_t)a.length < n || period < 1 || (int64_t)b.length < period || n % period != 0) {
    Throw(env, "binary: inconsistent lengths");
    return nullptr;
  }
  switch (op) {
    case kAdd: BinaryLoop<kAdd>(a.data, b.data, out.data, n, period, bFirst != 0); break;
    case kSub: BinaryLoop<kSub>(a.data, b.data, out.data, n, period, bFirst != 0); break;
    case kMul: BinaryLoop<kMul>(a.data, b.data, out.data, n, period, bFirst != 0); break;
    default: Throw(env, "binary: unknown op"); return nullptr;
  }
  return Undefined(env);
}

enum UnaryOp : int32_t { kReluOp = 0, kStepOp = 1 };

// unary(x, out, op, alpha): relu (tfjs: x < 0 ? 0 : x, NaN kept) or step (NaN kept, x > 0 ? 1 : alpha).
napi_value Unary(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!GetArgs(env, info, argv, "unary expects 4 arguments")) return nullptr;
  F32 x, out;
  int32_t op;
  double alpha;
  if (!GetF32(env, argv[0], &x, false, "x must be a Float32Array") ||
      !GetF32(env, argv[1], &out, false, "out must be a Float32Array") || !GetI32(env, argv[2], &op) ||
      !GetF64(env, argv[3], &alpha))
    return nullptr;
  const int64_t n = (int64_t)out.length;
  if ((int64_t)x.length < n) {
    Throw(env, "unary: x too short");
    return nullptr;
  }
  const float* xs = x.data;
  float* o = out.data;
  const float al = (float)alpha;
  if (op == kReluOp) {
    for (int64_t i = 0; i < n; ++i) o[i] = xs[i] < 0.f ? 0.f : xs[i];
  } else if (op == kStepOp) {
    for (int64_t i = 0; i < n; ++i) o[i] = xs[i] > 0.f ? 1.f : (xs[i] != xs[i] ? xs[i] : al);
  } else {
    Throw(env, "unary: unknown op");
    return nullptr;
  }
  return Undefined(env);
}

// reluGrad(dy, y, dx): dx = dy ⊙ 1[y > 0] (tfjs' Relu gradient, dy · step(x), in one pass).
napi_value ReluGrad(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!GetArgs(env, info, argv, "reluGrad expects 3 arguments")) return nullptr;
  F32 dy, y, dx;
  if (!GetF32(env, argv[0], &dy, false, "dy must be a Float32Array") ||
      !GetF32(env, argv[1], &y, false, "y must be a Float32Array") ||
      !GetF32(env, argv[2], &dx, false, "dx must be a Float32Array"))
    return nullptr;
  const int64_t n = (int64_t)dx.length;
  if ((int64_t)dy.length < n || (int64_t)y.length < n) {
    Throw(env, "reluGrad: inputs too short");
    return nullptr;
  }
  for (int64_t i = 0; i < n; ++i) dx.data[i] = y.data[i] > 0.f ? dy.data[i] : (y.data[i] != y.data[i] ? y.data[i] : 0.f) * dy.data[i];
  return Undefined(env);
}

// sumRows(x, out, rows, cols): out[c] = Σ_r x[r, c] (row-major rows × cols), accumulated in double.
napi_value SumRows(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!GetArgs(env, info, argv, "sumRows expects 4 arguments")) return nullptr;
  F32 x, out;
  int32_t rows, cols;
  if (!GetF32(env, argv[0], &x, false, "x must be a Float32Array") ||
      !GetF32(env, argv[1], &out, false, "out must be a Float32Array") || !GetI32(env, argv[2], &rows) ||
      !GetI32(env, argv[3], &cols))
    return nullptr;
  if (rows < 0 || cols < 1 || (int64_t)x.length < (int64_t)rows * cols || (int64_t)out.length < cols) {
    Throw(env, "sumRows: inconsistent lengths");
    return nullptr;
  }
  if (cols == 1) {
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int64_t i = 0;
    for (; i + 4 <= rows; i += 4) {
      s0 += x.data[i];
      s1 += x.data[i + 1];
      s2 += x.data[i + 2];
      s3 += x.data[i + 3];
    }
    for (; i < rows; ++i) s0 += x.data[i];
    out.data[0] = (float)((s0 + s1) + (s2 + s3));
    return Undefined(env);
  }
  std::vector<double> acc((size_t)cols, 0.0);
  double* a = acc.data();
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = x.data + r * (int64_t)cols;
    for (int64_t c = 0; c < cols; ++c) a[c] += row[c];
  }
  for (int64_t c = 0; c < cols; ++c) out.data[c] = (float)a[c];
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
    for (int64_t b = 0; b < g.B; ++b) {
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
    return Undefined(env);
  }
  for (int64_t b = 0; b < g.B; ++b) {
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
  return Undefined(env);
}

napi_value SetDirectConv(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int32_t on = 1, wide = 1;
  if (argc < 1 || !GetI32(env, argv[0], &on)) return nullptr;
  if (argc >= 2 && !GetI32(env, argv[1], &wide)) return nullptr;
  useDirect = on != 0;
  use16 = wide != 0;
  return Undefined(env);
}

napi_value SetNumThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int32_t n = 1;
  if (argc < 1 || !GetI32(env, argv[0], &n)) return nullptr;
  openblas_set_num_threads(std::max(1, n));
  return Undefined(env);
}

napi_value GetNumThreads(napi_env env, napi_callback_info) {
  napi_value r;
  napi_create_int32(env, openblas_get_num_threads(), &r);
  return r;
}

napi_value GetConfig(napi_env env, napi_callback_info) {
  napi_value r;
  const char* config = openblas_get_config();
  const char* core = openblas_get_corename();
  std::string s = std::string(config ? config : "") + " core=" + (core ? core : "?");
  napi_create_string_utf8(env, s.c_str(), s.size(), &r);
  return r;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"gemm", nullptr, Gemm, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"conv2d", nullptr, Conv2d, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"conv2dBackpropInput", nullptr, Conv2dBackpropInput, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"conv2dBackpropFilter", nullptr, Conv2dBackpropFilter, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"maxPoolGrad", nullptr, MaxPoolGrad, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setDirectConv", nullptr, SetDirectConv, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"maxPool", nullptr, MaxPool, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"binary", nullptr, Binary, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"unary", nullptr, Unary, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"reluGrad", nullptr, ReluGrad, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"sumRows", nullptr, SumRows, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setNumThreads", nullptr, SetNumThreads, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"getNumThreads", nullptr, GetNumThreads, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"getConfig", nullptr, GetConfig, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  // What the TypeScript side expects (addon.ts ADDON_ABI): raised when a function or code is added, so
  // that a build from older sources is refused instead of misread.
  napi_value abi;
  napi_create_int32(env, kAddonAbi, &abi);
  napi_set_named_property(env, exports, "abi", abi);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
