// See napi_util.h.
#include "napi_util.h"

namespace sprout_native {

bool Throw(napi_env env, const char* msg) {
  napi_throw_error(env, "SPROUT_NATIVE", msg);
  return false;
}

bool GetF32(napi_env env, napi_value v, F32* out, bool allow_null, const char* what, const char* whatTail) {
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

napi_value Undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

bool CheckLen(napi_env env, const F32& a, int64_t need, const char* what) {
  if ((int64_t)a.length < need) return Throw(env, what);
  return true;
}

bool GetGeom(napi_env env, napi_value v, ConvGeom* g) {
  const int32_t* p;
  if (!GetI32Array(env, v, &p, 15)) return false;
  *g = ConvGeom{p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13], p[14]};
  if (g->B < 0 || g->H < 0 || g->W < 0 || g->Cin < 0 || g->OH < 0 || g->OW < 0 || g->Cout < 0 || g->KH < 1 ||
      g->KW < 1 || g->sh < 1 || g->sw < 1 || g->dh < 1 || g->dw < 1)
    return Throw(env, "conv: invalid geometry");
  return true;
}

}  // namespace sprout_native
