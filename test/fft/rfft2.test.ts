/**
 * lib/fft/rfft2.ts against the 2-D DFT written from its definition (direct double sum), on even,
 * odd, tiny and prime sizes; the inverse against the image it came from. Tolerances: spectrum
 * ≤ 1e-14 × max |S|, round trip ≤ 1e-14 (measured ≤ 2e-15 and ≤ 1.5e-15).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RealFft2 } from '../../lib/fft/rfft2.js';

const t = suite('fft/rfft2');

function image(W: number, H: number, seed: number): Float64Array {
  let s = seed >>> 0;
  return Float64Array.from({ length: W * H }, () => {
    s = (Math.imul(s, 22695477) + 1) >>> 0;
    return s / 2 ** 32;
  });
}

const SIZES: [number, number][] = [[1, 1], [2, 2], [1, 5], [5, 1], [3, 2], [2, 3], [5, 7], [8, 6], [6, 9], [17, 4], [20, 21], [31, 37], [12, 40]];

t('the half spectrum equals the direct 2-D DFT S(u,v) = Σ f(y,x)·e^{−2πi(uy/H + vx/W)}', () => {
  for (const [W, H] of SIZES) {
    const f = image(W, H, W * 100 + H);
    const tr = new RealFft2(W, H);
    const re = new Float64Array(tr.spectrumLength), im = new Float64Array(tr.spectrumLength);
    tr.forward(f, re, im);
    let err = 0, norm = 0;
    for (let u = 0; u < H; u++) {
      for (let v = 0; v < tr.halfWidth; v++) {
        let a = 0, b = 0;
        for (let y = 0; y < H; y++) {
          for (let x = 0; x < W; x++) {
            const th = 2 * Math.PI * (((u * y) % H) / H + ((v * x) % W) / W);
            a += f[y * W + x] * Math.cos(th);
            b -= f[y * W + x] * Math.sin(th);
          }
        }
        const k = u * tr.halfWidth + v;
        err = Math.max(err, Math.hypot(a - re[k], b - im[k]));
        norm = Math.max(norm, Math.hypot(a, b));
      }
    }
    assert.ok(err <= 1e-14 * norm, `${W}×${H}: error ${(err / norm).toExponential(2)} of max |S|`);
  }
});

t('inverse(forward(f)) = f (the real part of ifft2 of the Hermitian spectrum)', () => {
  for (const [W, H] of [...SIZES, [768, 576], [619, 457]] as [number, number][]) {
    const f = image(W, H, W + H);
    const tr = new RealFft2(W, H);
    const re = new Float64Array(tr.spectrumLength), im = new Float64Array(tr.spectrumLength);
    tr.forward(f, re, im);
    const g = new Float64Array(W * H);
    tr.inverse(re, im, g);
    let err = 0;
    for (let k = 0; k < f.length; k++) err = Math.max(err, Math.abs(g[k] - f[k]));
    assert.ok(err <= 1e-14, `${W}×${H}: round trip error ${err.toExponential(2)}`);
  }
});

t('bad sizes and short arrays are refused, naming the sizes', () => {
  assert.throws(() => new RealFft2(0, 4), /0×4/);
  const tr = new RealFft2(4, 3);
  assert.throws(() => tr.forward(new Float64Array(11), new Float64Array(9), new Float64Array(9)), /expected 4×3/);
  assert.throws(() => tr.forward(new Float64Array(12), new Float64Array(8), new Float64Array(9)), /need 9/);
});

t.run();
