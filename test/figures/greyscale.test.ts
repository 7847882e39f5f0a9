import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import { displayRange, quantile, scaleMaps, tensorToGrey, toGrey8 } from '../../lib/figures/greyscale.js';
import { useBackend } from '../helpers/fixture.js';

const t = suite('figures/greyscale');
t.before(() => useBackend('cpu'));

const img = (data: number[], width = data.length, height = 1) => ({ width, height, data: Float32Array.from(data) });

t("ranges: 'unit' [0, 1], 'minmax', 'symmetric' around 0, given; clip ignores the extremes", () => {
  const maps = [Float32Array.of(-2, 0, 1), Float32Array.of(3)];
  assert.equal(displayRange(maps, { range: 'unit' }), { lo: 0, hi: 1 });
  assert.equal(displayRange(maps), { lo: -2, hi: 3 });
  assert.equal(displayRange(maps, { range: 'symmetric' }), { lo: -3, hi: 3 });
  assert.equal(displayRange(maps, { range: { lo: 1, hi: 2 } }), { lo: 1, hi: 2 });
  const ramp = Float32Array.from({ length: 1001 }, (_, i) => i);
  const r = displayRange([ramp], { clip: 0.01 });
  assert.ok(Math.abs(r.lo - 10) < 1e-9 && Math.abs(r.hi - 990) < 1e-9, JSON.stringify(r));
  assert.is(quantile([ramp], 0.5), 500);
  assert.throws(() => displayRange(maps, { range: { lo: 2, hi: 2 } }), /hi \(2\) must exceed lo \(2\)/);
  assert.throws(() => displayRange(maps, { clip: 0.7 }), /clip must be in \[0, 0.5\)/);
});

t('toGrey8: linear, clipped, rint(255·x) for the unit range; a constant map is black', () => {
  assert.equal([...toGrey8(img([-1, 0, 0.5, 1, 2]), { lo: 0, hi: 1 }).data], [0, 0, 128, 255, 255]);
  assert.equal([...toGrey8(img([-1, 0, 1]), { lo: -1, hi: 1 }).data], [0, 128, 255]);
  assert.equal([...scaleMaps([img([0.3, 0.3])]).images[0].data], [0, 0]);
  assert.throws(() => toGrey8({ width: 2, height: 2, data: new Float32Array(3) }, { lo: 0, hi: 1 }), /3 values for a 2×2 image/);
});

t('scaleMaps: one shared range by default, or one per map', () => {
  const maps = [img([0, 1]), img([0, 2])];
  const shared = scaleMaps(maps);
  assert.equal([...shared.images[0].data], [0, 128]);
  assert.equal(shared.ranges, [{ lo: 0, hi: 2 }, { lo: 0, hi: 2 }]);
  const own = scaleMaps(maps, { perMap: true });
  assert.equal([...own.images[0].data], [0, 255]);
  assert.equal([...own.images[1].data], [0, 255]);
});

t('tensorToGrey: picks one image of an NHWC batch; rejects other shapes', () => {
  const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2, 1]);
  const g = tensorToGrey(x, 1);
  assert.equal([g.width, g.height, [...g.data]], [2, 2, [5, 6, 7, 8]]);
  assert.throws(() => tensorToGrey(tf.zeros([2, 2])), /expected an NHWC tensor \[n, h, w, 1\], got \[2, 2\]/);
  assert.throws(() => tensorToGrey(x, 2), /index 2 outside a batch of 2/);
});

t.run();
