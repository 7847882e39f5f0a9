// The AUIF test phase (Zhao et al., TCSVT 2021, Fig. 1c) in one native pass:
//
//   x⁰ = init ⋆ reflectpad(I),  xᵏ⁺¹ = xᵏ − ηₖ(PReLU(BN(A_k(xᵏ))) − θₖ(I − xᵏ))   (four encoders:
//   base and detail of IR and VIS),  F = σ(BN(W ∗ reflectpad₁(rule(B_ir, B_vis) + rule(D_ir, D_vis))))
//
// with A_k(x) in its 5×5 + exact-ring form (see auif_kernels.cc). x⁰, the ring (float64), the
// elementwise layer update, the rule and the decoder are the per-layer kernels' operations in
// their order (correlate_rows, ring_value + layerEval, decoderEval); the 5×5 interior is summed
// in float32 FMAs folded by the symmetry of w (op_interior_portable), which keeps the fixtures
// and the authors' images within their bars (README, "How it is exact").
//
// Cache blocking: each encoder is a line-buffer pipeline. Level k (x⁰ … x¹⁰) keeps its last 8
// rows in a ring buffer; row r of level k is computed as soon as rows r−2 … r+2 of level k−1
// exist, so one encoder's working set is ~11 × 8 rows, which stays in L2, and x¹⁰ is written once.
//
// Exact tiling: the work is a list of output rectangles. Each is computed on a window = the
// rectangle grown by the receptive-field radius (init/2 + 2·layers + 1, 30 for AUIF) and clipped to
// the image. Sides of the window on the image border use the true reflect padding and the true
// outer-ring formula; sides inside the image use clamped (replicated) values, which only reach
// pixels closer than the radius to that side — never the rectangle. So any tiling gives the
// untiled bits.
//
// Threads: with fewer rectangles than threads, the four encoders of a rectangle run in parallel
// (IR's two on one thread and VIS's on another when there are two), then the decoder's rows;
// otherwise each thread takes whole rectangles.
#include <node_api.h>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <string>
#include <thread>
#include <vector>
#include "napi_glue.h"
#include "parallel.h"
#include "simd.h"
#if AUIF_HAVE_AVX2_PATH
#include <immintrin.h>
#endif

int auif_thread_count();  // auif_kernels.cc: AUIF_THREADS / setThreads / all cores

