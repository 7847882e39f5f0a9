// Native CPU kernels for AUIF (Zhao et al., TCSVT 2021): the exact x⁰ filters and the unrolled
// layer operator A(x) = K̃ ∗ pad₁(K ∗ pad₁(x)) in its 5×5 + exact-ring form, fused with BN (eval),
// PReLU and the gradient-step update; plus the two vector–Jacobian products training needs.
//
// Conventions (see lib/kernels/native.ts, which documents each entry point):
//  - images are float32 planes, n × h × w, row-major; the batch index is outermost;
//  - correlate_reflect reproduces PyTorch/oneDNN's float32 rounding: taps in row-major order,
//    each multiply-add one fused float32 rounding (fmaf);
//  - the operator's interior is Σ_d w[d]·x̄[p+d] (x̄ = reflect-pad₂ x) accumulated in double;
//    its outer ring is Σ_{q,t} M[q][t]·x[r(r(p+q−1)+t−1)] in double, M[q][t] = Σ_c K_c[8−q]·K_c[t];
//  - elementwise float32 arithmetic is not contracted (built with -ffp-contract=off), so each
//    operation rounds like tfjs's separate kernels.
#include <node_api.h>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>
#include <algorithm>
#include <functional>
#include <string>
#include <exception>
#include <new>
#include "napi_glue.h"
#include "parallel.h"
#include "simd.h"

