// Native CPU kernel for multi-channel 3×3 convolution layers (first user: DIDFuse, Zhao et al.,
// IJCAI 2020, whose seven conv → BatchNorm → activation blocks run at full image resolution).
//
// One entry point, conv3x3 (documented in lib/kernels/native.ts):
//
//   z[o, p] = b[o] + Σ_i Σ_{t ∈ 3×3} W[o, i, t] · pad₁(x)[i, p + t − 1]      (PyTorch cross-correlation)
//   y[o, p] = act(z[o, p] · s[o] + c[o])                                       (BN in eval mode, folded)
//   out[o, p] = y[o, p]   (or out[o, p] + y[o, p] when accumulating)
//
// with pad₁ zero padding or reflection (index −1 reads index 1) and act ∈ {identity, PReLU with one
// shared slope, tanh, sigmoid}. The input channels may come from several planar arrays, taken in
// order (a concatenation along the channel axis without a copy).
//
// Discipline (as native/auif_kernels.cc): planes are float32, c × h × w, row-major; the work is
// split over threads by row strips; each output is computed the same way whatever the thread
// count (bit-identical results for 1 or N threads). The inner loops use GCC/Clang vector
// extensions, which compile to whatever the target has: the portable build (baseline x86-64 or
// any other architecture) runs 4-wide vectors; on x86-64 two more variants of the same template,
// compiled for AVX2+FMA and for AVX-512F through function target attributes, are chosen at run
// time with __builtin_cpu_supports — so there is no -march=native build that could crash on an
// older CPU. The float32 sum over the Cin·9 taps runs input channel by input channel, taps in
// row-major order, in partial sums of kCiBlock input channels (the FMA variants round once per
// multiply-add, the portable one twice).
#include <node_api.h>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <functional>
#include <new>
#include <string>
#include <thread>
#include <vector>
#include "napi_glue.h"
#include "parallel.h"

