// Native CPU kernel of the CBPDN ADMM solver (lib/csc/cbpdn.ts; CSR, lib/methods/csr.ts): one
// whole ADMM iteration for all M coefficient maps of one image,
//
//   X̂_m = (b_m − conj(D̂_m)·(Σ_n D̂_n b_n)/(ρ + Σ_n |D̂_n|²)) / ρ,   b_m = conj(D̂_m)·Ŝ + ρ·FFT(y_m − u_m)
//   x_m = IFFT(X̂_m),  x_r = α·x + (1 − α)·y,  y = soft(x_r + u, λ/ρ),  u = u + x_r − y
//
// plus the five sums of the residual norms (‖x‖², ‖y‖², ‖u‖², ‖x − y‖², ‖y_prev − y‖²). The
// adaptive-ρ logic stays in TypeScript. It computes the same IEEE operations in the same order as
// the TypeScript iteration (lib/csc/cbpdn.ts `jsStep`) with the transforms of lib/fft/fft.ts and
// lib/fft/rfft2.ts, so the result is bit-identical to it (test/csc/cbpdn.test.ts compares them):
// - built with -ffp-contract=off (no fused multiply-adds) and without fast-math;
// - the transforms run from the tables the TypeScript plans computed (`FftPlan.pack()`: twiddles,
//   butterfly constants, Bluestein chirps and kernel), so no libm cos/sin enters;
// - only the batching differs (rows in blocks of kRowBlock pairs, spectrum columns gathered kColBlock
//   at a time into a cache-sized buffer), which does not change any element's arithmetic: every
//   signal of a batch goes through the same operations whatever the batch size;
// - the sums are accumulated one element at a time in the TypeScript order (m, then pixel).
// In single precision the spectra are stored in float32: the TypeScript rounds FFT(y − u) to float
// before any use (fr(Br)), and X̂ is float-rounded when it is written, so storing floats is exact.
//
// The hot loops are compiled twice (portable, and AVX2 chosen at run time; native/simd.h); both
// give the same bits (AUIF_SIMD=0 forces the portable one). Our own code (a port of the project's
// own lib/fft and lib/csc TypeScript).
#include <node_api.h>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>
#include "napi_glue.h"
#include "simd.h"

namespace {

constexpr int kRowBlock = 8;    // row pairs per batched row transform
constexpr int kColBlock = 16;   // spectrum columns per gathered column transform
constexpr int kFreqBlock = 512; // frequencies per block of the per-frequency solve

struct Stage { int radix, len, m, s; };

// One FFT plan, a view of the packed Float64Array of FftPlan.pack() (lib/fft/fft.ts):
// [n, kind, h, c1, c2, s1, s2, then
//   kind 0: nStages, radices…, cos[n], sin[n], nDft, (p, c[p²], s[p²])…
//   kind 1: M, chirpRe[n], chirpIm[n], kernRe[M], kernIm[M], the inner plan packed]
struct Plan {
  int n = 0;
  bool blue = false;
  double h = 0, c1 = 0, c2 = 0, s1 = 0, s2 = 0;
  std::vector<Stage> stages;
  const double* cs = nullptr;
  const double* sn = nullptr;
  const double* dftc[64] = {nullptr};
  const double* dfts[64] = {nullptr};
  int M = 0;
  const double *chirpRe = nullptr, *chirpIm = nullptr, *kernRe = nullptr, *kernIm = nullptr;
  std::unique_ptr<Plan> inner;
  std::vector<double> sRe, sIm;

