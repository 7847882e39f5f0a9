import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { averageGradient } from '../../lib/metrics/ag.js';
import { close, constant, gen, img } from './_helpers.js';

const t = suite('metrics/ag (AG)');

t('2×2: one-sided differences, divisor (M−1)(N−1)', () => {
  // gx = 4, gy = 0 at all four pixels: Σ sqrt(16/2) = 4·sqrt(8), divisor 1
  close(averageGradient(img([[0, 4], [0, 4]])), 4 * Math.sqrt(8));
});

t('3×3 ramp 2x: gradient 2 everywhere (central inside, one-sided at edges)', () => {
  close(averageGradient(gen(3, 3, (x) => 2 * x)), (9 * Math.sqrt(2)) / 4);
});

t('3×3 with a bright centre: central differences halve', () => {
  // top-middle (1,0): gx = (0−0)/2 = 0, gy = one-sided 8−0 = 8 → sqrt(32)
  // left-middle (0,1): gx = 8 (one-sided), gy = (0−0)/2 → sqrt(32); same for right and bottom
  // corners: gx = gy = 0; centre: gx = gy = 0
  close(averageGradient(img([[0, 0, 0], [0, 8, 0], [0, 0, 0]])), (4 * Math.sqrt(32)) / 4);
});

t('constant image: 0; a single row or column is rejected', () => {
  assert.is(averageGradient(constant(6, 5, 200)), 0);
  assert.throws(() => averageGradient(img([[1, 2, 3]])), /AG: image 3×1 is too small/);
});

t.run();
