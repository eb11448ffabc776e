// The convolution entry points (Conv2D / FusedConv2D, Conv2DBackpropInput, Conv2DBackpropFilter, NHWC input,
// HWIO filter): the direct loops where they apply, else im2col / col2im + sgemm (1×1 stride-1 convolutions
// are one sgemm).
#include <cblas.h>

#include <algorithm>

#include "kernels.h"
#include "napi_util.h"

namespace sprout_native {

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

}  // namespace sprout_native
