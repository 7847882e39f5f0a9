import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { standardDeviation, standardDeviationColumns } from '../../lib/metrics/sd.js';
import { close, constant, img } from './_helpers.js';

const t = suite('metrics/sd (SD)');

t('paper/vifb: population SD (divisor M·N)', () => {
  close(standardDeviation(img([[0, 0], [4, 4]])), 2);
  close(standardDeviation(img([[0, 4], [0, 4]]), { convention: 'vifb' }), 2);
  // 3×3 values 0..8: variance (Σ k²)/9 − 4² = 204/9 − 16 = 60/9
  close(standardDeviation(img([[0, 1, 2], [3, 4, 5], [6, 7, 8]])), Math.sqrt(60 / 9));
});

t('printed: root of the mean per-column variance', () => {
  // columns constant → 0 although the image is not constant
  close(standardDeviation(img([[0, 4], [0, 4]]), { convention: 'printed' }), 0);
  // each column {0, 4}: variance 4
  close(standardDeviationColumns(img([[0, 0], [4, 4]])), 2);
  // 3×3 0..8: every column is {c, c+3, c+6}: variance 6
  close(standardDeviationColumns(img([[0, 1, 2], [3, 4, 5], [6, 7, 8]])), Math.sqrt(6));
});

t('constant image: 0 in every convention', () => {
  for (const convention of ['paper', 'vifb', 'printed'] as const) assert.is(standardDeviation(constant(4, 3, 77), { convention }), 0);
});

t('input errors name SD and the image at fault', () => {
  const bad = { width: 2, height: 2, data: new Float64Array(3) };
  for (const f of [() => standardDeviation(bad), () => standardDeviation(bad, { convention: 'printed' }), () => standardDeviationColumns(bad)]) {
    assert.throws(f, (e: Error) => e.message.startsWith('SD: fused is 2×2 but has 3 values'));
  }
  // @ts-expect-error: bad convention on purpose
  assert.throws(() => standardDeviation(constant(2, 2, 0), { convention: 'matlab' }), (e: Error) => e.message.startsWith("SD: unknown convention 'matlab'"));
});

t.run();
