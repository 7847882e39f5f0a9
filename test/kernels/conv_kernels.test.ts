/**
 * The native 3×3 convolution layer (native/conv_kernels.cc via lib/kernels/native.ts convEngine)
 * against a plain float64 JavaScript loop of the same formula, on every instruction-set variant
 * this CPU has: channel counts that are not multiples of the kernel's blocks (cin 3 + 17 from two
 * arrays, cout 5), zero and reflection padding, every activation, accumulation, odd sizes and
 * widths beyond one column chunk; the result is independent of the thread count; bad arguments
 * are refused with a message naming them.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { convEngine } from '../../lib/kernels/native.js';
import { skipLoudly } from '../helpers/upstream.js';

const t = suite('kernels/conv_kernels');
const k = (() => { try { return convEngine(true); } catch (e) { skipLoudly('native conv kernels', (e as Error).message); return null; } })();

let seed = 7;
const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 - 0.5; };
const arr = (n: number, s = 1) => Float32Array.from({ length: n }, () => rnd() * s);
const refl = (i: number, n: number) => (i < 0 ? -i : i >= n ? 2 * n - 2 - i : i);

/** out[o,y,x] = act((b + Σ W·pad(x))·scale + shift), float64. */
function naive(x: Float32Array, cin: number, h: number, w: number, W: Float32Array, b: Float32Array, sc: Float32Array, sh: Float32Array, act: number, alpha: number, reflect: boolean): Float64Array {
  const cout = b.length;
  const out = new Float64Array(cout * h * w);
  for (let o = 0; o < cout; o++) for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) {
    let z = b[o];
    for (let i = 0; i < cin; i++) for (let ky = 0; ky < 3; ky++) for (let kx = 0; kx < 3; kx++) {
      let yy = y + ky - 1, cx = xx + kx - 1;
      if (reflect) { yy = refl(yy, h); cx = refl(cx, w); } else if (yy < 0 || yy >= h || cx < 0 || cx >= w) continue;
      z += W[((o * cin + i) * 3 + ky) * 3 + kx] * x[(i * h + yy) * w + cx];
    }
    const v = z * sc[o] + sh[o];
    out[(o * h + y) * w + xx] = act === 1 ? (v >= 0 ? v : alpha * v) : act === 2 ? Math.tanh(v) : act === 3 ? 1 / (1 + Math.exp(-v)) : v;
  }
  return out;
}

function isas(): ('portable' | 'avx2' | 'avx512')[] {
  const out: ('portable' | 'avx2' | 'avx512')[] = [];
  for (const v of ['portable', 'avx2', 'avx512'] as const) { try { k!.setIsa(v); out.push(v); } catch { /* absent */ } }
  return out;
}

t('= the float64 loop within float32 rounding, every variant, padding, activation, size; accumulate adds', () => {
  if (!k) return skipLoudly('native conv kernels', 'not loaded (see the SKIP at import)');
  const before = k.convInfo().isa as 'avx512';
  try {
    for (const isa of isas()) {
      k.setIsa(isa);
      for (const [h, w] of [[2, 2], [5, 3], [7, 211], [33, 9]]) {
        const [c1, c2, cout] = [3, 17, 5];
        const a = arr(c1 * h * w), bIn = arr(c2 * h * w), x = new Float32Array([...a, ...bIn]);
        const W = arr(cout * (c1 + c2) * 9, 0.3), b = arr(cout), sc = arr(cout, 2), sh = arr(cout);
        for (const act of [0, 1, 2, 3] as const) for (const reflect of [false, true]) {
          const out = new Float32Array(cout * h * w);
          k.conv3x3([a, bIn], h, w, W, b, sc, sh, act, 0.25, reflect, out, false);
          const ref = naive(x, c1 + c2, h, w, W, b, sc, sh, act, 0.25, reflect);
          let m = 0;
          for (let i = 0; i < out.length; i++) m = Math.max(m, Math.abs(out[i] - ref[i]));
          assert.ok(m < 2e-6, `${isa} ${h}×${w} act ${act} reflect ${reflect}: max |Δ| ${m}`);
          const acc = Float32Array.from(out);
          k.conv3x3([a, bIn], h, w, W, b, sc, sh, act, 0.25, reflect, acc, true);
          assert.ok(acc.every((v, i) => v === Math.fround(out[i] + out[i])), `${isa}: accumulate = out + y`);
        }
      }
    }
  } finally { k.setIsa(before); }
});

t('bit-identical for 1 and 2 threads', () => {
  if (!k) return skipLoudly('native conv kernels', 'not loaded (see the SKIP at import)');
  const [h, w] = [37, 101];
  const x = arr(16 * h * w), W = arr(8 * 16 * 9), b = arr(8), sc = arr(8), sh = arr(8);
  const run = (n: number) => { k.setThreads(n); const o = new Float32Array(8 * h * w); k.conv3x3([x], h, w, W, b, sc, sh, 1, 0.1, false, o, false); return o; };
  const one = run(1), two = run(2);
  k.setThreads(0);
  assert.equal(one, two);
});

t('bad arguments are refused, naming them', () => {
  if (!k) return skipLoudly('native conv kernels', 'not loaded (see the SKIP at import)');
  const x = new Float32Array(4 * 4), W = new Float32Array(2 * 9), v2 = new Float32Array(2);
  const throws = (f: () => void, re: RegExp) => { try { f(); assert.unreachable('should throw'); } catch (e) { assert.match((e as Error).message, re); } };
  throws(() => k.conv3x3([x], 4, 4, W, v2, v2, v2, 1, 0, false, new Float32Array(2 * 15), false), /out has 30 values, expected cout·h·w = 32/);
  throws(() => k.conv3x3([x], 4, 4, new Float32Array(17), v2, v2, v2, 1, 0, false, new Float32Array(32), false), /weight has 17 values, expected cout·cin·9 = 2·1·9/);
  throws(() => k.conv3x3([new Float32Array(15)], 4, 4, W, v2, v2, v2, 1, 0, false, new Float32Array(32), false), /inputs\[0\] has 15 values, not a multiple of h·w = 16/);
  throws(() => k.conv3x3([new Float32Array(3)], 1, 3, W, v2, v2, v2, 1, 0, true, new Float32Array(6), false), /at least 2×2.*1×3/);
  throws(() => k.conv3x3([x], 4, 4, W, v2, v2, v2, 7 as 1, 0, false, new Float32Array(32), false), /act must be 0/);
  throws(() => k.conv3x3([x], 4, 4, W, v2, v2, v2, 1, 0, false, x as unknown as Float32Array, false), /out has 16 values|overlaps/);
  throws(() => k.setIsa('sse9' as 'avx2'), /'sse9' is not available/);
});

t.run();
