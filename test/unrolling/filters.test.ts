import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import { boxKernel, laplacianKernel, correlateReflect, filter2D, MIN_SIDE } from '../../lib/unrolling/filters.js';
import { useBackend } from '../helpers/fixture.js';

const t = suite('unrolling/filters');
t.before(() => useBackend('cpu'));

t('kernels: box 1/121; Laplacian ones with centre 1 − 19², divided by 720', () => {
  const b = boxKernel();
  assert.is(b.length, 121);
  assert.ok(b.every((v) => v === Math.fround(1 / 121)));
  const l = laplacianKernel();
  assert.is(l.length, 361);
  assert.is(l[180], -0.5);
  assert.is(l[0], Math.fround(1 / 720));
  assert.is(MIN_SIDE, 10);
});

t('correlateReflect = tfjs-cpu conv2d of the reflect-padded image, bit for bit', () => {
  // tfjs-cpu accumulates y += x·w in float64 then stores float32: the same FMA order.
  for (const [h, w, k] of [[10, 10, 19], [23, 17, 11], [5, 8, 3]]) {
    const x = tf.randomUniform([1, h, w, 1], 0, 1, 'float32', h * w);
    const kern = Float32Array.from({ length: k * k }, (_, i) => Math.fround(Math.sin(i + 1) / k));
    const ref = tf.conv2d(tf.mirrorPad(x as tf.Tensor4D, [[0, 0], [k >> 1, k >> 1], [k >> 1, k >> 1], [0, 0]], 'reflect'), tf.tensor4d(kern, [k, k, 1, 1]), 1, 'valid');
    const ours = correlateReflect(x.dataSync() as Float32Array, h, w, kern);
    assert.equal([...ours], [...ref.dataSync()], `${h}×${w}, k ${k}`);
  }
});

t('filter2D handles a batch, and refuses images too small for the kernel', () => {
  const x = tf.randomUniform([2, 12, 11, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
  const y = filter2D(x, laplacianKernel());
  assert.equal(y.shape, [2, 12, 11, 1]);
  const second = correlateReflect(tf.slice(x, [1, 0, 0, 0], [1, -1, -1, -1]).dataSync() as Float32Array, 12, 11, laplacianKernel());
  assert.equal([...tf.slice(y, [1, 0, 0, 0], [1, -1, -1, -1]).dataSync()], [...second]);
  assert.throws(() => correlateReflect(new Float32Array(81), 9, 9, laplacianKernel()), /9×9/);
});
t.run();
