/**
 * The Tikhonov low-pass split against the authors' code (SPORCO `lowpass`, λ = 5, npad = 16, run
 * in Octave on two TNO crops; test/csc/fixtures/README.md): max |Δ| ≤ 1e-13 (measured ~1e-15;
 * float64 both sides, only transform round-off differs). Crop 5 is 45×38: an odd width and a
 * padded height of 70 = 2·5·7, a padded width of 77 = 7·11 (the direct-radix paths). Plus the
 * mirror padding and the filter's definition (a constant image passes unchanged).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { padSymmetric, tikhonovLowpass } from '../../lib/csc/lowpass.js';
import { CROPS, cropSize, fx, sourceUnit } from './_fixture.js';

const t = suite('csc/lowpass');

for (const crop of CROPS) {
  t(`${crop}: s_l of both images within 1e-13 of the authors' code`, () => {
    const [H, W] = cropSize(crop);
    for (const k of [1, 2] as const) {
      const { low, high } = tikhonovLowpass(sourceUnit(crop, k), W, H, 5, 16);
      const ref = fx(crop, `low${k}`).data;
      let e = 0;
      for (let i = 0; i < low.length; i++) e = Math.max(e, Math.abs(low[i] - ref[i]));
      console.log(`  ${crop} image ${k}: max |Δs_l| = ${e.toExponential(2)}`);
      assert.ok(e <= 1e-13, `max |Δ| ${e}`);
      const s = sourceUnit(crop, k);
      for (let i = 0; i < low.length; i++) assert.is(high[i], s[i] - low[i]);
    }
  });
}

t("padarray 'symmetric' repeats the border sample; a constant image is its own low-pass", () => {
  const s = Float64Array.from([1, 2, 3, 4, 5, 6]); // 3×2, rows [1 2 3], [4 5 6]
  const p = padSymmetric(s, 3, 2, 2);
  assert.equal([...p.subarray(0, 7)], [5, 4, 4, 5, 6, 6, 5], 'row −2 mirrors row 1');
  assert.equal([...p.subarray(14, 21)], [2, 1, 1, 2, 3, 3, 2], 'row 0, columns −2..4');
  const c = new Float64Array(20 * 13).fill(0.3);
  const { low, high } = tikhonovLowpass(c, 20, 13);
  for (let i = 0; i < low.length; i++) { assert.ok(Math.abs(low[i] - 0.3) < 1e-15); assert.ok(Math.abs(high[i]) < 1e-15); }
});

t.run();