namespace {

// f(i) for i in [0, tasks) on min(threads, tasks) threads, thread t taking [tasks·t/T, tasks·(t+1)/T).
// Exceptions as parallel.h run_workers.
void run_parallel(int64_t tasks, int threads, const std::function<void(int64_t)>& f) {
  const int64_t T = std::max<int64_t>(1, std::min<int64_t>(threads, tasks));
  if (T <= 1) { for (int64_t i = 0; i < tasks; i++) f(i); return; }
  run_workers(T, [&](int64_t t) {
    const int64_t b = tasks * t / T, e = tasks * (t + 1) / T;
    for (int64_t i = b; i < e; i++) f(i);
  });
}

inline int refl(int i, int n) { return i < 0 ? -i : (i >= n ? 2 * n - 2 - i : i); }

// ---------------------------------------------------------------------------------------------
// Hot loops (portable and AVX2/FMA versions from one body, see simd.h)

constexpr int kX0Block = 64;   // float32 accumulators per x⁰ register block

// out[c] = Σ_{i,j} kern[i·k + j]·rows[i][c + j], one fmaf per tap in row-major order (oneDNN's
// rounding, as correlate_rows), for c < n. rows[i] = src + i·stride.
void x0_row_portable(const float* src, int stride, const float* kern, int k, int n, float* out) {
  int c0 = 0;
  for (; c0 + kX0Block <= n; c0 += kX0Block) {
    float acc[kX0Block] = {0};
    for (int i = 0; i < k; i++) {
      const float* row = src + (size_t)i * stride + c0;
      for (int j = 0; j < k; j++) {
        const float wij = kern[i * k + j];
        const float* s = row + j;
        for (int v = 0; v < kX0Block; v++) acc[v] = std::fmaf(wij, s[v], acc[v]);
      }
    }
    std::memcpy(out + c0, acc, sizeof acc);
  }
  for (int c = c0; c < n; c++) {
    float acc = 0;
    for (int i = 0; i < k; i++) for (int j = 0; j < k; j++) acc = std::fmaf(kern[i * k + j], src[(size_t)i * stride + c + j], acc);
    out[c] = acc;
  }
}

// The interior of A(x) in float32, folded by the symmetry w[d] = w[−d] of the autocorrelation:
//   a ← 0;  a ← fmaf(w_d, fl(x[p + d] + x[p − d]), a) for the 12 taps d before the centre
//   (row-major);  A = fmaf(w₀, x[p], a),
// w_d = fl(w[d]) (w summed in float64). rows[i] + c + j is tap (i, j) of output c. Measured:
// the authors' 80 images and the fixtures as with the float64 sum (README, "How it is exact").
void op_interior_portable(const float* const* rows, const float* w, int n, float* acc) {
  for (int c = 0; c < n; c++) {
    float a = 0;
    for (int d = 0; d < 12; d++) {
      const int i = d / 5, j = d % 5;
      a = std::fmaf(w[d], rows[i][c + j] + rows[4 - i][c + 4 - j], a);
    }
    acc[c] = std::fmaf(w[12], rows[2][c + 2], a);
  }
}

// The eval layer's elementwise part (layerEval): y = fl(fl(A·a) + b); g = PReLU(y);
// x' = fl(x − fl(η·fl(g − fl(θ·fl(I − x))))).
void layer_update_portable(const float* acc, const float* x, const float* I, const float* coef, int n, float* out) {
  const float bnA = coef[0], bnB = coef[1], alpha = coef[2], eta = coef[3], theta = coef[4];
  for (int c = 0; c < n; c++) {
    const float za = acc[c] * bnA;
    const float y = za + bnB;
    const float ay = alpha * y;
    const float g = y < 0.0f ? ay : y;
    const float d = I[c] - x[c];
    const float td = theta * d;
    const float s = g - td;
    const float es = eta * s;
    out[c] = x[c] - es;
  }
}

#if AUIF_HAVE_AVX2_PATH
// The same operations as the portable versions, 8 floats per instruction.
AUIF_TARGET_AVX2 void op_interior_avx2(const float* const* rows, const float* w, int n, float* acc) {
  int c0 = 0;
  for (; c0 + 32 <= n; c0 += 32) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    for (int d = 0; d < 12; d++) {
      const int i = d / 5, j = d % 5;
      const __m256 wd = _mm256_broadcast_ss(w + d);
      const float* p = rows[i] + c0 + j;
      const float* q = rows[4 - i] + c0 + 4 - j;
      a0 = _mm256_fmadd_ps(wd, _mm256_add_ps(_mm256_loadu_ps(p), _mm256_loadu_ps(q)), a0);
      a1 = _mm256_fmadd_ps(wd, _mm256_add_ps(_mm256_loadu_ps(p + 8), _mm256_loadu_ps(q + 8)), a1);
      a2 = _mm256_fmadd_ps(wd, _mm256_add_ps(_mm256_loadu_ps(p + 16), _mm256_loadu_ps(q + 16)), a2);
      a3 = _mm256_fmadd_ps(wd, _mm256_add_ps(_mm256_loadu_ps(p + 24), _mm256_loadu_ps(q + 24)), a3);
    }
    const __m256 w0 = _mm256_broadcast_ss(w + 12);
    const float* m = rows[2] + c0 + 2;
    _mm256_storeu_ps(acc + c0, _mm256_fmadd_ps(w0, _mm256_loadu_ps(m), a0));
    _mm256_storeu_ps(acc + c0 + 8, _mm256_fmadd_ps(w0, _mm256_loadu_ps(m + 8), a1));
    _mm256_storeu_ps(acc + c0 + 16, _mm256_fmadd_ps(w0, _mm256_loadu_ps(m + 16), a2));
    _mm256_storeu_ps(acc + c0 + 24, _mm256_fmadd_ps(w0, _mm256_loadu_ps(m + 24), a3));
  }
  for (; c0 + 8 <= n; c0 += 8) {
    __m256 a = _mm256_setzero_ps();
    for (int d = 0; d < 12; d++) {
      const int i = d / 5, j = d % 5;
      a = _mm256_fmadd_ps(_mm256_broadcast_ss(w + d), _mm256_add_ps(_mm256_loadu_ps(rows[i] + c0 + j), _mm256_loadu_ps(rows[4 - i] + c0 + 4 - j)), a);
    }
    _mm256_storeu_ps(acc + c0, _mm256_fmadd_ps(_mm256_broadcast_ss(w + 12), _mm256_loadu_ps(rows[2] + c0 + 2), a));
  }
  if (c0 < n) {
    const float* r[5] = {rows[0] + c0, rows[1] + c0, rows[2] + c0, rows[3] + c0, rows[4] + c0};
    op_interior_portable(r, w, n - c0, acc + c0);
  }
}

