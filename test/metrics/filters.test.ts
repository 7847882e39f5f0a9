/**
 * lib/metrics/filters.ts: the separable 'valid' filter against a direct 2-D 'valid' correlation
 * (hand-checkable sizes, step 1 and the decimating step 2), and the native addon's filterValid
 * against the JavaScript loops bit for bit (every window size the metrics use, odd sizes, 1 and 2
 * threads), with its argument errors.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { filterValid, filterValidJs, gaussian1D, multiplyInto } from '../../lib/metrics/filters.js';
import { nativeKernels, nativeStatus } from '../../lib/kernels/native.js';
import { spawnSync } from 'node:child_process';
import { skipLoudly } from '../helpers/upstream.js';

const t = suite('metrics/filters');

function rand(n: number, seed: number): Float64Array {
  let s = seed >>> 0;
  return Float64Array.from({ length: n }, () => { s = (s * 1664525 + 1013904223) >>> 0; return 255 * (s / 2 ** 32); });
}

/** MATLAB filter2(g⊗g, x, 'valid')(1:step:end, 1:step:end), summed directly in 2-D. */
function direct(x: Float64Array, w: number, h: number, g: Float64Array, step: number): { out: number[]; ow: number; oh: number } {
  const n = g.length, vw = w - n + 1, vh = h - n + 1;
  const out: number[] = [];
  for (let y = 0; y < vh; y += step) for (let c = 0; c < vw; c += step) {
    let s = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s += g[i] * g[j] * x[(y + i) * w + c + j];
    out.push(s);
  }
  return { out, ow: Math.ceil(vw / step), oh: Math.ceil(vh / step) };
}

t('filterValid = the direct 2-D valid correlation (≤ 1e-12 relative); sizes; null when the window does not fit', () => {
  for (const [w, h, n, step] of [[20, 17, 3, 1], [33, 40, 5, 2], [31, 29, 9, 1], [40, 41, 11, 1], [50, 37, 17, 2], [23, 19, 7, 1]]) {
    const x = rand(w * h, w * 31 + h);
    const g = gaussian1D(n, n / 5);
    const ref = direct(x, w, h, g, step);
    const out = new Float64Array(ref.out.length), tmp = new Float64Array(h * ref.ow);
    assert.equal(filterValid(x, w, h, g, out, tmp, step), { width: ref.ow, height: ref.oh });
    ref.out.forEach((v, i) => assert.ok(Math.abs(out[i] - v) <= 1e-12 * 255, `${w}×${h}, n ${n}, step ${step}: [${i}] ${out[i]} vs ${v}`));
  }
  assert.is(filterValid(new Float64Array(16), 4, 4, gaussian1D(5, 1), new Float64Array(1), new Float64Array(4)), null);
  assert.throws(() => filterValid(new Float64Array(100), 10, 10, new Float64Array(4), new Float64Array(100), new Float64Array(100)), /kernel length 4 is not odd/);
});

const nk = nativeKernels();
if (!nk || typeof nk.filterValid !== 'function') {
  skipLoudly('metrics/filters (native filterValid)', nk ? 'the built addon predates filterValid: run `npm run build:native`' : nativeStatus().reason);
} else {
  t('native filterValid: the same bits as the JavaScript loops (n = 3, 5, 7, 9, 11, 17; step 1, 2; 1 and 2 threads)', () => {
    try {
      for (const [w, h] of [[17, 17], [768, 576], [101, 67], [250, 333]]) {
        const x = rand(w * h, w + 7 * h);
        for (const n of [3, 5, 7, 9, 11, 17]) for (const step of [1, 2]) for (const threads of [1, 2]) {
          if (w < n || h < n) continue;
          nk.setThreads(threads);
          const g = gaussian1D(n, n / 5);
          const ow = Math.ceil((w - n + 1) / step), oh = Math.ceil((h - n + 1) / step);
          const a = new Float64Array(ow * oh), b = new Float64Array(ow * oh);
          filterValidJs(x, w, h, g, a, new Float64Array(h * ow), step);
          nk.filterValid(x, w, h, g, b, new Float64Array(h * ow), step);
          for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) assert.unreachable(`${w}×${h}, n ${n}, step ${step}, ${threads} threads: [${i}] ${b[i]} vs ${a[i]}`);
        }
      }
    } finally {
      nk.setThreads(0);
    }
  });

  t('native filterValid of a product (src2): the same bits as multiplyInto + the JavaScript loops', () => {
    for (const [w, h] of [[768, 576], [101, 67]]) {
      const x = rand(w * h, 3 * w), y = rand(w * h, 5 * h);
      for (const n of [11, 17]) {
        const g = gaussian1D(n, n / 5);
        const ow = w - n + 1, oh = h - n + 1;
        const a = new Float64Array(ow * oh), b = new Float64Array(ow * oh);
        filterValidJs(multiplyInto(x, y, new Float64Array(w * h), w * h), w, h, g, a, new Float64Array(h * ow), 1);
        nk.filterValid(x, w, h, g, b, new Float64Array(h * ow), 1, y);
        for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) assert.unreachable(`${w}×${h}, n ${n}: [${i}] ${b[i]} vs ${a[i]}`);
      }
    }
  });

  t('VIF, VIFF and SSIM with the native sums = the JavaScript loops, bit for bit (AUIF_NATIVE=0 child process)', () => {
    const script = `
      import { vif, viff, ssim } from './lib/metrics/index.js';
      let s = 11; const r = (n) => Float64Array.from({ length: n }, () => { s = (s * 1664525 + 1013904223) >>> 0; return s >>> 24; });
      const w = 301, h = 207; const im = () => ({ width: w, height: h, data: r(w * h) });
      const a = im(), b = im(), f = im();
      console.log(JSON.stringify([vif(a, b, f), viff(a, b, f), ssim(a, b, f)]));`;
    const run = (native: string) => {
      const out = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, AUIF_NATIVE: native } });
      assert.is(out.status, 0, out.stderr);
      return JSON.parse(out.stdout.trim().split('\n').pop()!) as number[];
    };
    assert.equal(run('1'), run('0'));
  });

  t('native filterValid: argument errors name the size at fault', () => {
    const g = gaussian1D(5, 1);
    assert.throws(() => nk.filterValid(new Float64Array(9), 3, 3, g, new Float64Array(1), new Float64Array(3), 1), /5-tap window does not fit 3×3/);
    assert.throws(() => nk.filterValid(new Float64Array(10), 10, 10, g, new Float64Array(36), new Float64Array(60), 1), /src has 10 values, expected w·h = 100/);
    assert.throws(() => nk.filterValid(new Float64Array(100), 10, 10, g, new Float64Array(35), new Float64Array(60), 1), /out needs 36 values/);
    assert.throws(() => nk.filterValid(new Float64Array(100), 10, 10, g, new Float64Array(36), new Float64Array(59), 1), /tmp needs 60 values/);
    assert.throws(() => nk.filterValid(new Float64Array(100), 10, 10, new Float64Array(4), new Float64Array(36), new Float64Array(60), 1), /kernel length 4 is not odd/);
    assert.throws(() => nk.filterValid(new Float32Array(100) as unknown as Float64Array, 10, 10, g, new Float64Array(36), new Float64Array(60), 1), /src must be a Float64Array/);
  });
}

t.run();
