// The optimizers' parameter updates on float32 parameters, the formulas of @sprout/step-size's
// update-rules.ts (`hostUpdate`) with its arithmetic: every operand read as a double, each stored value
// rounded once to float32, no fused multiply-add. So a step here equals the JavaScript loop bit for bit,
// whatever the thread count (each element is its own computation).
//  - SGD:       θ ← θ − α g
//  - momentum:  v ← β v + g;  θ ← θ − α v
//  - Adam:      m ← β₁ m + (1 − β₁) g;  v ← β₂ v + (1 − β₂) g²;  θ ← θ − α (m / c₁) / (√(v / c₂) + ε),
//               c₁ = 1 − β₁ᵗ, c₂ = 1 − β₂ᵗ (Kingma & Ba, arXiv 1412.6980, Alg. 1)
#include <cmath>

#include "kernels.h"
#include "napi_util.h"
#include "threads.h"

// -march=native allows fused multiply-adds, which round once where JavaScript rounds twice.
#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")

namespace sprout_native {

namespace {

// Elements per chunk: a chunk is worth a thread's wake-up above about this many.
constexpr int64_t kUpdateGrain = int64_t(1) << 16;

enum UpdateKind : int32_t { kSgd = 0, kMomentum = 1, kAdam = 2 };

void SgdLoop(float* theta, const float* g, double lr, int64_t i0, int64_t i1) {
  for (int64_t i = i0; i < i1; ++i) theta[i] = (float)((double)theta[i] - lr * (double)g[i]);
}

void MomentumLoop(float* theta, float* v, const float* g, double lr, double beta, int64_t i0, int64_t i1) {
  for (int64_t i = i0; i < i1; ++i) {
    v[i] = (float)(beta * (double)v[i] + (double)g[i]);
    theta[i] = (float)((double)theta[i] - lr * (double)v[i]);
  }
}

void AdamLoop(float* theta, float* m, float* v, const float* g, double lr, double beta1, double beta2, double epsilon,
              double c1, double c2, int64_t i0, int64_t i1) {
  for (int64_t i = i0; i < i1; ++i) {
    const double gi = g[i];
    m[i] = (float)(beta1 * (double)m[i] + (1 - beta1) * gi);
    v[i] = (float)(beta2 * (double)v[i] + (1 - beta2) * gi * gi);
    theta[i] = (float)((double)theta[i] - (lr * ((double)m[i] / c1)) / (std::sqrt((double)v[i] / c2) + epsilon));
  }
}

}  // namespace

// update(kind, theta, g, s1, s2, lr, h1, h2, h3, h4, h5): one step of `kind` on theta (length n) with its
// gradient g; s1, s2 the slots (momentum: s1 = velocity; Adam: s1 = m, s2 = v; null where unused); h1… the
// hyperparameters (momentum: h1 = β; Adam: h1 = β₁, h2 = β₂, h3 = ε, h4 = c₁, h5 = c₂).
napi_value Update(napi_env env, napi_callback_info info) {
  napi_value argv[11];
  if (!GetArgs(env, info, argv, "update expects 11 arguments")) return nullptr;
  int32_t kind;
  F32 theta, g, s1, s2;
  double lr, h[5];
  if (!GetI32(env, argv[0], &kind) || !GetF32(env, argv[1], &theta, false, "theta must be a Float32Array") ||
      !GetF32(env, argv[2], &g, false, "g must be a Float32Array") ||
      !GetF32(env, argv[3], &s1, true, "s1 must be a Float32Array or null") ||
      !GetF32(env, argv[4], &s2, true, "s2 must be a Float32Array or null") || !GetF64(env, argv[5], &lr))
    return nullptr;
  for (int i = 0; i < 5; ++i)
    if (!GetF64(env, argv[6 + i], &h[i])) return nullptr;
  const int64_t n = (int64_t)theta.length;
  if (!CheckLen(env, g, n, "update: g is shorter than theta")) return nullptr;
  if (kind == kSgd) {
    ParallelFor(n, kUpdateGrain, [&](int64_t i0, int64_t i1) { SgdLoop(theta.data, g.data, lr, i0, i1); });
  } else if (kind == kMomentum) {
    if (!CheckLen(env, s1, n, "update: the velocity is shorter than theta")) return nullptr;
    ParallelFor(n, kUpdateGrain,
                [&](int64_t i0, int64_t i1) { MomentumLoop(theta.data, s1.data, g.data, lr, h[0], i0, i1); });
  } else if (kind == kAdam) {
    if (!CheckLen(env, s1, n, "update: m is shorter than theta") ||
        !CheckLen(env, s2, n, "update: v is shorter than theta"))
      return nullptr;
    ParallelFor(n, kUpdateGrain, [&](int64_t i0, int64_t i1) {
      AdamLoop(theta.data, s1.data, s2.data, g.data, lr, h[0], h[1], h[2], h[3], h[4], i0, i1);
    });
  } else {
    Throw(env, "update: unknown kind (0 SGD, 1 momentum, 2 Adam)");
    return nullptr;
  }
  return Undefined(env);
}

}  // namespace sprout_native

#pragma GCC pop_options