AUIF_TARGET_AVX2 void layer_update_avx2(const float* acc, const float* xp, const float* I, const float* coef, int n, float* out) {
  const __m256 bnA = _mm256_set1_ps(coef[0]), bnB = _mm256_set1_ps(coef[1]), alpha = _mm256_set1_ps(coef[2]),
               eta = _mm256_set1_ps(coef[3]), theta = _mm256_set1_ps(coef[4]), zero = _mm256_setzero_ps();
  int c = 0;
  for (; c + 8 <= n; c += 8) {
    const __m256 x = _mm256_loadu_ps(xp + c);
    const __m256 y = _mm256_add_ps(_mm256_mul_ps(_mm256_loadu_ps(acc + c), bnA), bnB);
    const __m256 g = _mm256_blendv_ps(y, _mm256_mul_ps(alpha, y), _mm256_cmp_ps(y, zero, _CMP_LT_OQ));
    const __m256 d = _mm256_sub_ps(_mm256_loadu_ps(I + c), x);
    _mm256_storeu_ps(out + c, _mm256_sub_ps(x, _mm256_mul_ps(eta, _mm256_sub_ps(g, _mm256_mul_ps(theta, d)))));
  }
  if (c < n) layer_update_portable(acc + c, xp + c, I + c, coef, n - c, out + c);
}

AUIF_TARGET_AVX2 void x0_row_avx2(const float* src, int stride, const float* kern, int k, int n, float* out) {
  int c0 = 0;
  for (; c0 + 64 <= n; c0 += 64) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    for (int i = 0; i < k; i++) {
      const float* row = src + (size_t)i * stride + c0;
      for (int j = 0; j < k; j++) {
        const __m256 w = _mm256_broadcast_ss(kern + i * k + j);
        const float* s = row + j;
        a0 = _mm256_fmadd_ps(w, _mm256_loadu_ps(s), a0);
        a1 = _mm256_fmadd_ps(w, _mm256_loadu_ps(s + 8), a1);
        a2 = _mm256_fmadd_ps(w, _mm256_loadu_ps(s + 16), a2);
        a3 = _mm256_fmadd_ps(w, _mm256_loadu_ps(s + 24), a3);
        a4 = _mm256_fmadd_ps(w, _mm256_loadu_ps(s + 32), a4);
        a5 = _mm256_fmadd_ps(w, _mm256_loadu_ps(s + 40), a5);
        a6 = _mm256_fmadd_ps(w, _mm256_loadu_ps(s + 48), a6);
        a7 = _mm256_fmadd_ps(w, _mm256_loadu_ps(s + 56), a7);
      }
    }
    float* o = out + c0;
    _mm256_storeu_ps(o, a0); _mm256_storeu_ps(o + 8, a1); _mm256_storeu_ps(o + 16, a2); _mm256_storeu_ps(o + 24, a3);
    _mm256_storeu_ps(o + 32, a4); _mm256_storeu_ps(o + 40, a5); _mm256_storeu_ps(o + 48, a6); _mm256_storeu_ps(o + 56, a7);
  }
  for (; c0 + 8 <= n; c0 += 8) {
    __m256 a = _mm256_setzero_ps();
    for (int i = 0; i < k; i++) for (int j = 0; j < k; j++) a = _mm256_fmadd_ps(_mm256_broadcast_ss(kern + i * k + j), _mm256_loadu_ps(src + (size_t)i * stride + c0 + j), a);
    _mm256_storeu_ps(out + c0, a);
  }
  for (int c = c0; c < n; c++) {
    float a = 0;
    for (int i = 0; i < k; i++) for (int j = 0; j < k; j++) a = std::fmaf(kern[i * k + j], src[(size_t)i * stride + c + j], a);
    out[c] = a;
  }
}

void x0_row(const float* src, int stride, const float* kern, int k, int n, float* out) {
  if (auif_simd::use_avx2()) x0_row_avx2(src, stride, kern, k, n, out); else x0_row_portable(src, stride, kern, k, n, out);
}
void op_interior(const float* const* rows, const float* w, int n, float* acc) {
  if (auif_simd::use_avx2()) op_interior_avx2(rows, w, n, acc); else op_interior_portable(rows, w, n, acc);
}
void layer_update(const float* acc, const float* x, const float* I, const float* coef, int n, float* out) {
  if (auif_simd::use_avx2()) layer_update_avx2(acc, x, I, coef, n, out); else layer_update_portable(acc, x, I, coef, n, out);
}
#else
void x0_row(const float* src, int stride, const float* kern, int k, int n, float* out) { x0_row_portable(src, stride, kern, k, n, out); }
void op_interior(const float* const* rows, const float* w, int n, float* acc) { op_interior_portable(rows, w, n, acc); }
void layer_update(const float* acc, const float* x, const float* I, const float* coef, int n, float* out) { layer_update_portable(acc, x, I, coef, n, out); }
#endif

