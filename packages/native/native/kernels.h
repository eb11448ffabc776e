// What the kernel files share: the epilogue activations, the vector types of the hand-written loops, the
// run-time switches, and the functions one file calls in another (im2col for the convolution entry points,
// the direct loops, the N-API entry points that addon.cc registers).
#pragma once
#include <node_api.h>

#include <cstddef>
#include <cstdint>

#include "conv_geometry.h"

namespace sprout_native {

// 0–5 are tfjs' fused activations (tfjs-core fused_types.ts; prelu is left to the fallback kernel); tanh is
// Sprout's own (the host net's tanh layers).
enum Activation : int32_t { kLinear = 0, kRelu = 1, kRelu6 = 2, kElu = 3, kLeakyRelu = 4, kSigmoid = 5, kTanh = 6 };

// y <- act(y + bias) on a rows × cols row-major block; bias (length cols) may be null (gemm.cc).
void Epilogue(float* y, int64_t rows, int64_t cols, const float* bias, int32_t act, float alpha);

// Whether the direct convolution loops are used where they apply (setDirectConv; on by default).
extern bool useDirect;
// Whether the direct loops use 16-lane vectors where compiled for AVX-512 (setDirectConv's second argument).
extern bool use16;

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

// im2col.cc: rows of im2col scratch per chunk, the calling thread's scratch of at least n floats, and the
// patch matrix of output rows [p0, p1) and its adjoint.
int64_t ChunkRows(const ConvGeom& g);
float* Scratch(size_t n);
void Im2col(const ConvGeom& g, const float* x, int64_t p0, int64_t p1, float* cols);
void Col2im(const ConvGeom& g, const float* dcols, int64_t p0, int64_t p1, float* dx);

// direct_conv.cc: the direct loops where they apply; false when the shape is not covered.
bool TryDirectConv(const ConvGeom& g, const float* x, const float* w, const float* bias, int32_t act, float* y);
bool TryDirectBackpropInput(const ConvGeom& g, const float* dy, const float* w, float* dx);
bool TryDirectBackpropFilter(const ConvGeom& g, const float* x, const float* dy, float* dw);

// The N-API entry points (addon.cc registers them).
napi_value Gemm(napi_env env, napi_callback_info info);
napi_value Conv2d(napi_env env, napi_callback_info info);
napi_value Conv2dBackpropInput(napi_env env, napi_callback_info info);
napi_value Conv2dBackpropFilter(napi_env env, napi_callback_info info);
napi_value MaxPool(napi_env env, napi_callback_info info);
napi_value MaxPoolGrad(napi_env env, napi_callback_info info);
napi_value Binary(napi_env env, napi_callback_info info);
napi_value Unary(napi_env env, napi_callback_info info);
napi_value ReluGrad(napi_env env, napi_callback_info info);
napi_value SumRows(napi_env env, napi_callback_info info);
napi_value Update(napi_env env, napi_callback_info info);
napi_value Accumulate(napi_env env, napi_callback_info info);

}  // namespace sprout_native
