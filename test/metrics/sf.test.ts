import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spatialFrequency, spatialFrequencyVifbRgb, spatialFrequencyZeroPadded } from '../../lib/metrics/sf.js';
import { close, constant, gen, img, noise } from './_helpers.js';

const t = suite('metrics/sf (SF)');

t('paper/vifb: sqrt(Σ row-diffs²/(MN) + Σ col-diffs²/(MN))', () => {
  // row diffs 4, 4 → 32; column diffs 0 → SF = sqrt(32/4)
  close(spatialFrequency(img([[0, 4], [0, 4]])), Math.sqrt(8));
  // 3×3: row diffs (1,1)×3 → 6·1; col diffs 3×6 → 6·9 = 54; SF = sqrt(60/9)
  close(spatialFrequency(img([[0, 1, 2], [3, 4, 5], [6, 7, 8]]), { convention: 'vifb' }), Math.sqrt(60 / 9));
});

t('printed: zero beyond the last column and row', () => {
  // rows: 32 + last column 4²+4² = 64; cols: 0 + last row 0²+4² = 16 → sqrt(80/4)
  close(spatialFrequencyZeroPadded(img([[0, 4], [0, 4]])), Math.sqrt(20));
  // 3×3: rows 6 + (2²+5²+8²) = 99; cols 54 + (6²+7²+8²) = 203 → sqrt(302/9)
  close(spatialFrequency(img([[0, 1, 2], [3, 4, 5], [6, 7, 8]]), { convention: 'printed' }), Math.sqrt(302 / 9));
});

t('VIFB colour quirk: planes side by side, seams included', () => {
  // [0 4 | 10 4] → diffs 4, 6, −6 → 88/4
  close(spatialFrequencyVifbRgb([img([[0, 4]]), img([[10, 4]])]), Math.sqrt(22));
  // one plane = grey SF
  const g = img([[0, 1, 2], [3, 4, 5], [6, 7, 8]]);
  close(spatialFrequencyVifbRgb([g]), spatialFrequency(g));
});

t('constant image: 0 (printed: only the padded border counts)', () => {
  assert.is(spatialFrequency(constant(5, 4, 9)), 0);
  // 5×4 of 9s: rows 4·81, cols 5·81 → sqrt(9·81/20)
  close(spatialFrequencyZeroPadded(constant(5, 4, 9)), Math.sqrt((9 * 81) / 20));
  assert.is(spatialFrequencyZeroPadded(constant(5, 4, 0)), 0);
});

t('VIFB colour quirk on multi-row planes = the SF of the planes placed side by side (an independent M×(C·N) image)', () => {
  const w = 5, h = 4;
  const planes = [noise(w, h, 3), noise(w, h, 11), noise(w, h, 29)];
  const side = gen(3 * w, h, (x, y) => planes[Math.floor(x / w)].data[y * w + (x % w)]);
  close(spatialFrequencyVifbRgb(planes), spatialFrequency(side));
  close(spatialFrequencyVifbRgb(planes.slice(0, 2)), spatialFrequency(gen(2 * w, h, (x, y) => planes[Math.floor(x / w)].data[y * w + (x % w)])));
});

t('input errors name SF and the plane or image at fault', () => {
  // @ts-expect-error: not an array on purpose
  assert.throws(() => spatialFrequencyVifbRgb(img([[1]])), (e: Error) => e.message === 'SF: no channel planes given');
  assert.throws(() => spatialFrequencyVifbRgb([]), (e: Error) => e.message === 'SF: no channel planes given');
  assert.throws(() => spatialFrequencyVifbRgb([constant(2, 2, 0), constant(3, 2, 0)]), (e: Error) => e.message === 'SF: size mismatch: channel 0 is 2×2 but channel 1 is 3×2');
  const bad = { width: 2, height: 2, data: new Float64Array(3) };
  for (const f of [() => spatialFrequency(bad), () => spatialFrequency(bad, { convention: 'printed' }), () => spatialFrequencyZeroPadded(bad)]) {
    assert.throws(f, (e: Error) => e.message.startsWith('SF: fused is 2×2 but has 3 values'));
  }
  // @ts-expect-error: bad convention on purpose
  assert.throws(() => spatialFrequency(constant(2, 2, 0), { convention: 'matlab' }), (e: Error) => e.message.startsWith("SF: unknown convention 'matlab'"));
});

t.run();
