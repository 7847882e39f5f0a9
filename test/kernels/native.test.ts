/**
 * The native kernels against the tfjs formulation they replace: x⁰ bit for bit, one eval layer,
 * the decoder and the test-phase planes; thread-count independence; argument errors.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import { nativeKernels, nativeStatus, operatorCoefficients } from '../../lib/kernels/native.js';
import { boxKernel, laplacianKernel, correlateReflect } from '../../lib/unrolling/filters.js';
import { unrolledStep } from '../../lib/unrolling/step.js';
import { decoder } from '../../lib/model/decoder.js';
import { fuse, fuseTensors } from '../../lib/model/auif.js';
import { paramsFromStateDict, disposeParams, type AuifParams } from '../../lib/model/params.js';
import { loadFixture, skipFixture, nhwc, maxAbsDiff, maxRelDiff, useBackend } from '../helpers/fixture.js';
import { skipLoudly } from '../helpers/upstream.js';

const nk = nativeKernels();
const t = suite('kernels/native');
const fixture = loadFixture();
let params: AuifParams;
t.before(async () => { await useBackend('cpu'); if (fixture) params = paramsFromStateDict(fixture.pretrained); });
t.after(() => { if (params) disposeParams(params); nk?.setThreads(0); });

function rand(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; });
}

if (!nk) skipLoudly('kernels/native', nativeStatus().reason);
else {
  t('x⁰: box₁₁ and lap₁₉ bit-identical to the JavaScript PyTorch-order loop (1 and 2 threads)', () => {
    for (const [n, h, w] of [[1, 10, 10], [2, 13, 29], [1, 64, 80], [1, 37, 300]]) {
      const x = rand(n * h * w, h * w);
      for (const [name, kern] of [['box', boxKernel()], ['lap', laplacianKernel()]] as const) {
        const k = Math.sqrt(kern.length);
        for (const threads of [1, 2]) {
          nk.setThreads(threads);
          const out = new Float32Array(x.length);
          nk.correlateReflect(x, n, h, w, kern, k, out);
          for (let b = 0; b < n; b++) {
            const ref = correlateReflect(x.subarray(b * h * w, (b + 1) * h * w), h, w, kern);
            const got = out.subarray(b * h * w, (b + 1) * h * w);
            let diff = 0;
            for (let i = 0; i < ref.length; i++) if (ref[i] !== got[i]) diff++;
            assert.is(diff, 0, `${name} on ${n}×${h}×${w}, ${threads} thread(s): ${diff} pixels differ`);
          }
        }
      }
    }
    nk.setThreads(0);
  });

  t('one eval layer = unrolledStep (tfjs 5×5 form) within 1e-5 relative, every pretrained layer', async () => {
    if (!fixture) return skipFixture();
    const { batchNormEvalCoefficients } = await import('../../lib/nn/batchnorm.js');
    tf.tidy(() => {
      const I = nhwc(fixture.fx, 'eval.vis');
      const [n, h, w] = I.shape;
      const src = I.dataSync() as Float32Array;
      const one = (x: tf.Tensor) => (x.dataSync() as Float32Array)[0];
      for (const enc of [params.base, params.detail]) for (let k = 0; k < enc.layers.length; k++) {
        const layer = enc.layers[k];
        const x = nhwc(fixture.fx, `eval.vis.${enc.kind}`, k); // the reference xᵏ
        const { w5, M } = operatorCoefficients(layer.K.dataSync() as Float32Array);
        const { a, b } = batchNormEvalCoefficients(layer.bn);
        const out = new Float32Array(n * h * w);
        nk.layerEval(x.dataSync() as Float32Array, n, h, w, w5, M, src, Float32Array.of(a, b, one(layer.alpha), one(layer.eta), one(layer.theta)), out);
        const e = maxRelDiff(tf.tensor4d(out, I.shape), unrolledStep(x, I, layer, 'tfjs'));
        assert.ok(e <= 1e-5, `${enc.kind} layer ${k + 1}: ${e.toExponential(2)}`);
      }
    });
  });

  t('decoder = tfjs decoder within 1e-6; fused planes (sum, average) = fuseTensors within 1e-6', async () => {
    if (!fixture) return skipFixture();
    const ir = nhwc(fixture.fx, 'eval.ir'), vis = nhwc(fixture.fx, 'eval.vis');
    const B = tf.randomUniform([1, 64, 80, 1], -1, 1, 'float32', 3) as tf.Tensor4D;
    const D = tf.randomUniform([1, 64, 80, 1], -0.2, 0.2, 'float32', 4) as tf.Tensor4D;
    const { a, b } = (await import('../../lib/nn/batchnorm.js')).batchNormEvalCoefficients(params.decoder.bn);
    const out = new Float32Array(64 * 80);
    nk.decoderEval(B.dataSync() as Float32Array, D.dataSync() as Float32Array, 1, 64, 80, params.decoder.W.dataSync() as Float32Array, Float32Array.of(a, b), out);
    const e = maxAbsDiff(tf.tensor4d(out, [1, 64, 80, 1]), decoder(B, D, params.decoder));
    assert.ok(e <= 1e-6, `decoder ${e.toExponential(2)}`);
    for (const mode of ['sum', 'average'] as const) {
      const img = (t4: tf.Tensor4D) => ({ width: 80, height: 64, data: t4.dataSync() as Float32Array });
      const F = await fuse(img(ir), img(vis), params, mode, { operator: 'native' });
      const ref = fuseTensors(ir, vis, params, mode, { operator: 'native' }); // same encoders, tfjs rule + decoder
      const d = maxAbsDiff(tf.tensor4d(F.data, [1, 64, 80, 1]), ref);
      assert.ok(d <= 1e-6, `fuse ${mode}: ${d.toExponential(2)}`);
    }
  });

  t('results do not depend on the thread count', () => {
    const [n, h, w] = [3, 61, 47]; // several row blocks per image, images split across threads
    const x = rand(n * h * w, 5), I = rand(n * h * w, 6);
    const K = rand(64 * 9, 7).map((v) => v - 0.5);
    const { w5, M } = operatorCoefficients(K);
    const coef = Float32Array.of(0.02, -0.1, 0.25, 0.1, 1e-3);
    const run = (threads: number) => {
      nk.setThreads(threads);
      const y = new Float32Array(x.length), dx = new Float32Array(x.length), dw = new Float64Array(25), dM = new Float64Array(81);
      nk.layerEval(x, n, h, w, w5, M, I, coef, y);
      nk.operatorVjpX(I, n, h, w, w5, M, dx);
      nk.operatorVjpW(I, n, h, w, x, dw, dM);
      return { y, dx, dw, dM };
    };
    const a = run(1), b = run(2);
    nk.setThreads(0);
    assert.equal([...a.y], [...b.y]);
    assert.equal([...a.dx], [...b.dx]);
    // ∂L/∂w and ∂L/∂M are summed per fixed block of rows, in block order: identical bits.
    assert.equal([...a.dw], [...b.dw], 'dw5');
    assert.equal([...a.dM], [...b.dM], 'dM');
  });

  t('bad arguments: errors name the argument or the size', () => {
    const x = new Float32Array(12);
    assert.throws(() => nk.correlateReflect(x, 1, 3, 4, boxKernel(), 11, new Float32Array(12)), /11×11 kernel needs an image larger than 5×5, got 3×4/);
    assert.throws(() => nk.correlateReflect(x, 1, 3.5, 4, boxKernel(), 11, new Float32Array(12)), /h must be a non-negative integer/);
    assert.throws(() => nk.correlateReflect(x, 1, 3, 5, boxKernel(), 11, new Float32Array(12)), /x has 12 values, expected n·h·w = 1·3·5 = 15/);
    assert.throws(() => nk.operatorForward(new Float64Array(12) as unknown as Float32Array, 1, 3, 4, new Float64Array(25), new Float64Array(81), x), /x must be a Float32Array/);
    assert.throws(() => nk.operatorForward(x, 1, 3, 4, new Float64Array(24), new Float64Array(81), new Float32Array(12)), /w5 must have 25/);
    assert.throws(() => nk.operatorForward(new Float32Array(4), 1, 2, 2, new Float64Array(25), new Float64Array(81), new Float32Array(4)), /at least 3×3, got 2×2/);
  });
}
t.run();
