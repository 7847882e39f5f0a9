import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { vif, vifPair, viff } from '../../lib/metrics/vif.js';
import type { MetricImage } from '../../lib/metrics/index.js';
import { close, constant, gen, noise } from './_helpers.js';

const t = suite('metrics/vif (VIF, VIFF)');

/** Normalised 2-D Gaussian window, built directly in 2-D (fspecial('gaussian', n, σ)). */
function window2d(n: number, sigma: number): number[][] {
  const c = (n - 1) / 2;
  const w = Array.from({ length: n }, (_, y) => Array.from({ length: n }, (_, x) => Math.exp(-((x - c) ** 2 + (y - c) ** 2) / (2 * sigma * sigma))));
  const s = w.flat().reduce((a, b) => a + b, 0);
  return w.map((r) => r.map((v) => v / s));
}

type Mat = number[][];
const toMat = (m: MetricImage): Mat => Array.from({ length: m.height }, (_, y) => Array.from({ length: m.width }, (_, x) => m.data[y * m.width + x]));
/** filter2(w, a, 'valid'), straight 2-D loops. */
function valid(w: Mat, a: Mat): Mat {
  const n = w.length;
  const out: Mat = [];
  for (let y = 0; y + n <= a.length; y++) {
    const row: number[] = [];
    for (let x = 0; x + n <= a[0].length; x++) {
      let s = 0;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s += w[i][j] * a[y + i][x + j];
      row.push(s);
    }
    out.push(row);
  }
  return out;
}
const mul = (a: Mat, b: Mat): Mat => a.map((r, y) => r.map((v, x) => v * b[y][x]));
const down = (a: Mat): Mat => a.filter((_, y) => y % 2 === 0).map((r) => r.filter((_, x) => x % 2 === 0));

/** Per-scale (g, VID, VIND) maps of vifp_mscale / VIFF_Public, written as plainly as possible. */
function scaleMaps(refI: MetricImage, distI: MetricImage, sigmaN: number): { g: number[]; vid: number[]; vind: number[] }[] {
  let ref = toMat(refI);
  let dist = toMat(distI);
  const out: { g: number[]; vid: number[]; vind: number[] }[] = [];
  for (let scale = 1; scale <= 4; scale++) {
    const n = 2 ** (4 - scale + 1) + 1;
    const w = window2d(n, n / 5);
    if (scale > 1) {
      ref = down(valid(w, ref));
      dist = down(valid(w, dist));
    }
    const mu1 = valid(w, ref).flat();
    const mu2 = valid(w, dist).flat();
    const e11 = valid(w, mul(ref, ref)).flat();
    const e22 = valid(w, mul(dist, dist)).flat();
    const e12 = valid(w, mul(ref, dist)).flat();
    const res = { g: [] as number[], vid: [] as number[], vind: [] as number[] };
    for (let i = 0; i < mu1.length; i++) {
      let s1 = Math.max(0, e11[i] - mu1[i] ** 2);
      const s2 = Math.max(0, e22[i] - mu2[i] ** 2);
      const s12 = e12[i] - mu1[i] * mu2[i];
      let g = s12 / (s1 + 1e-10);
      let sv = s2 - g * s12;
      if (s1 < 1e-10) { g = 0; sv = s2; s1 = 0; }
      if (s2 < 1e-10) { g = 0; sv = 0; }
      if (g < 0) { sv = s2; g = 0; }
      if (sv <= 1e-10) sv = 1e-10;
      res.g.push(g);
      res.vid.push(Math.log10(1 + (g * g * s1) / (sv + sigmaN)));
      res.vind.push(Math.log10(1 + s1 / sigmaN));
    }
    out.push(res);
  }
  return out;
}
function naiveVif(ref: MetricImage, dist: MetricImage): number {
  let num = 0;
  let den = 0;
  for (const s of scaleMaps(ref, dist, 2)) {
    num += s.vid.reduce((a, b) => a + b, 0);
    den += s.vind.reduce((a, b) => a + b, 0);
  }
  return num / den;
}
function naiveViff(a: MetricImage, b: MetricImage, f: MetricImage): number {
  const sq = 0.005 * 255 * 255;
  const A = scaleMaps(a, f, sq);
  const B = scaleMaps(b, f, sq);
  const p = [1, 0, 0.15, 1].map((v) => v / 2.15);
  let F = 0;
  for (let s = 0; s < 4; s++) {
    let vid = 0;
    let vind = 0;
    const m = A[s].g.length;
    for (let i = 0; i < m; i++) {
      const useA = A[s].g[i] < B[s].g[i];
      vid += (useA ? A[s].vid[i] : B[s].vid[i]) + 1e-7;
      vind += (useA ? A[s].vind[i] : B[s].vind[i]) + 1e-7;
    }
    if (m > 0) F += p[s] * (vid / vind);
  }
  return F;
}