namespace {

constexpr int kBlock = 256;  // columns per cache block
constexpr int kVec = 32;     // float32 outputs per register block (x⁰)

inline int refl(int i, int n) { return i < 0 ? -i : (i >= n ? 2 * n - 2 - i : i); }

// y = kernel ⋆ reflectpad(x, k/2) for rows [r0, r1) of one plane, oneDNN rounding.
template <int ISA>
AUIF_INLINE void correlate_rows_impl(const float* x, int h, int w, const float* kern, int k, float* y, int r0, int r1) {
  const int p = k / 2, wp = w + 2 * p;
  std::vector<float> rows((size_t)k * wp);
  for (int r = r0; r < r1; r++) {
    for (int i = 0; i < k; i++) {
      const float* src = x + (size_t)refl(r + i - p, h) * w;
      float* dst = rows.data() + (size_t)i * wp;
      for (int c = 0; c < wp; c++) dst[c] = src[refl(c - p, w)];
    }
    float* out = y + (size_t)r * w;
    // Register blocks of kVec outputs: each accumulates its k² taps in row-major order (the
    // rounding sequence of every pixel is unchanged), without reloading the partial sums.
    int c0 = 0;
    for (; c0 + kVec <= w; c0 += kVec) {
      float acc[kVec] = {0};
      for (int i = 0; i < k; i++) {
        const float* row = rows.data() + (size_t)i * wp + c0;
        for (int j = 0; j < k; j++) {
          const float wij = kern[i * k + j];
          const float* s = row + j;
          for (int v = 0; v < kVec; v++) acc[v] = std::fmaf(wij, s[v], acc[v]);
        }
      }
      std::memcpy(out + c0, acc, sizeof acc);
    }
    for (int c = c0; c < w; c++) {
      float acc = 0;
      for (int i = 0; i < k; i++) for (int j = 0; j < k; j++) acc = std::fmaf(kern[i * k + j], rows[(size_t)i * wp + c + j], acc);
      out[c] = acc;
    }
  }
}

AUIF_DISPATCH(void, correlate_rows, (const float* x, int h, int w, const float* kern, int k, float* y, int r0, int r1), (x, h, w, kern, k, y, r0, r1))

// A(x) on the outer ring pixel (r, c): the two-convolution form, in double.
inline double ring_value(const float* x, int h, int w, const double* M, int r, int c) {
  double acc = 0;
  for (int qi = 0; qi < 3; qi++) {
    const int ur = refl(r + qi - 1, h);
    for (int qj = 0; qj < 3; qj++) {
      const int uc = refl(c + qj - 1, w);
      const double* m = M + (qi * 3 + qj) * 9;
      for (int ti = 0; ti < 3; ti++) {
        const float* xr = x + (size_t)refl(ur + ti - 1, h) * w;
        for (int tj = 0; tj < 3; tj++) acc += m[ti * 3 + tj] * (double)xr[refl(uc + tj - 1, w)];
      }
    }
  }
  return acc;
}

// acc[c] = A(x)[r, c] for c = 1 … w−2 of an interior row r (1 ≤ r ≤ h−2), in double.
template <int ISA>
AUIF_INLINE void interior_row_impl(const float* x, int h, int w, const double* w5, int r, double* acc, float* pad) {
  // pad: 5 rows of w + 4 (reflect-pad 2).
  const int wp = w + 4;
  for (int i = 0; i < 5; i++) {
    const float* src = x + (size_t)refl(r + i - 2, h) * w;
    float* dst = pad + (size_t)i * wp;
    dst[0] = src[refl(-2, w)]; dst[1] = src[refl(-1, w)];
    std::memcpy(dst + 2, src, sizeof(float) * w);
    dst[w + 2] = src[refl(w, w)]; dst[w + 3] = src[refl(w + 1, w)];
  }
  std::fill(acc, acc + w, 0.0);
  for (int c0 = 0; c0 < w; c0 += kBlock) {
    const int c1 = std::min(w, c0 + kBlock);
    for (int i = 0; i < 5; i++) {
      const float* row = pad + (size_t)i * wp;
      for (int j = 0; j < 5; j++) {
        const double wij = w5[i * 5 + j];
        const float* s = row + j;  // output c reads pad[c + j] for c = 0…w−1
        for (int c = c0; c < c1; c++) acc[c] += wij * (double)s[c];
      }
    }
  }
}

AUIF_DISPATCH(void, interior_row, (const float* x, int h, int w, const double* w5, int r, double* acc, float* pad), (x, h, w, w5, r, acc, pad))

// Computes the full row r of A(x) (ring pixels exact) into acc (double).
void operator_row(const float* x, int h, int w, const double* w5, const double* M, int r, double* acc, float* pad) {
  if (r == 0 || r == h - 1) {
    for (int c = 0; c < w; c++) acc[c] = ring_value(x, h, w, M, r, c);
    return;
  }
  interior_row(x, h, w, w5, r, acc, pad);
  acc[0] = ring_value(x, h, w, M, r, 0);
  acc[w - 1] = ring_value(x, h, w, M, r, w - 1);
}

// ---------------------------------------------------------------------------------------------
// N-API glue

std::string shape_msg(const char* what, size_t len, double n, double h, double w) {
  return std::string(what) + " has " + std::to_string(len) + " values, expected n·h·w = " + std::to_string((long long)n) + "·" +
         std::to_string((long long)h) + "·" + std::to_string((long long)w) + " = " + std::to_string((long long)(n * h * w));
}
// correlateReflect(x, n, h, w, kernel, k, out)
napi_value CorrelateReflect(napi_env env, napi_callback_info info) {
  AUIF_ARGS(7);
  F32 x, kern, out; double n, h, w, k;
  if (!get_f32(env, argv[0], x, "x") || !get_dim(env, argv[1], n, "n") || !get_dim(env, argv[2], h, "h") ||
      !get_dim(env, argv[3], w, "w") || !get_f32(env, argv[4], kern, "kernel") || !get_dim(env, argv[5], k, "k") ||
      !get_f32(env, argv[6], out, "out")) return nullptr;
  const int N = (int)n, H = (int)h, W = (int)w, Kk = (int)k;
  const size_t plane = (size_t)H * W;
  if (!check(env, x.n == (size_t)N * plane, shape_msg("correlateReflect: x", x.n, n, h, w)) || !check(env, out.n == x.n, shape_msg("correlateReflect: out", out.n, n, h, w)) ||
      !check(env, kern.n == (size_t)Kk * Kk && Kk % 2 == 1, "correlateReflect: kernel is not k×k, k odd") ||
      !check(env, Kk / 2 < H && Kk / 2 < W, "correlateReflect: a " + std::to_string(Kk) + "×" + std::to_string(Kk) + " kernel needs an image larger than " + std::to_string(Kk / 2) + "×" + std::to_string(Kk / 2) + ", got " + std::to_string(H) + "×" + std::to_string(W) + " (h×w)")) return nullptr;
  parallel_for((int64_t)N * H, 8, [&](int64_t b, int64_t e) {
    for (int64_t g = b; g < e;) {
      const int img = (int)(g / H), r0 = (int)(g % H);
      const int r1 = (int)std::min<int64_t>(H, r0 + (e - g));
      correlate_rows(x.p + img * plane, H, W, kern.p, Kk, out.p + img * plane, r0, r1);
      g += r1 - r0;
    }
  });
  return nullptr;
}

struct LayerArgs {
  F32 x; int N = 0, H = 0, W = 0; F64 w5, M;
};

bool get_layer(napi_env env, napi_value* argv, LayerArgs& a) {
  double n, h, w;
  if (!get_f32(env, argv[0], a.x, "x") || !get_dim(env, argv[1], n, "n") || !get_dim(env, argv[2], h, "h") ||
      !get_dim(env, argv[3], w, "w") || !get_f64(env, argv[4], a.w5, "w5") || !get_f64(env, argv[5], a.M, "M")) return false;
  a.N = (int)n; a.H = (int)h; a.W = (int)w;
  return check(env, a.x.n == (size_t)a.N * a.H * a.W, shape_msg("x", a.x.n, n, h, w)) &&
         check(env, a.w5.n == 25 && a.M.n == 81, "w5 must have 25 and M 81 values") &&
         check(env, a.H >= 3 && a.W >= 3, "the operator needs images of at least 3×3, got " + std::to_string(a.H) + "×" + std::to_string(a.W));
}

// operatorForward(x, n, h, w, w5, M, out): out = A(x)
napi_value OperatorForward(napi_env env, napi_callback_info info) {
  AUIF_ARGS(7);
  LayerArgs a; F32 out;
  if (!get_layer(env, argv, a) || !get_f32(env, argv[6], out, "out")) return nullptr;
  if (!check(env, out.n == a.x.n, shape_msg("out", out.n, a.N, a.H, a.W))) return nullptr;
  const size_t plane = (size_t)a.H * a.W;
  parallel_for((int64_t)a.N * a.H, 8, [&](int64_t b, int64_t e) {
    std::vector<double> acc(a.W); std::vector<float> pad(5 * (size_t)(a.W + 4));
    for (int64_t g = b; g < e; g++) {
      const int img = (int)(g / a.H), r = (int)(g % a.H);
      operator_row(a.x.p + img * plane, a.H, a.W, a.w5.p, a.M.p, r, acc.data(), pad.data());
      float* o = out.p + img * plane + (size_t)r * a.W;
      for (int c = 0; c < a.W; c++) o[c] = (float)acc[c];
    }
  });
  return nullptr;
}

// layerEval(x, n, h, w, w5, M, I, coef: Float32Array[6] = [bnA, bnB, alpha, eta, theta, _], out)
//   z = fl(A(x));  y = fl(fl(z·bnA) + bnB);  g = y < 0 ? fl(alpha·y) : y;
//   out = fl(x − fl(eta · fl(g − fl(theta · fl(I − x)))))
napi_value LayerEval(napi_env env, napi_callback_info info) {
  AUIF_ARGS(9);
  LayerArgs a; F32 I, coef, out;
  if (!get_layer(env, argv, a) || !get_f32(env, argv[6], I, "I") || !get_f32(env, argv[7], coef, "coef") ||
      !get_f32(env, argv[8], out, "out")) return nullptr;
  if (!check(env, I.n == a.x.n, shape_msg("I", I.n, a.N, a.H, a.W)) || !check(env, out.n == a.x.n, shape_msg("out", out.n, a.N, a.H, a.W)) || !check(env, coef.n >= 5, "coef needs 5 values")) return nullptr;
  const float bnA = coef.p[0], bnB = coef.p[1], alpha = coef.p[2], eta = coef.p[3], theta = coef.p[4];
  const size_t plane = (size_t)a.H * a.W;
  parallel_for((int64_t)a.N * a.H, 8, [&](int64_t b, int64_t e) {
    std::vector<double> acc(a.W); std::vector<float> pad(5 * (size_t)(a.W + 4));
    for (int64_t g = b; g < e; g++) {
      const int img = (int)(g / a.H), r = (int)(g % a.H);
      const size_t o = img * plane + (size_t)r * a.W;
      operator_row(a.x.p + img * plane, a.H, a.W, a.w5.p, a.M.p, r, acc.data(), pad.data());
      const float* xr = a.x.p + o; const float* Ir = I.p + o; float* outr = out.p + o;
      for (int c = 0; c < a.W; c++) {
        const float z = (float)acc[c];
        const float za = z * bnA;
        const float y = za + bnB;
        const float gg = y < 0.0f ? alpha * y : y;
        const float d = Ir[c] - xr[c];
        const float td = theta * d;
        const float s = gg - td;
        const float es = eta * s;
        outr[c] = xr[c] - es;
      }
    }
  });
  return nullptr;
}

// Aᵀg for one image (operatorVjpX below); gp, dp: (H + 4)·(W + 4) scratch.
template <int ISA>
AUIF_INLINE void vjp_x_image_impl(const float* g, int H, int W, const double* w5, const double* M, double* gp, double* dp, float* o) {
  const int Hp = H + 4, Wp = W + 4;
  const size_t plane = (size_t)H * W;
  // G zero-padded by 4 would be needed for a full correlation; instead scatter-free gather:
  // dp[u] = Σ_d w[d]·G[u − d] over pad₂ coordinates u = p + d (p interior, |d| ≤ 2).
  std::fill(gp, gp + (size_t)Hp * Wp, 0.0);
  for (int r = 1; r < H - 1; r++) for (int c = 1; c < W - 1; c++) gp[(size_t)(r + 2) * Wp + (c + 2)] = g[(size_t)r * W + c];
  std::fill(dp, dp + (size_t)Hp * Wp, 0.0);
  for (int ur = 0; ur < Hp; ur++) {
    double* drow = dp + (size_t)ur * Wp;
    for (int i = 0; i < 5; i++) {
      const int gr = ur - (i - 2);  // G row (in pad₂ coords) contributing with tap (i, j)
      if (gr < 0 || gr >= Hp) continue;
      const double* grow = gp + (size_t)gr * Wp;
      for (int j = 0; j < 5; j++) {
        const double wij = w5[i * 5 + j];
        const int dj = j - 2;
        const int c0 = std::max(0, dj), c1 = std::min(Wp, Wp + dj);
        for (int uc = c0; uc < c1; uc++) drow[uc] += wij * grow[uc - dj];
      }
    }
  }
  // fold pad₂ back onto the image (adjoint of reflect padding), then add the ring scatter.
  std::vector<double> dx(plane, 0.0);
  for (int ur = 0; ur < Hp; ur++) {
    const int r = refl(ur - 2, H);
    for (int uc = 0; uc < Wp; uc++) dx[(size_t)r * W + refl(uc - 2, W)] += dp[(size_t)ur * Wp + uc];
  }
  auto ring = [&](int r, int c) {
    const double gv = g[(size_t)r * W + c];
    if (gv == 0) return;
    for (int qi = 0; qi < 3; qi++) {
      const int ur = refl(r + qi - 1, H);
      for (int qj = 0; qj < 3; qj++) {
        const int uc = refl(c + qj - 1, W);
        const double* m = M + (qi * 3 + qj) * 9;
        for (int ti = 0; ti < 3; ti++) {
          double* dr = dx.data() + (size_t)refl(ur + ti - 1, H) * W;
          for (int tj = 0; tj < 3; tj++) dr[refl(uc + tj - 1, W)] += m[ti * 3 + tj] * gv;
        }
      }
    }
  };
  for (int c = 0; c < W; c++) { ring(0, c); ring(H - 1, c); }
  for (int r = 1; r < H - 1; r++) { ring(r, 0); ring(r, W - 1); }
  for (size_t i = 0; i < plane; i++) o[i] = (float)dx[i];
}
AUIF_DISPATCH(void, vjp_x_image, (const float* g, int H, int W, const double* w5, const double* M, double* gp, double* dp, float* o), (g, H, W, w5, M, gp, dp, o))

// operatorVjpX(g, n, h, w, w5, M, out): out = Aᵀ g.
//   interior: out = fold₂(w ⋆ G) with G = g on interior pixels (ring zeroed), w symmetric;
//   ring:     out[r(r(p+q−1)+t−1)] += M[q][t]·g[p].
napi_value OperatorVjpX(napi_env env, napi_callback_info info) {
  AUIF_ARGS(7);
  LayerArgs a; F32 out;
  if (!get_layer(env, argv, a) || !get_f32(env, argv[6], out, "out")) return nullptr;
  if (!check(env, out.n == a.x.n, shape_msg("out", out.n, a.N, a.H, a.W))) return nullptr;
  const int H = a.H, W = a.W, Hp = H + 4, Wp = W + 4;
  const size_t plane = (size_t)H * W;
  const double* w5 = a.w5.p; const double* M = a.M.p;
  parallel_for(a.N, 1, [&](int64_t b, int64_t e) {
    std::vector<double> gp((size_t)Hp * Wp), dp((size_t)Hp * Wp);
    for (int64_t img = b; img < e; img++) {
      vjp_x_image(a.x.p + img * plane, H, W, w5, M, gp.data(), dp.data(), out.p + img * plane);
    }
  });
  return nullptr;
}

// operatorVjpW(g, n, h, w, x, dw5: Float64Array[25], dM: Float64Array[81]):
//   dw5[d] = Σ_{p interior} g[p]·x̄[p+d];   dM[q][t] = Σ_{p ring} g[p]·x[r(r(p+q−1)+t−1)]
napi_value OperatorVjpW(napi_env env, napi_callback_info info) {
  AUIF_ARGS(7);
  F32 g, x; F64 dw, dM; double n, h, w;
  if (!get_f32(env, argv[0], g, "g") || !get_dim(env, argv[1], n, "n") || !get_dim(env, argv[2], h, "h") ||
      !get_dim(env, argv[3], w, "w") || !get_f32(env, argv[4], x, "x") || !get_f64(env, argv[5], dw, "dw5") ||
      !get_f64(env, argv[6], dM, "dM")) return nullptr;
  const int N = (int)n, H = (int)h, W = (int)w;
  const size_t plane = (size_t)H * W;
  if (!check(env, g.n == (size_t)N * plane, shape_msg("g", g.n, n, h, w)) || !check(env, x.n == g.n, shape_msg("x", x.n, n, h, w)) || !check(env, dw.n == 25 && dM.n == 81, "dw5 needs 25 and dM 81 values") ||
      !check(env, H >= 3 && W >= 3, "the operator needs images of at least 3×3, got " + std::to_string(H) + "×" + std::to_string(W))) return nullptr;
  // Partial sums per fixed block of rows, reduced in block order: the result does not depend on
  // the number of threads (a resumed run reproduces a run on another machine bit for bit).
  constexpr int64_t kRows = 16;
  const int64_t total = (int64_t)N * H;
  const int64_t blocks = (total + kRows - 1) / kRows;
  std::vector<double> parts((size_t)blocks * 106, 0.0);
  const int Wp = W + 4;
  parallel_for(blocks, 1, [&](int64_t b0, int64_t b1) {
    std::vector<float> pad(5 * (size_t)Wp);
    for (int64_t blk = b0; blk < b1; blk++) {
      double* pw = parts.data() + (size_t)blk * 106; double* pm = pw + 25;
      for (int64_t gi = blk * kRows; gi < std::min(total, (blk + 1) * kRows); gi++) {
        const int img = (int)(gi / H), r = (int)(gi % H);
        const float* xi = x.p + img * plane; const float* gr = g.p + img * plane + (size_t)r * W;
        auto ring = [&](int c) {
          const double gv = gr[c];
          if (gv == 0) return;
          for (int qi = 0; qi < 3; qi++) {
            const int ur = refl(r + qi - 1, H);
            for (int qj = 0; qj < 3; qj++) {
              const int uc = refl(c + qj - 1, W);
              double* m = pm + (qi * 3 + qj) * 9;
              for (int ti = 0; ti < 3; ti++) {
                const float* xr = xi + (size_t)refl(ur + ti - 1, H) * W;
                for (int tj = 0; tj < 3; tj++) m[ti * 3 + tj] += gv * (double)xr[refl(uc + tj - 1, W)];
              }
            }
          }
        };
        if (r == 0 || r == H - 1) { for (int c = 0; c < W; c++) ring(c); continue; }
        ring(0); ring(W - 1);
        for (int i = 0; i < 5; i++) {
          const float* src = xi + (size_t)refl(r + i - 2, H) * W;
          float* dst = pad.data() + (size_t)i * Wp;
          dst[0] = src[refl(-2, W)]; dst[1] = src[refl(-1, W)];
          std::memcpy(dst + 2, src, sizeof(float) * W);
          dst[W + 2] = src[refl(W, W)]; dst[W + 3] = src[refl(W + 1, W)];
        }
        for (int i = 0; i < 5; i++) for (int j = 0; j < 5; j++) {
          const float* sp = pad.data() + (size_t)i * Wp + j;
          double acc = 0;
          for (int c = 1; c < W - 1; c++) acc += (double)gr[c] * (double)sp[c];
          pw[i * 5 + j] += acc;
        }
      }
    }
  });
  std::fill(dw.p, dw.p + 25, 0.0); std::fill(dM.p, dM.p + 81, 0.0);
  for (int64_t blk = 0; blk < blocks; blk++) {
    for (int i = 0; i < 25; i++) dw.p[i] += parts[(size_t)blk * 106 + i];
    for (int i = 0; i < 81; i++) dM.p[i] += parts[(size_t)blk * 106 + 25 + i];
  }
  return nullptr;
}

// decoderEval(B, D, n, h, w, W: Float32Array[9], coef: Float32Array[2] = [bnA, bnB], out):
//   s = fl(B + D);  z = fl(Σ_t W[t]·s̄[p + t]) (s̄ = reflectpad₁ s, summed in double);
//   y = fl(fl(z·bnA) + bnB);  out = fl(1 / (1 + e^(−y)))
napi_value DecoderEval(napi_env env, napi_callback_info info) {
  AUIF_ARGS(8);
  F32 B, D, Wk, coef, out; double n, h, w;
  if (!get_f32(env, argv[0], B, "B") || !get_f32(env, argv[1], D, "D") || !get_dim(env, argv[2], n, "n") ||
      !get_dim(env, argv[3], h, "h") || !get_dim(env, argv[4], w, "w") || !get_f32(env, argv[5], Wk, "W") ||
      !get_f32(env, argv[6], coef, "coef") || !get_f32(env, argv[7], out, "out")) return nullptr;
  const int N = (int)n, H = (int)h, W = (int)w;
  const size_t plane = (size_t)H * W;
  if (!check(env, B.n == (size_t)N * plane, shape_msg("B", B.n, n, h, w)) || !check(env, D.n == B.n, shape_msg("D", D.n, n, h, w)) || !check(env, out.n == B.n, shape_msg("out", out.n, n, h, w)) ||
      !check(env, Wk.n == 9 && coef.n >= 2, "W needs 9 values and coef 2") || !check(env, H >= 2 && W >= 2, "the decoder needs images of at least 2×2")) return nullptr;
  const float bnA = coef.p[0], bnB = coef.p[1];
  parallel_for((int64_t)N * H, 8, [&](int64_t b, int64_t e) {
    std::vector<float> rows(3 * (size_t)(W + 2));
    const int Wp = W + 2;
    for (int64_t g = b; g < e; g++) {
      const int img = (int)(g / H), r = (int)(g % H);
      const size_t base = img * plane;
      for (int i = 0; i < 3; i++) {
        const size_t o = base + (size_t)refl(r + i - 1, H) * W;
        float* dst = rows.data() + (size_t)i * Wp;
        for (int c = 0; c < Wp; c++) { const size_t k = o + refl(c - 1, W); dst[c] = B.p[k] + D.p[k]; }
      }
      float* orow = out.p + base + (size_t)r * W;
      for (int c = 0; c < W; c++) {
        double acc = 0;
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) acc += (double)Wk.p[i * 3 + j] * (double)rows[(size_t)i * Wp + c + j];
        const float z = (float)acc;
        const float za = z * bnA;
        const float y = za + bnB;
        orow[c] = (float)(1.0 / (1.0 + std::exp(-(double)y)));
      }
    }
  });
  return nullptr;
}

