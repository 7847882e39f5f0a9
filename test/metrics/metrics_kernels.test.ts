/**
 * native/metrics_kernels.cc (issue 14 item 4): `windowSums` (VIF's and VIFF's scales and SSIM in one sweep over
 * rows) and `qabfTriplet` (Qabf in one sweep) — portable and AVX2 builds of the loops bit for bit — against the JavaScript loops — VIF, VIFF and SSIM bit for bit
 * (AUIF_NATIVE=0 child process), Qabf within 1e-12 relative (vectorised atan/exp polynomials, sums
 * per row) — against the previous per-map native path (metricsEngine.perMap: the same filters, sums
 * in another order, ≤ 1e-13), the same bits for 1 and 2 threads, sizes that do not divide evenly,
 * and the argument errors.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { metricsEngine, qabf, qabfJs, qabfStart, ssim, vif, viff, type MetricImage } from '../../lib/metrics/index.js';
import { gaussian1D } from '../../lib/metrics/filters.js';
import { nativeKernels, nativeStatus } from '../../lib/kernels/native.js';
import { skipLoudly } from '../helpers/upstream.js';
import { constant, gen } from './_helpers.js';

const t = suite('metrics/metrics_kernels (native fused VIF, SSIM, Qabf)');

/** A smooth image with edges of every orientation and some texture, 0..255 integers. */
function scene(w: number, h: number, s: number): MetricImage {
  return gen(w, h, (x, y) => Math.round(127 + 100 * Math.sin(x / (7 + s)) * Math.cos(y / (5 + s)) + 20 * ((x * 7 + y * 13 * s) % 11) / 11));
}
const SIZES: [number, number][] = [[768, 576], [301, 207], [123, 97], [70, 65]];