// s = fl(rule(bi, bv) + rule(di, dv)), rule: sum fl(a + b) or average fl(fl(a + b)/2).
template <int ISA>
AUIF_INLINE void merge_impl(float* bi, const float* bv, const float* di, const float* dv, size_t n, int average) {
  if (average) {
    for (size_t i = 0; i < n; i++) { const float b = (bi[i] + bv[i]) / 2.0f, d = (di[i] + dv[i]) / 2.0f; bi[i] = b + d; }
  } else {
    for (size_t i = 0; i < n; i++) { const float b = bi[i] + bv[i], d = di[i] + dv[i]; bi[i] = b + d; }
  }
}
AUIF_DISPATCH(void, merge, (float* bi, const float* bv, const float* di, const float* dv, size_t n, int average), (bi, bv, di, dv, n, average))

// ---------------------------------------------------------------------------------------------
// Geometry of one window

struct Encoder {
  int L = 0;
  const double* coefs = nullptr;  // L × 106: w5[25], M[81] per layer
  const float* lc = nullptr;      // L × 5: bnA, bnB, α, η, θ
  const float* init = nullptr;    // k × k
  int k = 0;
};

struct Window {
  int H, W;            // the image
  int R0, R1, C0, C1;  // the window, global coordinates
  int Hl, Wl;
  // Global row/column index → local, clamped to the window (reflection is done by the caller).
  int lrow(int g) const { return std::min(std::max(g, R0), R1 - 1) - R0; }
  int lcol(int g) const { return std::min(std::max(g, C0), C1 - 1) - C0; }
  // Local index r (may lie outside the window) → local index of the value a reflect pad gives
  // there: reflected at the image border, clamped at window sides inside the image.
  int row(int r) const { return lrow(refl(R0 + r, H)); }
  int col(int c) const { return lcol(refl(C0 + c, W)); }
};

// The window's image, reflect-padded by `pad` on every side (clamped at inner sides).
void build_padded(const float* X, const Window& g, int pad, float* P) {
  const int Pw = g.Wl + 2 * pad;
  std::vector<int> cm((size_t)Pw);
  for (int j = 0; j < Pw; j++) cm[(size_t)j] = g.C0 + g.col(j - pad);
  for (int i = 0; i < g.Hl + 2 * pad; i++) {
    const float* src = X + (size_t)(g.R0 + g.row(i - pad)) * g.W;
    float* dst = P + (size_t)i * Pw;
    for (int j = 0; j < pad; j++) dst[j] = src[cm[(size_t)j]];
    std::memcpy(dst + pad, src + g.C0, sizeof(float) * g.Wl);
    for (int j = pad + g.Wl; j < Pw; j++) dst[j] = src[cm[(size_t)j]];
  }
}