// filterValid's row pass (rows [y0, y1) of src → tmp) and column pass (output rows [y0, y1)),
// the folded sums k_c·x_c + Σ_{i<c} k_i·(x_i + x_{n−1−i}) added left to right (see below).
template <int ISA>
AUIF_INLINE void filter_rows_impl(const double* src, const double* src2, int W, const double* kk, int n, int S, int ow, double* tmp, double* row, int64_t y0, int64_t y1) {
  const int c = (n - 1) / 2;
  const double kc = kk[c];
  for (int64_t y = y0; y < y1; y++) {
    const double* s = src + (size_t)y * W;
    if (src2) {  // the row of src·src2 (lib/metrics/filters.ts multiplyInto)
      const double* s2 = src2 + (size_t)y * W;
      for (int x = 0; x < W; x++) row[x] = s[x] * s2[x];
      s = row;
    }
    double* d = tmp + (size_t)y * ow;
    if (S == 1) {
      for (int x = 0; x < ow; x++) d[x] = kc * s[x + c];
      for (int i = 0; i < c; i++) {
        const double ki = kk[i]; const double* a = s + i; const double* b = s + n - 1 - i;
        for (int x = 0; x < ow; x++) d[x] += ki * (a[x] + b[x]);
      }
    } else {
      for (int x = 0; x < ow; x++) {
        const double* b = s + (size_t)x * S;
        double acc = kc * b[c];
        for (int i = 0; i < c; i++) acc += kk[i] * (b[i] + b[n - 1 - i]);
        d[x] = acc;
      }
    }
  }
}
AUIF_DISPATCH(void, filter_rows, (const double* src, const double* src2, int W, const double* kk, int n, int S, int ow, double* tmp, double* row, int64_t y0, int64_t y1), (src, src2, W, kk, n, S, ow, tmp, row, y0, y1))

