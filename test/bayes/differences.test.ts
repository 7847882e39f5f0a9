/**
 * BF's two difference operators (lib/bayes/differences.ts) against independent constructions:
 * the spatial one against a generic zero-padded 'same' correlation (MATLAB `imfilter` defaults,
 * anchor at the kernel's centre ⌊(size+1)/2⌋, 1-based) and hand-computed values; the Fourier one
 * against the DFT of psf2otf's circularly shifted kernel; the adjoint by ⟨K x, f⟩ = ⟨x, Kᵀ f⟩.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { circularDx, circularDy, differenceOtfSquared, imfilterDx, imfilterDy, tvRightHandSide } from '../../lib/bayes/differences.js';

const t = suite('bayes/differences');

function image(W: number, H: number, seed: number): Float64Array {
  let s = seed >>> 0;
  return Float64Array.from({ length: W * H }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32 - 0.3;
  });
}

/** imfilter(h, k) with MATLAB's defaults: correlation, zeros outside, output the size of h. */
function imfilterSame(h: Float64Array, W: number, H: number, k: number[][]): Float64Array {
  const kh = k.length, kw = k[0].length;
  const cy = Math.floor((kh + 1) / 2) - 1, cx = Math.floor((kw + 1) / 2) - 1; // 0-based anchor
  const out = new Float64Array(W * H);
  for (let i = 0; i < H; i++) {
    for (let j = 0; j < W; j++) {
      let s = 0;
      for (let a = 0; a < kh; a++) {
        for (let b = 0; b < kw; b++) {
          const y = i + a - cy, x = j + b - cx;
          if (y >= 0 && y < H && x >= 0 && x < W) s += k[a][b] * h[y * W + x];
        }
      }
      out[i * W + j] = s;
    }
  }
  return out;
}

t('imfilter(h, [1,−1]) and imfilter(h, [1;−1]): hand values on a 2×3 image (zero border, last column/row = h)', () => {
  // h = [1 2 4; 8 16 32]
  const h = Float64Array.from([1, 2, 4, 8, 16, 32]);
  assert.equal([...imfilterDx(h, 3, 2)], [-1, -2, 4, -8, -16, 32]);
  assert.equal([...imfilterDy(h, 3, 2)], [-7, -14, -28, 8, 16, 32]);
});

t('the spatial differences equal a generic zero-padded correlation (odd and even sizes)', () => {
  for (const [W, H] of [[2, 2], [7, 5], [8, 6], [13, 3]]) {
    const h = image(W, H, W * H);
    assert.equal([...imfilterDx(h, W, H)], [...imfilterSame(h, W, H, [[1, -1]])], `${W}×${H} dx`);
    assert.equal([...imfilterDy(h, W, H)], [...imfilterSame(h, W, H, [[1], [-1]])], `${W}×${H} dy`);
  }
});

t('inside the image the spatial differences are −K₁h, −K₂h (opposite sign); on the border they differ', () => {
  const W = 6, H = 4, h = image(W, H, 5);
  const sx = imfilterDx(h, W, H), kx = circularDx(h, W, H), sy = imfilterDy(h, W, H), ky = circularDy(h, W, H);
  for (let i = 0; i < H; i++) {
    for (let j = 0; j < W; j++) {
      const k = i * W + j;
      if (j < W - 1) assert.is(sx[k], -kx[k]); else assert.is.not(sx[k], -kx[k]);
      if (i < H - 1) assert.is(sy[k], -ky[k]); else assert.is.not(sy[k], -ky[k]);
    }
  }
});

t('|K̂|² of psf2otf([1,−1], n): the DFT of the shifted kernel [−1, 0, …, 0, 1], modulus squared', () => {
  for (const n of [2, 3, 8, 9, 576]) {
    for (let k = 0; k < n; k++) {
      // psf2otf pads [1, −1] to n and shifts it left by ⌊2/2⌋ = 1: p[0] = −1, p[n−1] = 1.
      const th = (2 * Math.PI * ((k * (n - 1)) % n)) / n;
      const re = -1 + Math.cos(th), im = -Math.sin(th);
      assert.ok(Math.abs(differenceOtfSquared(n, k) - (re * re + im * im)) <= 1e-14, `n ${n} k ${k}`);
    }
  }
});

t('tvRightHandSide = X + K₁ᵀF₁ + K₂ᵀF₂, with Kᵀ the adjoint of the circular K: ⟨Kx, f⟩ = ⟨x, Kᵀf⟩', () => {
  const W = 7, H = 5, n = W * H;
  const x = image(W, H, 1), f1 = image(W, H, 2), f2 = image(W, H, 3), zero = new Float64Array(n);
  const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + v * b[i], 0);
  const k1t = tvRightHandSide(zero, f1, zero, W, H, new Float64Array(n));
  const k2t = tvRightHandSide(zero, zero, f2, W, H, new Float64Array(n));
  assert.ok(Math.abs(dot(circularDx(x, W, H), f1) - dot(x, k1t)) <= 1e-13, 'K₁ adjoint');
  assert.ok(Math.abs(dot(circularDy(x, W, H), f2) - dot(x, k2t)) <= 1e-13, 'K₂ adjoint');
  const all = tvRightHandSide(x, f1, f2, W, H, new Float64Array(n));
  for (let k = 0; k < n; k++) assert.ok(Math.abs(all[k] - (x[k] + k1t[k] + k2t[k])) <= 1e-15, `pixel ${k}`);
});

t.run();
