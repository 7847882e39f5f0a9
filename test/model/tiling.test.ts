/**
 * Exact tiling of the native test phase (lib/model/tiling.ts, native/fuse_kernels.cc): tiled and
 * untiled fusion give the same bits for tile sides that do not divide the image (border tiles,
 * one-pixel remainders, tiles smaller than the 30-pixel halo), both rules, 1 and 2 threads,
 * AVX2 and portable builds of the hot loops; and the one-pass kernel agrees with the per-layer
 * float64 kernels (within 2e-6 on random images, the 5×5 sums being float32).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { nativeKernels, nativeStatus } from '../../lib/kernels/native.js';
import { fuseTiled, fusePlanesPerLayer } from '../../lib/model/auif.js';
import { receptiveRadius, tileRects, chooseTile, TILE_AUTO_PIXELS, DEFAULT_TILE } from '../../lib/model/tiling.js';
import { paramsFromStateDict, disposeParams, type AuifParams } from '../../lib/model/params.js';
import { loadFixture, skipFixture, useBackend } from '../helpers/fixture.js';
import { skipLoudly } from '../helpers/upstream.js';

const t = suite('model/tiling');
const nk = nativeKernels();
const fixture = loadFixture();
let params: AuifParams;
t.before(async () => { await useBackend('cpu'); if (fixture) params = paramsFromStateDict(fixture.pretrained); });
t.after(() => { if (params) disposeParams(params); nk?.setThreads(0); });

function rand(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => { s = (s * 1664525 + 1013904223) >>> 0; return Math.fround((s >>> 24) / 255); });
}
const differing = (a: Float32Array, b: Float32Array) => { let d = 0; for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) d++; return d; };

t('tileRects covers the image once, row-major, remainders last', () => {
  const rs = tileRects(7, 10, 4);
  assert.equal(rs, [{ r0: 0, r1: 4, c0: 0, c1: 4 }, { r0: 0, r1: 4, c0: 4, c1: 8 }, { r0: 0, r1: 4, c0: 8, c1: 10 },
    { r0: 4, r1: 7, c0: 0, c1: 4 }, { r0: 4, r1: 7, c0: 4, c1: 8 }, { r0: 4, r1: 7, c0: 8, c1: 10 }]);
  assert.equal(tileRects(7, 10, 0), [{ r0: 0, r1: 7, c0: 0, c1: 10 }]);
  assert.equal(tileRects(7, 10, 10), [{ r0: 0, r1: 7, c0: 0, c1: 10 }]);
  assert.is(chooseTile(576, 768), 0);
  assert.is(chooseTile(10000, 10000), DEFAULT_TILE);
  assert.ok(3000 * 3000 > TILE_AUTO_PIXELS);
  assert.throws(() => chooseTile(10, 10, -1), /tile must be a non-negative integer/);
});

if (!nk || typeof nk.fuseAuif !== 'function') skipLoudly('model/tiling', `native fuseAuif unavailable: ${nativeStatus().reason}`);
else {
  t('receptive radius of AUIF: 9 (lap₁₉) + 2·10 + 1 = 30, the halo the kernel uses', () => {
    if (!fixture) return skipFixture();
    assert.is(receptiveRadius(params), 30);
    const ir = rand(40 * 40, 1), vis = rand(40 * 40, 2), out = new Float32Array(1600);
    // fuseAuif returns the halo it used (10 + 10 layers, 11×11 and 19×19 initial filters)
    const halo = nk.fuseAuif!(ir, vis, 40, 40, new Float64Array(20 * 106), new Float32Array(20 * 5), 10, 10,
      new Float32Array(121), new Float32Array(361), new Float32Array(9), new Float32Array(2), 0, Int32Array.of(0, 40, 0, 40), out);
    assert.is(halo, 30);
  });

  t('tiled = untiled, bit for bit (sizes that the tiles do not divide, both rules, 1 and 2 threads)', async () => {
    if (!fixture) return skipFixture();
    for (const [h, w, tiles] of [[10, 10, [3, 7]], [37, 53, [16, 36]], [100, 77, [31, 64]], [131, 211, [1, 29, 64, 130]], [300, 257, [61, 100, 256]]] as const) {
      const ir = rand(h * w, h), vis = rand(h * w, w + 1);
      for (const mode of ['sum', 'average'] as const) {
        nk.setThreads(2);
        const whole = await fuseTiled(nk, ir, vis, h, w, params, mode, { tile: 0 });
        for (const tile of tiles) for (const threads of [1, 2]) {
          if (tile === 1 && (h > 40 || threads === 1)) continue; // 1-pixel tiles: one small case
          nk.setThreads(threads);
          const tiled = await fuseTiled(nk, ir, vis, h, w, params, mode, { tile, progress: false });
          assert.is(differing(whole, tiled), 0, `${w}×${h}, tile ${tile}, ${mode}, ${threads} thread(s)`);
        }
      }
    }
    nk.setThreads(0);
  });

  t('one-pass kernel = per-layer float64 kernels within 2e-6 (random 131×211 pair)', async () => {
    if (!fixture) return skipFixture();
    const [h, w] = [131, 211];
    const ir = rand(h * w, 5), vis = rand(h * w, 6);
    for (const mode of ['sum', 'average'] as const) {
      const a = fusePlanesPerLayer(nk, ir, vis, h, w, params, mode);
      const b = await fuseTiled(nk, ir, vis, h, w, params, mode);
      let m = 0;
      for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
      assert.ok(m <= 2e-6, `${mode}: ${m.toExponential(2)}`);
    }
  });

  t('AVX2 and portable builds of the hot loops give the same bits (AUIF_SIMD=0 in a child process)', () => {
    if (!fixture) return skipFixture();
    if (nk.simdInfo?.() !== 'avx2+fma') { skipLoudly('model/tiling SIMD comparison', `this CPU runs the ${nk.simdInfo?.()} loops only`); return; }
    const script = `
      import { nativeKernels } from './lib/kernels/native.js';
      import { fuseTiled } from './lib/model/auif.js';
      import { paramsFromStateDict } from './lib/model/params.js';
      import { loadFixture, useBackend } from './test/helpers/fixture.js';
      import { createHash } from 'node:crypto';
      await useBackend('cpu');
      const params = paramsFromStateDict(loadFixture().pretrained);
      let s = 9; const r = (n) => Float32Array.from({ length: n }, () => { s = (s * 1664525 + 1013904223) >>> 0; return Math.fround((s >>> 24) / 255); });
      const [h, w] = [97, 143]; const ir = r(h * w), vis = r(h * w);
      const F = await fuseTiled(nativeKernels(), ir, vis, h, w, params, 'sum', { tile: 50, progress: false });
      console.log(nativeKernels().simdInfo(), createHash('sha256').update(Buffer.from(F.buffer)).digest('hex'));`;
    const run = (simd: string) => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, AUIF_SIMD: simd, AUIF_QUIET: '1' } });
      assert.is(r.status, 0, r.stderr);
      return r.stdout.trim().split('\n').pop()!.split(' ');
    };
    const [isaA, hashA] = run('1');
    const [isaB, hashB] = run('0');
    assert.is(isaA, 'avx2+fma');
    assert.is(isaB, 'portable');
    assert.is(hashA, hashB);
  });

  t('bad arguments: one line naming the argument or the size', () => {
    const f = (rects: Int32Array, ir = new Float32Array(400)) => nk.fuseAuif!(ir, new Float32Array(400), 20, 20, new Float64Array(20 * 106), new Float32Array(20 * 5), 10, 10,
      new Float32Array(121), new Float32Array(361), new Float32Array(9), new Float32Array(2), 0, rects, new Float32Array(400));
    assert.throws(() => f(Int32Array.of(0, 21, 0, 20)), /rectangle 0 is outside the 20×20 image/);
    assert.throws(() => f(Int32Array.of(0, 20, 0)), /4 values \(r0, r1, c0, c1\) per rectangle/);
    assert.throws(() => f(Int32Array.of(0, 20, 0, 20), new Float32Array(399)), /ir, vis and out need h·w = 20·20 values/);
  });
}
t.run();
