/**
 * The pieces of the training loss and of the train-mode forward pass: kornia-0.4.1's Gaussian
 * window and SSIM loss, and the train-mode batch norm with float64 statistics (against
 * lib/nn/batchnorm.ts's tf.moments version, value and gradient), on every backend.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import { gaussianWindow, ssimLoss, ssimMap } from '../../lib/train/ssim_loss.js';
import { mseLoss, reconstructionLoss } from '../../lib/train/loss.js';
import { batchNormTrainExact, batchStatistics } from '../../lib/train/batchnorm_train.js';
import { batchNormTrain } from '../../lib/nn/batchnorm.js';
import { TEST_BACKENDS, useBackend } from '../helpers/fixture.js';

for (const backend of TEST_BACKENDS) {
  const t = suite(`train/losses [${backend}]`);
  t.before(async () => { await useBackend(backend); });

  t('Gaussian window 3×3, σ 1.5: kornia values, sums to 1', () => {
    const w = gaussianWindow();
    const a = Math.exp(-1 / 4.5);
    const g = [a / (1 + 2 * a), 1 / (1 + 2 * a), a / (1 + 2 * a)];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) assert.ok(Math.abs(w[i * 3 + j] - g[i] * g[j]) < 1e-7);
    assert.ok(Math.abs(w.reduce((s, v) => s + v, 0) - 1) < 1e-6);
    assert.throws(() => gaussianWindow(4), /odd/);
  });

  t('SSIM of an image with itself is 1 (loss 0); a constant shift lowers it', () => {
    tf.tidy(() => {
      const x = tf.randomUniform([2, 12, 14, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
      const m = ssimMap(x, x).dataSync();
      assert.ok(m.every((v) => Math.abs(v - 1) < 1e-4), 'ssim(x, x) = 1');
      assert.ok(ssimLoss(x, x).dataSync()[0] < 1e-5);
      const y = tf.clipByValue(tf.add(x, tf.randomNormal(x.shape, 0, 0.2, 'float32', 2)), 0, 1) as tf.Tensor4D;
      const l = ssimLoss(x, y).dataSync()[0];
      assert.ok(l > 0.01 && l <= 0.5, `loss ${l}`);
      assert.throws(() => ssimMap(x, tf.zeros([2, 12, 13, 1]) as tf.Tensor4D), /same shape/);
    });
  });

  t('loss = MSE + μ·SSIM-loss', () => {
    tf.tidy(() => {
      const x = tf.randomUniform([1, 16, 16, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
      const y = tf.randomUniform([1, 16, 16, 1], 0, 1, 'float32', 4) as tf.Tensor4D;
      const { loss, mse, ssim } = reconstructionLoss(x, y, 5);
      // Independent values: MSE by hand in float64, the SSIM term from ssimLoss, μ = 5 and μ = 0.
      const xd = x.dataSync(), yd = y.dataSync();
      let se = 0;
      for (let i = 0; i < xd.length; i++) se += (xd[i] - yd[i]) ** 2;
      assert.ok(Math.abs(mse.dataSync()[0] - se / xd.length) <= 1e-7 * (se / xd.length), `MSE ${mse.dataSync()[0]} vs ${se / xd.length}`);
      assert.ok(Math.abs(ssim.dataSync()[0] - ssimLoss(x, y).dataSync()[0]) <= 1e-7, 'the SSIM term is ssimLoss');
      assert.ok(ssim.dataSync()[0] > 0.05, 'two random images: a clearly non-zero SSIM loss');
      assert.ok(Math.abs(loss.dataSync()[0] - (se / xd.length + 5 * ssimLoss(x, y).dataSync()[0])) < 1e-6);
      assert.ok(Math.abs(reconstructionLoss(x, y, 0).loss.dataSync()[0] - se / xd.length) <= 1e-7, 'μ = 0: the MSE alone');
      assert.ok(Math.abs(mseLoss(x, y).dataSync()[0] - mse.dataSync()[0]) === 0);
    });
  });

  t('batch statistics in float64: mean of a large offset batch exact to float32', () => {
    const n = 100_000;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = Math.fround(80 + Math.sin(i) * 27);
    let s = 0;
    for (const v of x) s += v;
    const { mean, varSum } = batchStatistics(x);
    assert.is(mean, Math.fround(s / n));
    assert.ok(varSum > 0);
  });

  t('train-mode BN (float64 statistics) agrees with the tf.moments version: value, running stats, gradients', () => {
    tf.tidy(() => {
      const x = tf.add(tf.mul(tf.randomNormal([3, 10, 11, 1], 0, 1, 'float32', 5), 27), 80) as tf.Tensor4D;
      const bn = { gamma: tf.tensor1d([1.3]), beta: tf.tensor1d([-0.2]), runningMean: tf.tensor1d([70]), runningVar: tf.tensor1d([600]), numBatchesTracked: 0n };
      const dy = tf.randomNormal(x.shape, 0, 1, 'float32', 6);
      const f = (impl: typeof batchNormTrain) => (xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(impl(xx as tf.Tensor4D, { ...bn, gamma: g as tf.Tensor1D, beta: b as tf.Tensor1D }).y, dy)) as tf.Scalar;
      const a = tf.valueAndGrads(f(batchNormTrainExact))([x, bn.gamma, bn.beta]);
      const r = tf.valueAndGrads(f(batchNormTrain))([x, bn.gamma, bn.beta]);
      assert.ok(Math.abs(a.value.dataSync()[0] - r.value.dataSync()[0]) < 1e-3);
      a.grads.forEach((g, i) => {
        const e = tf.max(tf.abs(tf.sub(g, r.grads[i]))).dataSync()[0] / tf.max(tf.abs(r.grads[i])).dataSync()[0];
        assert.ok(e < 1e-4, `gradient ${i}: relative ${e}`);
      });
      const ua = batchNormTrainExact(x, bn).update;
      const ur = batchNormTrain(x, bn).update;
      assert.ok(Math.abs(ua.runningMean.dataSync()[0] - ur.runningMean.dataSync()[0]) < 1e-4);
      assert.ok(Math.abs(ua.runningVar.dataSync()[0] - ur.runningVar.dataSync()[0]) / ur.runningVar.dataSync()[0] < 1e-4);
    });
  });

  t.run();
}
