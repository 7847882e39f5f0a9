/**
 * Eval-mode parity with the PyTorch reference (auif_fixture.safetensors, eval.*): every Bᵏ, Dᵏ,
 * the reconstructions and the fused image of each rule, ≤ 1e-5 max abs, on every backend.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import { paramsFromStateDict, disposeParams, type AuifParams } from '../../lib/model/params.js';
import { decompose, fuseTensors, reconstruct, fuse, checkPair } from '../../lib/model/auif.js';
import { ImageError } from '../../lib/io/image.js';
import { loadFixture, skipFixture, nhwc, maxAbsDiff, TEST_BACKENDS, TEST_OPERATORS, useBackend } from '../helpers/fixture.js';

const TOL = 1e-5;
const fixture = loadFixture();

for (const backend of TEST_BACKENDS) for (const operator of TEST_OPERATORS) {
  const t = suite(`model/auif eval parity [${backend}, ${operator}]`);
  const opts = { operator };
  let params: AuifParams;
  t.before(async () => { await useBackend(backend); if (fixture) params = paramsFromStateDict(fixture.pretrained); });
  t.after(() => { if (params) disposeParams(params); });

  for (const src of ['ir', 'vis'] as const) {
    t(`B⁰…B¹⁰ and D⁰…D¹⁰ of ${src} within ${TOL}`, () => {
      if (!fixture) return skipFixture();
      tf.tidy(() => {
        const I = nhwc(fixture.fx, `eval.${src}`);
        const { Bsteps, Dsteps } = decompose(I, params, { keepIntermediate: true, operator });
        assert.is(Bsteps!.length, 11);
        for (let k = 0; k <= 10; k++) {
          const eb = maxAbsDiff(Bsteps![k], nhwc(fixture.fx, `eval.${src}.base`, k));
          const ed = maxAbsDiff(Dsteps![k], nhwc(fixture.fx, `eval.${src}.detail`, k));
          assert.ok(eb <= TOL, `B^${k} of ${src}: max abs diff ${eb.toExponential(3)} > ${TOL}`);
          assert.ok(ed <= TOL, `D^${k} of ${src}: max abs diff ${ed.toExponential(3)} > ${TOL}`);
        }
        // x⁰ uses PyTorch's summation order: bit for bit.
        assert.is(maxAbsDiff(Bsteps![0], nhwc(fixture.fx, `eval.${src}.base`, 0)), 0, 'B⁰ bit-exact');
        assert.is(maxAbsDiff(Dsteps![0], nhwc(fixture.fx, `eval.${src}.detail`, 0)), 0, 'D⁰ bit-exact');
      });
    });
    t(`reconstruction of ${src} within ${TOL}`, () => {
      if (!fixture) return skipFixture();
      tf.tidy(() => {
        const e = maxAbsDiff(reconstruct(nhwc(fixture.fx, `eval.${src}`), params, opts), nhwc(fixture.fx, `eval.${src}.recon`));
        assert.ok(e <= TOL, `recon of ${src}: ${e.toExponential(3)}`);
      });
    });
  }

  for (const [mode, key] of [['sum', 'Sum'], ['average', 'Average'], ['l1', 'l1_norm']] as const) {
    t(`fused image, rule ${mode}, within ${TOL}`, () => {
      if (!fixture) return skipFixture();
      tf.tidy(() => {
        const F = fuseTensors(nhwc(fixture.fx, 'eval.ir'), nhwc(fixture.fx, 'eval.vis'), params, mode, opts);
        const e = maxAbsDiff(F, nhwc(fixture.fx, `eval.fused.${key}`));
        assert.ok(e <= TOL, `fused (${mode}): ${e.toExponential(3)}`);
      });
    });
  }

  t(`upstream two-convolution form: fused images within ${TOL} too`, () => {
    if (!fixture) return skipFixture();
    tf.tidy(() => {
      for (const [mode, key] of [['sum', 'Sum'], ['l1', 'l1_norm']] as const) {
        const F = fuseTensors(nhwc(fixture.fx, 'eval.ir'), nhwc(fixture.fx, 'eval.vis'), params, mode, { operator: 'twoConv' });
        const e = maxAbsDiff(F, nhwc(fixture.fx, `eval.fused.${key}`));
        assert.ok(e <= TOL, `fused (${mode}, twoConv): ${e.toExponential(3)}`);
      }
    });
  });

  t('fuse() on GreyImages equals fuseTensors and leaks no tensor', async () => {
    if (!fixture) return skipFixture();
    const toImg = (k: string) => ({ width: 80, height: 64, data: nhwc(fixture.fx, k).dataSync() as Float32Array });
    const ir = toImg('eval.ir'), vis = toImg('eval.vis');
    await fuse(ir, vis, params, 'sum', opts); // warm-up (kernel caches)
    const before = tf.memory().numTensors;
    const F = await fuse(ir, vis, params, 'sum', opts);
    assert.is(tf.memory().numTensors, before, 'tensor count after fuse()');
    const ref = nhwc(fixture.fx, 'eval.fused.Sum');
    const e = maxAbsDiff(tf.tensor4d(F.data, [1, 64, 80, 1]), ref);
    assert.ok(e <= TOL, `fuse(): ${e.toExponential(3)}`);
    // the average rule, and tiles of 23 pixels (the native path's exact tiling; lib/model/tiling.ts)
    for (const [mode, key] of [['sum', 'Sum'], ['average', 'Average']] as const) {
      const T = await fuse(ir, vis, params, mode, { ...opts, tile: 23, progress: false });
      const et = maxAbsDiff(tf.tensor4d(T.data, [1, 64, 80, 1]), nhwc(fixture.fx, `eval.fused.${key}`));
      assert.ok(et <= TOL, `fuse(${mode}, tile 23): ${et.toExponential(3)}`);
    }
  });

  t.run();
}

const bad = suite('model/auif input checks');
bad('size mismatch names both sizes', () => {
  assert.throws(() => checkPair({ width: 80, height: 64 }, { width: 81, height: 64 }),
    (e: Error) => e instanceof ImageError && /80×64/.test(e.message) && /81×64/.test(e.message));
});
bad('too small states the minimum', () => {
  assert.throws(() => checkPair({ width: 9, height: 64 }, { width: 9, height: 64 }),
    (e: Error) => e instanceof ImageError && /at least 10×10/.test(e.message) && /9×64/.test(e.message));
  checkPair({ width: 10, height: 10 }, { width: 10, height: 10 });
});
bad.run();