// One encoder over the window, as a line-buffer pipeline; writes xᴸ (Hl × Wl) to out, and
// with `keep` every level x⁰ … xᴸ to keep[0 … L] (Hl × Wl each).
void run_encoder(const Encoder& e, const Window& g, const float* P, int pad, float* out, float* const* keep = nullptr) {
  const int Hl = g.Hl, Wl = g.Wl, Pw = Wl + 2 * pad, L = e.L;
  const int stride = (Wl + 4 + 15) & ~15;  // a buffered row: 2 pad columns, Wl values, 2 pad columns
  constexpr int kSlots = 8;                // rows kept per level (5 are read)
  std::vector<float> buf((size_t)std::max(L, 1) * kSlots * stride);  // levels 0 … L−1
  std::vector<float> acc((size_t)Wl);
  std::vector<double> ringacc((size_t)Wl);
  std::vector<float> wf((size_t)std::max(L, 1) * 13);
  for (int l = 0; l < L; l++) for (int d = 0; d < 13; d++) wf[(size_t)l * 13 + d] = (float)e.coefs[(size_t)l * 106 + d];
  auto slot = [&](int lev, int r) -> float* { return buf.data() + ((size_t)lev * kSlots + (r & (kSlots - 1))) * stride; };
  const int p0 = e.k / 2;
  const bool left = g.C0 == 0, right = g.C1 == g.W;
  auto fill_pads = [&](float* row) {  // row[2 + c] = value at local column c
    row[0] = row[2 + g.col(-2)]; row[1] = row[2 + g.col(-1)];
    row[Wl + 2] = row[2 + g.col(Wl)]; row[Wl + 3] = row[2 + g.col(Wl + 1)];
  };
  // A(x) at local (r, c) by the two-convolution form (auif_kernels.cc ring_value), x = level lev:
  //   Σ_{qi,qj,ti,tj} M[qi,qj][ti,tj]·x[r(r(p + q − 1) + t − 1)], accumulated in that order.
  auto ring = [&](int lev, const double* M, int r, int c) {
    double a = 0;
    const int gr = g.R0 + r, gc = g.C0 + c;
    for (int qi = 0; qi < 3; qi++) {
      const int ur = refl(gr + qi - 1, g.H);
      for (int qj = 0; qj < 3; qj++) {
        const int uc = refl(gc + qj - 1, g.W);
        const double* m = M + (qi * 3 + qj) * 9;
        for (int ti = 0; ti < 3; ti++) {
          const float* xr = slot(lev, g.lrow(refl(ur + ti - 1, g.H))) + 2;
          for (int tj = 0; tj < 3; tj++) a += m[ti * 3 + tj] * (double)xr[g.lcol(refl(uc + tj - 1, g.W))];
        }
      }
    }
    return a;
  };
  // The same sum on a whole ring row (global row 0 or H − 1): away from the image's left and right
  // borders the column reflections are the identity, so the taps become shifted rows
  // (acc[c] += m·x[row(qi, ti)][c + qj + tj − 2], per column in the same tap order); the few
  // columns next to a border take the general form.
  auto ring_row = [&](int lev, const double* M, int r, double* a) {
    const int gr = g.R0 + r;
    const float* xr[9];
    for (int qi = 0; qi < 3; qi++) for (int ti = 0; ti < 3; ti++)
      xr[qi * 3 + ti] = slot(lev, g.lrow(refl(refl(gr + qi - 1, g.H) + ti - 1, g.H))) + 2;
    std::fill(a, a + Wl, 0.0);
    for (int qi = 0; qi < 3; qi++) for (int qj = 0; qj < 3; qj++) for (int ti = 0; ti < 3; ti++) for (int tj = 0; tj < 3; tj++) {
      const double m = M[(qi * 3 + qj) * 9 + ti * 3 + tj];
      const float* x = xr[qi * 3 + ti] + qj + tj - 2;
      for (int c = 0; c < Wl; c++) a[c] += m * (double)x[c];
    }
    for (int c = 0; c < Wl && g.C0 + c <= 1; c++) a[c] = ring(lev, M, r, c);
    for (int c = Wl - 1; c >= 0 && g.C0 + c >= g.W - 2; c--) a[c] = ring(lev, M, r, c);
  };
  // A(x) on the ring column at local c (global column 0 or W − 1) of an interior row r (global
  // 2 … H − 3, where the row reflections are the identity): the column indices are fixed.
  int colL[9], colR[9];
  for (int qj = 0; qj < 3; qj++) for (int tj = 0; tj < 3; tj++) {
    colL[qj * 3 + tj] = g.lcol(refl(refl(qj - 1, g.W) + tj - 1, g.W));
    colR[qj * 3 + tj] = g.lcol(refl(refl(g.W - 1 + qj - 1, g.W) + tj - 1, g.W));
  }
  auto ring_col = [&](int lev, const double* M, int r, const int* col) {
    double a = 0;
    for (int qi = 0; qi < 3; qi++) for (int qj = 0; qj < 3; qj++) {
      const double* m = M + (qi * 3 + qj) * 9;
      for (int ti = 0; ti < 3; ti++) {
        const float* xr = slot(lev, r + qi + ti - 2) + 2;
        for (int tj = 0; tj < 3; tj++) a += m[ti * 3 + tj] * (double)xr[col[qj * 3 + tj]];
      }
    }
    return a;
  };
  for (int s = 0; s < Hl + 2 * L; s++) {
    for (int lev = 0; lev <= L; lev++) {
      const int r = s - 2 * lev;
      if (r < 0 || r >= Hl) continue;
      float* dst = lev < L ? slot(lev, r) + 2 : out + (size_t)r * Wl;
      if (lev == 0) {
        x0_row(P + (size_t)(r + pad - p0) * Pw + (pad - p0), Pw, e.init, e.k, Wl, dst);
      } else {
        const double* w5 = e.coefs + (size_t)(lev - 1) * 106;
        const double* M = w5 + 25;
        const float* rows[5];
        for (int d = 0; d < 5; d++) rows[d] = slot(lev - 1, g.row(r + d - 2));
        const int gr = g.R0 + r;
        if (gr == 0 || gr == g.H - 1) {
          ring_row(lev - 1, M, r, ringacc.data());
          for (int c = 0; c < Wl; c++) acc[(size_t)c] = (float)ringacc[(size_t)c];
        } else {
          op_interior(rows, wf.data() + (size_t)(lev - 1) * 13, Wl, acc.data());
          const bool fast = gr >= 2 && gr <= g.H - 3;
          if (left) acc[0] = (float)(fast ? ring_col(lev - 1, M, r, colL) : ring(lev - 1, M, r, 0));
          if (right) acc[(size_t)Wl - 1] = (float)(fast ? ring_col(lev - 1, M, r, colR) : ring(lev - 1, M, r, Wl - 1));
        }
        layer_update(acc.data(), slot(lev - 1, r) + 2, P + (size_t)(r + pad) * Pw + pad, e.lc + (size_t)(lev - 1) * 5, Wl, dst);
      }
      if (keep && lev < L) std::memcpy(keep[lev] + (size_t)r * Wl, dst, sizeof(float) * Wl);  // keep[L] is out
      if (lev < L) fill_pads(dst - 2);
    }
  }
}

