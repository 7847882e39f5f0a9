/**
 * lib/fft/filter.ts: frequency-domain filtering of real images by a real even transfer function
 * against the definition written out as a direct 2-D DFT (O(N²) sums), x' = real(ifft2(fft2(x)·H)),
 * on even and odd sizes; `freqspace` bin frequencies.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { binFrequency, filterRealInFrequency } from '../../lib/fft/filter.js';

const t = suite('fft/filter (filterRealInFrequency)');

/** real(ifft2(fft2(x) .* H)) by direct sums. */
function direct(x: Float64Array, w: number, h: number, H: (fx: number, fy: number) => number): Float64Array {
  const Xr = new Float64Array(w * h), Xi = new Float64Array(w * h);
  for (let u = 0; u < h; u++) for (let v = 0; v < w; v++) {
    let sr = 0, si = 0;
    for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) {
      const a = -2 * Math.PI * (u * y / h + v * xx / w);
      sr += x[y * w + xx] * Math.cos(a); si += x[y * w + xx] * Math.sin(a);
    }
    const g = H(binFrequency(v, w), binFrequency(u, h));
    Xr[u * w + v] = sr * g; Xi[u * w + v] = si * g;
  }
  const out = new Float64Array(w * h);
  for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) {
    let s = 0;
    for (let u = 0; u < h; u++) for (let v = 0; v < w; v++) {
      const a = 2 * Math.PI * (u * y / h + v * xx / w);
      s += Xr[u * w + v] * Math.cos(a) - Xi[u * w + v] * Math.sin(a);
    }
    out[y * w + xx] = s / (w * h);
  }
  return out;
}

t('binFrequency: MATLAB freqspace after ifftshift', () => {
  assert.equal([0, 1, 2, 3].map((k) => binFrequency(k, 4)), [0, 0.5, -1, -0.5]);
  assert.equal([0, 1, 2, 3, 4].map((k) => binFrequency(k, 5)), [0, 0.4, 0.8, -0.8, -0.4]);
});

t('filterRealInFrequency = the direct DFT definition (even and odd sizes, several images), inputs untouched', () => {
  let s = 3;
  const rnd = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
  const H = (fx: number, fy: number) => { const r = Math.hypot(3 * fx, 2 * fy); return Math.exp(-r * r) - 0.5 * Math.exp(-4 * r * r) + 0.1; };
  for (const [w, h] of [[8, 6], [9, 7], [10, 5], [7, 12]]) {
    const xs = [0, 1, 2].map(() => Float64Array.from({ length: w * h }, () => Math.round(255 * rnd())));
    const copies = xs.map((x) => Float64Array.from(x));
    const got = filterRealInFrequency(xs, w, h, H);
    xs.forEach((x, k) => {
      const want = direct(x, w, h, H);
      for (let i = 0; i < w * h; i++) assert.ok(Math.abs(got[k][i] - want[i]) <= 1e-10 * 255, `${w}×${h} image ${k} pixel ${i}: ${got[k][i]} vs ${want[i]}`);
      assert.equal([...x], [...copies[k]]);
    });
  }
  assert.throws(() => filterRealInFrequency([new Float64Array(5)], 2, 2, H), /filterRealInFrequency: image of 5 values, expected 2×2/);
});

t.run();
