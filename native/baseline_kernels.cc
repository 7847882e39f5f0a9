// Native CPU kernels of the ported baselines (lib/methods/densefuse.ts, deepfuse.ts): one
// 'same'-size 2-D convolution layer, NHWC activations, HWIO kernels (TensorFlow's layouts),
// stride 1, odd K×K kernel, reflection or zero padding, optional bias, ReLU / leaky ReLU (0.01).
//
//   y[n, r, c, o] = act( b[o] + Σ_{i, j, ci} x[n, p(r + i − K/2), p(c + j − K/2), ci] · W[i, j, ci, o] )
//
// p: reflection (mirror without repeating the edge pixel: −1 → 1) or zero outside the image.
// Float32 accumulation, taps in (i, j, ci) order; rows shared among threads (AUIF_THREADS or every
// core). Built with -ffp-contract=fast (fused multiply-adds): these layers are checked to 1 grey
// level against float32 PyTorch/TF, not bit for bit. Our own code.
#include <node_api.h>
#include <cmath>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>
#include <algorithm>
#include "napi_glue.h"

namespace {

int thread_count() {
  const char* env = std::getenv("AUIF_THREADS");
  int t = env ? std::atoi(env) : 0;
  if (t <= 0) t = (int)std::thread::hardware_concurrency();
  return std::max(1, std::min(t, 64));
}

struct Conv {
  const float* x; const float* w; const float* b;
  int N, H, W, Cin, Cout, K, pad, act;
  float* y;
  std::vector<int> rowmap, colmap;  // padded coordinate → source coordinate, −1 = zero
};

// PB adjacent output pixels of one row at once (accumulators acc[PB][COUT] stay in registers; each
// weight vector is loaded once per PB pixels). Out-of-image taps of zero padding read `zeros`.
template <int COUT, int PB>
inline void conv_block(const Conv& c, const float* xn, const float* zeros, int r, int col, float* dst) {
  alignas(64) float acc[PB][COUT];
  for (int p = 0; p < PB; p++) for (int o = 0; o < COUT; o++) acc[p][o] = c.b ? c.b[o] : 0.f;
  for (int i = 0; i < c.K; i++) {
    const int sr = c.rowmap[r + i];
    for (int j = 0; j < c.K; j++) {
      const float* src[PB];
      for (int p = 0; p < PB; p++) {
        const int sc = c.colmap[col + p + j];
        src[p] = (sr < 0 || sc < 0) ? zeros : xn + ((size_t)sr * c.W + sc) * c.Cin;
      }
      const float* wk = c.w + (size_t)(i * c.K + j) * c.Cin * COUT;
      for (int ci = 0; ci < c.Cin; ci++) {
        const float* wc = wk + (size_t)ci * COUT;
        for (int p = 0; p < PB; p++) {
          const float v = src[p][ci];
          for (int o = 0; o < COUT; o++) acc[p][o] += v * wc[o];
        }
      }
    }
  }
  for (int p = 0; p < PB; p++) {
    for (int o = 0; o < COUT; o++) {
      float v = acc[p][o];
      if (c.act == 1) v = v > 0.f ? v : 0.f;
      else if (c.act == 2) v = v > 0.f ? v : 0.01f * v;
      dst[(size_t)p * COUT + o] = v;
    }
  }
}

template <int COUT>
void conv_rows(const Conv& c, int r0, int r1) {
  constexpr int PB = COUT >= 64 ? 1 : COUT >= 32 ? 2 : 4;
  std::vector<float> zeros(c.Cin, 0.f);
  for (int nr = r0; nr < r1; nr++) {
    const int n = nr / c.H, r = nr % c.H;
    const float* xn = c.x + (size_t)n * c.H * c.W * c.Cin;
    float* row = c.y + ((size_t)n * c.H + r) * c.W * COUT;
    int col = 0;
    for (; col + PB <= c.W; col += PB) conv_block<COUT, PB>(c, xn, zeros.data(), r, col, row + (size_t)col * COUT);
    for (; col < c.W; col++) conv_block<COUT, 1>(c, xn, zeros.data(), r, col, row + (size_t)col * COUT);
  }
}

void conv_rows_any(const Conv& c, int r0, int r1) {
  std::vector<float> acc(c.Cout);
  for (int nr = r0; nr < r1; nr++) {
    const int n = nr / c.H, r = nr % c.H;
    const float* xn = c.x + (size_t)n * c.H * c.W * c.Cin;
    for (int col = 0; col < c.W; col++) {
      for (int o = 0; o < c.Cout; o++) acc[o] = c.b ? c.b[o] : 0.f;
      for (int i = 0; i < c.K; i++) {
        const int sr = c.rowmap[r + i];
        if (sr < 0) continue;
        for (int j = 0; j < c.K; j++) {
          const int sc = c.colmap[col + j];
          if (sc < 0) continue;
          const float* src = xn + ((size_t)sr * c.W + sc) * c.Cin;
          const float* wk = c.w + (size_t)(i * c.K + j) * c.Cin * c.Cout;
          for (int ci = 0; ci < c.Cin; ci++) {
            const float v = src[ci];
            for (int o = 0; o < c.Cout; o++) acc[o] += v * wk[(size_t)ci * c.Cout + o];
          }
        }
      }
      float* dst = c.y + (((size_t)n * c.H + r) * c.W + col) * c.Cout;
      for (int o = 0; o < c.Cout; o++) {
        float v = acc[o];
        if (c.act == 1) v = v > 0.f ? v : 0.f;
        else if (c.act == 2) v = v > 0.f ? v : 0.01f * v;
        dst[o] = v;
      }
    }
  }
}

void run(const Conv& c) {
  void (*fn)(const Conv&, int, int) =
      c.Cout == 1 ? conv_rows<1> : c.Cout == 16 ? conv_rows<16> : c.Cout == 32 ? conv_rows<32> : c.Cout == 64 ? conv_rows<64> : conv_rows_any;
  const int rows = c.N * c.H;
  const int T = std::min(thread_count(), rows);
  if (T <= 1) { fn(c, 0, rows); return; }
  std::vector<std::thread> ts;
  // Interleaved blocks of rows keep the threads balanced.
  const int block = std::max(1, rows / (T * 8));
  std::vector<std::pair<int, int>> chunks;
  for (int s = 0; s < rows; s += block) chunks.push_back({s, std::min(rows, s + block)});
  for (int t = 0; t < T; t++) {
    ts.emplace_back([&, t]() { for (size_t k = t; k < chunks.size(); k += T) fn(c, chunks[k].first, chunks[k].second); });
  }
  for (auto& th : ts) th.join();
}

bool f32(napi_env env, napi_value v, float** p, size_t* n, const char* name, bool nullable = false) {
  napi_valuetype vt; napi_typeof(env, v, &vt);
  if (nullable && (vt == napi_null || vt == napi_undefined)) { *p = nullptr; *n = 0; return true; }
  return get_typed(env, v, napi_float32_array, *p, *n, (std::string("conv2d: ") + name).c_str());
}

bool i32(napi_env env, napi_value v, int* out, const char* name, int lo) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok || !(d >= lo && d < 2147483648.0 && std::floor(d) == d)) {
    napi_throw_range_error(env, nullptr, (std::string("conv2d: ") + name + " must be an integer ≥ " + std::to_string(lo)).c_str());
    return false;
  }
  *out = (int)d; return true;
}