namespace {

inline int refl(int i, int n) { return i < 0 ? -i : (i >= n ? 2 * n - 2 - i : i); }

// Input channels summed into one partial sum before it is added to the total (a two-level sum:
// its rounding error grows with 9·kCiBlock + Cin/kCiBlock terms instead of 9·Cin).
constexpr int kCiBlock = 16;

enum Act { kIdentity = 0, kPrelu = 1, kTanh = 2, kSigmoid = 3 };

struct ConvArgs {
  std::vector<const float*> planes;  // Cin input planes, h × w each
  int cin = 0, cout = 0, h = 0, w = 0;
  bool reflect = false;
  const float* wr = nullptr;  // weights reordered: [ob][i][t][COB] (see reorder)
  int cob = 0;                // output-channel block the weights were reordered for
  const float* bias = nullptr; const float* scale = nullptr; const float* shift = nullptr;
  int act = kIdentity; float alpha = 0;
  float* out = nullptr; bool accumulate = false;
};

// Weights [o][i][t] → [o / COB][i][t][o % COB], zero-filled past cout.
std::vector<float> reorder(const float* W, int cout, int cin, int cob) {
  const int nb = (cout + cob - 1) / cob;
  std::vector<float> r((size_t)nb * cin * 9 * cob, 0.0f);
  for (int o = 0; o < cout; o++)
    for (int i = 0; i < cin; i++)
      for (int t = 0; t < 9; t++) r[(((size_t)(o / cob) * cin + i) * 9 + t) * cob + (o % cob)] = W[((size_t)o * cin + i) * 9 + t];
  return r;
}

inline float activate(float v, int act, float alpha) {
  switch (act) {
    case kPrelu: return v >= 0.0f ? v : alpha * v;
    case kTanh: return std::tanh(v);
    case kSigmoid: return 1.0f / (1.0f + std::exp(-v));
    default: return v;
  }
}

// Rows [r0, r1) of every output channel. V floats per vector, NX vectors per register tile,
// COB output channels per block; a chunk of XT = NX·V·SUB columns shares one gathered patch.
template <int V, int NX, int COB>
__attribute__((always_inline)) inline void conv_rows(const ConvArgs& a, int r0, int r1) {
  typedef float vf __attribute__((vector_size(V * sizeof(float))));
  constexpr int TX = NX * V;     // columns per register tile
  constexpr int SUB = 4;         // register tiles per chunk
  constexpr int XT = TX * SUB;   // columns per chunk
  constexpr int PW = XT + 2;     // patch row width (1 column of padding on either side)
  const int H = a.h, W = a.w, Cin = a.cin, Cout = a.cout;
  const int nb = (Cout + COB - 1) / COB;
  std::vector<float> patch((size_t)Cin * 3 * PW + V);  // + V: unaligned loads may read past the end
  alignas(64) float tile[COB][XT];
  for (int r = r0; r < r1; r++) {
    for (int x0 = 0; x0 < W; x0 += XT) {
      const int nx = std::min(XT, W - x0);
      // patch[i][k][j] = pad₁(x)[i, r + k − 1, x0 + j − 1] for j < nx + 2, zero beyond.
      for (int i = 0; i < Cin; i++) {
        const float* src = a.planes[(size_t)i];
        for (int k = 0; k < 3; k++) {
          float* dst = patch.data() + ((size_t)i * 3 + k) * PW;
          int rr = r + k - 1;
          bool zero_row = false;
          if (rr < 0 || rr >= H) { if (a.reflect) rr = refl(rr, H); else zero_row = true; }
          if (zero_row) { std::fill(dst, dst + PW, 0.0f); continue; }
          const float* row = src + (size_t)rr * W;
          for (int j = 0; j < nx + 2; j++) {
            int cc = x0 + j - 1;
            if (cc < 0 || cc >= W) dst[j] = a.reflect ? row[refl(cc, W)] : 0.0f;
            else dst[j] = row[cc];
          }
          for (int j = nx + 2; j < PW; j++) dst[j] = 0.0f;
        }
      }
      for (int ob = 0; ob < nb; ob++) {
        const float* wb = a.wr + (size_t)ob * Cin * 9 * COB;
        for (int s = 0; s < SUB && s * TX < nx; s++) {
          vf total[COB][NX], acc[COB][NX];
          for (int o = 0; o < COB; o++) for (int v = 0; v < NX; v++) total[o][v] = vf{};
          const float* pbase = patch.data() + s * TX;
          for (int i0 = 0; i0 < Cin; i0 += kCiBlock) {
           for (int o = 0; o < COB; o++) for (int v = 0; v < NX; v++) acc[o][v] = vf{};
           for (int i = i0; i < std::min(Cin, i0 + kCiBlock); i++) {
            const float* pi = pbase + (size_t)i * 3 * PW;
            const float* wi = wb + (size_t)i * 9 * COB;
            for (int k = 0; k < 3; k++) {
              for (int l = 0; l < 3; l++) {
                const float* src = pi + k * PW + l;
                vf xv[NX];
                for (int v = 0; v < NX; v++) std::memcpy(&xv[v], src + v * V, sizeof(vf));
                const float* wt = wi + (k * 3 + l) * COB;
                for (int o = 0; o < COB; o++) {
                  const float wv = wt[o];
                  for (int v = 0; v < NX; v++) acc[o][v] += wv * xv[v];
                }
              }
            }
           }
           for (int o = 0; o < COB; o++) for (int v = 0; v < NX; v++) total[o][v] += acc[o][v];
          }
          for (int o = 0; o < COB; o++) for (int v = 0; v < NX; v++) std::memcpy(&tile[o][s * TX + v * V], &total[o][v], sizeof(vf));
        }
        for (int o = 0; o < COB; o++) {
          const int oc = ob * COB + o;
          if (oc >= Cout) break;
          const float b = a.bias[oc], sc = a.scale[oc], sh = a.shift[oc];
          float* dst = a.out + ((size_t)oc * H + r) * W + x0;
          for (int j = 0; j < nx; j++) {
            const float z = tile[o][j] + b;
            const float y = activate(z * sc + sh, a.act, a.alpha);
            dst[j] = a.accumulate ? dst[j] + y : y;
          }
        }
      }
    }
  }
}

// The three builds of the template and the block size each wants its weights reordered for.
constexpr int kCobPortable = 4, kCobAvx2 = 4, kCobAvx512 = 8;
void conv_portable(const ConvArgs& a, int r0, int r1) { conv_rows<4, 3, kCobPortable>(a, r0, r1); }
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
__attribute__((target("avx2,fma"))) void conv_avx2(const ConvArgs& a, int r0, int r1) { conv_rows<8, 3, kCobAvx2>(a, r0, r1); }
__attribute__((target("avx512f"))) void conv_avx512(const ConvArgs& a, int r0, int r1) { conv_rows<16, 3, kCobAvx512>(a, r0, r1); }
#define HAVE_X86_VARIANTS 1
#endif

// "avx512", "avx2" or "portable"; CONV_KERNELS_ISA=avx2|portable caps the choice (for tests).
std::string g_isa;
const std::string& isa() {
  if (!g_isa.empty()) return g_isa;
  std::string cap = std::getenv("CONV_KERNELS_ISA") ? std::getenv("CONV_KERNELS_ISA") : "";
  g_isa = "portable";
#ifdef HAVE_X86_VARIANTS
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  const bool avx512 = __builtin_cpu_supports("avx512f");
  if (cap != "portable") {
    if (avx512 && cap != "avx2") g_isa = "avx512";
    else if (avx2) g_isa = "avx2";
  }
#endif
  return g_isa;
}

// ---------------------------------------------------------------------------------------------
// N-API glue

// out = v as an int: TypeError as get_num, else RangeError "<name> must be a non-negative integer".
bool get_int(napi_env env, napi_value v, int& out, const char* name) {
  double d;
  if (!get_num(env, v, d, name)) return false;
  if (!is_dim(d)) return throw_range(env, std::string(name) + " must be a non-negative integer");
  out = (int)d; return true;
}
// check() with the message prefixed "conv3x3: ".
bool require(napi_env env, bool ok, const std::string& msg) { return check(env, ok, "conv3x3: " + msg); }

// conv3x3(inputs: Float32Array[], h, w, weight, bias, scale, shift, act, alpha, reflect, out, accumulate)
napi_value Conv3x3(napi_env env, napi_callback_info info) {
  napi_value argv[12];
  if (!get_args(env, info, argv, 12, "conv3x3: ")) return nullptr;
  ConvArgs a;
  bool isArr = false;
  napi_is_array(env, argv[0], &isArr);
  if (!isArr) { napi_throw_type_error(env, nullptr, "conv3x3: inputs must be an array of Float32Array"); return nullptr; }
  uint32_t nin = 0; napi_get_array_length(env, argv[0], &nin);
  if (!get_int(env, argv[1], a.h, "conv3x3: h") || !get_int(env, argv[2], a.w, "conv3x3: w")) return nullptr;
  const size_t plane = (size_t)a.h * a.w;
  if (!require(env, a.h >= 2 && a.w >= 2, "the image must be at least 2×2 (reflection padding), got " + std::to_string(a.h) + "×" + std::to_string(a.w) + " (h×w)")) return nullptr;
  for (uint32_t k = 0; k < nin; k++) {
    napi_value el; napi_get_element(env, argv[0], k, &el);
    const float* p; size_t n;
    if (!get_typed(env, el, napi_float32_array, p, n, "conv3x3: inputs[k]")) return nullptr;
    if (!require(env, n % plane == 0 && n > 0, "inputs[" + std::to_string(k) + "] has " + std::to_string(n) + " values, not a multiple of h·w = " + std::to_string(plane))) return nullptr;
    for (size_t c = 0; c < n / plane; c++) a.planes.push_back(p + c * plane);
  }
  a.cin = (int)a.planes.size();
  const float *W, *bias, *scale, *shift, *out; size_t nW, nb, ns, nsh, nout;
  double act, alpha; bool reflect = false, accumulate = false;
  if (!get_typed(env, argv[3], napi_float32_array, W, nW, "conv3x3: weight") || !get_typed(env, argv[4], napi_float32_array, bias, nb, "conv3x3: bias") ||
      !get_typed(env, argv[5], napi_float32_array, scale, ns, "conv3x3: scale") || !get_typed(env, argv[6], napi_float32_array, shift, nsh, "conv3x3: shift") ||
      !get_num(env, argv[7], act, "conv3x3: act") || !get_num(env, argv[8], alpha, "conv3x3: alpha")) return nullptr;
  if (napi_get_value_bool(env, argv[9], &reflect) != napi_ok) { napi_throw_type_error(env, nullptr, "conv3x3: reflect must be a boolean"); return nullptr; }
  if (!get_typed(env, argv[10], napi_float32_array, out, nout, "conv3x3: out")) return nullptr;
  if (napi_get_value_bool(env, argv[11], &accumulate) != napi_ok) { napi_throw_type_error(env, nullptr, "conv3x3: accumulate must be a boolean"); return nullptr; }
  a.cout = (int)nb;
  if (!require(env, a.cin > 0 && a.cout > 0, "no input or no output channels") ||
      !require(env, nW == (size_t)a.cout * a.cin * 9, "weight has " + std::to_string(nW) + " values, expected cout·cin·9 = " + std::to_string(a.cout) + "·" + std::to_string(a.cin) + "·9") ||
      !require(env, ns == nb && nsh == nb, "bias, scale and shift must have cout values each") ||
      !require(env, nout == (size_t)a.cout * plane, "out has " + std::to_string(nout) + " values, expected cout·h·w = " + std::to_string((size_t)a.cout * plane)) ||
      !require(env, act >= 0 && act <= 3 && std::floor(act) == act, "act must be 0 (identity), 1 (PReLU), 2 (tanh) or 3 (sigmoid)")) return nullptr;
  for (const float* p : a.planes) {
    if (!require(env, !(p < out + nout && out < p + plane), "out overlaps an input")) return nullptr;
  }
  a.reflect = reflect; a.accumulate = accumulate; a.act = (int)act; a.alpha = (float)alpha;
  a.bias = bias; a.scale = scale; a.shift = shift; a.out = const_cast<float*>(out);
  const std::string& which = isa();
  void (*fn)(const ConvArgs&, int, int) = conv_portable;
  a.cob = kCobPortable;
#ifdef HAVE_X86_VARIANTS
  if (which == "avx512") { fn = conv_avx512; a.cob = kCobAvx512; }
  else if (which == "avx2") { fn = conv_avx2; a.cob = kCobAvx2; }
#endif
  const std::vector<float> wr = reorder(W, a.cout, a.cin, a.cob);
  a.wr = wr.data();
  parallel_for(a.h, 2, [&](int64_t b, int64_t e) { fn(a, (int)b, (int)e); });
  return nullptr;
}

// setIsa(name): forces "portable", "avx2" or "avx512" (for tests); refused where the CPU lacks it.
napi_value SetIsa(napi_env env, napi_callback_info info) {
  size_t argc = 1; napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  char buf[32] = {0}; size_t len = 0;
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], buf, sizeof buf, &len) != napi_ok) {
    napi_throw_type_error(env, nullptr, "setIsa: expected a string");
    return nullptr;
  }
  const std::string want(buf, len);
  bool ok = want == "portable";