const nk = nativeKernels();
if (!nk || typeof nk.windowSums !== 'function' || typeof nk.qabfTriplet !== 'function') {
  skipLoudly('metrics/metrics_kernels', nk ? 'the built addon predates windowSums/qabfTriplet: run `npm run build:native`' : nativeStatus().reason);
} else {
  const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1e-300, Math.abs(b));

  t('VIF, VIFF and SSIM: fused native = the JavaScript loops bit for bit (AUIF_NATIVE=0 child process)', () => {
    const script = `
      import { vif, viff, ssim } from './lib/metrics/index.js';
      const g = (w, h, s) => ({ width: w, height: h, data: Float64Array.from({ length: w * h }, (_, i) => { const x = i % w, y = (i - x) / w; return Math.round(127 + 100 * Math.sin(x / (7 + s)) * Math.cos(y / (5 + s)) + 20 * ((x * 7 + y * 13 * s) % 11) / 11); }) });
      const out = [];
      for (const [w, h] of ${JSON.stringify(SIZES)}) { const a = g(w, h, 1), b = g(w, h, 2), f = g(w, h, 3); out.push(vif(a, b, f), viff(a, b, f), ssim(a, b, f)); }
      console.log(JSON.stringify(out));`;
    const run = (native: string) => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, AUIF_NATIVE: native } });
      assert.is(r.status, 0, r.stderr);
      return JSON.parse(r.stdout.trim().split('\n').pop()!) as number[];
    };
    assert.equal(run('1'), run('0'));
  });

  t('portable build of the hot loops (AUIF_SIMD=0) = the AVX2 one, bit for bit (VIF, VIFF, SSIM, Qabf; child processes)', () => {
    const script = `
      import { vif, viff, ssim, qabf } from './lib/metrics/index.js';
      const g = (w, h, s) => ({ width: w, height: h, data: Float64Array.from({ length: w * h }, (_, i) => { const x = i % w, y = (i - x) / w; return Math.round(127 + 100 * Math.sin(x / (7 + s)) * Math.cos(y / (5 + s)) + 20 * ((x * 7 + y * 13 * s) % 11) / 11); }) });
      const a = g(301, 207, 1), b = g(301, 207, 2), f = g(301, 207, 3);
      console.log(JSON.stringify([vif(a, b, f), viff(a, b, f), ssim(a, b, f), qabf(a, b, f), qabf(a, b, f, { convention: 'vifb' })]));`;
    const run = (simd: string) => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, AUIF_SIMD: simd } });
      assert.is(r.status, 0, r.stderr);
      return JSON.parse(r.stdout.trim().split('\n').pop()!) as number[];
    };
    assert.equal(run('0'), run('1'));
  });

  t('fused = the per-map native path (≤ 1e-13 relative), the same bits for 1 and 2 threads; Qabf = qabfJs (≤ 1e-12)', () => {
    try {
      for (const [w, h] of SIZES) {
        const [a, b, f] = [1, 2, 3].map((s) => scene(w, h, s));
        const runAll = () => [vif(a, b, f), ssim(a, b, f), qabf(a, b, f), qabf(a, b, f, { convention: 'vifb' }), viff(a, b, f)];
        nk.setThreads(1);
        const one = runAll();
        nk.setThreads(2);
        const two = runAll();
        assert.equal(one, two, `${w}×${h}: 1 vs 2 threads`);
        metricsEngine.perMap = true;
        const old = runAll();
        metricsEngine.perMap = false;
        ['VIF', 'SSIM', 'Qabf', 'Qabf vifb', 'VIFF'].forEach((name, i) => assert.ok(rel(two[i], old[i]) <= 1e-13, `${w}×${h} ${name}: fused ${two[i]} vs per-map ${old[i]}`));
        assert.ok(rel(two[2], qabfJs(a, b, f)) <= 1e-12, `${w}×${h} Qabf: native ${two[2]} vs JavaScript ${qabfJs(a, b, f)}`);
        assert.ok(rel(two[3], qabfJs(a, b, f, { convention: 'vifb' })) <= 1e-12, `${w}×${h} Qabf vifb`);
      }
    } finally {
      nk.setThreads(0);
      metricsEngine.perMap = false;
    }
  });

  t('qabfTripletStart/Join (Qabf on a background thread) = qabfTriplet bit for bit, while JavaScript runs; join errors', () => {
    const [a, b, f] = [1, 2, 3].map((s) => scene(768, 576, s));
    const [A, B, F] = [a, b, f].map((m) => m.data as Float64Array);
    for (const scale of [1, 255]) {
      const job = nk.qabfTripletStart!(A, B, F, 768, 576, scale);
      let busy = 0;
      for (let i = 0; i < 1e6; i++) busy += i % 7; // the main thread works meanwhile
      assert.ok(busy > 0);
      assert.is(nk.qabfTripletJoin!(job), nk.qabfTriplet!(A, B, F, 768, 576, scale), `scale ${scale}`);
      assert.throws(() => nk.qabfTripletJoin!(job), /qabfTripletJoin: this job was already joined/);
    }
    const pending = qabfStart(a, b, f, { convention: 'vifb' });
    assert.is(pending(), qabf(a, b, f, { convention: 'vifb' }));
    assert.is(pending(), qabf(a, b, f, { convention: 'vifb' }), 'a second call returns the value again');
    assert.throws(() => nk.qabfTripletJoin!({}), /qabfTripletJoin: job must be what qabfTripletStart returned/);
    assert.throws(() => nk.qabfTripletStart!(A, B, new Float64Array(99), 10, 10, 1), /qabfTripletStart: A, B and F need w·h = 100 values/);
  });

  t('qabfTriplet: thin and degenerate images (1 column, 1 row, constants, all zero) = qabfJs', () => {
    const cases: [MetricImage, MetricImage, MetricImage][] = [
      [scene(1, 80, 1), scene(1, 80, 2), scene(1, 80, 3)],
      [scene(90, 1, 1), scene(90, 1, 2), scene(90, 1, 3)],
      [scene(2, 50, 1), scene(2, 50, 2), scene(2, 50, 3)],
      [constant(64, 64, 9), constant(64, 64, 200), scene(64, 64, 3)],
      [constant(64, 64, 0), constant(64, 64, 0), scene(64, 64, 3)],
    ];
    for (const [a, b, f] of cases) {
      const A = Float64Array.from(a.data), B = Float64Array.from(b.data), F = Float64Array.from(f.data);
      for (const scale of [1, 255]) {
        const got = nk.qabfTriplet!(A, B, F, a.width, a.height, scale);
        const js = qabfJs(a, b, f, { convention: scale === 255 ? 'vifb' : 'paper' });
        assert.ok(js === 0 ? got === 0 : rel(got, js) <= 1e-12, `${a.width}×${a.height} scale ${scale}: ${got} vs ${js}`);
      }
    }
  });

  t('argument errors name the value at fault', () => {
    const m = new Float64Array(100);
    const k = gaussian1D(5, 1);
    assert.throws(() => nk.qabfTriplet!(m, m, new Float64Array(99), 10, 10, 1), /qabfTriplet: A, B and F need w·h = 100 values/);
    assert.throws(() => nk.windowSums!(3, m, [m], 10, 10, k, 2, 0, new Float64Array(2)), /windowSums: kind must be 0/);
    assert.throws(() => nk.windowSums!(2, m, [m], 10, 10, k, 2, 0, new Float64Array(2)), /VIFF \(kind 2\) needs exactly 2 sources, got 1/);
    assert.throws(() => nk.windowSums!(2, m, [m, m], 10, 10, k, 2, 0, new Float64Array(1)), /windowSums: out needs 2 values/);
    assert.throws(() => nk.windowSums!(0, m, [m], 10, 10, gaussian1D(11, 1.5), 2, 0, new Float64Array(2)), /windowSums: a 11-tap window does not fit 10×10/);
    assert.throws(() => nk.windowSums!(0, m, [new Float64Array(50)], 10, 10, k, 2, 0, new Float64Array(2)), /R\[0\] has 50 values, needs w·h = 100/);
    assert.throws(() => nk.windowSums!(0, m, [m], 10, 10, k, 2, 0, new Float64Array(1)), /windowSums: out needs 2 values/);
    assert.throws(() => nk.windowSums!(0, m, [m], 10, 10, new Float64Array(4), 2, 0, new Float64Array(2)), /kernel length 4 is not odd/);
  });
}

t.run();
