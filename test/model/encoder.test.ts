import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import { encode } from '../../lib/model/encoder.js';
import { correlateReflect, boxKernel, laplacianKernel } from '../../lib/unrolling/filters.js';
import { useBackend } from '../helpers/fixture.js';

const t = suite('model/encoder');
t.before(() => useBackend('cpu'));

t('x⁰ = init ⋆ I: defaults box₁₁ (base) / lap₁₉ (detail), or a given filter; depth = number of layers', () => {
  const I = tf.randomUniform([1, 12, 14, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
  const data = I.dataSync() as Float32Array;
  const box3 = new Float32Array(9).fill(Math.fround(1 / 9));
  for (const [kind, init, expected] of [
    ['base', undefined, boxKernel()], ['detail', undefined, laplacianKernel()], ['base', box3, box3],
  ] as const) {
    const { out, steps } = encode(I, { kind, layers: [], init }, { keepIntermediate: true });
    assert.is(steps!.length, 1);
    assert.equal([...out.dataSync()], [...correlateReflect(data, 12, 14, expected)], `${kind}`);
  }
});
t.run();
