import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { qabf, qabfJs } from '../../lib/metrics/qabf.js';
import { nativeKernels, nativeStatus } from '../../lib/kernels/native.js';
import { skipLoudly } from '../helpers/upstream.js';
import type { MetricImage } from '../../lib/metrics/index.js';
import { close, constant, gen, img, noise } from './_helpers.js';

const t = suite('metrics/qabf (Qabf)');
const Tg = 0.9994, kg = -15, Dg = 0.5, Ta = 0.9879, ka = -22, Da = 0.8;
const Qg = (G: number) => Tg / (1 + Math.exp(kg * (G - Dg)));
const Qa = (A: number) => Ta / (1 + Math.exp(ka * (A - Da)));

t('F = A/2 with B constant: every edge keeps half its strength and its orientation', () => {
  const a = gen(4, 4, (x, y) => 10 * x + 3 * y * y);
  const f = gen(4, 4, (x, y) => a.data[y * 4 + x] / 2);
  const expected = Qg(0.5) * Qa(1); // = Tg/2 · Ta/(1 + e^{−4.4})
  close(qabf(a, constant(4, 4, 0), f), expected);
  close(qabf(constant(4, 4, 0), a, f, { convention: 'vifb' }), expected);
});

t('3×3 single bright pixel, A = B = F: the equal-strength rule G = gF', () => {
  const p = img([[0, 0, 0], [0, 1, 0], [0, 0, 0]]);
  // Sobel (zero border): corners |gx| = |gy| = 1 → g = √2; edge middles g = 2; centre 0
  const g = [Math.SQRT2, 2];
  const num = 4 * g[0] * Qg(g[0]) * Qa(1) + 4 * g[1] * Qg(g[1]) * Qa(1);
  const den = 4 * g[0] + 4 * g[1];
  close(qabf(p, p, p), num / den); // the two sources contribute equally
  // vifb scales every image by 255, so G = 255·gF saturates the sigmoid
  const numV = 4 * g[0] * Qg(255 * g[0]) * Qa(1) + 4 * g[1] * Qg(255 * g[1]) * Qa(1);
  close(qabf(p, p, p, { convention: 'vifb' }), numV / den);
});

/** MATLAB conv2(p, h, 'same') for a 3×3 kernel, written plainly (true convolution, zero border). */
function conv2same(p: MetricImage, h: number[][]): number[] {
  const out: number[] = [];
  for (let i = 0; i < p.height; i++) {
    for (let j = 0; j < p.width; j++) {
      let s = 0;
      for (let u = 0; u < 3; u++) {
        for (let v = 0; v < 3; v++) {
          const y = i - u + 1;
          const x = j - v + 1;
          if (y >= 0 && y < p.height && x >= 0 && x < p.width) s += h[u][v] * p.data[y * p.width + x];
        }
      }
      out.push(s);
    }
  }
  return out;
}
/** The reference MATLAB Qabf (VIFB metricsQabf.m) transcribed loop by loop; `scale` = 255 for VIFB. */
function naiveQabf(A: MetricImage, B: MetricImage, F: MetricImage, scale = 1): number {
  const h1 = [[1, 2, 1], [0, 0, 0], [-1, -2, -1]];
  const h3 = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]];
  const S = (m: MetricImage) => {
    const sc = { ...m, data: Array.from(m.data, (v) => v * scale) };
    const x = conv2same(sc, h3);
    const y = conv2same(sc, h1);
    return { g: x.map((v, i) => Math.sqrt(v * v + y[i] * y[i])), a: x.map((v, i) => (v === 0 ? Math.PI / 2 : Math.atan(y[i] / v))) };
  };
  const [a, b, f] = [S(A), S(B), S(F)];
  const Q = (s: { g: number[]; a: number[] }, i: number) => {
    const G = s.g[i] > f.g[i] ? f.g[i] / s.g[i] : s.g[i] === f.g[i] ? f.g[i] : s.g[i] / f.g[i];
    return Qg(G) * Qa(1 - Math.abs(s.a[i] - f.a[i]) / (Math.PI / 2));
  };
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.g.length; i++) {
    num += Q(a, i) * a.g[i] + Q(b, i) * b.g[i];
    den += a.g[i] + b.g[i];
  }
  return num / den;
}