  void scratch(size_t L) { if (sRe.size() < L) { sRe.assign(L, 0.0); sIm.assign(L, 0.0); } }
};

// Parses a packed plan at t[pos…end); returns the position after it, or 0 on a malformed table.
size_t parse_plan(const double* t, size_t pos, size_t end, Plan& P) {
  auto need = [&](size_t k) { return pos + k <= end; };
  if (!need(7)) return 0;
  P.n = (int)t[pos]; P.blue = t[pos + 1] != 0;
  P.h = t[pos + 2]; P.c1 = t[pos + 3]; P.c2 = t[pos + 4]; P.s1 = t[pos + 5]; P.s2 = t[pos + 6];
  pos += 7;
  const int n = P.n;
  if (n < 1) return 0;
  if (!P.blue) {
    if (!need(1)) return 0;
    const int ns = (int)t[pos++];
    if (ns < 0 || !need((size_t)ns)) return 0;
    int len = n, s = 1;
    for (int i = 0; i < ns; i++) {
      const int r = (int)t[pos++];
      if (r < 2 || r >= 64 || len % r) return 0;
      P.stages.push_back({r, len, len / r, s});
      len /= r; s *= r;
    }
    if (len != 1) return 0;
    if (!need(2 * (size_t)n + 1)) return 0;
    P.cs = t + pos; P.sn = t + pos + n; pos += 2 * (size_t)n;
    const int nd = (int)t[pos++];
    for (int i = 0; i < nd; i++) {
      if (!need(1)) return 0;
      const int p = (int)t[pos++];
      if (p < 2 || p >= 64 || !need(2 * (size_t)p * p)) return 0;
      P.dftc[p] = t + pos; P.dfts[p] = t + pos + (size_t)p * p; pos += 2 * (size_t)p * p;
    }
    for (const Stage& st : P.stages) if (st.radix > 5 && !P.dftc[st.radix]) return 0;
    return pos;
  }
  if (!need(1)) return 0;
  P.M = (int)t[pos++];
  if (P.M < 2 * n - 1 || !need(2 * (size_t)n + 2 * (size_t)P.M)) return 0;
  P.chirpRe = t + pos; P.chirpIm = t + pos + n; pos += 2 * (size_t)n;
  P.kernRe = t + pos; P.kernIm = t + pos + P.M; pos += 2 * (size_t)P.M;
  P.inner.reset(new Plan());
  pos = parse_plan(t, pos, end, *P.inner);
  if (!pos || P.inner->blue || P.inner->n != P.M) return 0;
  return pos;
}

// ---- Stockham butterflies (lib/fft/fft.ts FftPlan.radix2/3/4/5/P, the same expressions) ----
// Input index q + sb·(p + k·m), output q + sb·(radix·p + j), q < sb = s·batch.

AUIF_INLINE void radix2(const Plan& P, const Stage& st, size_t sb, const double* __restrict xr, const double* __restrict xi, double* __restrict yr, double* __restrict yi) {
  const int m = st.m, s = st.s;
  for (int p = 0; p < m; p++) {
    const double wr = P.cs[(size_t)p * s], wi = -P.sn[(size_t)p * s];
    const size_t i0 = sb * p, i1 = sb * (p + m), o0 = sb * 2 * p, o1 = o0 + sb;
    for (size_t q = 0; q < sb; q++) {
      const double ar = xr[i0 + q], ai = xi[i0 + q], br = xr[i1 + q], bi = xi[i1 + q];
      yr[o0 + q] = ar + br; yi[o0 + q] = ai + bi;
      const double dr = ar - br, di = ai - bi;
      yr[o1 + q] = dr * wr - di * wi; yi[o1 + q] = dr * wi + di * wr;
    }
  }
}

AUIF_INLINE void radix3(const Plan& P, const Stage& st, size_t sb, const double* __restrict xr, const double* __restrict xi, double* __restrict yr, double* __restrict yi) {
  const int m = st.m, s = st.s;
  const double h = P.h;
  for (int p = 0; p < m; p++) {
    const double w1r = P.cs[(size_t)p * s], w1i = -P.sn[(size_t)p * s], w2r = P.cs[(size_t)2 * p * s], w2i = -P.sn[(size_t)2 * p * s];
    const size_t i0 = sb * p, i1 = sb * (p + m), i2 = sb * (p + 2 * m), o0 = sb * 3 * p, o1 = o0 + sb, o2 = o1 + sb;
    for (size_t q = 0; q < sb; q++) {
      const double ar = xr[i0 + q], ai = xi[i0 + q], br = xr[i1 + q], bi = xi[i1 + q], cr = xr[i2 + q], ci = xi[i2 + q];
      const double tr = br + cr, ti = bi + ci;
      const double ur = ar - 0.5 * tr, ui = ai - 0.5 * ti;
      const double vr = h * (bi - ci), vi = -h * (br - cr);
      yr[o0 + q] = ar + tr; yi[o0 + q] = ai + ti;
      const double b1r = ur + vr, b1i = ui + vi, b2r = ur - vr, b2i = ui - vi;
      yr[o1 + q] = b1r * w1r - b1i * w1i; yi[o1 + q] = b1r * w1i + b1i * w1r;
      yr[o2 + q] = b2r * w2r - b2i * w2i; yi[o2 + q] = b2r * w2i + b2i * w2r;
    }
  }
}

AUIF_INLINE void radix4(const Plan& P, const Stage& st, size_t sb, const double* __restrict xr, const double* __restrict xi, double* __restrict yr, double* __restrict yi) {
  const int m = st.m, s = st.s;
  for (int p = 0; p < m; p++) {
    const size_t t1 = (size_t)p * s, t2 = 2 * t1, t3 = 3 * t1;
    const double w1r = P.cs[t1], w1i = -P.sn[t1], w2r = P.cs[t2], w2i = -P.sn[t2], w3r = P.cs[t3], w3i = -P.sn[t3];
    const size_t i0 = sb * p, i1 = sb * (p + m), i2 = sb * (p + 2 * m), i3 = sb * (p + 3 * m);
    const size_t o0 = sb * 4 * p, o1 = o0 + sb, o2 = o1 + sb, o3 = o2 + sb;
    for (size_t q = 0; q < sb; q++) {
      const double ar = xr[i0 + q], ai = xi[i0 + q], br = xr[i1 + q], bi = xi[i1 + q];
      const double cr = xr[i2 + q], ci = xi[i2 + q], dr = xr[i3 + q], di = xi[i3 + q];
      const double t0r = ar + cr, t0i = ai + ci, t1r = ar - cr, t1i = ai - ci;
      const double t2r = br + dr, t2i = bi + di, t3r = br - dr, t3i = bi - di;
      yr[o0 + q] = t0r + t2r; yi[o0 + q] = t0i + t2i;
      const double b1r = t1r + t3i, b1i = t1i - t3r, b2r = t0r - t2r, b2i = t0i - t2i, b3r = t1r - t3i, b3i = t1i + t3r;
      yr[o1 + q] = b1r * w1r - b1i * w1i; yi[o1 + q] = b1r * w1i + b1i * w1r;
      yr[o2 + q] = b2r * w2r - b2i * w2i; yi[o2 + q] = b2r * w2i + b2i * w2r;
      yr[o3 + q] = b3r * w3r - b3i * w3i; yi[o3 + q] = b3r * w3i + b3i * w3r;
    }
  }
}

AUIF_INLINE void radix5(const Plan& P, const Stage& st, size_t sb, const double* __restrict xr, const double* __restrict xi, double* __restrict yr, double* __restrict yi) {
  const int m = st.m, s = st.s;
  const double c1 = P.c1, c2 = P.c2, s1 = P.s1, s2 = P.s2;
  for (int p = 0; p < m; p++) {
    const size_t t1 = (size_t)p * s;
    const double w1r = P.cs[t1], w1i = -P.sn[t1], w2r = P.cs[2 * t1], w2i = -P.sn[2 * t1];
    const double w3r = P.cs[3 * t1], w3i = -P.sn[3 * t1], w4r = P.cs[4 * t1], w4i = -P.sn[4 * t1];
    const size_t i0 = sb * p, i1 = sb * (p + m), i2 = sb * (p + 2 * m), i3 = sb * (p + 3 * m), i4 = sb * (p + 4 * m);
    const size_t o0 = sb * 5 * p, o1 = o0 + sb, o2 = o1 + sb, o3 = o2 + sb, o4 = o3 + sb;
    for (size_t q = 0; q < sb; q++) {
      const double ar = xr[i0 + q], ai = xi[i0 + q];
      const double b1r = xr[i1 + q], b1i = xi[i1 + q], b2r = xr[i2 + q], b2i = xi[i2 + q];
      const double b3r = xr[i3 + q], b3i = xi[i3 + q], b4r = xr[i4 + q], b4i = xi[i4 + q];
      const double s14r = b1r + b4r, s14i = b1i + b4i, d14r = b1r - b4r, d14i = b1i - b4i;
      const double s23r = b2r + b3r, s23i = b2i + b3i, d23r = b2r - b3r, d23i = b2i - b3i;
      const double t1r = ar + c1 * s14r + c2 * s23r, t1i = ai + c1 * s14i + c2 * s23i;
      const double t2r = ar + c2 * s14r + c1 * s23r, t2i = ai + c2 * s14i + c1 * s23i;
      const double u1r = s1 * d14r + s2 * d23r, u1i = s1 * d14i + s2 * d23i;
      const double u2r = s2 * d14r - s1 * d23r, u2i = s2 * d14i - s1 * d23i;
      yr[o0 + q] = ar + s14r + s23r; yi[o0 + q] = ai + s14i + s23i;
      const double y1r = t1r + u1i, y1i = t1i - u1r, y4r = t1r - u1i, y4i = t1i + u1r;
      const double y2r = t2r + u2i, y2i = t2i - u2r, y3r = t2r - u2i, y3i = t2i + u2r;
      yr[o1 + q] = y1r * w1r - y1i * w1i; yi[o1 + q] = y1r * w1i + y1i * w1r;
      yr[o2 + q] = y2r * w2r - y2i * w2i; yi[o2 + q] = y2r * w2i + y2i * w2r;
      yr[o3 + q] = y3r * w3r - y3i * w3i; yi[o3 + q] = y3r * w3i + y3i * w3r;
      yr[o4 + q] = y4r * w4r - y4i * w4i; yi[o4 + q] = y4r * w4i + y4i * w4r;
    }
  }
}

AUIF_INLINE void radixP(const Plan& P, const Stage& st, size_t sb, const double* __restrict xr, const double* __restrict xi, double* __restrict yr, double* __restrict yi) {
  const int R = st.radix, m = st.m, s = st.s;
  const double* dc = P.dftc[R];
  const double* ds = P.dfts[R];
  for (int p = 0; p < m; p++) {
    for (int j = 0; j < R; j++) {
      const size_t o = sb * ((size_t)R * p + j);
      const size_t i0 = sb * p;
      for (size_t q = 0; q < sb; q++) { yr[o + q] = xr[i0 + q]; yi[o + q] = xi[i0 + q]; }
      for (int k = 1; k < R; k++) {
        const double c = dc[j * R + k], d = -ds[j * R + k];
        const size_t ik = sb * (p + (size_t)k * m);
        for (size_t q = 0; q < sb; q++) {
          const double a = xr[ik + q], b = xi[ik + q];
          yr[o + q] += a * c - b * d;
          yi[o + q] += a * d + b * c;
        }
      }
      if (p == 0 || j == 0) continue;
      const size_t t = (size_t)p * j * s;
      const double wr = P.cs[t], wi = -P.sn[t];
      for (size_t q = 0; q < sb; q++) {
        const double a = yr[o + q], b = yi[o + q];
        yr[o + q] = a * wr - b * wi; yi[o + q] = a * wi + b * wr;
      }
    }
  }
}

AUIF_INLINE void stockham(Plan& P, double* re, double* im, size_t batch) {
  const size_t L = (size_t)P.n * batch;
  if (P.stages.empty()) return;
  P.scratch(L);
  double *xr = re, *xi = im, *yr = P.sRe.data(), *yi = P.sIm.data();
  for (const Stage& st : P.stages) {
    const size_t sb = (size_t)st.s * batch;
    switch (st.radix) {
      case 4: radix4(P, st, sb, xr, xi, yr, yi); break;
      case 2: radix2(P, st, sb, xr, xi, yr, yi); break;
      case 3: radix3(P, st, sb, xr, xi, yr, yi); break;
      case 5: radix5(P, st, sb, xr, xi, yr, yi); break;
      default: radixP(P, st, sb, xr, xi, yr, yi);
    }
    std::swap(xr, yr); std::swap(xi, yi);
  }
  if (xr != re) { std::memcpy(re, xr, L * sizeof(double)); std::memcpy(im, xi, L * sizeof(double)); }
}

// out[j·batch + c] = in[j·batch + c] · w[j] for j < rows: a per-row complex scaling (in may be out).
AUIF_INLINE void scale_rows(const double* wr, const double* wi, int rows, size_t batch,
                            const double* xr_in, const double* xi_in, double* or_out, double* oi_out) {
  for (int j = 0; j < rows; j++) {
    const double cr = wr[j], ci = wi[j];
    for (size_t c = 0; c < batch; c++) {
      const size_t i = (size_t)j * batch + c;
      const double x = xr_in[i], y = xi_in[i];
      or_out[i] = x * cr - y * ci;
      oi_out[i] = x * ci + y * cr;
    }
  }
}

// Bluestein (FftPlan.bluestein): X = c̄·IFFT_M(FFT_M(x·c̄)·K), the inner inverse unnormalised.
AUIF_INLINE void bluestein(Plan& P, double* re, double* im, size_t batch) {
  const int n = P.n, M = P.M;
  const size_t L = (size_t)M * batch;
  P.scratch(L);
  double* ar = P.sRe.data();
  double* ai = P.sIm.data();
  std::fill(ar, ar + L, 0.0); std::fill(ai, ai + L, 0.0);
  scale_rows(P.chirpRe, P.chirpIm, n, batch, re, im, ar, ai);
  stockham(*P.inner, ar, ai, batch);
  scale_rows(P.kernRe, P.kernIm, M, batch, ar, ai, ar, ai);
  stockham(*P.inner, ai, ar, batch);  // inverse, unnormalised: the forward with re/im swapped
  scale_rows(P.chirpRe, P.chirpIm, n, batch, ar, ai, re, im);
}

AUIF_INLINE void fft_forward(Plan& P, double* re, double* im, size_t batch) {
  if (P.blue) bluestein(P, re, im, batch); else stockham(P, re, im, batch);
}

template <bool Single> AUIF_INLINE double fr(double x) { return Single ? (double)(float)x : x; }

// Everything one iteration reads and writes; T is the storage type (float for single precision).
template <typename T>
struct Job {
  int W, H, M;
  Plan rows, cols;
  T *Y, *U, *Br, *Bi;
  const T *Dr, *Di;
  const double *norm2, *Sr, *Si;
  double rho, alpha, oneMinusAlpha, thr, rsf;
  bool first;
  double sums[5];
};

// Work buffers of one call.
struct Work {
  std::vector<double> Tr, Ti;        // one half spectrum, H × Wh (after the row pass)
  std::vector<double> zr, zi;        // a block of row pairs, transposed
  std::vector<double> cr, ci;        // a gathered block of spectrum columns
  std::vector<double> f, yp;         // a block of reconstructed rows (x), and y_prev of them
  std::vector<double> sc, sm;        // the solve's Σ_m D̂_m b_m per frequency of a block
};

// FFT(y_m − u_m) of map m (u rescaled by 1/rsf first when rsf ≠ 1) into Br/Bi's map slice.
// RealFft2.forward: row pairs as complex rows, split by symmetry; then the columns.
template <bool Single, typename T>
AUIF_INLINE void forward_map(Job<T>& J, Work& w, int mIdx) {
  const int W = J.W, H = J.H, Wh = W / 2 + 1;
  const size_t N = (size_t)W * H, L = (size_t)H * Wh;
  T* Y = J.Y + mIdx * N;
  T* U = J.U + mIdx * N;
  double* re = w.Tr.data();
  double* im = w.Ti.data();
  double* zr = w.zr.data();
  double* zi = w.zi.data();
  const int pairs = (H + 1) / 2;
  const bool rescale = J.rsf != 1;
  const double rsf = J.rsf;
  for (int p0 = 0; p0 < pairs; p0 += kRowBlock) {
    const int nb = std::min(kRowBlock, pairs - p0);
    for (int b = 0; b < nb; b++) {
      const int y = 2 * (p0 + b);
      const bool pair = y + 1 < H;
      for (int r = 0; r < (pair ? 2 : 1); r++) {
        T* u = U + (size_t)(y + r) * W;
        const T* yy = Y + (size_t)(y + r) * W;
        if (rescale) for (int x = 0; x < W; x++) u[x] = (T)((double)u[x] / rsf);
        double* z = r ? zi : zr;
        for (int x = 0; x < W; x++) z[(size_t)x * nb + b] = fr<Single>((double)yy[x] - (double)u[x]);
      }
      if (!pair) for (int x = 0; x < W; x++) zi[(size_t)x * nb + b] = 0;
    }
    fft_forward(J.rows, zr, zi, nb);
    for (int b = 0; b < nb; b++) {
      const int y = 2 * (p0 + b);
      const bool pair = y + 1 < H;
      const size_t a = (size_t)y * Wh, c = (size_t)(y + 1) * Wh;
      for (int v = 0; v < Wh; v++) {
        const size_t k = (size_t)v * nb + b, q = (size_t)(v == 0 ? 0 : W - v) * nb + b;
        const double pr = zr[k], pi = zi[k], qr = zr[q], qi = zi[q];
        if (!pair) { re[a + v] = pr; im[a + v] = pi; continue; }
        re[a + v] = 0.5 * (pr + qr); im[a + v] = 0.5 * (pi - qi);
        re[c + v] = 0.5 * (pi + qi); im[c + v] = -0.5 * (pr - qr);
      }
    }
  }
  T* outR = J.Br + mIdx * L;
  T* outI = J.Bi + mIdx * L;
  double* br = w.cr.data();
  double* bi = w.ci.data();
  for (int c0 = 0; c0 < Wh; c0 += kColBlock) {
    const int nc = std::min(kColBlock, Wh - c0);
    for (int u = 0; u < H; u++) for (int c = 0; c < nc; c++) { br[(size_t)u * nc + c] = re[(size_t)u * Wh + c0 + c]; bi[(size_t)u * nc + c] = im[(size_t)u * Wh + c0 + c]; }
    fft_forward(J.cols, br, bi, nc);
    for (int u = 0; u < H; u++) for (int c = 0; c < nc; c++) { outR[(size_t)u * Wh + c0 + c] = (T)br[(size_t)u * nc + c]; outI[(size_t)u * Wh + c0 + c] = (T)bi[(size_t)u * nc + c]; }
  }
}

// The per-frequency Sherman–Morrison solve over all maps (cbpdn.ts, the `BLOCK` loop).
template <bool Single, typename T>
AUIF_INLINE void solve(Job<T>& J, Work& w) {
  const int W = J.W, H = J.H, M = J.M, Wh = W / 2 + 1;
  const size_t L = (size_t)H * Wh;
  const double rho = J.rho;
  double* cR = w.sc.data();
  double* cI = w.sm.data();
  for (size_t j0 = 0; j0 < L; j0 += kFreqBlock) {
    const size_t j1 = std::min(L, j0 + kFreqBlock), nj = j1 - j0;
    std::fill(cR, cR + nj, 0.0); std::fill(cI, cI + nj, 0.0);
    for (int m = 0; m < M; m++) {
      const size_t o0 = (size_t)m * L + j0;
      T* __restrict Br = J.Br + o0;
      T* __restrict Bi = J.Bi + o0;
      const T* __restrict Dr = J.Dr + o0;
      const T* __restrict Di = J.Di + o0;
      const double* __restrict Sr = J.Sr + j0;
      const double* __restrict Si = J.Si + j0;
      for (size_t j = 0; j < nj; j++) {
        const double dr = Dr[j], di = Di[j], sr = Sr[j], si = Si[j];
        const double br = fr<Single>(fr<Single>(dr * sr + di * si) + fr<Single>(rho * fr<Single>((double)Br[j])));
        const double bi = fr<Single>(fr<Single>(dr * si - di * sr) + fr<Single>(rho * fr<Single>((double)Bi[j])));
        Br[j] = (T)br; Bi[j] = (T)bi;
        cR[j] += dr * br - di * bi; cI[j] += dr * bi + di * br;
      }
    }
    for (size_t j = 0; j < nj; j++) {
      const double den = J.norm2[j0 + j] + rho;
      cR[j] = fr<Single>(cR[j] / den); cI[j] = fr<Single>(cI[j] / den);
    }
    for (int m = 0; m < M; m++) {
      const size_t o0 = (size_t)m * L + j0;
      T* __restrict Br = J.Br + o0;
      T* __restrict Bi = J.Bi + o0;
      const T* __restrict Dr = J.Dr + o0;
      const T* __restrict Di = J.Di + o0;
      for (size_t j = 0; j < nj; j++) {
        const double dr = Dr[j], di = Di[j], cr = cR[j], ci = cI[j];
        Br[j] = (T)fr<Single>(((double)Br[j] - fr<Single>(cr * dr + ci * di)) / rho);
        Bi[j] = (T)fr<Single>(((double)Bi[j] - fr<Single>(ci * dr - cr * di)) / rho);
      }
    }
  }
}

// x_m = IFFT(X̂_m) (RealFft2.inverse), then relaxation, threshold, dual update and the sums, a
// block of rows at a time in pixel order.
template <bool Single, typename T>
AUIF_INLINE void inverse_map(Job<T>& J, Work& w, int mIdx) {
  const int W = J.W, H = J.H, Wh = W / 2 + 1;
  const size_t N = (size_t)W * H, L = (size_t)H * Wh;
  const T* inR = J.Br + mIdx * L;
  const T* inI = J.Bi + mIdx * L;
  double* re = w.Tr.data();
  double* im = w.Ti.data();
  double* br = w.cr.data();
  double* bi = w.ci.data();
  for (int c0 = 0; c0 < Wh; c0 += kColBlock) {
    const int nc = std::min(kColBlock, Wh - c0);
    for (int u = 0; u < H; u++) for (int c = 0; c < nc; c++) { br[(size_t)u * nc + c] = inR[(size_t)u * Wh + c0 + c]; bi[(size_t)u * nc + c] = inI[(size_t)u * Wh + c0 + c]; }
    fft_forward(J.cols, bi, br, nc);  // inverse, unnormalised
    for (int u = 0; u < H; u++) for (int c = 0; c < nc; c++) { re[(size_t)u * Wh + c0 + c] = br[(size_t)u * nc + c]; im[(size_t)u * Wh + c0 + c] = bi[(size_t)u * nc + c]; }
  }
  double* zr = w.zr.data();
  double* zi = w.zi.data();
  double* f = w.f.data();
  const double scale = 1.0 / ((double)W * (double)H);
  const int pairs = (H + 1) / 2;
  T* Yb = J.Y + mIdx * N;
  T* Ub = J.U + mIdx * N;
  const double alpha = J.alpha, oma = J.oneMinusAlpha, thr = J.thr;
  double nX = J.sums[0], nY = J.sums[1], nU = J.sums[2], dXY = J.sums[3], dY = J.sums[4];
  for (int p0 = 0; p0 < pairs; p0 += kRowBlock) {
    const int nb = std::min(kRowBlock, pairs - p0);
    for (int b = 0; b < nb; b++) {
      const int y = 2 * (p0 + b);
      const bool pair = y + 1 < H;
      const size_t a = (size_t)y * Wh, c = (size_t)(y + 1) * Wh;
      for (int v = 0; v < Wh; v++) {
        const bool selfConj = v == 0 || 2 * v == W;
        const double ar = re[a + v], ai = selfConj ? 0 : im[a + v];
        const double brr = pair ? re[c + v] : 0, bii = pair && !selfConj ? im[c + v] : 0;
        zr[(size_t)v * nb + b] = ar - bii; zi[(size_t)v * nb + b] = ai + brr;
        if (v > 0 && !selfConj) { zr[(size_t)(W - v) * nb + b] = ar + bii; zi[(size_t)(W - v) * nb + b] = brr - ai; }
      }
    }
    fft_forward(J.rows, zi, zr, nb);  // inverse, unnormalised
    const int y0 = 2 * p0, y1 = std::min(H, 2 * (p0 + nb));
    for (int b = 0; b < nb; b++) {
      const int y = 2 * (p0 + b);
      const bool pair = y + 1 < H;
      double* f0 = f + (size_t)(y - y0) * W;
      for (int x = 0; x < W; x++) {
        f0[x] = zr[(size_t)x * nb + b] * scale;
        if (pair) f0[W + x] = zi[(size_t)x * nb + b] * scale;
      }
    }
    // Rows y0…y1−1: relaxation, threshold, dual update (elementwise), then the sums in order.
    const size_t i0 = (size_t)y0 * W, n = (size_t)(y1 - y0) * W;
    T* __restrict Y = Yb + i0;
    T* __restrict U = Ub + i0;
    double* __restrict xs = f;                   // x, in place
    double* __restrict yp = w.yp.data();
    for (size_t i = 0; i < n; i++) {
      const double x = fr<Single>(xs[i]), ypv = Y[i];
      const double xr = fr<Single>(fr<Single>(alpha * x) + fr<Single>(oma * ypv));
      const double v = fr<Single>(xr + (double)U[i]);
      const double av = fr<Single>(std::fabs(v) - thr);
      // sign(v)·av where av > 0 (then |v| > λ/ρ > 0, so v ≠ ±0 and copysign is the sign), else +0
      const double sv = std::copysign(av, v);
      uint64_t bits;
      std::memcpy(&bits, &sv, 8);
      bits &= -(uint64_t)(av > 0);
      double yv;
      std::memcpy(&yv, &bits, 8);
      const double uv = fr<Single>(fr<Single>((double)U[i] + xr) - yv);
      xs[i] = x; yp[i] = ypv;
      Y[i] = (T)yv; U[i] = (T)uv;
    }
    for (size_t i = 0; i < n; i++) {
      const double x = xs[i], ypv = yp[i], yv = Y[i], uv = U[i];
      nX += x * x; nY += yv * yv; nU += uv * uv;
      dXY += (x - yv) * (x - yv); dY += (ypv - yv) * (ypv - yv);
    }
  }
  J.sums[0] = nX; J.sums[1] = nY; J.sums[2] = nU; J.sums[3] = dXY; J.sums[4] = dY;
}

template <bool Single, typename T>
AUIF_INLINE void step_body(Job<T>& J) {
  const int W = J.W, H = J.H, M = J.M, Wh = W / 2 + 1;
  const size_t L = (size_t)H * Wh;
  Work w;
  w.Tr.assign(L, 0.0); w.Ti.assign(L, 0.0);
  w.zr.assign((size_t)W * kRowBlock, 0.0); w.zi.assign((size_t)W * kRowBlock, 0.0);
  w.cr.assign((size_t)H * kColBlock, 0.0); w.ci.assign((size_t)H * kColBlock, 0.0);
  w.f.assign((size_t)2 * kRowBlock * W, 0.0); w.yp.assign((size_t)2 * kRowBlock * W, 0.0);
  w.sc.assign(kFreqBlock, 0.0); w.sm.assign(kFreqBlock, 0.0);
  if (J.first) {
    std::fill(J.Br, J.Br + (size_t)M * L, (T)0); std::fill(J.Bi, J.Bi + (size_t)M * L, (T)0);
  } else {
    for (int m = 0; m < M; m++) forward_map<Single, T>(J, w, m);
  }
  solve<Single, T>(J, w);
  for (int k = 0; k < 5; k++) J.sums[k] = 0;
  for (int m = 0; m < M; m++) inverse_map<Single, T>(J, w, m);
}

template <int ISA> AUIF_INLINE void step_single_impl(Job<float>* J) { step_body<true, float>(*J); }
template <int ISA> AUIF_INLINE void step_double_impl(Job<double>* J) { step_body<false, double>(*J); }
AUIF_DISPATCH(void, step_single, (Job<float>* J), (J))
AUIF_DISPATCH(void, step_double, (Job<double>* J), (J))

// ---- Node-API glue ----

napi_value throw_error(napi_env env, const std::string& msg) {
  napi_throw_range_error(env, nullptr, ("cbpdnStep: " + msg).c_str());
  return nullptr;
}

// cbpdnStep(single, W, H, M, rowPlan, colPlan, Y, U, Br, Bi, Dr, Di, norm2, Sr, Si, params, sums)
// params = [ρ, α, 1 − α, λ/ρ, rsf, first]; sums (Float64Array(5)) ← ‖x‖², ‖y‖², ‖u‖², ‖x−y‖², ‖y_prev−y‖².
napi_value CbpdnStep(napi_env env, napi_callback_info info) {
  napi_value argv[17];
  const size_t argc = get_argv(env, info, argv, 17);
  if (argc != 17) return throw_error(env, "expected 17 arguments, got " + std::to_string(argc));
  bool single = false;
  if (napi_get_value_bool(env, argv[0], &single) != napi_ok) return throw_error(env, "argument 'single' must be a boolean");
  int32_t W = 0, H = 0, M = 0;
  if (napi_get_value_int32(env, argv[1], &W) != napi_ok || napi_get_value_int32(env, argv[2], &H) != napi_ok || napi_get_value_int32(env, argv[3], &M) != napi_ok || W < 1 || H < 1 || M < 1)
    return throw_error(env, "W, H, M must be positive integers");
  const size_t N = (size_t)W * H, L = (size_t)H * (W / 2 + 1);
  const napi_typedarray_type st = single ? napi_float32_array : napi_float64_array;
  const char* stName = single ? "Float32Array" : "Float64Array";
  void* p[17] = {nullptr};
  size_t len[17] = {0};
  const char* names[17] = {"", "", "", "", "rowPlan", "colPlan", "Y", "U", "Br", "Bi", "Dr", "Di", "norm2", "Sr", "Si", "params", "sums"};
  for (int i = 4; i < 17; i++) {
    const bool storage = i >= 6 && i <= 11;
    if (!typed_array(env, argv[i], storage ? st : napi_float64_array, p[i], len[i]))
      return throw_error(env, std::string(names[i]) + " must be a " + (storage ? stName : "Float64Array"));
  }
  const size_t want[17] = {0, 0, 0, 0, 0, 0, M * N, M * N, M * L, M * L, M * L, M * L, L, L, L, 6, 5};
  for (int i = 6; i < 17; i++) if (len[i] != want[i]) return throw_error(env, std::string(names[i]) + " has " + std::to_string(len[i]) + " elements, expected " + std::to_string(want[i]) + " for " + std::to_string(W) + "×" + std::to_string(H) + "×" + std::to_string(M));
  Plan rows, cols;
  if (!parse_plan((const double*)p[4], 0, len[4], rows) || rows.n != W) return throw_error(env, "rowPlan is not a packed FFT plan of length " + std::to_string(W));
  if (!parse_plan((const double*)p[5], 0, len[5], cols) || cols.n != H) return throw_error(env, "colPlan is not a packed FFT plan of length " + std::to_string(H));
  const double* prm = (const double*)p[15];
  double* sums = (double*)p[16];
  auto fill = [&](auto& J) {
    J.W = W; J.H = H; J.M = M;
    J.rows = std::move(rows); J.cols = std::move(cols);
    J.norm2 = (const double*)p[12]; J.Sr = (const double*)p[13]; J.Si = (const double*)p[14];
    J.rho = prm[0]; J.alpha = prm[1]; J.oneMinusAlpha = prm[2]; J.thr = prm[3]; J.rsf = prm[4]; J.first = prm[5] != 0;
  };
  if (single) {
    Job<float> J;
    fill(J);
    J.Y = (float*)p[6]; J.U = (float*)p[7]; J.Br = (float*)p[8]; J.Bi = (float*)p[9]; J.Dr = (const float*)p[10]; J.Di = (const float*)p[11];
    step_single(&J);
    std::memcpy(sums, J.sums, sizeof J.sums);
  } else {
    Job<double> J;
    fill(J);
    J.Y = (double*)p[6]; J.U = (double*)p[7]; J.Br = (double*)p[8]; J.Bi = (double*)p[9]; J.Dr = (const double*)p[10]; J.Di = (const double*)p[11];
    step_double(&J);
    std::memcpy(sums, J.sums, sizeof J.sums);
  }
  return nullptr;
}

napi_value Isa(napi_env env, napi_callback_info) {
  napi_value s;
  napi_create_string_utf8(env, auif_simd::use_avx2() ? "avx2" : "portable", NAPI_AUTO_LENGTH, &s);
  return s;
}

napi_value Init(napi_env env, napi_value exports) {
  def(env, exports, "cbpdnStep", CbpdnStep);
  def(env, exports, "isa", Isa);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