// A 17×17 image has exactly one scale-1 window and no other scale.
const check17 = gen(17, 17, (x, y) => ((x + y) % 2 ? 10 : 0));
/** Gaussian-weighted variance of the single 17×17 window, computed in 2-D. */
function windowVariance(m: MetricImage): number {
  const w = window2d(17, 3.4).flat();
  let mu = 0;
  let e2 = 0;
  for (let i = 0; i < w.length; i++) {
    mu += w[i] * m.data[i];
    e2 += w[i] * m.data[i] ** 2;
  }
  return e2 - mu * mu;
}

t('VIF on one 17×17 window, by hand: D = R → 1; D = 2R + 5 → log(1 + 2σ²)/log(1 + σ²/2)', () => {
  const s1 = windowVariance(check17);
  assert.ok(s1 > 20 && s1 < 30, `σ² = ${s1}`);
  close(vifPair(check17, check17), Math.log10(1 + s1 / (2 + 1e-10)) / Math.log10(1 + s1 / 2), 1e-9);
  close(vifPair(check17, check17), 1, 1e-9);
  const d = gen(17, 17, (x, y) => 2 * check17.data[y * 17 + x] + 5);
  close(vifPair(check17, d), Math.log10(1 + (4 * s1) / 2) / Math.log10(1 + s1 / 2), 1e-9);
  // sum over the two sources
  close(vif(check17, check17, check17), 2, 1e-9);
});

t('VIF: negative gain gives 0; equals a plain 2-D implementation on all 4 scales', () => {
  const inv = gen(17, 17, (x, y) => 255 - check17.data[y * 17 + x]);
  assert.is(vifPair(check17, inv), 0);
  // 48×48: scales 1..4 all have valid windows (32², 12², 4², 1²)
  const a = noise(48, 48, 1);
  const b = gen(48, 48, (x, y) => 0.6 * a.data[y * 48 + x] + 0.4 * noise(48, 48, 2).data[y * 48 + x]);
  close(vifPair(a, b), naiveVif(a, b), 1e-10);
  close(vif(a, noise(48, 48, 3), b), naiveVif(a, b) + naiveVif(noise(48, 48, 3), b), 1e-10);
  // a non-square size with odd dimensions
  const c = noise(53, 41, 4);
  const d = noise(53, 41, 5);
  close(vifPair(c, d), naiveVif(c, d), 1e-10);
});

t('VIF degenerate cases: constant reference or an image smaller than 17×17 → 0', () => {
  assert.is(vifPair(constant(20, 20, 5), noise(20, 20, 1)), 0);
  assert.is(vif(constant(20, 20, 5), constant(20, 20, 6), constant(20, 20, 7)), 0);
  assert.is(vifPair(noise(16, 40, 1), noise(16, 40, 2)), 0);
});

t('VIFF (printed): one 17×17 window by hand', () => {
  const sq = 0.005 * 255 * 255;
  const s1 = windowVariance(check17);
  // IR = VIS = R, F = 2R + 5: g₁ = g₂ = 2, tie → source 2; only scale 1 exists (weight 1/2.15)
  const f = gen(17, 17, (x, y) => 2 * check17.data[y * 17 + x] + 5);
  const F1 = (Math.log10(1 + (4 * s1) / (1e-10 + sq)) + 1e-7) / (Math.log10(1 + s1 / sq) + 1e-7);
  close(viff(check17, check17, f), F1 / 2.15, 1e-9);
  // VIS constant: g₂ = 0 < g₁, so the constant source is used: VID = VIND = 0 → F₁ = C/C = 1
  close(viff(check17, constant(17, 17, 3), check17), 1 / 2.15, 1e-12);
});

t('VIFF equals a plain 2-D implementation of VIFF_Public.m', () => {
  const a = noise(48, 48, 7);
  const b = noise(48, 48, 8);
  const f = gen(48, 48, (x, y) => Math.max(a.data[y * 48 + x], b.data[y * 48 + x]));
  close(viff(a, b, f), naiveViff(a, b, f), 1e-10);
  const c = noise(57, 50, 9);
  const d = noise(57, 50, 10);
  const e = gen(57, 50, (x, y) => (c.data[y * 57 + x] + d.data[y * 57 + x]) / 2);
  close(viff(c, d, e), naiveViff(c, d, e), 1e-10);
});

t('VIFF with constant sources is 1 (as the reference code computes), never NaN', () => {
  close(viff(constant(48, 48, 1), constant(48, 48, 2), noise(48, 48, 3)), 1, 1e-12);
});

t.run();