template <int ISA>
AUIF_INLINE void filter_cols_impl(const double* tmpp, const double* kk, int n, int S, int ow, double* outp, int64_t y0, int64_t y1) {
  const int c = (n - 1) / 2;
  const double kc = kk[c];
  for (int64_t y = y0; y < y1; y++) {
    const double* t = tmpp + (size_t)S * y * ow;
    double* d = outp + (size_t)y * ow;
    const double* mid = t + (size_t)c * ow;
    for (int x = 0; x < ow; x++) d[x] = kc * mid[x];
    for (int i = 0; i < c; i++) {
      const double ki = kk[i]; const double* a = t + (size_t)i * ow; const double* b = t + (size_t)(n - 1 - i) * ow;
      for (int x = 0; x < ow; x++) d[x] += ki * (a[x] + b[x]);
    }
  }
}
AUIF_DISPATCH(void, filter_cols, (const double* tmpp, const double* kk, int n, int S, int ow, double* outp, int64_t y0, int64_t y1), (tmpp, kk, n, S, ow, outp, y0, y1))

// filterValid(src, w, h, k, out, tmp, step[, src2]): separable 'valid' filtering in double (of
// src·src2, the products formed per row, when src2 is given) (the metrics'
// Gaussian windows, lib/metrics/filters.ts): tmp = rows of src filtered at every step-th column,
// out = every step-th row of tmp filtered down the columns. Each output is the folded sum
//   k_c·x_c + Σ_{i<c} k_i·(x_i + x_{n−1−i}),  added left to right,
// exactly the JavaScript kernels' operation order (no contraction), so the results are the same
// bits; vectorised across outputs and split over threads by rows.
napi_value FilterValid(napi_env env, napi_callback_info info) {
  napi_value argv[8];
  const size_t argc = get_argv(env, info, argv, 8);
  if (argc < 7) { throw_type(env, "expected 7 arguments"); return nullptr; }
  F64 src, k, out, tmp; double w, h, step;
  if (!get_f64(env, argv[0], src, "src") || !get_dim(env, argv[1], w, "w") || !get_dim(env, argv[2], h, "h") ||
      !get_f64(env, argv[3], k, "k") || !get_f64(env, argv[4], out, "out") || !get_f64(env, argv[5], tmp, "tmp") ||
      !get_dim(env, argv[6], step, "step")) return nullptr;
  const int W = (int)w, H = (int)h, S = (int)step, n = (int)k.n;
  if (!check(env, n % 2 == 1, "filterValid: kernel length " + std::to_string(n) + " is not odd") ||
      !check(env, S >= 1, "filterValid: step must be at least 1") ||
      !check(env, W >= n && H >= n, "filterValid: a " + std::to_string(n) + "-tap window does not fit " + std::to_string(W) + "×" + std::to_string(H)) ||
      !check(env, src.n >= (size_t)W * H, "filterValid: src has " + std::to_string(src.n) + " values, expected w·h = " + std::to_string((size_t)W * H))) return nullptr;
  const int ow = (W - n + 1 + S - 1) / S, oh = (H - n + 1 + S - 1) / S, c = (n - 1) / 2;
  if (!check(env, tmp.n >= (size_t)H * ow, "filterValid: tmp needs " + std::to_string((size_t)H * ow) + " values") ||
      !check(env, out.n >= (size_t)ow * oh, "filterValid: out needs " + std::to_string((size_t)ow * oh) + " values")) return nullptr;
  const double* kk = k.p;
  (void)c;
  F64 src2;
  bool two = false;
  if (argc >= 8) {
    napi_valuetype t; napi_typeof(env, argv[7], &t);
    if (t != napi_undefined && t != napi_null) {
      if (!get_f64(env, argv[7], src2, "src2") || !check(env, src2.n >= (size_t)W * H, "filterValid: src2 needs w·h values")) return nullptr;
      two = true;
    }
  }
  parallel_for(H, 32, [&](int64_t y0, int64_t y1) {
    std::vector<double> row(two ? (size_t)W : 0);
    filter_rows(src.p, two ? src2.p : nullptr, W, kk, n, S, ow, tmp.p, row.data(), y0, y1);
  });
  parallel_for(oh, 16, [&](int64_t y0, int64_t y1) { filter_cols(tmp.p, kk, n, S, ow, out.p, y0, y1); });
  return nullptr;
}

