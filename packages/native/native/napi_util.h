// The N-API argument glue shared by every entry point: reading Float32Arrays, integers, numbers and the
// convolution geometry from a call, throwing a `SPROUT_NATIVE` error with one message when they are wrong.
// Plain C N-API (node_api.h), no node-addon-api, so the build needs nothing but node-gyp, a C++ compiler and
// libopenblas-dev.
#pragma once
#include <node_api.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "conv_geometry.h"

namespace sprout_native {

struct F32 {
  float* data = nullptr;
  size_t length = 0;
};

// Throws a SPROUT_NATIVE error; always false, so that callers can `return Throw(...)`.
bool Throw(napi_env env, const char* msg);

// The first N arguments of a call into argv, or false after throwing `message` when fewer were passed.
template <size_t N>
bool GetArgs(napi_env env, napi_callback_info info, napi_value (&argv)[N], const char* message) {
  size_t argc = N;
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  return argc >= N || Throw(env, message);
}

// The Float32Array (or, with allow_null, null / undefined) v; false after throwing `what` + `whatTail` (the
// message is put together only on failure).
bool GetF32(napi_env env, napi_value v, F32* out, bool allow_null, const char* what, const char* whatTail = "");
// An int32 (booleans read as 0 / 1), a double, an Int32Array of at least `need` entries.
bool GetI32(napi_env env, napi_value v, int32_t* out);
bool GetF64(napi_env env, napi_value v, double* out);
bool GetI32Array(napi_env env, napi_value v, const int32_t** out, size_t need);
napi_value Undefined(napi_env env);
// False after throwing `what` when `a` is shorter than `need`.
bool CheckLen(napi_env env, const F32& a, int64_t need, const char* what);
// The convolution geometry from an Int32Array of 15 entries (see ConvGeom); false after throwing.
bool GetGeom(napi_env env, napi_value v, ConvGeom* g);

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

}  // namespace sprout_native
