import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { entropy } from '../../lib/metrics/entropy.js';
import { close, constant, img } from './_helpers.js';

const t = suite('metrics/entropy (EN)');

t('two equally frequent levels: 1 bit; four: 2 bits', () => {
  close(entropy(img([[0, 0], [255, 255]])), 1);
  close(entropy(img([[0, 1, 2, 3], [0, 1, 2, 3], [3, 2, 1, 0], [3, 2, 1, 0]])), 2);
});

t('3×3 with frequencies 4/9, 2/9, 2/9, 1/9', () => {
  const expected = -(4 / 9 * Math.log2(4 / 9) + 2 * (2 / 9) * Math.log2(2 / 9) + 1 / 9 * Math.log2(1 / 9));
  close(entropy(img([[7, 7, 7], [7, 9, 9], [200, 200, 3]])), expected);
});

t('bins are floor(v) clamped to 0..255', () => {
  close(entropy(img([[0.2, 0.9], [300, 255]])), 1); // {0, 0} and {255, 255}
  close(entropy(img([[0.5, 1.7]])), 1);
});

t('constant image: 0; Uint8Array input works', () => {
  assert.is(entropy(constant(5, 4, 128)), 0);
  close(entropy({ width: 2, height: 1, data: Uint8Array.of(3, 4) }), 1);
});

t.run();
