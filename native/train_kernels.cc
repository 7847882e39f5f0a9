// Native training step for AUIF (Zhao et al., TCSVT 2021; upstream train.py): the train-mode
// forward pass of both encoders and the decoder, the loss L = L_MSE + μ·L_SSIM (kornia 0.4.1
// SSIM), and the backward pass to every trainable parameter — in one call, without tfjs.
//
//   x^{k+1} = x^k − η(PReLU(BN_B(A_k x^k)) − θ(I − x^k)),   A_k x = K̃_k ∗ pad₁(K_k ∗ pad₁ x)
//   Î = σ(BN_B(W ∗ pad₁(B^N + D^N))),   L = mean((I − Î)²) + μ·mean(clamp(1 − SSIM(I, Î), 0, 1)/2)
//
// Forward arithmetic is that of the tfjs graph of lib/train/forward.ts with the native operator
// (lib/kernels/native.ts): A(x) as the 5×5 autocorrelation w inside and the exact two-convolution
// form (9×9 matrix M) on the outer ring, both summed in double and rounded to float32; batch
// statistics as ATen (float64 sums, μ_B and S = Σ(x − μ_B)² rounded to float32); the BN affine,
// PReLU and the update in float32, one rounding per operation (built with -ffp-contract=off).
// The SSIM loss's forward values are kornia's float32 arithmetic (the five Gaussian filterings
// with one fused rounding per tap in row-major order, as PyTorch's CPU convolution, then each
// elementwise operation in float32): σ² = E[x²] − μ² cancels, and the reference's gradient is that
// of its float32 values (a float64 SSIM moves the worst fixture gradient from 0.75 to 1.03 of its
// tolerance). The decoder convolution, the MSE and the whole backward pass are computed in double.
//
// Determinism: every reduction (∂L/∂w, ∂L/∂M, ∂L/∂η, ∂L/∂θ, ∂L/∂α, ∂L/∂W, the BN sums, the loss)
// is summed per image in a fixed order (column accumulators over rows, or for ∂L/∂w eight explicit
// lanes per row, then the columns/lanes left to right) and the per-image partials are added in
// image order; threads take whole images. So the result does not depend on the number of threads:
// a resumed run reproduces a run on another machine bit for bit. No intrinsics: the loops are
// written for the compiler's vectoriser, and since no reassociation is allowed (-ffp-contract=off,
// no -ffast-math) and the lane structure is in the source, any vector width gives the same bits.
// (std::fmaf in the SSIM filtering is correctly rounded with or without FMA hardware; without
// -mfma it is a library call, slower.)
#include <node_api.h>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <new>
#include <string>
#include <mutex>
#include <thread>
#include <vector>
#include "napi_glue.h"
#include "parallel.h"

