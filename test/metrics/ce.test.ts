import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { crossEntropy, crossEntropyFromHistograms, crossEntropyPair } from '../../lib/metrics/ce.js';
import { histogram256 } from '../../lib/metrics/histogram.js';
import { close, constant, img, noise } from './_helpers.js';

const t = suite('metrics/ce (CE)');

t('Σ p_S·log2(p_S/p_F) over common bins, averaged over the sources', () => {
  const s = img([[0, 0], [1, 1]]);
  const f = img([[0, 1], [1, 1]]);
  const ce = 0.5 * Math.log2(0.5 / 0.25) + 0.5 * Math.log2(0.5 / 0.75);
  close(crossEntropyPair(s, f), ce);
  close(crossEntropy(s, f, f), ce / 2); // CE(F, F) = 0
  close(crossEntropy(s, f, f, { convention: 'vifb' }), ce / 2);
});

t('a source bin absent from F is skipped (finite)', () => {
  // S: {0: 1/2, 2: 1/2}, F: {0: 1/4, 1: 3/4} → only bin 0 counts
  close(crossEntropyPair(img([[0, 0], [2, 2]]), img([[0, 1], [1, 1]])), 0.5);
});

t('constant images', () => {
  // disjoint levels: nothing in common → 0
  assert.is(crossEntropy(constant(3, 3, 10), constant(3, 3, 20), constant(3, 3, 15)), 0);
  // constant source at a level present in F with p = 1/4 → −log2(1/4) = 2
  close(crossEntropyPair(constant(2, 2, 7), img([[7, 1], [2, 3]])), 2);
});

t('crossEntropyFromHistograms (the path computeAll takes) = (CE(VIS, F) + CE(IR, F)) / 2 from the same histograms', () => {
  const ir = noise(16, 12, 1), vis = img(Array.from({ length: 12 }, (_, y) => Array.from({ length: 16 }, (_, x) => (x * 16 + y * 3) % 200)));
  const f = noise(16, 12, 7);
  const n = 16 * 12;
  const ceIr = crossEntropyPair(ir, f), ceVis = crossEntropyPair(vis, f);
  assert.ok(Math.abs(ceIr - ceVis) > 0.1, `the two sources give different CE (${ceIr}, ${ceVis})`);
  const fromHist = crossEntropyFromHistograms(histogram256(ir), histogram256(vis), histogram256(f), n);
  close(fromHist, (ceIr + ceVis) / 2);
  assert.is(fromHist, crossEntropy(ir, vis, f));
});

t('input errors name CE and the image at fault (size, convention)', () => {
  const a = constant(2, 2, 1), small = constant(1, 2, 1);
  assert.throws(() => crossEntropyPair(a, small), (e: Error) => e.message === 'CE: size mismatch: source is 2×2 but fused is 1×2');
  assert.throws(() => crossEntropy(a, a, small), (e: Error) => e.message === 'CE: size mismatch: ir is 2×2 but fused is 1×2');
  assert.throws(() => crossEntropy(a, small, a), (e: Error) => e.message === 'CE: size mismatch: ir is 2×2 but vis is 1×2');
  // @ts-expect-error: bad convention on purpose
  assert.throws(() => crossEntropy(a, a, a, { convention: 'matlab' }), (e: Error) => e.message.startsWith("CE: unknown convention 'matlab'"));
});

t.run();
