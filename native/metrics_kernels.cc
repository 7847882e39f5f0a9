// Native kernels of the fusion metrics (lib/metrics, issue 14 item 4): each metric of a triplet in
// one sweep over image rows, nothing but a few row buffers per thread in memory.
//
//  - qabfTriplet: Q^{AB/F} (lib/metrics/qabf.ts): the Sobel edge maps of A, B and F, row by row,
//    and both sources' sigmoid-weighted preservation sums, without storing any map. atan and exp
//    are the branch-free polynomials below (vectorised with the loop; within ~2 ulp of the C
//    library's), so the value agrees with the JavaScript loops within 1e-13 relative (tested ≤ 1e-11).
//  - windowSums: the Gaussian-window statistics of one VIF scale (vifp_mscale) and of SSIM
//    (lib/metrics/vif.ts, ssim.ts): the 2 + 3k filtered maps (D, D², and R_j, R_j², R_j·D per
//    source) of each output row are produced from a ring of row-filtered input rows and consumed at
//    once. Every filtered value is lib/metrics/filters.ts's folded sum in its order
//    (k_c·x_c + Σ_{i<c} k_i·(x_i + x_{n−1−i}), rows then columns); every per-pixel term is the
//    JavaScript loop's; sums are taken per output row in order and the rows added in order — the
//    JavaScript fallback does exactly the same, so both give the same bits (ln is log_v8 below, V8's
//    Math.log algorithm), for any thread count (threads split rows, sums are per row). VIFF (kind 2)
//    is VIF's sweep with both sources' gains and the per-pixel choice of the smaller one.
//
// Hot loops are compiled twice (portable, AVX2) from one body with the same IEEE operations in the
// same order (simd.h; -ffp-contract=off), so both give the same bits.
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

// Lets the compiler evaluate both sides of the selects below (no value changes: no FP exception is
// trapped), so the loops with comparisons vectorise.
#pragma GCC optimize("no-trapping-math")

int auif_thread_count();  // auif_kernels.cc: AUIF_THREADS / setThreads / all cores