// qabfEdges(p, w, h, scale, g, a): Xydeas–Petrović edge maps (lib/metrics/qabf.ts `edges`): Sobel
// responses with MATLAB conv2 'same' semantics (zero border), g = √(gx² + gy²)·scale,
// a = π/2 where gx = 0, else atan(gy/gx). gx, gy and g are the JavaScript loop's bits; atan is
// the C library's (within an ulp of V8's).
napi_value QabfEdges(napi_env env, napi_callback_info info) {
  AUIF_ARGS(6);
  F64 p, g, a; double w, h, scale;
  if (!get_f64(env, argv[0], p, "p") || !get_dim(env, argv[1], w, "w") || !get_dim(env, argv[2], h, "h") ||
      !get_num(env, argv[3], scale, "scale") || !get_f64(env, argv[4], g, "g") || !get_f64(env, argv[5], a, "a")) return nullptr;
  const int W = (int)w, H = (int)h;
  const size_t n = (size_t)W * H;
  if (!check(env, p.n >= n && g.n >= n && a.n >= n, "qabfEdges: p, g and a need w·h = " + std::to_string(n) + " values")) return nullptr;
  const double* P = p.p;
  auto at = [&](int y, int x) -> double { return y < 0 || y >= H || x < 0 || x >= W ? 0.0 : P[(size_t)y * W + x]; };
  parallel_for(H, 16, [&](int64_t y0, int64_t y1) {
    for (int64_t yy = y0; yy < y1; yy++) {
      const int y = (int)yy;
      for (int x = 0; x < W; x++) {
        double gx, gy;
        if (y >= 1 && y < H - 1 && x >= 1 && x < W - 1) {
          const double* r = P + (size_t)y * W; const double* u = r - W; const double* d = r + W;
          const double uL = u[x - 1], uR = u[x + 1], dL = d[x - 1], dR = d[x + 1];
          gx = uL + 2 * r[x - 1] + dL - (uR + 2 * r[x + 1] + dR);
          gy = dL + 2 * d[x] + dR - (uL + 2 * u[x] + uR);
        } else {
          const double uL = at(y - 1, x - 1), uR = at(y - 1, x + 1), dL = at(y + 1, x - 1), dR = at(y + 1, x + 1);
          gx = uL + 2 * at(y, x - 1) + dL - (uR + 2 * at(y, x + 1) + dR);
          gy = dL + 2 * at(y + 1, x) + dR - (uL + 2 * at(y - 1, x) + uR);
        }
        const size_t i = (size_t)y * W + x;
        g.p[i] = std::sqrt(gx * gx + gy * gy) * scale;
        a.p[i] = gx == 0 ? 1.5707963267948966 : std::atan(gy / gx);
      }
    }
  });
  return nullptr;
}

