/**
 * The 5×5 autocorrelation form of A(x) = K̃ ∗ pad₁(K ∗ pad₁(x)) against the upstream
 * two-convolution form, values and gradients, on random and real data, odd sizes and the
 * smallest sizes; and the reflect pad's gradient against its definition.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import { applyOperator, normalOperatorTwoConv, autocorrelationKernel, autocorrelation64 } from '../../lib/unrolling/operator.js';
import { reflectPad, reflectPadAdjoint, reflectPadAdjointOps, PadError } from '../../lib/unrolling/pad.js';
import { TEST_BACKENDS, TEST_OPERATORS, useBackend, maxRelDiff, loadFixture, nhwc } from '../helpers/fixture.js';

const REL = 1e-5;
const SIZES: [number, number][] = [[3, 3], [4, 7], [10, 10], [13, 29], [37, 21], [64, 80]];

/** The reflect pad written with slice/reverse/concat, whose tfjs gradients are correct. */
function reflectPadByConcat(x: tf.Tensor4D, p: number): tf.Tensor4D {
  const [, h, w] = x.shape;
  const rows = tf.concat([tf.reverse(tf.slice(x, [0, 1, 0, 0], [-1, p, -1, -1]), 1), x, tf.reverse(tf.slice(x, [0, h - 1 - p, 0, 0], [-1, p, -1, -1]), 1)], 1);
  return tf.concat([tf.reverse(tf.slice(rows, [0, 0, 1, 0], [-1, -1, p, -1]), 2), rows, tf.reverse(tf.slice(rows, [0, 0, w - 1 - p, 0], [-1, -1, p, -1]), 2)], 2) as tf.Tensor4D;
}

