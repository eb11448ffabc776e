// Single-precision matrix products on OpenBLAS (cblas_sgemm), batched, with a fused bias + activation
// epilogue: tfjs' BatchMatMul and _FusedMatMul, and the host net's products (@sprout/model).
#include <cblas.h>

#include <algorithm>
#include <cmath>

#include "kernels.h"
#include "napi_util.h"
#include "threads.h"

namespace sprout_native {

// y <- act(y + bias) on a rows × cols row-major block; bias (length cols) may be null.
void Epilogue(float* y, int64_t rows, int64_t cols, const float* bias, int32_t act, float alpha) {
  if (bias == nullptr && act == kLinear) return;
  // Rows are independent: chunks of about 2¹⁶ entries over the pool.
  ParallelFor(rows, std::max<int64_t>(1, (int64_t(1) << 16) / std::max<int64_t>(cols, 1)), [&](int64_t r0, int64_t r1) {
  for (int64_t r = r0; r < r1; ++r) {
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
  });
}

// Products of at least this many multiply-adds and kSplitColumns·2 columns are cut into column blocks.
constexpr int64_t kSplitMinWork = int64_t(1) << 20;
constexpr int64_t kSplitColumns = 256;
constexpr int64_t kSplitMaxBlocks = 8;

// The number of column blocks of an M×N×K product: fixed by its sizes, never by the thread count.
int64_t ColumnBlocks(int64_t m, int64_t n, int64_t k) {
  if (m * n * k < kSplitMinWork) return 1;
  return std::min(kSplitMaxBlocks, std::max<int64_t>(1, n / kSplitColumns));
}

// C (M×N) = op(A) op(B), row-major. A large product is cut into column blocks, each a one-thread OpenBLAS
// call, spread over the addon's pool: on the 128-row products of a training step OpenBLAS's own threads
// gained little (1.25–1.39× from a second thread on the weight gradients, whose K is the batch) and stalled
// when another process took a core (its threads wait for each other), while a block is independent work
// that the pool hands out one at a time. The blocks depend on the sizes only, so these products give the
// same bits at every thread count. Smaller products keep OpenBLAS's threads.
void Product(bool ta, bool tb, int m, int n, int k, const float* a, int lda, const float* b, int ldb, float* c) {
  const int64_t blocks = ColumnBlocks(m, n, k);
  if (blocks == 1) {
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.f, a,
                lda, b, ldb, 0.f, c, std::max(n, 1));
    return;
  }
  openblas_set_num_threads(1);
  ParallelChunks(blocks, [&](int64_t block) {
    const int64_t c0 = ChunkBegin(n, blocks, block);
    const int64_t c1 = ChunkBegin(n, blocks, block + 1);
    // Columns c0… of op(B): B's columns (row-major K×N) or its rows (B is N×K when transposed).
    const float* bBlock = tb ? b + c0 * k : b + c0;
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, (int)(c1 - c0), k,
                1.f, a, lda, bBlock, ldb, 0.f, c + c0, n);
  });
  openblas_set_num_threads(PoolThreads());  // the count setNumThreads gave both
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
      Product(ta != 0, tb != 0, m, n, k, a.data + (int64_t)i * sa, std::max(lda, 1), b.data + (int64_t)i * sb,
              std::max(ldb, 1), ci);
    }
    Epilogue(ci, m, n, bias.data, act, (float)alpha);
  }
  return Undefined(env);
}

}  // namespace sprout_native