namespace {

// Runs f(i) for i in [0, total) on T threads taking the next i as they go (a loaded machine does
// not leave one thread waiting for another's fixed share); t_worker is the running thread's index
// (its scratch). Each f(i) writes only its own outputs, so the results do not depend on who ran
// what. Exceptions are rethrown after every thread has joined.
thread_local int t_worker = 0;
void pfor(int T, int64_t total, const std::function<void(int64_t)>& f) {
  const int workers = (int)std::max<int64_t>(1, std::min<int64_t>(T, total));
  std::atomic<int64_t> next{0};
  auto body = [&](int w) {
    t_worker = w;
    for (int64_t i; (i = next.fetch_add(1)) < total;) f(i);
  };
  if (workers <= 1) { body(0); return; }
  // An exception (or a thread that cannot start) empties the queue: the others stop at their next i.
  run_workers(workers, [&](int64_t w) { body((int)w); }, [&] { next = total; });
}

inline int refl(int i, int n) { return i < 0 ? -i : (i >= n ? 2 * n - 2 - i : i); }

// xp = reflectpad_p(x) as double, (H + 2p) × (W + 2p).
void pad_double(const float* x, int H, int W, int p, double* xp) {
  const int Wp = W + 2 * p;
  for (int r = 0; r < H + 2 * p; r++) {
    const float* src = x + (size_t)refl(r - p, H) * W;
    double* dst = xp + (size_t)r * Wp;
    for (int c = 0; c < p; c++) dst[c] = src[refl(c - p, W)];
    for (int c = 0; c < W; c++) dst[p + c] = src[c];
    for (int c = W + p; c < Wp; c++) dst[c] = src[refl(c - p, W)];
  }
}

// dx += fold_p(dp): the adjoint of reflect padding by p of an (H + 2p) × (W + 2p) double map.
void fold_add(const double* dp, int H, int W, int p, double* dx) {
  const int Wp = W + 2 * p;
  for (int ur = 0; ur < H + 2 * p; ur++) {
    double* d = dx + (size_t)refl(ur - p, H) * W;
    const double* s = dp + (size_t)ur * Wp;
    for (int c = 0; c < W; c++) d[c] += s[p + c];
    for (int c = 0; c < p; c++) d[refl(c - p, W)] += s[c];
    for (int c = W + p; c < Wp; c++) d[refl(c - p, W)] += s[c];
  }
}

// The outer ring of an H×W image, row-major (row 0, then (r, 0) and (r, W − 1) for 0 < r < H − 1,
// then row H − 1), and for each ring pixel p the 81 indices r(r(p + q − 1) + t − 1) of
// A(x)[p] = Σ_{q,t} M[q][t]·x[r(r(p + q − 1) + t − 1)], in the order k = 9q + t.
struct Ring {
  std::vector<int32_t> pix, idx;
  Ring(int H, int W) {
    for (int r = 0; r < H; r++) {
      if (r == 0 || r == H - 1) { for (int c = 0; c < W; c++) pix.push_back(r * W + c); }
      else { pix.push_back(r * W); pix.push_back(r * W + W - 1); }
    }
    idx.resize(pix.size() * 81);
    for (size_t k = 0; k < pix.size(); k++) {
      const int r = pix[k] / W, c = pix[k] % W;
      int32_t* o = idx.data() + k * 81;
      for (int qi = 0; qi < 3; qi++) {
        const int ur = refl(r + qi - 1, H);
        for (int qj = 0; qj < 3; qj++) {
          const int uc = refl(c + qj - 1, W);
          for (int ti = 0; ti < 3; ti++) for (int tj = 0; tj < 3; tj++)
            *o++ = refl(ur + ti - 1, H) * W + refl(uc + tj - 1, W);
        }
      }
    }
  }
};

// A(x) at ring pixel k, in double (the two-convolution form: auif_kernels.cc's ring_value, same order).
inline double ring_value(const float* x, const Ring& ring, size_t k, const double* M) {
  const int32_t* ix = ring.idx.data() + k * 81;
  double acc = 0;
  for (int t = 0; t < 81; t++) acc += M[t] * (double)x[ix[t]];
  return acc;
}

// Register blocks: kB outputs of one row accumulate all their taps before being stored (the
// per-output order of the taps is unchanged, so the sums are those of the plain loops).
constexpr int kB = 32;

// out[c] = Σ_{i<5, j<5} w[i][j]·src[i·ld + c + j] for c < n, taps in row-major order, in double.
inline void taps25_row(const double* src, size_t ld, const double* w, int n, double* out) {
  int c0 = 0;
  for (; c0 + kB <= n; c0 += kB) {
    double a[kB] = {0};
    for (int i = 0; i < 5; i++) for (int j = 0; j < 5; j++) {
      const double wij = w[i * 5 + j];
      const double* sp = src + (size_t)i * ld + c0 + j;
      for (int v = 0; v < kB; v++) a[v] += wij * sp[v];
    }
    for (int v = 0; v < kB; v++) out[c0 + v] = a[v];
  }
  for (int c = c0; c < n; c++) {
    double a = 0;
    for (int i = 0; i < 5; i++) for (int j = 0; j < 5; j++) a += w[i * 5 + j] * src[(size_t)i * ld + c + j];
    out[c] = a;
  }
}

// acc[d][v] += Σ_c g[c]·src[i·ld + c + j] (d = 5i + j) over c < n, lane v = c mod kL: the 25
// correlations of one row of g with a 5-row window, each summed per lane over the row, then added
// to the lane accumulators (a fixed order).
constexpr int kL = 8;
inline void corr25_row(const double* g, const double* src, size_t ld, int n, double (*acc)[kL]) {
  const int nb = n / kL * kL;
  for (int i = 0; i < 5; i++) for (int j = 0; j < 5; j++) {
    const double* sp = src + (size_t)i * ld + j;
    double a[kL] = {0};  // one register: the row's dot product, lane v = column mod kL
    for (int c0 = 0; c0 < nb; c0 += kL)
      for (int v = 0; v < kL; v++) a[v] += g[c0 + v] * sp[c0 + v];
    for (int c = nb; c < n; c++) a[c - nb] += g[c] * sp[c];
    double* d = acc[i * 5 + j];
    for (int v = 0; v < kL; v++) d[v] += a[v];
  }
}

// Per-thread scratch, sized for one image.
struct Scratch {
  std::vector<double> a, b, c, d, e, f, g, h, acc;
  void ensure(size_t n, size_t nacc) {
    for (auto* v : {&a, &b, &c, &d, &e, &f, &g, &h}) if (v->size() < n) v->resize(n);
    if (acc.size() < nacc) acc.resize(nacc);
  }
};

// z = fl(A(x)) for one image (interior: Σ_{i,j} w[i][j]·x̄[r+i][c+j] added in row-major tap order,
// as auif_kernels.cc's operatorForward; ring: ring_value). Returns Σz (column sums, then columns).
double operator_image(const float* x, int H, int W, const double* w5, const double* M, const Ring& ring, float* z, Scratch& s) {
  const int Wp = W + 4;
  double* xp = s.a.data();
  double* acc = s.b.data();
  double* col = s.c.data();
  pad_double(x, H, W, 2, xp);
  for (int r = 1; r < H - 1; r++) {
    float* zr = z + (size_t)r * W;
    taps25_row(xp + (size_t)r * Wp, Wp, w5, W, acc);
    for (int c = 0; c < W; c++) zr[c] = (float)acc[c];
  }
  // Eight ring pixels at a time: eight independent sums (each in ring_value's order) instead of
  // one chain of 81 dependent additions.
  const size_t RN = ring.pix.size();
  size_t k0 = 0;
  for (; k0 + 8 <= RN; k0 += 8) {
    double a[8] = {0};
    const int32_t* ix = ring.idx.data() + k0 * 81;
    for (int t = 0; t < 81; t++) {
      const double m = M[t];
      for (int v = 0; v < 8; v++) a[v] += m * (double)x[ix[v * 81 + t]];
    }
    for (int v = 0; v < 8; v++) z[ring.pix[k0 + v]] = (float)a[v];
  }
  for (size_t k = k0; k < RN; k++) z[ring.pix[k]] = (float)ring_value(x, ring, k, M);
  std::fill(col, col + W, 0.0);
  for (int r = 0; r < H; r++) {
    const float* zr = z + (size_t)r * W;
    for (int c = 0; c < W; c++) col[c] += zr[c];
  }
  double t = 0;
  for (int c = 0; c < W; c++) t += col[c];
  return t;
}

// Σ fl(fl(z − μ)²) over one image, in double (ATen's S).
double var_sum_image(const float* z, size_t n, float mean, int W, double* col) {
  std::fill(col, col + W, 0.0);
  for (size_t i = 0; i < n; i += W) {
    for (int c = 0; c < W; c++) {
      const float d = z[i + c] - mean;
      col[c] += (double)(d * d);
    }
  }
  double t = 0;
  for (int c = 0; c < W; c++) t += col[c];
  return t;
}

// Batch statistics as ATen (lib/train/batchnorm_train.ts): μ_B, S (float32), invstd, and the
// float32 affine y = x·a + b.
struct BnStats { float mean, varSum, invstd, a, b; };
BnStats bn_stats(double sum, double varSum, double n, float gamma, float beta) {
  BnStats s;
  s.mean = (float)(sum / n);
  s.varSum = (float)varSum;
  s.invstd = (float)(1.0 / std::sqrt((double)(float)((double)s.varSum / n) + 1e-5));
  s.a = s.invstd * gamma;
  s.b = beta - s.mean * s.a;
  return s;
}

// The float32 layer update of the graph: y = fl(fl(z·a) + b); g = PReLU; x' = x − η(g − θ(I − x)).
inline float layer_update(float x, float z, float I, const BnStats& bn, float alpha, float eta, float theta) {
  const float za = z * bn.a;
  const float y = za + bn.b;
  const float ay = alpha * y;
  const float g = y < 0.0f ? ay : y;
  const float d = I - x;
  const float td = theta * d;
  const float s = g - td;
  const float es = eta * s;
  return x - es;
}

// One row of the layer's backward, pass 1: recomputes the forward's float32 y = BN(z), d = I − x,
// s = PReLU(y) − θd (as layer_update), then with e = ∂L/∂x⁺ (x⁺ = x − ηs):
//   ∂s = −ηe,  ∂x (direct) = e + ∂s·θ,  ∂y = ∂s·(y > 0 ? 1 : α);
// and adds to the column accumulators acc[5][W]: e·s (−∂η), −∂s·d (∂θ), Σ_{y≤0} ∂s·y (∂α), ∂y, (z − μ)·∂y.
void backward_update_row(const float* __restrict xr, const float* __restrict zr, const float* __restrict Ir, const double* __restrict er,
                         double* __restrict dxr, double* __restrict dyr, double* __restrict acc, int W, float bnA, float bnB, float al, float th,
                         double mean, double eta, double theta, double alpha) {
  double* __restrict ce = acc; double* __restrict ct = acc + W; double* __restrict ca = acc + 2 * W;
  double* __restrict cs = acc + 3 * W; double* __restrict cd = acc + 4 * W;
  for (int c = 0; c < W; c++) {
    const float za = zr[c] * bnA;
    const float yf = za + bnB;
    const float ay = al * yf;
    const float g = yf < 0.0f ? ay : yf;
    const float df = Ir[c] - xr[c];
    const float td = th * df;
    const float sf = g - td;
    const double y = yf, d = df, sv = sf, ev = er[c];
    const double ds = -eta * ev;
    ce[c] += ev * sv;
    ct[c] += -ds * d;
    dxr[c] = ev + ds * theta;
    // PReLU's branches as exact 0/1 weights (a branch-free form the vectoriser takes)
    const double pos = (double)(yf > 0.0f), neg = 1.0 - pos;
    const double dy = pos * ds + neg * (ds * alpha);
    ca[c] += neg * (ds * y);
    dyr[c] = dy;
    cs[c] += dy;
    cd[c] += ((double)zr[c] - mean) * dy;
  }
}

// ---------------------------------------------------------------------------------------------

struct Net {
  int N, H, W, L, T;
  size_t P;  // H·W
  const float* I;
  const float* x0[2];
  const double* w5;   // 2L × 25
  const double* M;    // 2L × 81
  const float* coef;  // 2L × 5: η, θ, γ, β, α
  const float* dec;   // 11: W (9), γ, β
  const float* win;   // 9: the SSIM window
  double mu;
};

struct Outputs {
  double* stats;  // 3 + 2(2L + 1): loss, mse, ssim, then (μ_B, S) per BN
  double* dw5;    // 2L × 25
  double* dM;     // 2L × 81
  double* dcoef;  // 2L × 5
  double* ddec;   // 11
  float* recon;   // N·H·W
};

// The step's buffers (every layer's input and pre-BN map, the gradient planes; ~0.2 GB for a batch
// of 32 × 128²), kept between calls so that each step reuses the same pages instead of faulting in
// fresh ones; one step at a time (TrainStep holds the lock).
struct Workspace {
  std::vector<Scratch> scratch;
  std::vector<std::vector<float>> X[2], Z[2];
  std::vector<float> S, Zd;
  std::vector<double> G, dS, E, DY, DX;
};
Workspace& workspace() { static Workspace w; return w; }
std::mutex g_step_lock;

void train_step(const Net& net, const Outputs& out) {
  const int N = net.N, H = net.H, W = net.W, L = net.L, T = net.T;
  const size_t P = net.P, NP = (size_t)N * P;
  const double n = (double)NP;
  const size_t scratchN = (size_t)(H + 8) * (W + 8);
  const size_t accN = (size_t)25 * W + 81 + 4 * (size_t)W;
  Workspace& wk = workspace();
  std::vector<Scratch>& scratch = wk.scratch;
  if (scratch.size() < (size_t)T) scratch.resize((size_t)T);
  auto scr = [&](int64_t) -> Scratch& {
    Scratch& s = scratch[(size_t)t_worker];
    s.ensure(scratchN, accN);
    return s;
  };
  std::vector<double> part((size_t)N * 8);
  const Ring ring(H, W);
  const size_t RN = ring.pix.size();

  // ---- forward ----
  // X[e][k] (k = 0…L) the layer inputs, Z[e][k] the pre-BN maps, float32.
  std::vector<std::vector<float>>* X = wk.X; std::vector<std::vector<float>>* Z = wk.Z;
  std::vector<BnStats> bn((size_t)2 * L + 1);
  for (int e = 0; e < 2; e++) {
    X[e].resize((size_t)L + 1); Z[e].resize((size_t)L);
    X[e][0].assign(net.x0[e], net.x0[e] + NP);
    for (int k = 0; k < L; k++) {
      const int li = e * L + k;
      X[e][k + 1].resize(NP); Z[e][k].resize(NP);
      float* z = Z[e][k].data();
      const float* x = X[e][k].data();
      const double* w5 = net.w5 + (size_t)li * 25; const double* M = net.M + (size_t)li * 81;
      pfor(T, N, [&](int64_t img) {
        part[(size_t)img] = operator_image(x + img * P, H, W, w5, M, ring, z + img * P, scr(img));
      });
      double sum = 0;
      for (int i = 0; i < N; i++) sum += part[(size_t)i];
      const float mean = (float)(sum / n);
      pfor(T, N, [&](int64_t img) { part[(size_t)img] = var_sum_image(z + img * P, P, mean, W, scr(img).c.data()); });
      double vs = 0;
      for (int i = 0; i < N; i++) vs += part[(size_t)i];
      const float* cf = net.coef + (size_t)li * 5;
      bn[(size_t)li] = bn_stats(sum, vs, n, cf[2], cf[3]);
      const BnStats b = bn[(size_t)li];
      float* xn = X[e][k + 1].data();
      const float eta = cf[0], theta = cf[1], alpha = cf[4];
      pfor(T, N, [&](int64_t img) {
        const size_t o = img * P;
        for (size_t i = o; i < o + P; i++) xn[i] = layer_update(x[i], z[i], net.I[i], b, alpha, eta, theta);
      });
    }
  }
  // decoder: S = fl(B + D), Zd = fl(Σ_t W[t]·S̄[p + t]) (double sum), R = σ(BN(Zd)).
  std::vector<float>& S = wk.S; std::vector<float>& Zd = wk.Zd;
  S.resize(NP); Zd.resize(NP);
  const float* Bn = X[0][L].data(); const float* Dn = X[1][L].data();
  const float* Wd = net.dec;
  pfor(T, N, [&](int64_t img) {
    const size_t o = img * P;
    for (size_t i = o; i < o + P; i++) S[i] = Bn[i] + Dn[i];
    Scratch& s = scr(img);
    double* sp = s.a.data(); double* col = s.c.data();
    pad_double(S.data() + o, H, W, 1, sp);
    const int Wp = W + 2;
    std::fill(col, col + W, 0.0);
    for (int r = 0; r < H; r++) {
      float* zr = Zd.data() + o + (size_t)r * W;
      double* acc = s.b.data();
      std::fill(acc, acc + W, 0.0);
      for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) {
        const double wij = Wd[i * 3 + j]; const double* row = sp + (size_t)(r + i) * Wp + j;
        for (int c = 0; c < W; c++) acc[c] += wij * row[c];
      }
      for (int c = 0; c < W; c++) { zr[c] = (float)acc[c]; col[c] += zr[c]; }
    }
    double t = 0;
    for (int c = 0; c < W; c++) t += col[c];
    part[(size_t)img] = t;
  });
  {
    double sum = 0;
    for (int i = 0; i < N; i++) sum += part[(size_t)i];
    const float mean = (float)(sum / n);
    pfor(T, N, [&](int64_t img) { part[(size_t)img] = var_sum_image(Zd.data() + img * P, P, mean, W, scr(img).c.data()); });
    double vs = 0;
    for (int i = 0; i < N; i++) vs += part[(size_t)i];
    bn[(size_t)2 * L] = bn_stats(sum, vs, n, Wd[9], Wd[10]);
  }
  const BnStats bd = bn[(size_t)2 * L];
  float* R = out.recon;
  pfor(T, N, [&](int64_t img) {
    for (size_t i = img * P; i < (img + 1) * P; i++) {
      const float za = Zd[i] * bd.a;
      const float y = za + bd.b;
      R[i] = (float)(1.0 / (1.0 + std::exp(-(double)y)));
    }
  });