// qabfPreservation(gS, aS, gF, aF, n): Σ_i Q^{SF}_i·gS_i (lib/metrics/qabf.ts `weightedPreservation`),
// summed per fixed block of 4096 pixels, the blocks added in order (independent of the thread count).
napi_value QabfPreservation(napi_env env, napi_callback_info info) {
  AUIF_ARGS(5);
  F64 gS, aS, gF, aF; double nn;
  if (!get_f64(env, argv[0], gS, "gS") || !get_f64(env, argv[1], aS, "aS") || !get_f64(env, argv[2], gF, "gF") ||
      !get_f64(env, argv[3], aF, "aF") || !get_dim(env, argv[4], nn, "n")) return nullptr;
  const size_t n = (size_t)nn;
  if (!check(env, gS.n >= n && aS.n >= n && gF.n >= n && aF.n >= n, "qabfPreservation: every map needs n = " + std::to_string(n) + " values")) return nullptr;
  constexpr double TG = 0.9994, KG = -15, DG = 0.5, TA = 0.9879, KA = -22, DA = 0.8, HALF_PI = 1.5707963267948966;
  constexpr int64_t kBlk = 4096;
  const int64_t blocks = (int64_t)((n + kBlk - 1) / kBlk);
  std::vector<double> parts((size_t)blocks, 0.0);
  parallel_for(blocks, 4, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; b++) {
      double s = 0;
      const size_t e = std::min(n, (size_t)(b + 1) * kBlk);
      for (size_t i = (size_t)b * kBlk; i < e; i++) {
        const double gs = gS.p[i];
        if (gs == 0) continue;
        const double gf = gF.p[i];
        const double G = gs > gf ? gf / gs : gs < gf ? gs / gf : gf;
        const double A = 1 - std::fabs(aS.p[i] - aF.p[i]) / HALF_PI;
        const double q = (TG / (1 + std::exp(KG * (G - DG)))) * (TA / (1 + std::exp(KA * (A - DA))));
        s += q * gs;
      }
      parts[(size_t)b] = s;
    }
  });
  double total = 0;
  for (double v : parts) total += v;
  napi_value r; napi_create_double(env, total, &r); return r;
}

