import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mutualInformation, mutualInformationPair, vifbQuantise } from '../../lib/metrics/mi.js';
import { close, constant, img } from './_helpers.js';

const t = suite('metrics/mi (MI)');

t('paper: bits from the raw 256-level histograms, MI(F,IR) + MI(F,VIS)', () => {
  const a = img([[0, 0], [255, 255]]);
  close(mutualInformationPair(a, a), 1);
  // F = IR (1 bit), VIS constant (0)
  close(mutualInformation(a, constant(2, 2, 9), a), 1);
  // four distinct levels in both: 2 bits each
  const ir = img([[0, 1], [2, 3]]);
  const f = img([[10, 20], [30, 40]]);
  close(mutualInformation(ir, ir, f), 4);
});

t('paper: 3×3 joint histogram by hand', () => {
  // A = [0 0 0 1 1 1 1 1 1], B = [0 0 1 1 1 1 1 1 1]
  const A = img([[0, 0, 0], [1, 1, 1], [1, 1, 1]]);
  const B = img([[0, 0, 1], [1, 1, 1], [1, 1, 1]]);
  const h = (ps: number[]) => -ps.reduce((s, p) => s + (p > 0 ? p * Math.log2(p) : 0), 0);
  const expected = h([3 / 9, 6 / 9]) + h([2 / 9, 7 / 9]) - h([2 / 9, 1 / 9, 6 / 9]);
  close(mutualInformationPair(A, B), expected);
});

t('vifb: nats, after min–max normalisation and int16 rounding', () => {
  const a = img([[0, 0], [255, 255]]);
  close(mutualInformationPair(a, a, { convention: 'vifb' }), Math.LN2);
  // levels 0..3 and 10..40 both become 0, 85, 170, 255: ln 4 each
  close(mutualInformation(img([[0, 1], [2, 3]]), img([[0, 1], [2, 3]]), img([[10, 20], [30, 40]]), { convention: 'vifb' }), 2 * Math.log(4));
  // normalisation merges nothing but can split: 0, 1, 2 → 0, 127.5 → 128, 255
  assert.equal([...vifbQuantise(img([[0, 1, 2]]))], [0, 128, 255]);
  // a constant image becomes all zeros
  assert.equal([...vifbQuantise(constant(3, 1, 50))], [0, 0, 0]);
});

t('constant images: 0', () => {
  for (const convention of ['paper', 'vifb'] as const) {
    assert.is(mutualInformation(constant(3, 3, 1), constant(3, 3, 2), img([[1, 2, 3], [4, 5, 6], [7, 8, 9]]), { convention }), 0);
  }
});

t.run();
