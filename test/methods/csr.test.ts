/**
 * CSR (lib/methods/csr.ts) against its authors' outputs:
 * - with AUIF_FULL=1 (minutes of CPU: ~2×300 ADMM iterations of 64 FFTs of 632×496), the package's
 *   published infrared/visible result `results/s04_csr.png` (multimodal rule): ≤ 0.5 % of pixels
 *   differing, ≤ 10 of them by 2, none by more (measured: see the log line;
 *   the authors' code itself in Octave differs from that file on 585 pixels, 0.19 %, max 2);
 * - with AUIF_FULL=1 also the multi-focus result `results/s01_csr.tif` (256×256; measured 2 of
 *   65 536 pixels differ, by 1; Octave: 18);
 * - an Octave run of the authors' code on two TNO crops (test/csc/fixtures/README.md): the
 *   windowed activities to 1e-4 relative, the decision maps and fused bytes (≤ 1 grey level,
 *   ≤ 2 pixels per crop; measured 1 and 0).
 * No published CSR output of an AUIF TNO pair exists (../shared/upstream/baselines/classic-collection/README.md).
 * Plus the registry entry, options and bad input.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { getMethod, MethodError } from '../../lib/methods/index.js';
import { CSR_DICTIONARY, boxFilterZero, csrDefaults, csrFuse, readCsrDictionary } from '../../lib/methods/csr.js';
import type { ConvDictionary } from '../../lib/csc/cbpdn.js';
import { readGrey, readGrey8, ImageError, type GreyImage } from '../../lib/io/image.js';
import { upstreamFile } from '../helpers/upstream.js';
import { CROPS, cropBox, cropSize, fx } from '../csc/_fixture.js';
import { compare, tnoPair } from './_parity.js';

const t = suite('methods/csr');
const PKG = 'ConvSR_Image_Fusion_Codes/CSR_Fusion_Author/';
const FULL = process.env.AUIF_FULL === '1';
let dict: ConvDictionary | null = null;

t.before(async () => {
  const f = await upstreamFile(CSR_DICTIONARY, 'classic-collection');
  if (f) dict = readCsrDictionary(f);
});

const unit = (bytes: ArrayLike<number>, width: number, height: number): GreyImage => ({ width, height, data: Float32Array.from(bytes, (v) => v / 255) });

for (const crop of CROPS) {
  t(`${crop}: activities, decision map and fused bytes as the authors' code`, async () => {
    if (!dict) return;
    const [H, W] = cropSize(crop);
    // The fixture's crop is the staged TNO pair's.
    const { pair, y0, x0 } = cropBox(crop);
    const tno = await tnoPair(pair);
    if (!tno) return;
    const img1 = fx(crop, 'img1').data, img2 = fx(crop, 'img2').data;
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      const k = (y0 + y) * tno[0].width + x0 + x;
      assert.is(Math.round(tno[0].data[k] * 255), img1[y * W + x]); assert.is(Math.round(tno[1].data[k] * 255), img2[y * W + x]);
    }
    const r = await csrFuse(unit(img1, W, H), unit(img2, W, H), dict, csrDefaults({ threads: 1 }));
    let eA = 0;
    for (const k of [0, 1] as const) {
      const ref = fx(crop, `AA${k + 1}`).data;
      for (let i = 0; i < ref.length; i++) eA = Math.max(eA, Math.abs(r.activity[k][i] - ref[i]) / Math.max(1e-3, Math.abs(ref[i])));
    }
    const dm = fx(crop, 'decision').data, F = fx(crop, 'fused').data;
    let dd = 0, diff = 0, max = 0;
    for (let i = 0; i < F.length; i++) {
      if (dm[i] !== r.decision[i]) dd++;
      const e = Math.abs(F[i] - r.u8[i]); if (e) diff++; max = Math.max(max, e);
    }
    console.log(`  ${crop}: activity rel |Δ| ${eA.toExponential(1)}, ${dd} decision flips, fused: ${diff} of ${F.length} pixels differ, max ${max}`);
    assert.ok(eA <= 1e-4, `activity ${eA}`);
    assert.is(dd, 0);
    assert.ok(max <= 1 && diff <= 2, `${diff} pixels, max ${max}`);
  });
}

const published = async (name: 's01' | 's04', rule: 'multifocus' | 'multimodal', bar: number) => {
  const ext = name === 's01' ? 'tif' : 'jpg';
  const a = await upstreamFile(`${PKG}sourceimages/${name}_1.${ext}`, 'classic-collection');
  const b = await upstreamFile(`${PKG}sourceimages/${name}_2.${ext}`, 'classic-collection');
  const ref = await upstreamFile(`${PKG}results/${name}_csr.${name === 's01' ? 'tif' : 'png'}`, 'classic-collection');
  if (!a || !b || !ref) return;
  // The package's script: CSR_Fusion(A = *_1, B = *_2); the method interface takes (ir, vis) = (img1, img2).
  const fuser = await getMethod('csr').load({ rule });
  const t0 = performance.now();
  const { F } = await fuser.fuse(await readGrey(a), await readGrey(b));
  const want = await readGrey8(ref);
  const c = compare(F, want);
  let over1 = 0;
  for (let i = 0; i < want.data.length; i++) if (Math.abs(Math.round(F.data[i] * 255) - want.data[i]) > 1) over1++;
  console.log(`  ${name} (${rule}): ${c.diff} of ${F.data.length} pixels differ (${(100 * c.share).toFixed(3)} %), ${over1} by more than 1, max ${c.max}; ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  // The authors' own code in Octave misses s04 on 4 pixels by 2 (float32 round-off in 500-iteration ADMM
  // runs; classic-collection README), so a handful of ±2 is the authors' own reproducibility.
  assert.ok(c.max <= 2 && over1 <= 10, `max ${c.max}, ${over1} pixels by more than 1`);
  assert.ok(c.share <= bar, `${c.diff} pixels differ`);
};

if (FULL) t('published infrared/visible result s04 (632×496): ≤ 0.5 % of pixels differ, ≤ 10 by 2, none by more', () => published('s04', 'multimodal', 0.005));
if (FULL) t('published multi-focus result s01 (256×256): ≤ 0.1 % of pixels differ, ≤ 10 by 2, none by more', () => published('s01', 'multifocus', 0.001));

t('imfilter box mean with zero padding', () => {
  const A = Float64Array.from({ length: 20 }, (_, i) => i + 1); // 5×4
  const B = boxFilterZero(A, 5, 4, 1);
  assert.ok(Math.abs(B[0] - (1 + 2 + 6 + 7) / 9) < 1e-15, 'corner: 4 of 9 taps inside');
  assert.ok(Math.abs(B[6] - (1 + 2 + 3 + 6 + 7 + 8 + 11 + 12 + 13) / 9) < 1e-15);
});

t('registry: csr is listed with the package defaults; bad options and bad input refused', async () => {
  const m = getMethod('csr');
  assert.is(m.info.title, 'CSR');
  assert.is(m.info.defaults.lambda, 0.01); assert.is(m.info.defaults.rho, 1.5); assert.is(m.info.defaults.maxIter, 500);
  for (const [opts, re] of [[{ rule: 'max' }, /rule must be/], [{ lambda: -1 }, /lambda must be a positive/], [{ precision: 'half' }, /precision must be/], [{ iters: 3 }, /unknown option 'iters'/]] as const) {
    try { await m.load(opts as never); assert.unreachable(); } catch (e) { assert.instance(e, MethodError); assert.match((e as Error).message, re); }
  }
  if (!dict) return;
  const fuser = await m.load();
  const img = (w: number, h: number): GreyImage => ({ width: w, height: h, data: new Float32Array(w * h) });
  for (const [x, y, re] of [[img(16, 16), img(17, 16), /CSR: IR and VIS sizes differ/], [img(7, 20), img(7, 20), /7×20; CSR needs at least 8×8/]] as const) {
    try { await fuser.fuse(x, y); assert.unreachable(); } catch (e) { assert.instance(e, ImageError); assert.match((e as Error).message, re); }
  }
  // A flat pair: (near-)zero detail layers, so F is the mean of the two base layers.
  const flat = (v: number): GreyImage => ({ width: 12, height: 10, data: new Float32Array(120).fill(v / 255) });
  const { F } = await fuser.fuse(flat(100), flat(60));
  assert.ok(F.data.every((v) => Math.round(v * 255) === 80), 'mean of the two base layers');
});

t.run();