struct Job {
  const float* ir; const float* vis; int H, W;
  Encoder base, detail;
  const float* decW; float bnA, bnB; int average;
  int halo;
  float* out;
};

struct Rect { int r0, r1, c0, c1; };

Window window_of(const Job& j, const Rect& t) {
  Window g;
  g.H = j.H; g.W = j.W;
  g.R0 = std::max(0, t.r0 - j.halo); g.R1 = std::min(j.H, t.r1 + j.halo);
  g.C0 = std::max(0, t.c0 - j.halo); g.C1 = std::min(j.W, t.c1 + j.halo);
  g.Hl = g.R1 - g.R0; g.Wl = g.C1 - g.C0;
  return g;
}

// Decoder rows [a, b) of the rectangle (global rows), from the merged plane S of the window.
void decoder_rows(const Job& j, const Window& g, const Rect& t, const float* S, int a, int b) {
  const int n = t.c1 - t.c0, Wp = n + 2;
  std::vector<float> rows(3 * (size_t)Wp);
  std::vector<int> cm((size_t)Wp);
  for (int c = 0; c < Wp; c++) cm[(size_t)c] = g.col(t.c0 - g.C0 + c - 1);
  for (int gr = a; gr < b; gr++) {
    const int r = gr - g.R0;
    for (int i = 0; i < 3; i++) {
      const float* src = S + (size_t)g.row(r + i - 1) * g.Wl;
      float* dst = rows.data() + (size_t)i * Wp;
      for (int c = 0; c < Wp; c++) dst[c] = src[cm[(size_t)c]];
    }
    float* orow = j.out + (size_t)gr * j.W + t.c0;
    for (int c = 0; c < n; c++) {
      double acc = 0;
      for (int i = 0; i < 3; i++) for (int k = 0; k < 3; k++) acc += (double)j.decW[i * 3 + k] * (double)rows[(size_t)i * Wp + c + k];
      const float z = (float)acc;
      const float za = z * j.bnA;
      const float y = za + j.bnB;
      orow[c] = (float)(1.0 / (1.0 + std::exp(-(double)y)));
    }
  }
}

// One rectangle with `threads` threads.
void run_rect(const Job& j, const Rect& t, int threads) {
  const Window g = window_of(j, t);
  const int pad = std::max(j.base.k, j.detail.k) / 2;
  const size_t np = (size_t)(g.Hl + 2 * pad) * (g.Wl + 2 * pad), nw = (size_t)g.Hl * g.Wl;
  std::vector<float> P(2 * np), X(4 * nw);  // padded IR, VIS; x¹⁰ of (IR base, IR detail, VIS base, VIS detail)
  run_parallel(2, threads, [&](int64_t i) { build_padded(i == 0 ? j.ir : j.vis, g, pad, P.data() + (size_t)i * np); });
  run_parallel(4, threads, [&](int64_t i) {
    run_encoder(i % 2 == 0 ? j.base : j.detail, g, P.data() + (size_t)(i / 2) * np, pad, X.data() + (size_t)i * nw);
  });
  float* S = X.data();  // s = rule(B_ir, B_vis) + rule(D_ir, D_vis), in place over B_ir
  const int64_t bands = std::min<int64_t>(threads, std::max(1, g.Hl / 32));
  run_parallel(bands, threads, [&](int64_t b) {
    const size_t r0 = (size_t)g.Hl * b / bands, r1 = (size_t)g.Hl * (b + 1) / bands, o = r0 * g.Wl, n = (r1 - r0) * g.Wl;
    merge(S + o, X.data() + 2 * nw + o, X.data() + nw + o, X.data() + 3 * nw + o, n, j.average);
  });
  const int rows = t.r1 - t.r0;
  const int64_t dbands = std::min<int64_t>(threads, std::max(1, rows / 16));
  run_parallel(dbands, threads, [&](int64_t b) {
    decoder_rows(j, g, t, S, t.r0 + (int)((int64_t)rows * b / dbands), t.r0 + (int)((int64_t)rows * (b + 1) / dbands));
  });
}

// ---------------------------------------------------------------------------------------------
// N-API glue

bool integer(napi_env env, napi_value v, int& out, const char* name) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok || !is_dim(d)) return throw_range(env, std::string("fuseAuif: ") + name + " must be a non-negative integer");
  out = (int)d; return true;
}
bool fail(napi_env env, const std::string& msg) { return throw_range(env, "fuseAuif: " + msg); }

