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
// This file registers the entry points and the settings (threads, direct loops); each job has a file of its
// own: napi_util (argument glue), gemm, im2col, direct_conv, conv (the convolution entry points), pooling,
// elementwise, update (the optimizers' parameter updates).
#include <node_api.h>
#include <cblas.h>

#include <algorithm>
#include <string>

#include "kernels.h"
#include "napi_util.h"
#include "threads.h"

namespace sprout_native {

// The interface version (addon.ts ADDON_ABI; see Init).
constexpr int32_t kAddonAbi = 5;

bool useDirect = true;
bool use16 = true;

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
  n = std::min(64, std::max(1, n));  // 64: the pool's bound and Debian's OpenBLAS MAX_THREADS
  openblas_set_num_threads(n);
  SetPoolThreads(n);
  return Undefined(env);
}

napi_value GetNumThreads(napi_env env, napi_callback_info) {
  napi_value r;
  napi_create_int32(env, PoolThreads(), &r);  // OpenBLAS's count is set to the same
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
      {"update", nullptr, Update, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"accumulate", nullptr, Accumulate, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
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

}  // namespace sprout_native

NAPI_MODULE(NODE_GYP_MODULE_NAME, sprout_native::Init)
