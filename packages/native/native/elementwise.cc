// Elementwise kernels and reductions on contiguous float32: add / sub / mul with a repeated operand, relu,
// step, the relu gradient, and sums over leading axes.
#include <algorithm>
#include <vector>

#include "kernels.h"
#include "napi_util.h"
#include "threads.h"

namespace sprout_native {

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

// Elements per chunk of the parallel loops (smaller ops run on the calling thread alone).
constexpr int64_t kGrain = int64_t(1) << 16;

// BinaryLoop over chunks of whole periods.
template <int OP>
void BinaryParallel(const float* a, const float* b, float* out, int64_t n, int64_t period, bool bFirst) {
  if (period == n || period == 1) {
    ParallelFor(n, kGrain, [&](int64_t i0, int64_t i1) {
      BinaryLoop<OP>(a + i0, period == 1 ? b : b + i0, out + i0, i1 - i0, period == 1 ? 1 : i1 - i0, bFirst);
    });
    return;
  }
  ParallelFor(n / period, std::max<int64_t>(1, kGrain / period), [&](int64_t r0, int64_t r1) {
    BinaryLoop<OP>(a + r0 * period, b, out + r0 * period, (r1 - r0) * period, period, bFirst);
  });
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
    case kAdd: BinaryParallel<kAdd>(a.data, b.data, out.data, n, period, bFirst != 0); break;
    case kSub: BinaryParallel<kSub>(a.data, b.data, out.data, n, period, bFirst != 0); break;
    case kMul: BinaryParallel<kMul>(a.data, b.data, out.data, n, period, bFirst != 0); break;
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
  if (op != kReluOp && op != kStepOp) {
    Throw(env, "unary: unknown op");
    return nullptr;
  }
  ParallelFor(n, kGrain, [&](int64_t i0, int64_t i1) {
    if (op == kReluOp) {
      for (int64_t i = i0; i < i1; ++i) o[i] = xs[i] < 0.f ? 0.f : xs[i];
    } else {
      typedef VecT<8>::V V;
      const V one = V{} + 1.f, alv = V{} + al;
      int64_t i = i0;
      for (; i + 8 <= i1; i += 8) {  // vector selects, no branch per entry (see ReluGrad)
        const V xv = LoadV<8>(xs + i);
        StoreV<8>(o + i, xv > 0.f ? one : (xv != xv ? xv : alv));
      }
      for (; i < i1; ++i) o[i] = xs[i] > 0.f ? 1.f : (xs[i] != xs[i] ? xs[i] : al);
    }
  });
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
  const float *d = dy.data, *yy = y.data;
  float* o = dx.data;
  // dy · step(y) as tfjs computes it (step: 1 above 0, NaN kept, else 0), with vector selects: a branch per
  // entry costs 5× more on the random signs of real activations (mispredicted half the time).
  ParallelFor(n, kGrain, [&](int64_t i0, int64_t i1) {
    typedef VecT<8>::V V;
    const V one = V{} + 1.f;
    int64_t i = i0;
    for (; i + 8 <= i1; i += 8) {
      const V yv = LoadV<8>(yy + i);
      const V m = yv > 0.f ? one : (yv != yv ? yv : V{});
      StoreV<8>(o + i, m * LoadV<8>(d + i));
    }
    for (; i < i1; ++i) o[i] = (yy[i] > 0.f ? 1.f : (yy[i] != yy[i] ? yy[i] : 0.f)) * d[i];
  });
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
  // Column blocks of 16 over the pool when the block is large: each column is still summed over the rows
  // in order, so the result does not depend on the thread count.
  const int64_t block = (int64_t)rows * cols >= kGrain && cols >= 32 ? 16 : cols;
  ParallelFor(cols, block, [&](int64_t c0, int64_t c1) {
    std::vector<double> acc((size_t)(c1 - c0), 0.0);
    double* a = acc.data();
    for (int64_t r = 0; r < rows; ++r) {
      const float* row = x.data + r * (int64_t)cols + c0;
      for (int64_t c = 0; c < c1 - c0; ++c) a[c] += row[c];
    }
    for (int64_t c = 0; c < c1 - c0; ++c) out.data[c0 + c] = (float)a[c];
  });
  return Undefined(env);
}

// accumulate(acc, x): acc[i] += x[i], acc a Float64Array, x a Float32Array of at least its length: the running
// sums of float32 results kept in double (the sensitivity pass's sums over batches), exactly the JavaScript
// loop `acc[i] = acc[i] + x[i]` (one double addition per entry, in any order of the entries).
napi_value Accumulate(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!GetArgs(env, info, argv, "accumulate expects 2 arguments")) return nullptr;
  bool isTyped = false;
  napi_is_typedarray(env, argv[0], &isTyped);
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  napi_value buffer;
  size_t offset;
  if (!isTyped || napi_get_typedarray_info(env, argv[0], &type, &length, &data, &buffer, &offset) != napi_ok ||
      type != napi_float64_array) {
    Throw(env, "acc must be a Float64Array");
    return nullptr;
  }
  F32 x;
  if (!GetF32(env, argv[1], &x, false, "x must be a Float32Array")) return nullptr;
  const int64_t n = (int64_t)length;
  if (!CheckLen(env, x, n, "accumulate: x is shorter than acc")) return nullptr;
  double* acc = static_cast<double*>(data);
  const float* xs = x.data;
  ParallelFor(n, kGrain, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) acc[i] += (double)xs[i];
  });
  return Undefined(env);
}

}  // namespace sprout_native