t('equals the reference MATLAB code transcribed plainly (both conventions)', () => {
  const a = noise(13, 9, 21);
  const b = gen(13, 9, (x, y) => (x > 6 ? 200 : 20) + y);
  const f = gen(13, 9, (x, y) => Math.round((a.data[y * 13 + x] + b.data[y * 13 + x]) / 2));
  close(qabf(a, b, f), naiveQabf(a, b, f), 1e-12);
  close(qabf(a, b, f, { convention: 'vifb' }), naiveQabf(a, b, f, 255), 1e-12);
  // orientation only: a vertical ramp in A, a diagonal ramp in F (α_F − α_A = ±π/4 inside)
  const v = gen(7, 7, (x) => 10 * x);
  const d = gen(7, 7, (x, y) => 10 * (x + y));
  close(qabf(v, constant(7, 7, 0), d), naiveQabf(v, constant(7, 7, 0), d), 1e-12);
});

t('symmetric in the two sources; constant images are defined (never NaN)', () => {
  const a = noise(9, 7, 1);
  const b = noise(9, 7, 2);
  const f = noise(9, 7, 3);
  close(qabf(a, b, f), qabf(b, a, f));
  // all-zero sources have no gradient at all: 0/0 is defined as 0
  assert.is(qabf(constant(5, 5, 0), constant(5, 5, 0), noise(5, 5, 4)), 0);
  // a non-zero constant image has edges at its zero-padded border, so Qabf is an ordinary value
  const q = qabf(constant(5, 5, 1), constant(5, 5, 2), constant(5, 5, 3));
  assert.ok(Number.isFinite(q) && q > 0 && q < 1, `Qabf = ${q}`);
  close(q, naiveQabf(constant(5, 5, 1), constant(5, 5, 2), constant(5, 5, 3)), 1e-12);
});

const nk = nativeKernels();
if (!nk || typeof nk.qabfEdges !== 'function') {
  skipLoudly('metrics/qabf (native kernels)', nk ? 'the built addon predates qabfEdges: run `npm run build:native`' : nativeStatus().reason);
} else {
  t('native path = the JavaScript loops within 1e-11 relative (the weighted sum is added per block of 4096 pixels: another order over ~4e5 terms), and the same bits for 1 and 2 threads', () => {
    try {
      for (const [w, h] of [[64, 64], [768, 576], [123, 97]]) {
        const [a, b, f] = [1, 2, 3].map((s) => gen(w, h, (x, y) => Math.round(127 + 100 * Math.sin(x / (7 + s)) * Math.cos(y / (5 + s)) + 20 * ((x * 7 + y * 13 * s) % 11) / 11)));
        for (const convention of ['paper', 'vifb'] as const) {
          const js = qabfJs(a, b, f, { convention });
          nk.setThreads(1);
          const one = qabf(a, b, f, { convention });
          nk.setThreads(2);
          const two = qabf(a, b, f, { convention });
          assert.ok(Object.is(one, two), `${w}×${h} ${convention}: 1 thread ${one}, 2 threads ${two}`);
          assert.ok(Math.abs(two - js) <= 1e-11 * Math.abs(js), `${w}×${h} ${convention}: native ${two} vs JavaScript ${js}`);
        }
      }
    } finally {
      nk.setThreads(0);
    }
  });

  t('native entry points: sizes are checked, naming the values needed', () => {
    const m = new Float64Array(8);
    assert.throws(() => nk.qabfEdges(m, 3, 3, 1, new Float64Array(9), new Float64Array(9)), /qabfEdges: p, g and a need w·h = 9 values/);
    assert.throws(() => nk.qabfPreservation(m, m, m, m, 9), /qabfPreservation: every map needs n = 9 values/);
  });
}

t.run();