for (const backend of TEST_BACKENDS) {
  const t = suite(`unrolling/operator [${backend}]`);
  t.before(() => useBackend(backend));

  t('reflectPad value and gradient equal the slice/concat definition', () => {
    tf.tidy(() => {
      for (const [h, w, p] of [[5, 6, 1], [7, 4, 2], [12, 12, 9], [20, 11, 5]]) {
        const x = tf.randomNormal([2, h, w, 1], 0, 1, 'float32', 7) as tf.Tensor4D;
        const g = tf.randomNormal([2, h + 2 * p, w + 2 * p, 1], 0, 1, 'float32', 8);
        assert.is(maxRelDiff(reflectPad(x, p), reflectPadByConcat(x, p)), 0);
        const d1 = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(reflectPad(v as tf.Tensor4D, p), g)))(x);
        const d2 = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(reflectPadByConcat(v as tf.Tensor4D, p), g)))(x);
        assert.ok(maxRelDiff(d1, d2) < 1e-6, `pad ${p} on ${h}×${w}`);
      }
    });
    assert.throws(() => reflectPad(tf.zeros([1, 9, 30, 1]) as tf.Tensor4D, 9), (e: Error) => e instanceof PadError && /9×30/.test(e.message));
  });

  t('reflect pad adjoint: the host loop equals the tfjs composition bit for bit; a hand-computed 3×3 case', () => {
    tf.tidy(() => {
      for (const [h, w, p] of [[3, 3, 1], [3, 3, 2], [5, 6, 1], [7, 4, 2], [12, 12, 9], [20, 11, 5], [128, 96, 1]]) {
        const dy = tf.randomNormal([3, h + 2 * p, w + 2 * p, 1], 0, 1, 'float32', 11) as tf.Tensor4D;
        const host = reflectPadAdjoint(dy.dataSync() as Float32Array, 3, h, w, p);
        const ops = reflectPadAdjointOps(dy, p).dataSync();
        for (let i = 0; i < host.length; i++) assert.ok(Object.is(host[i], ops[i]), `pad ${p} on ${h}×${w}: [${i}] ${host[i]} vs ${ops[i]}`);
      }
    });
    // dy = 1 everywhere: each pixel counts the padded positions that land on it. 4×4 by 1: rows/columns
    // 1 and 2 are each mirrored once; 3×3 by 1: the middle row/column is the mirror image of both sides.
    assert.equal([...reflectPadAdjoint(new Float32Array(36).fill(1), 1, 4, 4, 1)], [1, 2, 2, 1, 2, 4, 4, 2, 2, 4, 4, 2, 1, 2, 2, 1]);
    assert.equal([...reflectPadAdjoint(new Float32Array(25).fill(1), 1, 3, 3, 1)], [1, 3, 1, 3, 9, 3, 1, 3, 1]);
    assert.throws(() => reflectPadAdjoint(new Float32Array(24), 1, 3, 3, 1), /24 values are not 1 planes of 5×5/);
  });

  t('autocorrelation kernel: float64 value = tfjs sums; symmetric', () => {
    tf.tidy(() => {
      const K = tf.randomNormal([64, 1, 3, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
      const w = autocorrelationKernel(K);
      const d = w.dataSync();
      for (let i = 0; i < 25; i++) assert.ok(Math.abs(d[i] - d[24 - i]) <= 1e-6 * Math.abs(d[12]), 'symmetric');
      // centre = Σ ‖k_c‖²
      const centre = tf.sum(tf.square(K)).dataSync()[0];
      assert.ok(Math.abs(d[12] - centre) <= 1e-5 * centre);
      assert.equal([...autocorrelation64(Float32Array.of(0, 0, 0, 0, 1, 0, 0, 0, 0))], [...new Float32Array(25).fill(0).map((_, i) => (i === 12 ? 1 : 0))]);
    });
  });

  for (const impl of TEST_OPERATORS) {
    const op = (x: tf.Tensor4D, K: tf.Tensor4D) => applyOperator(x, K, impl);
    for (const [h, w] of SIZES) {
      t(`A(x) ${impl} = two-conv on ${h}×${w} (random K, x), value ≤ ${REL} relative`, () => {
        tf.tidy(() => {
          const K = tf.randomNormal([64, 1, 3, 3], 0, 1, 'float32', h * 100 + w) as tf.Tensor4D;
          const x = tf.randomUniform([2, h, w, 1], 0, 1, 'float32', h + w) as tf.Tensor4D;
          const e = maxRelDiff(op(x, K), normalOperatorTwoConv(x, K));
          assert.ok(e <= REL, `relative error ${e.toExponential(2)}`);
        });
      });
    }

    t(`${impl}: gradients w.r.t. x and K equal the two-conv path`, () => {
      tf.tidy(() => {
        for (const [h, w] of [[3, 3], [10, 10], [13, 17]]) {
          const K = tf.randomNormal([8, 1, 3, 3], 0, 1, 'float32', 11) as tf.Tensor4D;
          const x = tf.randomUniform([2, h, w, 1], 0, 1, 'float32', 12) as tf.Tensor4D;
          const g = tf.randomNormal([2, h, w, 1], 0, 1, 'float32', 13);
          const loss = (f: typeof op) => (xx: tf.Tensor, kk: tf.Tensor) => tf.sum(tf.mul(f(xx as tf.Tensor4D, kk as tf.Tensor4D), g));
          const [dxF, dKF] = tf.grads(loss(op))([x, K]);
          const [dxR, dKR] = tf.grads(loss(normalOperatorTwoConv))([x, K]);
          assert.ok(maxRelDiff(dxF, dxR) <= 1e-5, `dx ${maxRelDiff(dxF, dxR)}`);
          assert.ok(maxRelDiff(dKF, dKR) <= 1e-5, `dK ${maxRelDiff(dKF, dKR)}`);
        }
      });
    });

    t(`${impl}: real image, pretrained filters, every layer ≤ 1e-5 relative`, () => {
      const fx = loadFixture();
      if (!fx) return;
      tf.tidy(() => {
        const x = nhwc(fx.fx, 'eval.ir');
        for (const key of [...fx.pretrained.keys()].filter((k) => k.endsWith('.kernel'))) {
          const K = tf.tensor4d(fx.pretrained.get(key)!.data as Float32Array, [64, 1, 3, 3]);
          const e = maxRelDiff(op(x, K), normalOperatorTwoConv(x, K));
          assert.ok(e <= REL, `${key}: ${e.toExponential(2)}`);
        }
      });
    });
  }

  t.run();
}
