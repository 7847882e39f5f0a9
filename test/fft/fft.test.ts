/**
 * lib/fft/fft.ts against a direct O(n²) DFT written from the definition (its twiddles from
 * Math.cos/Math.sin of 2π·(jk mod n)/n, no shared code): every length 1–40, the lengths of the
 * test sets' sides (576, 768, 340, 450, …), primes handled by Bluestein (37, 97, 619), batches.
 * Tolerance: max |error| ≤ 1e-14 × max |X| (measured ≤ 3e-15).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FftPlan, MAX_DIRECT_RADIX, primeFactors, smoothLength, unitRoot } from '../../lib/fft/fft.js';

const t = suite('fft/fft');

/** A deterministic pseudo-random sequence in [−0.5, 0.5). */
function noise(n: number, seed: number): Float64Array {
  let s = seed >>> 0;
  return Float64Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
}

function directDft(re: Float64Array, im: Float64Array): [Float64Array, Float64Array] {
  const n = re.length;
  const R = new Float64Array(n), I = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let a = 0, b = 0;
    for (let j = 0; j < n; j++) {
      const th = (2 * Math.PI * ((j * k) % n)) / n;
      const c = Math.cos(th), s = Math.sin(th);
      a += re[j] * c + im[j] * s;
      b += im[j] * c - re[j] * s;
    }
    R[k] = a; I[k] = b;
  }
  return [R, I];
}

function relError(n: number, batch: number, seed: number): number {
  const re = noise(n * batch, seed), im = noise(n * batch, seed + 1);
  const yr = re.slice(), yi = im.slice();
  new FftPlan(n).forward(yr, yi, batch);
  let err = 0, norm = 0;
  for (let c = 0; c < batch; c++) {
    const xr = Float64Array.from({ length: n }, (_, j) => re[j * batch + c]);
    const xi = Float64Array.from({ length: n }, (_, j) => im[j * batch + c]);
    const [R, I] = directDft(xr, xi);
    for (let k = 0; k < n; k++) {
      err = Math.max(err, Math.hypot(R[k] - yr[k * batch + c], I[k] - yi[k * batch + c]));
      norm = Math.max(norm, Math.hypot(R[k], I[k]));
    }
  }
  return err / norm;
}

t('every length 1–40 (radix 2, 3, 4, 5, direct 7–13, Bluestein above) matches the direct DFT', () => {
  for (let n = 1; n <= 40; n++) {
    const e = relError(n, 1, n);
    assert.ok(e <= 1e-14, `n = ${n}: relative error ${e.toExponential(2)}`);
  }
});

t('the test sets\' side lengths and large primes (Bluestein), batched', () => {
  for (const n of [576, 768, 340, 450, 480, 640, 512, 280, 331, 37, 97, 619]) {
    const e = relError(n, n > 400 ? 2 : 3, n);
    assert.ok(e <= 1e-14, `n = ${n}: relative error ${e.toExponential(2)}`);
  }
});

t('a batch transforms each signal independently (same values as one at a time)', () => {
  for (const n of [12, 17, 45]) {
    const batch = 5;
    const re = noise(n * batch, 7), im = noise(n * batch, 8);
    const yr = re.slice(), yi = im.slice();
    const plan = new FftPlan(n);
    plan.forward(yr, yi, batch);
    for (let c = 0; c < batch; c++) {
      const xr = Float64Array.from({ length: n }, (_, j) => re[j * batch + c]);
      const xi = Float64Array.from({ length: n }, (_, j) => im[j * batch + c]);
      plan.forward(xr, xi);
      for (let k = 0; k < n; k++) {
        assert.is(yr[k * batch + c], xr[k], `n ${n} signal ${c} bin ${k} (re)`);
        assert.is(yi[k * batch + c], xi[k], `n ${n} signal ${c} bin ${k} (im)`);
      }
    }
  }
});

t('inverse(forward(x)) = x within 1e-15 (normalised by 1/n)', () => {
  for (const n of [1, 2, 6, 31, 64, 97, 768]) {
    const re = noise(n, 3), im = noise(n, 4);
    const yr = re.slice(), yi = im.slice();
    const plan = new FftPlan(n);
    plan.forward(yr, yi);
    plan.inverse(yr, yi);
    for (let j = 0; j < n; j++) {
      assert.ok(Math.abs(yr[j] - re[j]) <= 1e-15 && Math.abs(yi[j] - im[j]) <= 1e-15, `n ${n} sample ${j}`);
    }
  }
});

t('unit roots: exact at multiples of π/4 symmetry points, within 1 ulp elsewhere', () => {
  assert.equal(unitRoot(0, 8), [1, 0]);
  assert.equal(unitRoot(2, 8), [0, 1]);
  assert.equal(unitRoot(4, 8), [-1, 0]);
  assert.equal(unitRoot(6, 8), [0, -1]);
  const [c, s] = unitRoot(1, 8);
  assert.is(c, s, 'cos π/4 = sin π/4');
  for (const [k, n] of [[1, 768], [191, 768], [300, 619], [5, 12]]) {
    const [a, b] = unitRoot(k, n);
    const th = (2 * Math.PI * k) / n;
    assert.ok(Math.abs(a - Math.cos(th)) <= 4e-16 && Math.abs(b - Math.sin(th)) <= 4e-16, `k ${k} n ${n}`);
    assert.equal(unitRoot(n - k, n), [a, -b], 'conjugate symmetry is exact');
  }
});

t('factorisation helpers; plans refuse bad lengths and short arrays', () => {
  assert.equal(primeFactors(768), [2, 2, 2, 2, 2, 2, 2, 2, 3]);
  assert.equal(primeFactors(619), [619]);
  assert.is(smoothLength(1237), 1250);
  assert.is(smoothLength(1535), 1536);
  assert.ok(MAX_DIRECT_RADIX >= 5);
  assert.throws(() => new FftPlan(0), /positive integer/);
  assert.throws(() => new FftPlan(2.5), /positive integer/);
  assert.throws(() => new FftPlan(8).forward(new Float64Array(4), new Float64Array(8)), /need 8/);
  assert.throws(() => new FftPlan(8).forward(new Float64Array(16), new Float64Array(16), 0), /batch/);
});

t.run();
