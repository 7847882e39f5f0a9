/**
 * lib/site/compute.ts in Node (the page's computation without a browser): on a 64×48 crop of TNO
 * pair 2, F equals `fuse()` within 1 grey level for each rule, the learned iterates B¹⁰, D¹⁰
 * equal `decompose()`'s (native kernels where built) within 1e-5, there are 11 iterates of each
 * kind, the classic B¹⁰ equals `classicSolve`'s, and bad pairs get one clear line. The page's
 * colour path, `fuseColour(pageFuser(…))`, equals `fuseColour()` with the registry's AUIF on a
 * 64×48 crop of VIFB carShadow within 1 level per channel; decoded pixels become grey or RGB
 * `Image8`s, and transparent ones are refused.
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
import { checkPagePair, computePage, image8FromPixels, pageFuser } from '../../lib/site/compute.js';
import { fuseColour } from '../../lib/fusion/colour.js';
import { readImage8 } from '../../lib/io/colour_image.js';
import { getMethod } from '../../lib/methods/index.js';
import { stagedPath } from '../../lib/data/stage.js';
import { skipLoudly, upstreamGroup } from '../helpers/upstream.js';
import { crop8 } from '../helpers/crop.js';

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

t('colour: fuseColour(pageFuser) = fuseColour(AUIF) within 1 level per channel on a VIFB crop', async () => {
  if (!(await upstreamGroup('vifb')) || !(await upstreamGroup('models'))) return;
  await initBackend({ quiet: true });
  const ir = crop8(await readImage8(stagedPath('input/IR/carShadow.jpg', 'vifb')), 100, 60, 64, 48);
  const vis = crop8(await readImage8(stagedPath('input/VI/carShadow.jpg', 'vifb')), 100, 60, 64, 48);
  assert.is(vis.channels, 3, 'VIFB carShadow visible is RGB');
  const fuser = await getMethod('auif').load();
  const want = await fuseColour(fuser, ir, vis);
  fuser.dispose();
  const pf = pageFuser(await loadWeights(), 'sum');
  const got = await fuseColour(pf, ir, vis);
  assert.ok(got.colour && got.F.channels === 3);
  assert.is(got.irReducedToLuma, want.irReducedToLuma);
  assert.is(pf.last!.learned.B.vis.length, 11, 'the page keeps the iterates of Y');
  let worst = 0, differ = 0;
  for (let i = 0; i < got.F.data.length; i++) { const d = Math.abs(got.F.data[i] - want.F.data[i]); worst = Math.max(worst, d); if (d) differ++; }
  console.log(`    site/compute colour (carShadow 64×48): ${differ} of ${got.F.data.length} channel values differ from fuseColour(AUIF), by at most ${worst}`);
  assert.ok(worst <= 1, `differs by ${worst} levels`);
});

t('decoded pixels: grey content → 1 channel, colour → RGB; transparency refused with one line', () => {
  const rgba = Uint8ClampedArray.from([10, 10, 10, 255, 200, 200, 200, 255]);
  assert.equal(image8FromPixels(2, 1, rgba, 4, 'a.png'), { width: 2, height: 1, channels: 1, data: Uint8Array.from([10, 200]) });
  const col = Uint8Array.from([10, 10, 10, 1, 2, 3]);
  assert.equal(image8FromPixels(2, 1, col, 3, 'b.bmp'), { width: 2, height: 1, channels: 3, data: col });
  assert.throws(() => image8FromPixels(2, 1, Uint8ClampedArray.from([1, 2, 3, 255, 4, 5, 6, 128]), 4, "VIS image 'c.gif'", 'GIF'),
    (e: Error) => /^VIS image 'c\.gif': GIF with an alpha channel that is not opaque \(pixel \(1, 0\) has alpha 128\); remove the alpha channel first/.test(e.message) && !e.message.includes('\n'));
  assert.throws(() => image8FromPixels(3, 1, rgba, 4, 'd.png'), /d\.png: 8 decoded values for 3×1 pixels \(expected 12\)/);
});

t.run();