#ifdef HAVE_X86_VARIANTS
  __builtin_cpu_init();
  if (want == "avx2") ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (want == "avx512") ok = __builtin_cpu_supports("avx512f");
#endif
  if (!ok) { napi_throw_range_error(env, nullptr, ("setIsa: '" + want + "' is not available on this CPU/build").c_str()); return nullptr; }
  g_isa = want;
  return nullptr;
}

// convInfo(): { isa, threads }
napi_value ConvInfo(napi_env env, napi_callback_info) {
  napi_value r, s, t;
  napi_create_object(env, &r);
  napi_create_string_utf8(env, isa().c_str(), NAPI_AUTO_LENGTH, &s);
  napi_create_int32(env, thread_count(), &t);
  napi_set_named_property(env, r, "isa", s);
  napi_set_named_property(env, r, "threads", t);
  return r;
}

constexpr char kConvKernels[] = "conv kernels: ";  // the prefix of its JS errors (Guarded)

}  // namespace

NAPI_MODULE_INIT() {
  def(env, exports, "conv3x3", Guarded<Conv3x3, kConvKernels>);
  def(env, exports, "convInfo", Guarded<ConvInfo, kConvKernels>);
  def(env, exports, "setIsa", Guarded<SetIsa, kConvKernels>);
  def(env, exports, "setThreads", Guarded<SetThreads<set_thread_count>, kConvKernels>);
  return exports;
}