namespace {

// f(begin, end) over [0, total) in contiguous chunks (at least min_chunk each), one per thread:
// chunk t of T is [total·t/T, total·(t+1)/T). Exceptions as parallel.h run_workers.
void parallel_rows(int64_t total, int64_t min_chunk, const std::function<void(int64_t, int64_t)>& f) {
  const int64_t T = std::max<int64_t>(1, std::min<int64_t>(auif_thread_count(), total / std::max<int64_t>(1, min_chunk)));
  if (T <= 1) { f(0, total); return; }
  run_workers(T, [&](int64_t t) {
    const int64_t b = total * t / T, e = total * (t + 1) / T;
    if (b < e) f(b, e);
  });
}

// ---------------------------------------------------------------------------------------------
// Branch-free atan and exp (written so that the compiler vectorises the loops that call them).

constexpr double kHalfPi = 1.5707963267948966;
constexpr double kPi4 = 0.78539816339744830962;
constexpr double kPi8 = 0.39269908169872415481;
constexpr double kTan8 = 0.41421356237309504880;  // tan(π/8) = √2 − 1

// atan(y/x) for x ≠ 0, |error| ≲ 2 ulp, with one division: with a = min(|x|, |y|), b = max(|x|, |y|),
// atan(a/b) = θ + atan(u), u = (a − b·tan θ)/(b + a·tan θ), θ ∈ {0, π/8, π/4} chosen so that
// |u| ≤ tan(π/16) ≈ 0.199, and the Taylor series of atan(u) to u²³ (truncation < 1e-18 relative);
// |y| > |x| gives π/2 − atan(|x|/|y|); the sign is that of y/x.
AUIF_INLINE double atan_ratio(double y, double x) {
  const double ax = std::fabs(x), ay = std::fabs(y);
  const bool inv = ay > ax;
  const double a = inv ? ax : ay, b = inv ? ay : ax;
  const bool s1 = a > 0.19891236737965800691 * b, s2 = a > 0.66817863791929891999 * b;
  const double tk = s2 ? 1.0 : (s1 ? kTan8 : 0.0);
  const double th = s2 ? kPi4 : (s1 ? kPi8 : 0.0);
  const double u = (a - tk * b) / (b + tk * a);
  const double z = u * u;
  double p = -1.0 / 23;
  p = p * z + 1.0 / 21; p = p * z - 1.0 / 19; p = p * z + 1.0 / 17; p = p * z - 1.0 / 15;
  p = p * z + 1.0 / 13; p = p * z - 1.0 / 11; p = p * z + 1.0 / 9; p = p * z - 1.0 / 7;
  p = p * z + 1.0 / 5; p = p * z - 1.0 / 3;
  double r = th + (u + (u * z) * p);
  r = inv ? kHalfPi - r : r;
  return (y < 0) != (x < 0) ? -r : r;
}

// e^x for the sigmoids of Qabf, |relative error| ≲ 2 ulp: x = k·ln2 + r (Cody–Waite split, |r| ≤ ln2/2),
// e^r by its Taylor series to r¹³, times 2^k built in the exponent bits. Arguments are clamped to
// [−50, 700]: below −50, 1 + e^x rounds to 1 either way (e^−50 < 2e−22).
AUIF_INLINE double exp_poly(double x) {
  x = x < -50.0 ? -50.0 : (x > 700.0 ? 700.0 : x);
  constexpr double kLog2e = 1.4426950408889634074, kMagic = 6755399441055744.0;  // 2^52 + 2^51
  constexpr double kLn2Hi = 6.93147180369123816490e-01, kLn2Lo = 1.90821492927058770002e-10;
  const double tt = x * kLog2e + kMagic;
  const double kd = tt - kMagic;  // round(x·log2 e)
  int64_t tb, mb;
  std::memcpy(&tb, &tt, 8);
  const double magic = kMagic;
  std::memcpy(&mb, &magic, 8);
  const int64_t k = tb - mb;
  const double r = (x - kd * kLn2Hi) - kd * kLn2Lo;
  double p = 1.0 / 6227020800.0;
  p = p * r + 1.0 / 479001600.0; p = p * r + 1.0 / 39916800.0; p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0; p = p * r + 1.0 / 40320.0; p = p * r + 1.0 / 5040.0; p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0; p = p * r + 1.0 / 24.0; p = p * r + 1.0 / 6.0; p = p * r + 0.5;
  p = p * r + 1.0; p = p * r + 1.0;
  const int64_t sb = (k + 1023) << 52;
  double s;
  std::memcpy(&s, &sb, 8);
  return p * s;
}

// ---------------------------------------------------------------------------------------------
// Qabf

// v[x] = √v[x]·scale (vectorised square roots: std::sqrt's errno handling keeps the compiler from it).
#if AUIF_HAVE_AVX2_PATH
AUIF_TARGET_AVX2 int sqrt_scale_avx2(double* __restrict v, int n, double scale) {
  const __m256d s = _mm256_set1_pd(scale);
  int x = 0;
  for (; x + 4 <= n; x += 4) _mm256_storeu_pd(v + x, _mm256_mul_pd(_mm256_sqrt_pd(_mm256_loadu_pd(v + x)), s));
  return x;
}
int sqrt_scale_sse2(double* __restrict v, int n, double scale) {
  const __m128d s = _mm_set1_pd(scale);
  int x = 0;
  for (; x + 2 <= n; x += 2) _mm_storeu_pd(v + x, _mm_mul_pd(_mm_sqrt_pd(_mm_loadu_pd(v + x)), s));
  return x;
}
#endif
template <int ISA>
AUIF_INLINE void sqrt_scale_row(double* __restrict v, int n, double scale) {
  int x = 0;
#if AUIF_HAVE_AVX2_PATH
  if constexpr (ISA == 1) x = sqrt_scale_avx2(v, n, scale);
  else x = sqrt_scale_sse2(v, n, scale);
#endif
  for (; x < n; x++) v[x] = std::sqrt(v[x]) * scale;
}

// Sobel (conv2 'same', zero border) of row y from the image rows U = y − 1, R = y, D = y + 1 (a row
// of zeros outside the image): g and a as qabf.ts `edges` (the border columns read zeros there).
AUIF_INLINE void qabf_edge_px(double uL, double uC, double uR, double rL, double rR, double dL, double dC, double dR, double scale, double* g, double* a) {
  const double gx = uL + 2 * rL + dL - (uR + 2 * rR + dR);
  const double gy = dL + 2 * dC + dR - (uL + 2 * uC + uR);
  *g = std::sqrt(gx * gx + gy * gy) * scale;
  *a = gx == 0 ? kHalfPi : atan_ratio(gy, gx);
}
template <int ISA>
AUIF_INLINE void qabf_edges_row_impl(const double* __restrict U, const double* __restrict R, const double* __restrict D, int W, double scale, double* __restrict g, double* __restrict a) {
  if (W == 1) { qabf_edge_px(0, U[0], 0, 0, 0, 0, D[0], 0, scale, g, a); return; }
  for (int x = 1; x < W - 1; x++) {
    const double uL = U[x - 1], uC = U[x], uR = U[x + 1], dL = D[x - 1], dC = D[x], dR = D[x + 1];
    const double gx = uL + 2 * R[x - 1] + dL - (uR + 2 * R[x + 1] + dR);
    const double gy = dL + 2 * dC + dR - (uL + 2 * uC + uR);
    g[x] = gx * gx + gy * gy;
    const double at = atan_ratio(gy, gx);
    a[x] = gx == 0 ? kHalfPi : at;
  }
  if (W > 2) sqrt_scale_row<ISA>(g + 1, W - 2, scale);
  qabf_edge_px(0, U[0], U[1], 0, R[1], 0, D[0], D[1], scale, g, a);
  qabf_edge_px(U[W - 2], U[W - 1], 0, R[W - 2], 0, D[W - 2], D[W - 1], 0, scale, g + W - 1, a + W - 1);
}
AUIF_DISPATCH(void, qabf_edges_row, (const double* U, const double* R, const double* D, int W, double scale, double* g, double* a), (U, R, D, W, scale, g, a))

// t[x] = Q^{SF}·gS (0 where gS = 0), qabf.ts `weightedPreservation`'s per-pixel term.
template <int ISA>
AUIF_INLINE void qabf_terms_row_impl(const double* __restrict gS, const double* __restrict aS, const double* __restrict gF, const double* __restrict aF, int W, double* __restrict t) {
  constexpr double TG = 0.9994, KG = -15, DG = 0.5, TA = 0.9879, KA = -22, DA = 0.8;
  for (int x = 0; x < W; x++) {
    const double gs = gS[x], gf = gF[x];
    const double mn = gs < gf ? gs : gf, mx = gs < gf ? gf : gs;
    const double G = gs == gf ? gf : mn / mx;
    const double A = 1 - std::fabs(aS[x] - aF[x]) * (1 / kHalfPi);
    const double q = (TG * TA) / ((1 + exp_poly(KG * (G - DG))) * (1 + exp_poly(KA * (A - DA))));
    t[x] = gs == 0 ? 0.0 : q * gs;
  }
}
AUIF_DISPATCH(void, qabf_terms_row, (const double* gS, const double* aS, const double* gF, const double* aF, int W, double* t), (gS, aS, gF, aF, W, t))

// qabfTriplet(A, B, F, w, h, scale) → Σ(Q^{AF}gA + Q^{BF}gB) / Σ(gA + gB) (0 when the denominator is 0).
// Per row: sA = Σ_x Q^{AF}gA, sB likewise, sD = Σ_x (gA + gB) (in x order); the totals add the rows
// in order; the value is (ΣsA + ΣsB)/ΣsD.
// The sweep itself (inputs checked by the callers).
double qabf_triplet(const double* pA, const double* pB, const double* pF, int W, int H, double scale) {
  std::vector<double> rows((size_t)H * 3);
  const double* img[3] = {pA, pB, pF};
  parallel_rows(H, 16, [&](int64_t y0, int64_t y1) {
    std::vector<double> buf(9 * (size_t)W);
    const double* zero = buf.data();  // a row of zeros (outside the image)
    double* g = buf.data() + W;  // g[m] = g + m·W, a[m] = g + (3 + m)·W, t = g + 6W, 7W
    for (int64_t yy = y0; yy < y1; yy++) {
      const int y = (int)yy;
      for (int m = 0; m < 3; m++) {
        const double* P = img[m] + (size_t)y * W;
        qabf_edges_row(y > 0 ? P - W : zero, P, y + 1 < H ? P + W : zero, W, scale, g + (size_t)m * W, g + (size_t)(3 + m) * W);
      }
      double* tA = g + 6 * (size_t)W;
      double* tB = g + 7 * (size_t)W;
      qabf_terms_row(g, g + 3 * (size_t)W, g + 2 * (size_t)W, g + 5 * (size_t)W, W, tA);
      qabf_terms_row(g + (size_t)W, g + 4 * (size_t)W, g + 2 * (size_t)W, g + 5 * (size_t)W, W, tB);
      double sA = 0, sB = 0, sD = 0;
      const double* gA = g;
      const double* gB = g + W;
      for (int x = 0; x < W; x++) { sA += tA[x]; sB += tB[x]; sD += gA[x] + gB[x]; }
      rows[3 * (size_t)y] = sA; rows[3 * (size_t)y + 1] = sB; rows[3 * (size_t)y + 2] = sD;
    }
  });
  double sA = 0, sB = 0, sD = 0;
  for (int y = 0; y < H; y++) { sA += rows[3 * (size_t)y]; sB += rows[3 * (size_t)y + 1]; sD += rows[3 * (size_t)y + 2]; }
  return sD == 0 ? 0.0 : (sA + sB) / sD;
}

// The arguments (A, B, F, w, h, scale) of qabfTriplet and qabfTripletStart, checked.
struct QabfArgs { F64 A, B, F; int W = 0, H = 0; double scale = 1; };
bool qabf_args(napi_env env, napi_value* argv, QabfArgs& q, const char* fn) {
  double w, h;
  if (!get_f64(env, argv[0], q.A, "A") || !get_f64(env, argv[1], q.B, "B") || !get_f64(env, argv[2], q.F, "F") ||
      !get_dim(env, argv[3], w, "w") || !get_dim(env, argv[4], h, "h") || !get_num(env, argv[5], q.scale, "scale")) return false;
  q.W = (int)w; q.H = (int)h;
  const size_t n = (size_t)q.W * q.H;
  return check(env, q.W >= 1 && q.H >= 1, std::string(fn) + ": empty image") &&
         check(env, q.A.n >= n && q.B.n >= n && q.F.n >= n, std::string(fn) + ": A, B and F need w·h = " + std::to_string(n) + " values");
}

napi_value QabfTriplet(napi_env env, napi_callback_info info) {
  AUIF_ARGS(6);
  QabfArgs q;
  if (!qabf_args(env, argv, q, "qabfTriplet")) return nullptr;
  napi_value r; napi_create_double(env, qabf_triplet(q.A.p, q.B.p, q.F.p, q.W, q.H, q.scale), &r); return r;
}

// qabfTripletStart(A, B, F, w, h, scale) → a job: the same sweep on a background thread (the caller's
// JavaScript runs on meanwhile; A, B and F are held by references and must not be written until the
// join); qabfTripletJoin(job) waits for it and returns the value (once). A job never joined is joined
// when it is garbage-collected.
struct QabfJob {
  std::thread th;
  double result = 0;
  std::exception_ptr error;
  napi_ref refs[3] = {nullptr, nullptr, nullptr};
  bool joined = false;
  void release(napi_env env) {
    for (auto& r : refs) if (r) { napi_delete_reference(env, r); r = nullptr; }
  }
};
void qabf_job_finalize(napi_env env, void* data, void*) {
  auto* job = (QabfJob*)data;
  if (!job->joined && job->th.joinable()) job->th.join();
  job->release(env);
  delete job;
}
napi_value QabfTripletStart(napi_env env, napi_callback_info info) {
  AUIF_ARGS(6);
  QabfArgs q;
  if (!qabf_args(env, argv, q, "qabfTripletStart")) return nullptr;
  auif_thread_count();  // its lazy initialisation on this thread, not the job's
  auto* job = new QabfJob();
  for (int i = 0; i < 3; i++) napi_create_reference(env, argv[i], 1, &job->refs[i]);
  try {
    job->th = std::thread([job, q]() {
      try { job->result = qabf_triplet(q.A.p, q.B.p, q.F.p, q.W, q.H, q.scale); } catch (...) { job->error = std::current_exception(); }
    });
  } catch (...) {
    job->release(env);
    delete job;
    throw;
  }
  napi_value ext;
  if (napi_create_external(env, job, qabf_job_finalize, nullptr, &ext) != napi_ok) {
    job->th.join();
    job->release(env);
    delete job;
    napi_throw_error(env, nullptr, "qabfTripletStart: could not create the job object");
    return nullptr;
  }
  return ext;
}
napi_value QabfTripletJoin(napi_env env, napi_callback_info info) {
  AUIF_ARGS(1);
  napi_valuetype t;
  napi_typeof(env, argv[0], &t);
  void* data = nullptr;
  if (t != napi_external || napi_get_value_external(env, argv[0], &data) != napi_ok || !data) {
    napi_throw_type_error(env, nullptr, "qabfTripletJoin: job must be what qabfTripletStart returned");
    return nullptr;
  }
  auto* job = (QabfJob*)data;
  if (!check(env, !job->joined, "qabfTripletJoin: this job was already joined")) return nullptr;
  job->th.join();
  job->joined = true;
  job->release(env);
  if (job->error) std::rethrow_exception(job->error);
  napi_value r; napi_create_double(env, job->result, &r); return r;
}

// ---------------------------------------------------------------------------------------------
// VIF / SSIM window statistics

// One row of the folded 'valid' filter along x (step 1): d[x] = k_c·s[x+c] + Σ_{i<c} k_i·(s[x+i] + s[x+n−1−i]),
// the terms added in that order. For the window lengths of VIF and SSIM the length is a template
// parameter, so each output's sum stays in a register (the same operations and order).
template <int ISA, int N>
AUIF_INLINE void hrow_fixed(const double* __restrict s, const double* __restrict kk, int ow, double* __restrict d) {
  constexpr int c = (N - 1) / 2;
  double k[c + 1];
  for (int i = 0; i <= c; i++) k[i] = kk[i];
  for (int x = 0; x < ow; x++) {
    double acc = k[c] * s[x + c];
    for (int i = 0; i < c; i++) acc += k[i] * (s[x + i] + s[x + N - 1 - i]);
    d[x] = acc;
  }
}
template <int ISA>
AUIF_INLINE void hrow_impl(const double* __restrict s, const double* __restrict kk, int n, int ow, double* __restrict d) {
  switch (n) {
    case 17: hrow_fixed<ISA, 17>(s, kk, ow, d); return;
    case 11: hrow_fixed<ISA, 11>(s, kk, ow, d); return;
    case 9: hrow_fixed<ISA, 9>(s, kk, ow, d); return;
    case 5: hrow_fixed<ISA, 5>(s, kk, ow, d); return;
    case 3: hrow_fixed<ISA, 3>(s, kk, ow, d); return;
    default: break;
  }
  const int c = (n - 1) / 2;
  const double kc = kk[c];
  for (int x = 0; x < ow; x++) d[x] = kc * s[x + c];
  for (int i = 0; i < c; i++) {
    const double ki = kk[i]; const double* a = s + i; const double* b = s + n - 1 - i;
    for (int x = 0; x < ow; x++) d[x] += ki * (a[x] + b[x]);
  }
}
AUIF_DISPATCH(void, hrow, (const double* s, const double* kk, int n, int ow, double* d), (s, kk, n, ow, d))

template <int ISA>
AUIF_INLINE void mulrow_impl(const double* a, const double* b, int W, double* __restrict d) {
  for (int x = 0; x < W; x++) d[x] = a[x] * b[x];
}
AUIF_DISPATCH(void, mulrow, (const double* a, const double* b, int W, double* d), (a, b, W, d))

// The column filter of one output row from the ring: rows[i] = the row-filtered input row y + i.
template <int ISA, int N>
AUIF_INLINE void vrow_fixed(const double* const* rows, const double* __restrict kk, int ow, double* __restrict d) {
  constexpr int c = (N - 1) / 2;
  double k[c + 1];
  const double* __restrict r[N];
  for (int i = 0; i <= c; i++) k[i] = kk[i];
  for (int i = 0; i < N; i++) r[i] = rows[i];
  for (int x = 0; x < ow; x++) {
    double acc = k[c] * r[c][x];
    for (int i = 0; i < c; i++) acc += k[i] * (r[i][x] + r[N - 1 - i][x]);
    d[x] = acc;
  }
}
template <int ISA>
AUIF_INLINE void vrow_impl(const double* const* rows, const double* __restrict kk, int n, int ow, double* __restrict d) {
  switch (n) {
    case 17: vrow_fixed<ISA, 17>(rows, kk, ow, d); return;
    case 11: vrow_fixed<ISA, 11>(rows, kk, ow, d); return;
    case 9: vrow_fixed<ISA, 9>(rows, kk, ow, d); return;
    case 5: vrow_fixed<ISA, 5>(rows, kk, ow, d); return;
    case 3: vrow_fixed<ISA, 3>(rows, kk, ow, d); return;
    default: break;
  }
  const int c = (n - 1) / 2;
  const double kc = kk[c];
  const double* mid = rows[c];
  for (int x = 0; x < ow; x++) d[x] = kc * mid[x];
  for (int i = 0; i < c; i++) {
    const double ki = kk[i]; const double* a = rows[i]; const double* b = rows[n - 1 - i];
    for (int x = 0; x < ow; x++) d[x] += ki * (a[x] + b[x]);
  }
}
AUIF_DISPATCH(void, vrow, (const double* const* rows, const double* kk, int n, int ow, double* d), (rows, kk, n, ow, d))

// VIF's per-pixel factors (vif.ts `gain` and the two log arguments): tn = 1 + g²σ²_R/(σ²_v + σ²_n), td = 1 + σ²_R/σ²_n.
template <int ISA>
AUIF_INLINE void vif_terms_impl(const double* __restrict mR, const double* __restrict mD, const double* __restrict rR, const double* __restrict dD, const double* __restrict rD, int ow, double nsq, double* __restrict tn, double* __restrict td) {
  constexpr double EPS = 1e-10;
  for (int x = 0; x < ow; x++) {
    const double mr = mR[x], md = mD[x];
    double s1 = rR[x] - mr * mr;
    double s2 = dD[x] - md * md;
    const double s12 = rD[x] - mr * md;
    s1 = s1 < 0 ? 0.0 : s1;
    s2 = s2 < 0 ? 0.0 : s2;
    double g = s12 / (s1 + EPS);
    double sv = s2 - g * s12;
    const bool c1 = s1 < EPS;
    g = c1 ? 0.0 : g; sv = c1 ? s2 : sv; s1 = c1 ? 0.0 : s1;
    const bool c2 = s2 < EPS;
    g = c2 ? 0.0 : g; sv = c2 ? 0.0 : sv;
    const bool c3 = g < 0;
    sv = c3 ? s2 : sv; g = c3 ? 0.0 : g;
    sv = sv <= EPS ? EPS : sv;
    tn[x] = 1 + (g * g * s1) / (sv + nsq);
    td[x] = 1 + s1 / nsq;
  }
}
AUIF_DISPATCH(void, vif_terms, (const double* mR, const double* mD, const double* rR, const double* dD, const double* rD, int ow, double nsq, double* tn, double* td), (mR, mD, rR, dD, rD, ow, nsq, tn, td))

// VIFF's per-pixel factors (vif.ts `viff`): the gain rule above for both sources A, B against D, the
// source with the smaller g taken (A where gA < gB, else B), tn = 1 + g²σ²_R/(σ²_v + σ²_n), td = 1 + σ²_R/σ²_n.
AUIF_INLINE void vif_gain(double mr, double md, double rr, double dd, double rd, double& g, double& sv, double& s1) {
  constexpr double EPS = 1e-10;
  s1 = rr - mr * mr;
  double s2 = dd - md * md;
  const double s12 = rd - mr * md;
  s1 = s1 < 0 ? 0.0 : s1;
  s2 = s2 < 0 ? 0.0 : s2;
  g = s12 / (s1 + EPS);
  sv = s2 - g * s12;
  const bool c1 = s1 < EPS;
  g = c1 ? 0.0 : g; sv = c1 ? s2 : sv; s1 = c1 ? 0.0 : s1;
  const bool c2 = s2 < EPS;
  g = c2 ? 0.0 : g; sv = c2 ? 0.0 : sv;
  const bool c3 = g < 0;
  sv = c3 ? s2 : sv; g = c3 ? 0.0 : g;
  sv = sv <= EPS ? EPS : sv;
}
template <int ISA>
AUIF_INLINE void viff_terms_impl(const double* __restrict mA, const double* __restrict rA, const double* __restrict dA, const double* __restrict mB, const double* __restrict rB, const double* __restrict dB, const double* __restrict mD, const double* __restrict dD, int ow, double nsq, double* __restrict tn, double* __restrict td) {
  for (int x = 0; x < ow; x++) {
    double ga, sva, s1a, gb, svb, s1b;
    vif_gain(mA[x], mD[x], rA[x], dD[x], dA[x], ga, sva, s1a);
    vif_gain(mB[x], mD[x], rB[x], dD[x], dB[x], gb, svb, s1b);
    const bool a = ga < gb;
    const double g = a ? ga : gb, sv = a ? sva : svb, s1 = a ? s1a : s1b;
    tn[x] = 1 + (g * g * s1) / (sv + nsq);
    td[x] = 1 + s1 / nsq;
  }
}
AUIF_DISPATCH(void, viff_terms, (const double* mA, const double* rA, const double* dA, const double* mB, const double* rB, const double* dB, const double* mD, const double* dD, int ow, double nsq, double* tn, double* td), (mA, rA, dA, mB, rB, dB, mD, dD, ow, nsq, tn, td))

// ln x for the VIF/VIFF sums with the algorithm of V8's Math.log (fdlibm's e_log.c, which V8's
// base/ieee754.cc ports): x = 2^k·(1 + f) with √2/2 ≤ 1 + f < √2, s = f/(2 + f),
// ln(1 + f) = f − s·(f − R) or f − (f²/2 − s·(f²/2 + R)), R(s²) the minimax polynomial below,
// plus k·ln 2 in two parts. The same operations in the same order, so the same bits as the
// JavaScript loops' Math.log (the C library's log differs from it by an ulp now and then).
// Arguments here are products of factors ≥ 1, so x ≥ 1 is finite and normal; others go to std::log.
AUIF_INLINE double log_v8(double x) {
  constexpr double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
  constexpr double Lg1 = 6.666666666666735130e-01, Lg2 = 3.999999999940941908e-01, Lg3 = 2.857142874366239149e-01,
                   Lg4 = 2.222219843214978396e-01, Lg5 = 1.818357216161805012e-01, Lg6 = 1.531383769920937332e-01,
                   Lg7 = 1.479819860511658591e-01;
  uint64_t bits;
  std::memcpy(&bits, &x, 8);
  int32_t hx = (int32_t)(bits >> 32);
  const uint32_t lx = (uint32_t)bits;
  if (hx < 0x00100000 || hx >= 0x7ff00000) return std::log(x);  // zero, negative, subnormal, inf, NaN
  int32_t k = (hx >> 20) - 1023;
  hx &= 0x000fffff;
  const int32_t i0 = (hx + 0x95f64) & 0x100000;
  const uint64_t nb = ((uint64_t)(uint32_t)(hx | (i0 ^ 0x3ff00000)) << 32) | lx;  // x or x/2 normalised
  std::memcpy(&x, &nb, 8);
  k += (i0 >> 20);
  const double f = x - 1.0;
  const double dk = (double)k;
  if ((0x000fffff & (2 + hx)) < 3) {  // −2^−20 ≤ f < 2^−20
    if (f == 0.0) return k == 0 ? 0.0 : dk * ln2_hi + dk * ln2_lo;
    const double R = f * f * (0.5 - 0.33333333333333333 * f);
    return k == 0 ? f - R : dk * ln2_hi - ((R - dk * ln2_lo) - f);
  }
  const double s = f / (2.0 + f);
  const double z = s * s;
  int32_t i = hx - 0x6147a;
  const double w = z * z;
  const int32_t j = 0x6b851 - hx;
  const double t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
  const double t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
  i |= j;
  const double R = t2 + t1;
  if (i > 0) {
    const double hfsq = 0.5 * f * f;
    return k == 0 ? f - (hfsq - s * (hfsq + R)) : dk * ln2_hi - ((hfsq - (s * (hfsq + R) + dk * ln2_lo)) - f);
  }
  return k == 0 ? f - s * (f - R) : dk * ln2_hi - ((s * (f - R) - dk * ln2_lo) - f);
}

// Σ over a row of ln(products of 8 consecutive factors), the products restarting at the row's first pixel.
AUIF_INLINE void log_products_row(const double* t1, const double* t2, int ow, double* dst) {
  double sN = 0, sD = 0, pN = 1, pD = 1; int cnt = 0;
  for (int x = 0; x < ow; x++) {
    pN *= t1[x]; pD *= t2[x];
    if (++cnt == 8) { sN += log_v8(pN); sD += log_v8(pD); pN = 1; pD = 1; cnt = 0; }
  }
  dst[0] = sN + log_v8(pN);
  dst[1] = sD + log_v8(pD);
}

// SSIM's per-window ratio (ssim.ts).
template <int ISA>
AUIF_INLINE void ssim_terms_impl(const double* __restrict mA, const double* __restrict mB, const double* __restrict aa, const double* __restrict bb, const double* __restrict ab, int ow, double C1, double C2, double* __restrict t) {
  for (int x = 0; x < ow; x++) {
    const double ma = mA[x], mb = mB[x], mab = ma * mb, ma2 = ma * ma, mb2 = mb * mb;
    t[x] = ((2 * mab + C1) * (2 * (ab[x] - mab) + C2)) / ((ma2 + mb2 + C1) * (aa[x] - ma2 + (bb[x] - mb2) + C2));
  }
}
AUIF_DISPATCH(void, ssim_terms, (const double* mA, const double* mB, const double* aa, const double* bb, const double* ab, int ow, double C1, double C2, double* t), (mA, mB, aa, bb, ab, ow, C1, C2, t))

// windowSums(kind, D, R[], w, h, k, p1, p2, out): kind 0 = one VIF scale (p1 = σ²_n): out[2j] =
// Σ_rows Σ ln(products of 8 consecutive tn) (each row's products restart at its first pixel),
// out[2j+1] likewise of td; kind 1 = SSIM (p1 = C1, p2 = C2): out[j] = Σ_rows Σ_x ratio; kind 2 =
// one VIFF scale of exactly two sources (p1 = σ²_n): out[0], out[1] as kind 0 of the per-pixel
// choice (viff_terms). The maps are D, D·D, R_j, R_j·R_j, R_j·D, filtered with the odd symmetric
// kernel k ('valid').
napi_value WindowSums(napi_env env, napi_callback_info info) {
  AUIF_ARGS(9);
  double kind, w, h, p1, p2; F64 Dv, k, out;
  if (!get_dim(env, argv[0], kind, "kind") || !get_f64(env, argv[1], Dv, "D") || !get_dim(env, argv[3], w, "w") ||
      !get_dim(env, argv[4], h, "h") || !get_f64(env, argv[5], k, "k") || !get_num(env, argv[6], p1, "p1") ||
      !get_num(env, argv[7], p2, "p2") || !get_f64(env, argv[8], out, "out")) return nullptr;
  const int W = (int)w, H = (int)h, n = (int)k.n;
  const size_t N = (size_t)W * H;
  std::vector<const double*> R;
  if (!check(env, kind == 0 || kind == 1 || kind == 2, "windowSums: kind must be 0 (VIF), 1 (SSIM) or 2 (VIFF)") ||
      !check(env, n % 2 == 1, "windowSums: kernel length " + std::to_string(n) + " is not odd") ||
      !check(env, W >= n && H >= n, "windowSums: a " + std::to_string(n) + "-tap window does not fit " + std::to_string(W) + "×" + std::to_string(H)) ||
      !check(env, Dv.n >= N, "windowSums: D has " + std::to_string(Dv.n) + " values, expected w·h = " + std::to_string(N)) ||
      !f64_list(env, argv[2], R, N, "R", "w·h = ")) return nullptr;
  const int K = (int)R.size();
  const bool vifk = kind == 0, viffk = kind == 2;
  if (!check(env, !viffk || K == 2, "windowSums: VIFF (kind 2) needs exactly 2 sources, got " + std::to_string(K))) return nullptr;
  // results per output row: 2 per source (VIF), 1 per source (SSIM), 2 (VIFF)
  const int per = viffk ? 1 : (vifk ? 2 : 1), outs = viffk ? 2 : per * K;
  if (!check(env, out.n >= (size_t)outs, "windowSums: out needs " + std::to_string(outs) + " values")) return nullptr;
  const int ow = W - n + 1, oh = H - n + 1, M = 2 + 3 * K;
  const double* kk = k.p;
  const double* D = Dv.p;
  std::vector<double> rowsums((size_t)oh * outs);
  parallel_rows(oh, 8, [&](int64_t y0, int64_t y1) {
    // ring[m][slot] (n slots of ow), then M output rows, a product row and two term rows
    std::vector<double> buf((size_t)M * n * ow + (size_t)M * ow + (size_t)W + 2 * (size_t)ow);
    double* ring = buf.data();
    double* orow = ring + (size_t)M * n * ow;
    double* prod = orow + (size_t)M * ow;
    double* t1 = prod + W;
    double* t2 = t1 + ow;
    std::vector<const double*> rp((size_t)n);
    for (int64_t r = y0; r < y1 + n - 1; r++) {
      const int slot = (int)((r - y0) % n);
      const double* drow = D + (size_t)r * W;
      for (int m = 0; m < M; m++) {
        const double* s;
        if (m == 0) s = drow;
        else if (m == 1) { mulrow(drow, drow, W, prod); s = prod; }
        else {
          const int j = (m - 2) / 3, q = (m - 2) % 3;
          const double* rrow = R[(size_t)j] + (size_t)r * W;
          if (q == 0) s = rrow;
          else { mulrow(rrow, q == 1 ? rrow : drow, W, prod); s = prod; }
        }
        hrow(s, kk, n, ow, ring + ((size_t)m * n + slot) * ow);
      }
      if (r < y0 + n - 1) continue;
      const int64_t y = r - n + 1;
      for (int m = 0; m < M; m++) {
        for (int i = 0; i < n; i++) rp[(size_t)i] = ring + ((size_t)m * n + (size_t)((y + i - y0) % n)) * ow;
        vrow(rp.data(), kk, n, ow, orow + (size_t)m * ow);
      }
      const double* muD = orow;
      const double* dd = orow + ow;
      if (viffk) {
        const double* mA = orow + 2 * (size_t)ow;
        const double* mB = orow + 5 * (size_t)ow;
        viff_terms(mA, mA + ow, mA + 2 * (size_t)ow, mB, mB + ow, mB + 2 * (size_t)ow, muD, dd, ow, p1, t1, t2);
        log_products_row(t1, t2, ow, rowsums.data() + (size_t)y * outs);
        continue;
      }
      for (int j = 0; j < K; j++) {
        const double* mR = orow + (size_t)(2 + 3 * j) * ow;
        const double* rr = mR + ow;
        const double* rd = rr + ow;
        double* dst = rowsums.data() + ((size_t)y * K + j) * per;
        if (vifk) {
          vif_terms(mR, muD, rr, dd, rd, ow, p1, t1, t2);
          log_products_row(t1, t2, ow, dst);
        } else {
          ssim_terms(mR, muD, rr, dd, rd, ow, p1, p2, t1);
          double s = 0;
          for (int x = 0; x < ow; x++) s += t1[x];
          dst[0] = s;
        }
      }
    }
  });
  for (int j = 0; j < outs; j++) out.p[j] = 0;
  for (int y = 0; y < oh; y++)
    for (int j = 0; j < outs; j++) out.p[j] += rowsums[(size_t)y * outs + j];
  return nullptr;
}

}  // namespace

// Called from auif_kernels.cc's module initialiser.
void auif_register_metrics(napi_env env, napi_value exports) {
  def(env, exports, "qabfTriplet", Guarded<QabfTriplet>);
  def(env, exports, "qabfTripletStart", Guarded<QabfTripletStart>);
  def(env, exports, "qabfTripletJoin", Guarded<QabfTripletJoin>);
  def(env, exports, "windowSums", Guarded<WindowSums>);
}
