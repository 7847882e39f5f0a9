// Node-API glue shared by the native addons (auif_kernels, conv_kernels, csc_kernels,
// baseline_kernels): argument readers that throw one clear JS error naming the argument, the
// wrapper that turns C++ exceptions into JS errors, and the export helper.
//
// Everything here has internal linkage (anonymous namespace): each .cc file gets its own copy, so
// no symbol is shared between the files of one addon or between addons (no ODR question, no
// interposition between the .node files, whatever their compile flags). There is no floating-point
// arithmetic here (comparisons and std::floor only), so -ffp-contract, which differs between the
// targets in binding.gyp, changes nothing.
#pragma once
#include <node_api.h>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <new>
#include <string>
#include <vector>

namespace {

// Throws a JS TypeError / RangeError with msg; returns false (for `return throw_…(…)` in checks).
inline bool throw_type(napi_env env, const std::string& msg) { napi_throw_type_error(env, nullptr, msg.c_str()); return false; }
inline bool throw_range(napi_env env, const std::string& msg) { napi_throw_range_error(env, nullptr, msg.c_str()); return false; }

// RangeError msg unless ok; returns ok.
inline bool check(napi_env env, bool ok, const std::string& msg) { return ok || throw_range(env, msg); }

// The callback's first n arguments into argv (those not passed are undefined); returns how many
// were passed.
inline size_t get_argv(napi_env env, napi_callback_info info, napi_value* argv, size_t n) {
  size_t argc = n;
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  return argc;
}
// The same; TypeError "<prefix>expected <n> arguments" where fewer were passed.
inline bool get_args(napi_env env, napi_callback_info info, napi_value* argv, size_t n, const char* prefix = "") {
  return get_argv(env, info, argv, n) >= n || throw_type(env, std::string(prefix) + "expected " + std::to_string(n) + " arguments");
}
// Declares napi_value argv[N] in an entry point (env, info) and returns from it where fewer than N
// arguments were passed (TypeError "expected N arguments").
#define AUIF_ARGS(N)     \
  napi_value argv[N];    \
  if (!get_args(env, info, argv, N)) return nullptr

// Whether v is a typed array of type `want`; then its data and length (element count). Throws nothing.
inline bool typed_array(napi_env env, napi_value v, napi_typedarray_type want, void*& data, size_t& len) {
  bool is = false;
  napi_is_typedarray(env, v, &is);
  napi_typedarray_type t; napi_value ab; size_t off;
  return is && napi_get_typedarray_info(env, v, &t, &len, &data, &ab, &off) == napi_ok && t == want;
}
// "Float32Array", "Float64Array", "Int32Array" (the types the kernels take).
inline const char* typed_array_name(napi_typedarray_type t) {
  return t == napi_float32_array ? "Float32Array" : t == napi_float64_array ? "Float64Array" : t == napi_int32_array ? "Int32Array" : "typed array";
}
// p, n = the data and length of v, or TypeError "<name> must be a <Float32Array…>" (name carries
// any prefix, e.g. "fuseAuif: ir"). p and n are written only on success.
template <typename T>
bool get_typed(napi_env env, napi_value v, napi_typedarray_type want, T*& p, size_t& n, const char* name) {
  void* data; size_t len;
  if (!typed_array(env, v, want, data, len)) return throw_type(env, std::string(name) + " must be a " + typed_array_name(want));
  p = (T*)data; n = len; return true;
}

// A typed array's data and length.
struct F32 { float* p = nullptr; size_t n = 0; };
struct F64 { double* p = nullptr; size_t n = 0; };
inline bool get_f32(napi_env env, napi_value v, F32& out, const char* name) { return get_typed(env, v, napi_float32_array, out.p, out.n, name); }
inline bool get_f64(napi_env env, napi_value v, F64& out, const char* name) { return get_typed(env, v, napi_float64_array, out.p, out.n, name); }

// out = v as a number, or TypeError "<name> must be a number".
inline bool get_num(napi_env env, napi_value v, double& out, const char* name) {
  return napi_get_value_double(env, v, &out) == napi_ok || throw_type(env, std::string(name) + " must be a number");
}
// Whether d is a non-negative integer below 2³¹ (a dimension n, h, w, k, …).
inline bool is_dim(double d) { return d >= 0 && d < 2147483648.0 && std::floor(d) == d; }
// out = v, a non-negative integer below 2³¹: TypeError as get_num, else RangeError
// "<name> must be a non-negative integer, got <out>".
inline bool get_dim(napi_env env, napi_value v, double& out, const char* name) {
  if (!get_num(env, v, out, name)) return false;
  return is_dim(out) || throw_range(env, std::string(name) + " must be a non-negative integer, got " + std::to_string(out));
}

// The Float64Arrays of the JS array arr (e.g. the per-source maps of the window metrics), each at
// least m long, appended to out. TypeError "<name> must be an array of Float64Array" (or as
// get_f64 for an element); RangeError "<name>[i] has <len> values, needs <need><m>" for a short one.
template <typename P>
bool f64_list(napi_env env, napi_value arr, std::vector<P>& out, size_t m, const char* name, const char* need = "") {
  bool is = false; uint32_t len = 0;
  napi_is_array(env, arr, &is);
  if (!is || napi_get_array_length(env, arr, &len) != napi_ok) return throw_type(env, std::string(name) + " must be an array of Float64Array");
  for (uint32_t i = 0; i < len; i++) {
    napi_value v; F64 f;
    napi_get_element(env, arr, i, &v);
    if (!get_f64(env, v, f, name)) return false;
    if (!check(env, f.n >= m, std::string(name) + "[" + std::to_string(i) + "] has " + std::to_string(f.n) + " values, needs " + need + std::to_string(m))) return false;
    out.push_back(f.p);
  }
  return true;
}

// Runs fn() (returning napi_value); a C++ exception it throws becomes a JS Error: std::bad_alloc
// "<prefix>out of memory" (the message is built without allocating), another std::exception
// "<prefix><what()>"; then returns nullptr.
template <typename Fn>
napi_value guard(napi_env env, const char* prefix, Fn&& fn) {
  try {
    return fn();
  } catch (const std::bad_alloc&) {
    char msg[160];
    std::snprintf(msg, sizeof msg, "%sout of memory", prefix);
    napi_throw_error(env, nullptr, msg);
  } catch (const std::exception& e) {
    napi_throw_error(env, nullptr, (std::string(prefix) + e.what()).c_str());
  }
  return nullptr;
}

constexpr char kAuifKernels[] = "auif native kernels: ";
// Entry point F with guard(): every exported function is registered as Guarded<F> (or
// Guarded<F, kOtherPrefix>) so that std::bad_alloc or a failed thread start is a JS Error.
template <napi_value (*F)(napi_env, napi_callback_info), const char* Prefix = kAuifKernels>
napi_value Guarded(napi_env env, napi_callback_info info) {
  return guard(env, Prefix, [&] { return F(env, info); });
}

// exports[name] = a JS function calling cb.
inline napi_status def(napi_env env, napi_value exports, const char* name, napi_callback cb) {
  napi_value f;
  napi_status s = napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, nullptr, &f);
  if (s != napi_ok) return s;
  return napi_set_named_property(env, exports, name, f);
}

// setThreads(n) entry point over a thread setting (parallel.h set_thread_count): a number n ≥ 0 is
// passed to Set (0 = AUIF_THREADS or all cores), anything else (negative, none) only queries.
// Returns the count in use.
template <int (*Set)(double)>
napi_value SetThreads(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  double t = -1;
  if (get_argv(env, info, argv, 1) < 1 || napi_get_value_double(env, argv[0], &t) != napi_ok) t = -1;
  napi_value r; napi_create_int32(env, Set(t), &r); return r;
}

}  // namespace
