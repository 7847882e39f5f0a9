/**
 * DeepFuse against its references:
 * - the official network (Lasagne `.npz`, kernels flipped) on the fixture crop
 *   (datasets/reference/deepfuse_fixture.safetensors): merged features within 1e-5·max, raw output
 *   within 1e-4·max, 8-bit output within 1 level;
 * - the default (Hui Li's TF re-implementation, checkpoint in its published format) against
 *   reference/deepfuse/F1_huili.png and F5_huili.png; the official weights against F5.png.
 * Bar: max 1 grey level, ≤ 0.1 % of pixels differing (printed). The reference PNGs are whole
 * fused images, not committed: where they are not at hand (a clone without ../shared) the same
 * claim is checked through their committed derived values (datasets/reference/deepfuse/*.stats.json;
 * bounds in test/methods/_parity.ts `assertParity`).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import { getMethod, MethodError } from '../../lib/methods/index.js';
import { deepFuseDecode, deepFuseEncode, deepFuseFromLasagne, disposeDeepFuse, officialNormalise, DEEPFUSE_OFFICIAL_NPZ } from '../../lib/methods/deepfuse.js';
import { bytescale } from '../../lib/methods/cnn.js';
import { readNpz } from '../../lib/io/npz.js';
import { readSafetensors } from '../../lib/io/safetensors.js';
import { ImageError, type GreyImage } from '../../lib/io/image.js';
import { initBackend } from '../../lib/backend/select.js';
import { upstreamFile } from '../helpers/upstream.js';
import { assertParity, derivedCheck, parityReference, referencePath, tnoPair } from './_parity.js';

const t = suite('methods/deepfuse');
t.before(async () => { await initBackend({ quiet: true }); });

function maxRel(a: Float32Array, b: Float32Array): number {
  let m = 0, s = 0;
  for (let i = 0; i < a.length; i++) { m = Math.max(m, Math.abs(a[i] - b[i])); s = Math.max(s, Math.abs(b[i])); }
  return m / s;
}

t('official weights on the fixture crop: merged features, raw output, 8-bit output', async () => {
  const fx = referencePath('deepfuse_fixture.safetensors');
  const npz = await upstreamFile(DEEPFUSE_OFFICIAL_NPZ, 'deepfuse');
  if (!fx || !npz) return;
  const f = readSafetensors(fx).tensors;
  const g = (k: string) => f.get(k)!.data as Float32Array;
  const net = deepFuseFromLasagne(readNpz(npz), npz);
  assert.is(net.parameters, 316976);
  try {
    const [H, W] = [64, 80];
    const I = tf.concat([tf.tensor4d(g('ir'), [1, H, W, 1]), tf.tensor4d(g('vis'), [1, H, W, 1])], 0) as tf.Tensor4D;
    const phi = deepFuseEncode(I, net);
    const [a, b] = tf.split(phi, 2, 0);
    const merged = tf.add(a, b) as tf.Tensor4D;
    const m = merged.dataSync() as Float32Array, want = g('merged');
    const C = 64, mT = new Float32Array(m.length);
    for (let c = 0; c < C; c++) for (let p = 0; p < H * W; p++) mT[c * H * W + p] = m[p * C + c];
    assert.ok(maxRel(mT, want) < 1e-5, 'merged');
    const raw = deepFuseDecode(merged, net).dataSync() as Float32Array;
    const e = maxRel(raw, g('raw'));
    assert.ok(e < 1e-4, `raw: ${e}`);
    const u8 = bytescale(officialNormalise(raw)), wantU8 = f.get('out_u8')!.data as Uint8Array;
    let d = 0; for (let i = 0; i < u8.length; i++) { assert.ok(Math.abs(u8[i] - wantU8[i]) <= 1); if (u8[i] !== wantU8[i]) d++; }
    assert.ok(d <= 5, `${d} of ${u8.length} 8-bit values differ`);
    tf.dispose([I, phi, a, b, merged]);
  } finally { disposeDeepFuse(net); }
});

t("default (Hui Li's TF re-implementation) = F1_huili, F5_huili; official = F5", async () => {
  for (const [opts, suffix, pairs] of [[{}, '_huili', [1, 5]], [{ model: 'official' }, '', [5]]] as const) {
    const fuser = await getMethod('deepfuse').load(opts);
    assert.is(fuser.info.parameters, suffix ? 18817 : 316976);
    for (const i of pairs) {
      const ref = parityReference(`deepfuse/F${i}${suffix}.png`);
      const p = await tnoPair(i);
      if (!ref || !p) return;
      const { F } = await fuser.fuse(p[0], p[1]);
      await assertParity(F, ref, `DeepFuse ${fuser.info.defaults.model} TNO${i}`);
      if (i === 5) {
        // The derived values tell the two networks apart: each TNO5 output breaks the other's bounds.
        const other = parityReference(`deepfuse/F5${suffix ? '' : '_huili'}.png`);
        if (!other?.stats) continue;
        const { violations } = derivedCheck(F, other.stats, 1e-3);
        console.log(`  DeepFuse ${fuser.info.defaults.model} TNO5 vs ${other.rel}'s derived values: ${violations.join('; ')}`);
        assert.ok(violations.length > 0, `${fuser.info.defaults.model} output passes ${other.rel}'s bounds`);
      }
    }
    fuser.dispose();
  }
});

t('bad input and options', async () => {
  try { await getMethod('deepfuse').load({ model: 'lasagne' }); assert.unreachable(); } catch (e) { assert.instance(e, MethodError); assert.match((e as Error).message, /model must be 'huili'/); }
  const fuser = await getMethod('deepfuse').load();
  const img = (w: number, h: number): GreyImage => ({ width: w, height: h, data: new Float32Array(w * h) });
  for (const [a, b, re] of [[img(8, 8), img(7, 8), /DeepFuse: IR and VIS sizes differ/], [img(8, 1), img(8, 1), /8×1; DeepFuse needs at least 2×2/]] as const) {
    try { await fuser.fuse(a, b); assert.unreachable(); } catch (e) { assert.instance(e, ImageError); assert.match((e as Error).message, re); }
  }
  fuser.dispose();
});

t.run();