  // ---- loss and ∂L/∂Î (double) ----
  // SSIM map s = A1·A2/(B1·B2), A1 = 2μ₁μ₂ + C₁, A2 = 2σ₁₂ + C₂, B1 = μ₁² + μ₂² + C₁, B2 = σ₁² + σ₂² + C₂;
  // ∂L/∂s = −μ/(2n) where 0 ≤ 1 − s ≤ 1; through μ₂ = g⋆Î, E₂₂ = g⋆Î², E₁₂ = g⋆(I·Î) (reflect pad 1):
  //   ∂L/∂Î = gᵀ(∂μ₂) + 2Î·gᵀ(∂E₂₂) + I·gᵀ(∂E₁₂) + 2(Î − I)/n.
  std::vector<double>& G = wk.G;  // ∂L/∂Î, then ∂L/∂(decoder pre-BN) in place
  G.resize(NP);
  const double C1 = 0.01 * 0.01, C2 = 0.03 * 0.03;
  double win[9];
  for (int t = 0; t < 9; t++) win[t] = net.win[t];
  const float* winf = net.win;
  const float C1f = (float)C1, C2f = (float)C2;
  pfor(T, N, [&](int64_t img) {
    const size_t o = img * P;
    Scratch& s = scr(img);
    const int Wp = W + 2;
    const size_t Pp = (size_t)(H + 2) * Wp;
    // a: pad(I), b: pad(Î); c..: the three adjoint maps (padded coordinates), col: row sums
    double* pI = s.a.data(); double* pR = s.b.data();
    pad_double(net.I + o, H, W, 1, pI);
    pad_double(R + o, H, W, 1, pR);
    double* gm = s.d.data(); double* g22 = s.e.data(); double* g12 = s.f.data();  // H×W each
    double lm = 0, ls = 0;
    double* colm = s.acc.data(); double* cols = colm + W;
    std::fill(colm, colm + 2 * (size_t)W, 0.0);
    const double cs = -net.mu / (2.0 * n);
    for (int r = 0; r < H; r++) {
      for (int c = 0; c < W; c++) {
        // kornia's float32 forward (the values the reference differentiates): the five filterings
        // with one fused rounding per tap in row-major order (PyTorch's CPU convolution, as
        // lib/unrolling/filters.ts), then each elementwise operation rounded to float32.
        float f1 = 0, f2 = 0, f11 = 0, f22 = 0, f12 = 0;
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) {
          const size_t q = (size_t)(r + i) * Wp + c + j;
          const float wt = winf[i * 3 + j], a = (float)pI[q], b = (float)pR[q];
          f1 = std::fmaf(wt, a, f1); f2 = std::fmaf(wt, b, f2);
          f11 = std::fmaf(wt, a * a, f11); f22 = std::fmaf(wt, b * b, f22); f12 = std::fmaf(wt, a * b, f12);
        }
        const float q1 = f1 * f1, q2 = f2 * f2, q12 = f1 * f2;
        const float t1 = f11 - q1, t2 = f22 - q2, t12 = f12 - q12;
        const float a1 = 2.0f * q12 + C1f, a2 = 2.0f * t12 + C2f, b1 = (q1 + q2) + C1f, b2 = (t1 + t2) + C2f;
        const float ssf = (a1 * a2) / (b1 * b2);
        const double m1 = f1, m2 = f2;
        const double A1 = a1, A2 = a2, B1 = b1, B2 = b2;
        const double den = B1 * B2, ss = ssf;
        const double one = 1 - ss;
        const size_t p = (size_t)r * W + c;
        cols[c] += std::min(1.0, std::max(0.0, one)) / 2;
        const double dI = (double)net.I[o + p], dR = (double)R[o + p];
        colm[c] += (dI - dR) * (dI - dR);
        const double ds = (one >= 0 && one <= 1) ? cs : 0.0;
        const double dA1 = ds * A2 / den, dA2 = ds * A1 / den, dB1 = -ds * ss / B1, dB2 = -ds * ss / B2;
        // μ₂ enters A1 (2μ₁), A2 (−2μ₁ via σ₁₂), B1 (2μ₂), B2 (−2μ₂ via σ₂²)
        gm[p] = dA1 * 2 * m1 - dA2 * 2 * m1 + dB1 * 2 * m2 - dB2 * 2 * m2;
        g22[p] = dB2;
        g12[p] = dA2 * 2;
      }
    }
    for (int c = 0; c < W; c++) { lm += colm[c]; ls += cols[c]; }
    part[(size_t)img * 2] = lm; part[(size_t)img * 2 + 1] = ls;
    // adjoint of g ⋆ pad₁(·): dp[q] = Σ_t g[t]·m[q − t], then fold.
    double* outs[3] = {s.c.data(), s.g.data(), s.h.data()};
    double* ins[3] = {gm, g22, g12};
    for (int m = 0; m < 3; m++) {
      double* dp = outs[m];
      std::fill(dp, dp + Pp, 0.0);
      for (int r = 0; r < H; r++) {
        const double* src = ins[m] + (size_t)r * W;
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) {
          const double wt = win[i * 3 + j];
          double* d = dp + (size_t)(r + i) * Wp + j;
          for (int c = 0; c < W; c++) d[c] += wt * src[c];
        }
      }
    }
    // fold each into an H×W map (reuse gm, g22, g12 as outputs after zeroing)
    for (int m = 0; m < 3; m++) {
      double* d = ins[m];
      std::fill(d, d + P, 0.0);
      fold_add(outs[m], H, W, 1, d);
    }
    double* Gi = G.data() + o;
    const double cm = 2.0 / n;
    for (size_t p = 0; p < P; p++) {
      const double dI = (double)net.I[o + p], dR = (double)R[o + p];
      Gi[p] = gm[p] + 2 * dR * g22[p] + dI * g12[p] + cm * (dR - dI);
    }
  });
  {
    double lm = 0, ls = 0;
    for (int i = 0; i < N; i++) { lm += part[(size_t)i * 2]; ls += part[(size_t)i * 2 + 1]; }
    out.stats[1] = lm / n;
    out.stats[2] = ls / n;
    out.stats[0] = out.stats[1] + net.mu * out.stats[2];
  }
  for (int b = 0; b < 2 * L + 1; b++) { out.stats[3 + 2 * b] = bn[(size_t)b].mean; out.stats[4 + 2 * b] = bn[(size_t)b].varSum; }

  // ---- decoder backward ----
  // σ' = Î(1 − Î); BN: ∂z = (dy − Σdy/n − (z − μ)·k)·invstd·γ, k = Σ(z − μ)dy·invstd²/n;
  // ∂W[t] = Σ ∂z·S̄[p + t]; ∂S = fold₁(Σ_t W[t]·∂z[q − t]).
  auto bn_backward_sums = [&](const float* z, double* dy, float mean, int64_t img) {
    // returns in part[img*2]: Σdy, part[img*2+1]: Σ(z − μ)dy
    double* c1 = scr(img).acc.data(); double* c2 = c1 + W;
    std::fill(c1, c1 + 2 * (size_t)W, 0.0);
    const size_t o = img * P;
    for (size_t i = o; i < o + P; i += W) for (int c = 0; c < W; c++) {
      c1[c] += dy[i + c];
      c2[c] += ((double)z[i + c] - (double)mean) * dy[i + c];
    }
    double a = 0, b = 0;
    for (int c = 0; c < W; c++) { a += c1[c]; b += c2[c]; }
    part[(size_t)img * 2] = a; part[(size_t)img * 2 + 1] = b;
  };
  std::vector<double>& dS = wk.dS;
  dS.assign(NP, 0.0);
  {
    pfor(T, N, [&](int64_t img) {
      for (size_t i = img * P; i < (img + 1) * P; i++) { const double r = R[i]; G[i] *= r * (1 - r); }
      bn_backward_sums(Zd.data(), G.data(), bd.mean, img);
    });
    double sdy = 0, sdot = 0;
    for (int i = 0; i < N; i++) { sdy += part[(size_t)i * 2]; sdot += part[(size_t)i * 2 + 1]; }
    const double inv = bd.invstd, kk = sdot * inv * inv / n, gmn = sdy / n, gam = Wd[9];
    out.ddec[9] = sdot * inv; out.ddec[10] = sdy;
    std::vector<double> dWp((size_t)N * 9);
    pfor(T, N, [&](int64_t img) {
      const size_t o = img * P;
      Scratch& s = scr(img);
      double* dz = G.data() + o;
      for (size_t p = 0; p < P; p++) dz[p] = (dz[p] - gmn - ((double)Zd[o + p] - (double)bd.mean) * kk) * inv * gam;
      const int Wp = W + 2;
      double* sp = s.a.data();
      pad_double(S.data() + o, H, W, 1, sp);
      double* acc = s.acc.data();  // 9 × W column accumulators
      std::fill(acc, acc + 9 * (size_t)W, 0.0);
      double* dp = s.b.data();
      std::fill(dp, dp + (size_t)(H + 2) * Wp, 0.0);
      for (int r = 0; r < H; r++) {
        const double* g = dz + (size_t)r * W;
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) {
          const double* row = sp + (size_t)(r + i) * Wp + j;
          double* a = acc + (size_t)(i * 3 + j) * W;
          for (int c = 0; c < W; c++) a[c] += g[c] * row[c];
          const double wij = Wd[i * 3 + j];
          double* d = dp + (size_t)(r + i) * Wp + j;
          for (int c = 0; c < W; c++) d[c] += wij * g[c];
        }
      }
      for (int t = 0; t < 9; t++) { double v = 0; const double* a = acc + (size_t)t * W; for (int c = 0; c < W; c++) v += a[c]; dWp[(size_t)img * 9 + t] = v; }
      fold_add(dp, H, W, 1, dS.data() + o);
    });
    for (int t = 0; t < 9; t++) { double v = 0; for (int i = 0; i < N; i++) v += dWp[(size_t)i * 9 + t]; out.ddec[t] = v; }
  }

  // ---- encoder backward ----
  std::vector<double>& E = wk.E; std::vector<double>& DY = wk.DY; std::vector<double>& DX = wk.DX;
  E.resize(NP); DY.resize(NP); DX.resize(NP);
  std::vector<double> lp((size_t)N * 5), wp((size_t)N * 106);
  for (int e = 0; e < 2; e++) {
    std::copy(dS.begin(), dS.end(), E.begin());
    for (int k = L - 1; k >= 0; k--) {
      const int li = e * L + k;
      const float* cf = net.coef + (size_t)li * 5;
      const float eta = cf[0], theta = cf[1], gamma = cf[2], alpha = cf[4];
      const BnStats b = bn[(size_t)li];
      const float* x = X[e][k].data(); const float* z = Z[e][k].data();
      // pass 1: the update's adjoint, PReLU, the BN sums
      pfor(T, N, [&](int64_t img) {
        const size_t o = img * P;
        double* c = scr(img).acc.data();  // 5 × W column accumulators
        std::fill(c, c + 5 * (size_t)W, 0.0);
        double *ce = c, *ct = c + W, *ca = c + 2 * W, *cs = c + 3 * W, *cd = c + 4 * W;
        const float bnA = b.a, bnB = b.b;
        const double mean = b.mean, deta = eta, dtheta = theta, dalpha = alpha;
        const float al = alpha, th = theta;
        for (size_t i0 = o; i0 < o + P; i0 += W) {
          const float* xr = x + i0; const float* zr = z + i0; const float* Ir = net.I + i0;
          const double* er = E.data() + i0; double* dxr = DX.data() + i0; double* dyr = DY.data() + i0;
          backward_update_row(xr, zr, Ir, er, dxr, dyr, c, W, bnA, bnB, al, th, mean, deta, dtheta, dalpha);
        }
        double v[5] = {0, 0, 0, 0, 0};
        for (int q = 0; q < 5; q++) for (int cc = 0; cc < W; cc++) v[q] += c[(size_t)q * W + cc];
        for (int q = 0; q < 5; q++) lp[(size_t)img * 5 + q] = v[q];
      });
      double v[5] = {0, 0, 0, 0, 0};
      for (int i = 0; i < N; i++) for (int q = 0; q < 5; q++) v[q] += lp[(size_t)i * 5 + q];
      const double inv = b.invstd, kk = v[4] * inv * inv / n, gmn = v[3] / n;
      double* dc = out.dcoef + (size_t)li * 5;
      dc[0] = -v[0]; dc[1] = v[1]; dc[2] = v[4] * inv; dc[3] = v[3]; dc[4] = v[2];
      const double* w5 = net.w5 + (size_t)li * 25; const double* M = net.M + (size_t)li * 81;
      const bool needDx = k > 0;
      double wflip[25];  // rot180(w): Aᵀ as a correlation, ∂x̄[u] = Σ_{i,j} w[4−i][4−j]·Gp[u + (i, j)]
      for (int d = 0; d < 25; d++) wflip[d] = w5[24 - d];
      // pass 2: ∂z, ∂w (interior), ∂M (ring), and Aᵀ∂z
      pfor(T, N, [&](int64_t img) {
        const size_t o = img * P;
        Scratch& s = scr(img);
        double* dz = DY.data() + o;
        for (size_t p = 0; p < P; p++) dz[p] = (dz[p] - gmn - ((double)z[o + p] - (double)b.mean) * kk) * inv * (double)gamma;
        const int Wp = W + 4, Wg = W + 8;
        double* xp = s.a.data();
        pad_double(x + o, H, W, 2, xp);
        // Gp: ∂z on interior pixels, zero on the ring and beyond, at offset 4 ((H+8)×(W+8)).
        double* Gp = s.b.data();
        std::fill(Gp, Gp + (size_t)(H + 8) * Wg, 0.0);
        for (int r = 1; r < H - 1; r++) std::memcpy(Gp + (size_t)(r + 4) * Wg + 5, dz + (size_t)r * W + 1, sizeof(double) * (W - 2));
        // ∂w[i][j] = Σ_{interior p} ∂z[p]·x̄[p + (i, j)]: lane accumulators (column c in lane
        // c mod kL) over the rows, then the lanes in order
        double acc[25][kL] = {};
        for (int r = 1; r < H - 1; r++) corr25_row(Gp + (size_t)(r + 4) * Wg + 4, xp + (size_t)r * Wp, Wp, W, acc);
        double* pw = wp.data() + (size_t)img * 106;
        for (int d = 0; d < 25; d++) { double t = 0; for (int v = 0; v < kL; v++) t += acc[d][v]; pw[d] = t; }
        // ∂M[q][t] = Σ_{ring p} ∂z[p]·x[r(r(p + q − 1) + t − 1)], ring pixels in row-major order
        double* pm = pw + 25;
        std::fill(pm, pm + 81, 0.0);
        const float* xi = x + o;
        for (size_t k = 0; k < RN; k++) {
          const double gv = dz[ring.pix[k]];
          const int32_t* ix = ring.idx.data() + k * 81;
          for (int t = 0; t < 81; t++) pm[t] += gv * (double)xi[ix[t]];
        }
        if (!needDx) return;
        // Aᵀ∂z, interior: ∂x̄[u] = Σ_{i,j} w[i][j]·G[u − (i, j)] on pad₂ coordinates, folded;
        // ring: ∂x[r(r(p + q − 1) + t − 1)] += M[q][t]·∂z[p].
        double* dp = s.c.data();
        for (int ur = 0; ur < H + 4; ur++) taps25_row(Gp + (size_t)ur * Wg, Wg, wflip, Wp, dp + (size_t)ur * Wp);
        double* dx = s.d.data();
        std::fill(dx, dx + P, 0.0);
        fold_add(dp, H, W, 2, dx);
        for (size_t k = 0; k < RN; k++) {
          const double gv = dz[ring.pix[k]];
          const int32_t* ix = ring.idx.data() + k * 81;
          for (int t = 0; t < 81; t++) dx[ix[t]] += M[t] * gv;
        }
        double* DXi = DX.data() + o;  // Aᵀ∂z joins the direct path
        for (size_t p = 0; p < P; p++) DXi[p] += dx[p];
      });
      double* dw = out.dw5 + (size_t)li * 25; double* dm = out.dM + (size_t)li * 81;
      for (int d = 0; d < 106; d++) {
        double t = 0;
        for (int i = 0; i < N; i++) t += wp[(size_t)i * 106 + d];
        if (d < 25) dw[d] = t; else dm[d - 25] = t;
      }
      if (needDx) std::swap(E, DX);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// N-API glue

bool prop(napi_env env, napi_value obj, const char* name, napi_value& v) {
  bool has = false;
  if (napi_has_named_property(env, obj, name, &has) != napi_ok || !has) {
    napi_throw_type_error(env, nullptr, (std::string("trainStep: missing '") + name + "'").c_str());
    return false;
  }
  return napi_get_named_property(env, obj, name, &v) == napi_ok;
}

template <typename Tp>
bool typed(napi_env env, napi_value obj, const char* name, napi_typedarray_type want, Tp*& p, size_t expect) {
  napi_value v;
  if (!prop(env, obj, name, v)) return false;
  Tp* data; size_t len;
  if (!get_typed(env, v, want, data, len, (std::string("trainStep: '") + name + "'").c_str())) return false;
  if (len != expect) return throw_range(env, std::string("trainStep: '") + name + "' has " + std::to_string(len) + " values, expected " + std::to_string(expect));
  p = data;
  return true;
}

bool number(napi_env env, napi_value obj, const char* name, double& out, double lo, double hi, bool integer) {
  napi_value v;
  if (!prop(env, obj, name, v)) return false;
  if (napi_get_value_double(env, v, &out) != napi_ok || !(out >= lo && out <= hi) || (integer && std::floor(out) != out)) {
    napi_throw_range_error(env, nullptr, (std::string("trainStep: '") + name + "' must be " + (integer ? "an integer" : "a number") + " in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]").c_str());
    return false;
  }
  return true;
}

// trainStep(inp, out): see lib/kernels/native.ts `TrainKernels.trainStep`.
napi_value TrainStep(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (get_argv(env, info, argv, 2) < 2) { throw_type(env, "trainStep: expected (inputs, outputs)"); return nullptr; }
  double n, h, w, L, T, mu;
  if (!number(env, argv[0], "n", n, 1, 1 << 20, true) || !number(env, argv[0], "h", h, 3, 1 << 16, true) ||
      !number(env, argv[0], "w", w, 3, 1 << 16, true) || !number(env, argv[0], "layers", L, 1, 1024, true) ||
      !number(env, argv[0], "threads", T, 1, 64, true) || !number(env, argv[0], "mu", mu, 0, 1e30, false)) return nullptr;
  if (n * h * w < 2) { napi_throw_range_error(env, nullptr, "trainStep: batch norm in train mode needs more than one value"); return nullptr; }
  Net net;
  net.N = (int)n; net.H = (int)h; net.W = (int)w; net.L = (int)L; net.T = (int)T; net.mu = mu;
  net.P = (size_t)net.H * net.W;
  const size_t NP = (size_t)net.N * net.P, LL = (size_t)2 * net.L;
  float* I; float* B0; float* D0; double* w5; double* M; float* coef; float* dec; float* win;
  Outputs o;
  if (!typed(env, argv[0], "I", napi_float32_array, I, NP) || !typed(env, argv[0], "B0", napi_float32_array, B0, NP) ||
      !typed(env, argv[0], "D0", napi_float32_array, D0, NP) || !typed(env, argv[0], "w5", napi_float64_array, w5, LL * 25) ||
      !typed(env, argv[0], "M", napi_float64_array, M, LL * 81) || !typed(env, argv[0], "coef", napi_float32_array, coef, LL * 5) ||
      !typed(env, argv[0], "dec", napi_float32_array, dec, 11) || !typed(env, argv[0], "window", napi_float32_array, win, 9) ||
      !typed(env, argv[1], "stats", napi_float64_array, o.stats, 3 + 2 * (LL + 1)) || !typed(env, argv[1], "dw5", napi_float64_array, o.dw5, LL * 25) ||
      !typed(env, argv[1], "dM", napi_float64_array, o.dM, LL * 81) || !typed(env, argv[1], "dcoef", napi_float64_array, o.dcoef, LL * 5) ||
      !typed(env, argv[1], "ddec", napi_float64_array, o.ddec, 11) || !typed(env, argv[1], "recon", napi_float32_array, o.recon, NP)) return nullptr;
  net.I = I; net.x0[0] = B0; net.x0[1] = D0; net.w5 = w5; net.M = M; net.coef = coef; net.dec = dec; net.win = win;
  return guard(env, "auif native kernels: trainStep: ", [&]() -> napi_value {
    std::lock_guard<std::mutex> lock(g_step_lock);
    train_step(net, o);
    return nullptr;
  });
}

}  // namespace

// Registered by auif_kernels.cc's module initialiser (one addon, one init).
napi_status auif_register_train_kernels(napi_env env, napi_value exports) {
  return def(env, exports, "trainStep", TrainStep);
}