// vifSums(muD, dd, muR[], rr[], rd[], m, sigmaNsq, out: Float64Array[2k]): for each source j,
// out[2j] = Σ ln(1 + g²σ²_R/(σ²_v + σ²_n)), out[2j+1] = Σ ln(1 + σ²_R/σ²_n) over the m pixels, with
// vifp_mscale's clamping (lib/metrics/vif.ts `gain`) and the logs taken per product of 8 terms —
// the JavaScript loop's operations in its order (one source per thread; log is the C library's).
napi_value VifSums(napi_env env, napi_callback_info info) {
  AUIF_ARGS(8);
  F64 muD, dd, out; double m, nsq;
  if (!get_f64(env, argv[0], muD, "muD") || !get_f64(env, argv[1], dd, "dd") || !get_dim(env, argv[5], m, "m") ||
      !get_num(env, argv[6], nsq, "sigmaNsq") || !get_f64(env, argv[7], out, "out")) return nullptr;
  const size_t M = (size_t)m;
  std::vector<double*> muR, rr, rd;
  if (!check(env, muD.n >= M && dd.n >= M, "vifSums: muD and dd need m values") || !f64_list(env, argv[2], muR, M, "muR") ||
      !f64_list(env, argv[3], rr, M, "rr") || !f64_list(env, argv[4], rd, M, "rd")) return nullptr;
  const size_t K = muR.size();
  if (!check(env, rr.size() == K && rd.size() == K && out.n >= 2 * K, "vifSums: muR, rr, rd need the same length k and out 2k values")) return nullptr;
  constexpr double EPS = 1e-10;
  parallel_for((int64_t)K, 1, [&](int64_t j0, int64_t j1) {
    for (int64_t j = j0; j < j1; j++) {
      const double *mR = muR[(size_t)j], *rR = rr[(size_t)j], *rD = rd[(size_t)j];
      double sNum = 0, sDen = 0, pNum = 1, pDen = 1; int cnt = 0;
      for (size_t i = 0; i < M; i++) {
        const double mr = mR[i], md = muD.p[i];
        double s1 = rR[i] - mr * mr, s2 = dd.p[i] - md * md;
        const double s12 = rD[i] - mr * md;
        if (s1 < 0) s1 = 0;
        if (s2 < 0) s2 = 0;
        double g = s12 / (s1 + EPS), sv = s2 - g * s12;
        if (s1 < EPS) { g = 0; sv = s2; s1 = 0; }
        if (s2 < EPS) { g = 0; sv = 0; }
        if (g < 0) { sv = s2; g = 0; }
        if (sv <= EPS) sv = EPS;
        pNum *= 1 + (g * g * s1) / (sv + nsq);
        pDen *= 1 + s1 / nsq;
        if (++cnt == 8) { sNum += std::log(pNum); sDen += std::log(pDen); pNum = 1; pDen = 1; cnt = 0; }
      }
      out.p[2 * j] = sNum + std::log(pNum);
      out.p[2 * j + 1] = sDen + std::log(pDen);
    }
  });
  return nullptr;
}

