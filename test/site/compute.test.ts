/**
 * lib/site/compute.ts in Node (the page's computation without a browser): on a 64×48 crop of TNO
 * pair 2, F equals `fuse()` within 1 grey level for each rule, the learned iterates B¹⁰, D¹⁰
 * equal `decompose()`'s (native kernels where built) within 1e-5, there are 11 iterates of each
 * kind, the classic B¹⁰ equals `classicSolve`'s, and bad pairs get one clear line.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../lib/backend/select.js';
import { loadWeights } from '../../lib/model/checkpoint.js';
import { decompose, fuse, toTensor } from '../../lib/model/auif.js';
import { classicSolve } from '../../lib/unrolling/classic.js';
import { readGrey8, u8ToUnit, unitToU8, type GreyImage } from '../../lib/io/image.js';
import { datasetPairs } from '../../lib/data/datasets.js';
import { StagingError } from '../../lib/data/stage.js';
import { checkPagePair, computePage } from '../../lib/site/compute.js';
import { skipLoudly } from '../helpers/upstream.js';

const t = suite('site/compute');

async function pair(): Promise<{ ir: GreyImage; vis: GreyImage } | null> {
  let p;
  try { p = (await datasetPairs('tno', { quiet: true }))[1]; } catch (e) {
    if (e instanceof StagingError) { skipLoudly('site/compute (TNO pair 2)', e.message); return null; }
    throw e;
  }
  const cut = async (f: string): Promise<GreyImage> => {
    const g = await readGrey8(f);
    const w = 64, h = 48, data = new Uint8Array(w * h);
    for (let r = 0; r < h; r++) data.set(g.data.subarray((100 + r) * g.width + 200, (100 + r) * g.width + 200 + w), r * w);
    return { width: w, height: h, data: u8ToUnit(data) };
  };
  return { ir: await cut(p.ir), vis: await cut(p.vis) };
}

const maxAbs = (a: Float32Array, b: Float32Array) => { let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i])); return m; };

t('F = fuse() within 1 grey level for sum, average, l1; iterates match decompose() and classicSolve()', async () => {
  const pr = await pair();
  if (!pr) return;
  await initBackend({ quiet: true });
  const params = await loadWeights();
  for (const mode of ['sum', 'average', 'l1'] as const) {
    const r = await computePage(pr.ir, pr.vis, params, mode);
    const ref = unitToU8((await fuse(pr.ir, pr.vis, params, mode)).data);
    const got = unitToU8(r.fused);
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - ref[i]));
    assert.ok(worst <= 1, `${mode}: F differs from fuse() by ${worst} grey levels`);
    if (mode !== 'sum') continue;
    for (const s of [r.learned.B, r.learned.D, r.classic.B, r.classic.D]) { assert.is(s.ir.length, 11); assert.is(s.vis.length, 11); }
    const I = tf.concat([toTensor(pr.ir), toTensor(pr.vis)], 0) as tf.Tensor4D;
    const d = decompose(I, params);
    const B = d.B.dataSync() as Float32Array, D = d.D.dataSync() as Float32Array, n = B.length / 2;
    assert.ok(maxAbs(r.learned.B.vis[10], B.subarray(n)) < 1e-5, 'learned B¹⁰ (VIS)');
    assert.ok(maxAbs(r.learned.D.ir[10], D.subarray(0, n)) < 1e-5, 'learned D¹⁰ (IR)');
    const cb = classicSolve(I, 'base');
    assert.ok(maxAbs(r.classic.B.ir[10], (cb.dataSync() as Float32Array).subarray(0, n)) < 1e-6, 'classic B¹⁰ (IR)');
    assert.ok(r.steps.base.eta.length === 10 && r.steps.detail.theta.length === 10);
    assert.is(r.steps.base.eta[0], (params.base.layers[0].eta.dataSync() as Float32Array)[0]);
    tf.dispose([I, d.B, d.D, cb]);
  }
});

t('bad pairs: one line naming the sizes', () => {
  assert.throws(() => checkPagePair({ width: 20, height: 20 }, { width: 21, height: 20 }), /sizes differ.*20×20.*21×20/);
  assert.throws(() => checkPagePair({ width: 3000, height: 1000 }, { width: 3000, height: 1000 }), /3000×1000 = 3000000 pixels; this page handles at most 2000000/);
  assert.throws(() => checkPagePair({ width: 5000, height: 100 }, { width: 5000, height: 100 }, 1e9, 4096), /at most 4096 pixels per side/);
  assert.throws(() => checkPagePair({ width: 8, height: 40 }, { width: 8, height: 40 }), /at least 10×10/);
});

t.run();