// conv2d(x, N, H, W, Cin, w, K, Cout, bias|null, pad (0 zero, 1 reflect), act (0 none, 1 relu, 2 leaky 0.01), y)
napi_value Conv2d(napi_env env, napi_callback_info info) {
  napi_value a[12];
  if (get_argv(env, info, a, 12) != 12) { napi_throw_type_error(env, nullptr, "conv2d: expected 12 arguments"); return nullptr; }
  Conv c; float *x, *w, *b, *y; size_t nx, nw, nb, ny;
  if (!f32(env, a[0], &x, &nx, "x") || !i32(env, a[1], &c.N, "N", 1) || !i32(env, a[2], &c.H, "H", 1) || !i32(env, a[3], &c.W, "W", 1)
      || !i32(env, a[4], &c.Cin, "Cin", 1) || !f32(env, a[5], &w, &nw, "w") || !i32(env, a[6], &c.K, "K", 1) || !i32(env, a[7], &c.Cout, "Cout", 1)
      || !f32(env, a[8], &b, &nb, "bias", true) || !i32(env, a[9], &c.pad, "pad", 0) || !i32(env, a[10], &c.act, "act", 0) || !f32(env, a[11], &y, &ny, "y")) return nullptr;
  const size_t hw = (size_t)c.H * c.W;
  std::string err;
  if (c.K % 2 != 1) err = "K must be odd";
  else if (nx != (size_t)c.N * hw * c.Cin) err = "x has " + std::to_string(nx) + " values, expected N·H·W·Cin";
  else if (nw != (size_t)c.K * c.K * c.Cin * c.Cout) err = "w has " + std::to_string(nw) + " values, expected K·K·Cin·Cout";
  else if (b && nb != (size_t)c.Cout) err = "bias has " + std::to_string(nb) + " values, expected Cout";
  else if (ny != (size_t)c.N * hw * c.Cout) err = "y has " + std::to_string(ny) + " values, expected N·H·W·Cout";
  else if (c.pad == 1 && (c.H <= c.K / 2 || c.W <= c.K / 2)) err = "reflection padding by " + std::to_string(c.K / 2) + " needs H, W > " + std::to_string(c.K / 2);
  else if (c.pad > 1 || c.act > 2) err = "pad must be 0/1 and act 0/1/2";
  if (!err.empty()) { napi_throw_range_error(env, nullptr, ("conv2d: " + err).c_str()); return nullptr; }
  c.x = x; c.w = w; c.b = b; c.y = y;
  const int R = c.K / 2;
  auto map = [&](int n, std::vector<int>& m) {
    m.resize(n + 2 * R);
    for (int k = 0; k < n + 2 * R; k++) {
      int s = k - R;
      if (s < 0 || s >= n) s = c.pad == 1 ? (s < 0 ? -s : 2 * (n - 1) - s) : -1;
      m[k] = s;
    }
  };
  map(c.H, c.rowmap); map(c.W, c.colmap);
  run(c);
  return nullptr;
}

napi_value Init(napi_env env, napi_value exports) {
  def(env, exports, "conv2d", Conv2d);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
