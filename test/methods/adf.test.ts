/**
 * ADF: the authors' setting (0..255 inputs, `scale: 'byte'`) against the published files in
 * MetricsLab (made by the authors' MATLAB code as VIFB ships it; ../shared/upstream/baselines/
 * metricslab/README.md gives the file ↔ AUIF TNO pair map) — bit for bit, 0 differing pixels
 * allowed; the default (`scale: 'unit'`, the AUIF paper's) checked for its defining property
 * (the same diffusion on I/255) and the bad-input refusals.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { getMethod, MethodError } from '../../lib/methods/index.js';
import { adfFuse, anisotropicDiffusion, klWeights } from '../../lib/methods/adf.js';
import { readGrey, readGrey8, ImageError, type GreyImage } from '../../lib/io/image.js';
import { upstreamFile } from '../helpers/upstream.js';

const t = suite('methods/adf');

/** MetricsLab ADF file → AUIF TNO pair (pairs 1..38, the even half of the matched ones). */
const PUBLISHED: [string, number][] = [
  ['115', 1], ['17', 3], ['19', 5], ['118', 9], ['8', 11], ['98', 14], ['99', 16], ['102', 18], ['9', 20],
  ['105', 22], ['107', 24], ['109', 26], ['112', 28], ['114', 30], ['122', 32], ['61', 34], ['11', 36], ['13', 38],
];

async function tnoPair(i: number): Promise<[GreyImage, GreyImage] | null> {
  const a = await upstreamFile(`Datasets/Test_data_TNO/IR${i}.bmp`);
  const b = await upstreamFile(`Datasets/Test_data_TNO/VIS${i}.bmp`);
  return a && b ? [await readGrey(a), await readGrey(b)] : null;
}

t('scale byte = the published ADF files bit for bit (18 AUIF TNO pairs)', async () => {
  const fuser = await getMethod('adf').load({ scale: 'byte' });
  let pairs = 0;
  for (const [file, i] of PUBLISHED) {
    const ref = await upstreamFile(`imgs/TNO/fuse/ADF/${file}.png`, 'metricslab');
    const p = await tnoPair(i);
    if (!ref || !p) continue;
    const want = await readGrey8(ref);
    const { F } = await fuser.fuse(p[0], p[1]);
    assert.is(F.width, want.width);
    let diff = 0;
    for (let k = 0; k < want.data.length; k++) if (Math.round(F.data[k] * 255) !== want.data[k]) diff++;
    assert.is(diff, 0, `pair ${i} (${file}.png): ${diff} pixels differ`);
    pairs++;
  }
  if (pairs) assert.is(pairs, PUBLISHED.length);
});

t('default scale unit = the same code on I/255, written as uint8(255·F)', async () => {
  const p = await tnoPair(5);
  if (!p) return;
  const { F, maps } = await (await getMethod('adf').load()).fuse(p[0], p[1], { intermediates: true });
  const { width: w, height: h } = p[0];
  const I1 = Float64Array.from(p[0].data, (x) => Math.round(x * 255) / 255);
  const I2 = Float64Array.from(p[1].data, (x) => Math.round(x * 255) / 255);
  const o = { iterations: 10, dt: 0.15, kappa: 30, conduction: 'exponential' as const };
  const A1 = anisotropicDiffusion(I1, w, h, o), A2 = anisotropicDiffusion(I2, w, h, o);
  const D1 = I1.map((v, i) => v - A1[i]), D2 = I2.map((v, i) => v - A2[i]);
  const [p1, p2] = klWeights(D1, D2, w, h);
  assert.ok(Math.abs(p1 + p2 - 1) < 1e-12);
  let off = 0;
  for (let i = 0; i < w * h; i++) {
    const v = 255 * (p1 * D1[i] + p2 * D2[i] + 0.5 * (A1[i] + A2[i]));
    if (Math.abs(Math.round(F.data[i] * 255) - Math.min(255, Math.max(0, Math.round(v)))) > 0) off++;
  }
  assert.ok(off <= 2, `${off} pixels differ from the recomputation (only exact .5 ties may)`);
  assert.equal(maps!.map((m) => m.name), ['A_ir', 'A_vis', 'D_ir', 'D_vis', 'F_raw']);
  // on the 0..1 scale the conduction is ≈ 1: unit and byte results differ
  const byte = adfFuse(p[0], p[1], { scale: 'byte', ...o }).u8;
  let d = 0;
  for (let i = 0; i < byte.length; i++) if (byte[i] !== Math.round(F.data[i] * 255)) d++;
  assert.ok(d > byte.length / 10, 'the two input scales give different images');
});

t('klWeights: the principal eigenvector of the 2×2 covariance, normalised to sum 1', () => {
  // D2 = 2·D1 ⇒ covariance ∝ [[1, 2], [2, 4]], principal eigenvector ∝ (1, 2) ⇒ p = (1/3, 2/3)
  const D1 = Float64Array.from({ length: 12 }, (_, i) => Math.sin(i));
  const D2 = D1.map((v) => 2 * v);
  const [p1, p2] = klWeights(D1, D2, 4, 3);
  assert.ok(Math.abs(p1 - 1 / 3) < 1e-12 && Math.abs(p2 - 2 / 3) < 1e-12, `${p1}, ${p2}`);
});

t('bad input: mismatched pair, too small, unknown option, bad scale', async () => {
  const fuser = await getMethod('adf').load();
  const img = (w: number, h: number): GreyImage => ({ width: w, height: h, data: new Float32Array(w * h).fill(0.5) });
  for (const [a, b, re] of [[img(8, 8), img(8, 9), /ADF: IR and VIS sizes differ: IR image is 8×8, VIS image is 8×9/], [img(1, 5), img(1, 5), /IR image is 1×5; ADF needs at least 2×2/]] as const) {
    try { await fuser.fuse(a, b); assert.unreachable(); } catch (e) { assert.instance(e, ImageError); assert.match((e as Error).message, re); }
  }
  for (const [o, re] of [[{ scal: 'unit' }, /unknown option 'scal'/], [{ scale: 'x' }, /scale must be 'unit'/], [{ iterations: -1 }, /iterations must be/]] as const) {
    try { await getMethod('adf').load(o); assert.unreachable(); } catch (e) { assert.instance(e, MethodError); assert.match((e as Error).message, re); }
  }
});

t.run();