// ssimSums(muB, bb, muA[], aa[], ab[], m, C1, C2, out: Float64Array[k]): out[j] = Σ of SSIM's
// per-window ratio (lib/metrics/ssim.ts) over the m windows, in the JavaScript loop's order
// (one source per thread), so the same bits.
napi_value SsimSums(napi_env env, napi_callback_info info) {
  AUIF_ARGS(9);
  F64 muB, bb, out; double m, C1, C2;
  if (!get_f64(env, argv[0], muB, "muB") || !get_f64(env, argv[1], bb, "bb") || !get_dim(env, argv[5], m, "m") ||
      !get_num(env, argv[6], C1, "C1") || !get_num(env, argv[7], C2, "C2") || !get_f64(env, argv[8], out, "out")) return nullptr;
  const size_t M = (size_t)m;
  std::vector<double*> muA, aa, ab;
  if (!check(env, muB.n >= M && bb.n >= M, "ssimSums: muB and bb need m values") || !f64_list(env, argv[2], muA, M, "muA") ||
      !f64_list(env, argv[3], aa, M, "aa") || !f64_list(env, argv[4], ab, M, "ab")) return nullptr;
  const size_t K = muA.size();
  if (!check(env, aa.size() == K && ab.size() == K && out.n >= K, "ssimSums: muA, aa, ab need the same length k and out k values")) return nullptr;
  parallel_for((int64_t)K, 1, [&](int64_t j0, int64_t j1) {
    for (int64_t j = j0; j < j1; j++) {
      const double *mA = muA[(size_t)j], *A2 = aa[(size_t)j], *AB = ab[(size_t)j];
      double s = 0;
      for (size_t i = 0; i < M; i++) {
        const double ma = mA[i], mb = muB.p[i], mab = ma * mb, ma2 = ma * ma, mb2 = mb * mb;
        s += ((2 * mab + C1) * (2 * (AB[i] - mab) + C2)) / ((ma2 + mb2 + C1) * (A2[i] - ma2 + (bb.p[i] - mb2) + C2));
      }
      out.p[j] = s;
    }
  });
  return nullptr;
}

}  // namespace

// The thread count every kernel of this addon uses: fuse_kernels.cc and metrics_kernels.cc call
// this (their own parallel.h thread_count() would keep a setting of its own, see parallel.h).
int auif_thread_count() { return thread_count(); }
void auif_register_fuse(napi_env env, napi_value exports);  // fuse_kernels.cc
napi_status auif_register_train_kernels(napi_env env, napi_value exports);  // native/train_kernels.cc
void auif_register_metrics(napi_env env, napi_value exports);  // native/metrics_kernels.cc

NAPI_MODULE_INIT() {
  auif_register_train_kernels(env, exports);
  def(env, exports, "correlateReflect", Guarded<CorrelateReflect>);
  def(env, exports, "operatorForward", Guarded<OperatorForward>);
  def(env, exports, "layerEval", Guarded<LayerEval>);
  def(env, exports, "operatorVjpX", Guarded<OperatorVjpX>);
  def(env, exports, "operatorVjpW", Guarded<OperatorVjpW>);
  def(env, exports, "decoderEval", Guarded<DecoderEval>);
  def(env, exports, "filterValid", Guarded<FilterValid>);
  def(env, exports, "qabfEdges", Guarded<QabfEdges>);
  def(env, exports, "qabfPreservation", Guarded<QabfPreservation>);
  def(env, exports, "vifSums", Guarded<VifSums>);
  def(env, exports, "ssimSums", Guarded<SsimSums>);
  def(env, exports, "setThreads", Guarded<SetThreads<set_thread_count>>);
  auif_register_fuse(env, exports);
  auif_register_metrics(env, exports);
  return exports;
}