// fuseAuif(ir, vis, h, w, layers: Float64Array, lc: Float32Array, Lb, Ld, baseInit, detailInit,
//          decW: Float32Array[9], decCoef: Float32Array[2], average: 0|1, rects: Int32Array, out)
//   layers: (Lb + Ld) × 106 (w5, M of the base layers, then the detail layers); lc: (Lb + Ld) × 5
//   (bnA, bnB, α, η, θ); rects: 4 per rectangle (r0, r1, c0, c1), each computed into out (h × w).
//   Returns the receptive-field radius (the halo) used.
napi_value FuseAuif(napi_env env, napi_callback_info info) {
  napi_value argv[15];
  if (!get_args(env, info, argv, 15, "fuseAuif: ")) return nullptr;
  Job j;
  float *ir, *vis, *lc, *bInit, *dInit, *decW, *decC, *out; double* layers; int32_t* rects;
  size_t nir, nvis, nlayers, nlc, nbi, ndi, ndw, ndc, nrects, nout;
  int H, W, Lb, Ld, average;
  if (!get_typed(env, argv[0], napi_float32_array, ir, nir, "fuseAuif: ir") || !get_typed(env, argv[1], napi_float32_array, vis, nvis, "fuseAuif: vis") ||
      !integer(env, argv[2], H, "h") || !integer(env, argv[3], W, "w") ||
      !get_typed(env, argv[4], napi_float64_array, layers, nlayers, "fuseAuif: layers") || !get_typed(env, argv[5], napi_float32_array, lc, nlc, "fuseAuif: lc") ||
      !integer(env, argv[6], Lb, "Lb") || !integer(env, argv[7], Ld, "Ld") ||
      !get_typed(env, argv[8], napi_float32_array, bInit, nbi, "fuseAuif: baseInit") || !get_typed(env, argv[9], napi_float32_array, dInit, ndi, "fuseAuif: detailInit") ||
      !get_typed(env, argv[10], napi_float32_array, decW, ndw, "fuseAuif: decW") || !get_typed(env, argv[11], napi_float32_array, decC, ndc, "fuseAuif: decCoef") ||
      !integer(env, argv[12], average, "average") || !get_typed(env, argv[13], napi_int32_array, rects, nrects, "fuseAuif: rects") ||
      !get_typed(env, argv[14], napi_float32_array, out, nout, "fuseAuif: out")) return nullptr;
  const size_t plane = (size_t)H * W;
  const int kb = (int)std::lround(std::sqrt((double)nbi)), kd = (int)std::lround(std::sqrt((double)ndi));
  if ((nir != plane || nvis != plane || nout != plane) && !fail(env, "ir, vis and out need h·w = " + std::to_string(H) + "·" + std::to_string(W) + " values, got " + std::to_string(nir) + ", " + std::to_string(nvis) + ", " + std::to_string(nout))) return nullptr;
  if ((nlayers != (size_t)(Lb + Ld) * 106 || nlc != (size_t)(Lb + Ld) * 5) && !fail(env, "layers needs (Lb + Ld)·106 and lc (Lb + Ld)·5 values")) return nullptr;
  if (((size_t)kb * kb != nbi || kb % 2 == 0 || (size_t)kd * kd != ndi || kd % 2 == 0) && !fail(env, "the initial filters must be k×k with k odd")) return nullptr;
  if ((ndw != 9 || ndc < 2) && !fail(env, "decW needs 9 values and decCoef 2")) return nullptr;
  if ((nrects % 4 != 0) && !fail(env, "rects needs 4 values (r0, r1, c0, c1) per rectangle")) return nullptr;
  const int pad = std::max(kb, kd) / 2;
  if ((H <= pad || W <= pad || H < 3 || W < 3) && !fail(env, "a " + std::to_string(2 * pad + 1) + "-tap initial filter needs an image larger than " + std::to_string(pad) + "×" + std::to_string(pad) + ", got " + std::to_string(H) + "×" + std::to_string(W) + " (h×w)")) return nullptr;
  std::vector<Rect> rs(nrects / 4);
  for (size_t i = 0; i < rs.size(); i++) {
    Rect t{rects[4 * i], rects[4 * i + 1], rects[4 * i + 2], rects[4 * i + 3]};
    if (!(0 <= t.r0 && t.r0 < t.r1 && t.r1 <= H && 0 <= t.c0 && t.c0 < t.c1 && t.c1 <= W) && !fail(env, "rectangle " + std::to_string(i) + " is outside the " + std::to_string(H) + "×" + std::to_string(W) + " image")) return nullptr;
    rs[i] = t;
  }
  j.ir = ir; j.vis = vis; j.H = H; j.W = W;
  j.base = Encoder{Lb, layers, lc, bInit, kb};
  j.detail = Encoder{Ld, layers + (size_t)Lb * 106, lc + (size_t)Lb * 5, dInit, kd};
  j.decW = decW; j.bnA = decC[0]; j.bnB = decC[1]; j.average = average ? 1 : 0;
  j.halo = std::max(kb / 2 + 2 * Lb, kd / 2 + 2 * Ld) + 1;
  j.out = out;
  const int T = auif_thread_count();
  if ((int64_t)rs.size() >= T) run_parallel((int64_t)rs.size(), T, [&](int64_t i) { run_rect(j, rs[(size_t)i], 1); });
  else for (const Rect& t : rs) run_rect(j, t, T);
  napi_value r; napi_create_int32(env, j.halo, &r); return r;
}

// encodeAuif(I, n, h, w, layers: Float64Array[L·106], lc: Float32Array[L·5], L, init, keep: 0|1, out):
//   one encoder (x⁰ = init ⋆ reflectpad(I), L layers) on each of the n planes of I, with the
//   arithmetic of fuseAuif; out: xᴸ (n·h·w values), or with keep x⁰ … xᴸ ((L + 1)·n·h·w, level-major).
napi_value EncodeAuif(napi_env env, napi_callback_info info) {
  napi_value argv[10];
  if (!get_args(env, info, argv, 10, "encodeAuif: ")) return nullptr;
  float *I, *lc, *init, *out; double* layers; size_t nI, nl, nlc, ninit, nout; int N, H, W, L, keep;
  if (!get_typed(env, argv[0], napi_float32_array, I, nI, "fuseAuif: I") || !integer(env, argv[1], N, "n") || !integer(env, argv[2], H, "h") ||
      !integer(env, argv[3], W, "w") || !get_typed(env, argv[4], napi_float64_array, layers, nl, "fuseAuif: layers") ||
      !get_typed(env, argv[5], napi_float32_array, lc, nlc, "fuseAuif: lc") || !integer(env, argv[6], L, "L") ||
      !get_typed(env, argv[7], napi_float32_array, init, ninit, "fuseAuif: init") || !integer(env, argv[8], keep, "keep") ||
      !get_typed(env, argv[9], napi_float32_array, out, nout, "fuseAuif: out")) return nullptr;
  const size_t plane = (size_t)H * W;
  const int k = (int)std::lround(std::sqrt((double)ninit));
  if (nI != (size_t)N * plane && !fail(env, "I has " + std::to_string(nI) + " values, expected n·h·w = " + std::to_string((size_t)N * plane))) return nullptr;
  if (nout != (keep ? (size_t)(L + 1) : 1) * nI && !fail(env, "out needs " + std::string(keep ? "(L + 1)·" : "") + "n·h·w values")) return nullptr;
  if ((nl != (size_t)L * 106 || nlc != (size_t)L * 5) && !fail(env, "layers needs L·106 and lc L·5 values")) return nullptr;
  if (((size_t)k * k != ninit || k % 2 == 0) && !fail(env, "the initial filter must be k×k with k odd")) return nullptr;
  if ((H <= k / 2 || W <= k / 2 || H < 3 || W < 3) && !fail(env, "a " + std::to_string(k) + "-tap initial filter needs an image larger than " + std::to_string(k / 2) + "×" + std::to_string(k / 2) + ", got " + std::to_string(H) + "×" + std::to_string(W) + " (h×w)")) return nullptr;
  const Encoder e{L, layers, lc, init, k};
  Window g;
  g.H = H; g.W = W; g.R0 = 0; g.R1 = H; g.C0 = 0; g.C1 = W; g.Hl = H; g.Wl = W;
  const int pad = k / 2;
  run_parallel(N, auif_thread_count(), [&](int64_t i) {
    std::vector<float> P((size_t)(H + 2 * pad) * (W + 2 * pad));
    build_padded(I + (size_t)i * plane, g, pad, P.data());
    std::vector<float*> levels;
    if (keep) for (int l = 0; l <= L; l++) levels.push_back(out + ((size_t)l * N + (size_t)i) * plane);
    run_encoder(e, g, P.data(), pad, keep ? levels[(size_t)L] : out + (size_t)i * plane, keep ? levels.data() : nullptr);
  });
  return nullptr;
}

// simdInfo(): the instruction set the hot loops use ("avx2+fma" or "portable").
napi_value SimdInfo(napi_env env, napi_callback_info) {
  napi_value r; napi_create_string_utf8(env, auif_simd::isa_name(), NAPI_AUTO_LENGTH, &r); return r;
}

}  // namespace

// Called from auif_kernels.cc's module initialiser.
void auif_register_fuse(napi_env env, napi_value exports) {
  def(env, exports, "fuseAuif", Guarded<FuseAuif>);
  def(env, exports, "encodeAuif", Guarded<EncodeAuif>);
  def(env, exports, "simdInfo", Guarded<SimdInfo>);
}
