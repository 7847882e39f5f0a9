/**
 * lib/metrics/moments.ts: the fused sums behind SD, CC, SCD, PSNR and RMSE equal each metric's own
 * function bit for bit (same accumulation order), on integer and non-integer images, and give the
 * defined values for constant images.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { tripletMoments } from '../../lib/metrics/moments.js';
import { pearsonArrays } from '../../lib/metrics/cc.js';
import { meanVariance } from '../../lib/metrics/sd.js';
import { sumSquaredError } from '../../lib/metrics/psnr.js';
import { computeAll, correlationCoefficient, psnr, rmse, scd, standardDeviation } from '../../lib/metrics/index.js';
import { constant, gen, noise } from './_helpers.js';

const t = suite('metrics/moments');

t('tripletMoments = pearsonArrays, meanVariance, sumSquaredError bit for bit (integer and real values)', () => {
  for (const [w, h, real] of [[301, 207, false], [64, 48, true], [13, 12, true]] as const) {
    const ir = real ? gen(w, h, (x, y) => 100 + 90 * Math.sin(x * 0.37 + y * 0.11)) : noise(w, h, 1);
    const vis = real ? gen(w, h, (x, y) => 80 + 70 * Math.cos(x * 0.05 - y * 0.3)) : noise(w, h, 2);
    const f = gen(w, h, (x, y) => 0.6 * ir.data[y * w + x] + 0.4 * vis.data[y * w + x] + (real ? 0.3 * Math.sin(x * y) : 0));
    const m = tripletMoments(ir.data, vis.data, f.data);
    const dv = Float64Array.from(f.data, (v, i) => v - vis.data[i]);
    const di = Float64Array.from(f.data, (v, i) => v - ir.data[i]);
    assert.ok(Object.is(m.corrIrF, pearsonArrays(ir.data, f.data)), `${w}×${h} corr(IR, F)`);
    assert.ok(Object.is(m.corrVisF, pearsonArrays(vis.data, f.data)), `${w}×${h} corr(VIS, F)`);
    assert.ok(Object.is(m.corrIrDv, pearsonArrays(ir.data, dv)), `${w}×${h} corr(IR, F − VIS)`);
    assert.ok(Object.is(m.corrVisDi, pearsonArrays(vis.data, di)), `${w}×${h} corr(VIS, F − IR)`);
    assert.ok(Object.is(m.varianceF, meanVariance(f.data).variance), `${w}×${h} variance`);
    assert.ok(Object.is(m.sseIr, sumSquaredError(ir.data, f.data)), `${w}×${h} SSE(IR)`);
    assert.ok(Object.is(m.sseVis, sumSquaredError(vis.data, f.data)), `${w}×${h} SSE(VIS)`);
    // and computeAll's SD, CC, SCD, PSNR, RMSE are the single-metric functions' bits
    for (const convention of ['paper', 'vifb'] as const) {
      const v = computeAll(ir, vis, f, { convention });
      assert.ok(Object.is(v.SD, standardDeviation(f, { convention })), `${w}×${h} ${convention} SD`);
      assert.ok(Object.is(v.CC, correlationCoefficient(ir, vis, f)), `${w}×${h} ${convention} CC`);
      assert.ok(Object.is(v.SCD, scd(ir, vis, f)), `${w}×${h} ${convention} SCD`);
      assert.ok(Object.is(v.PSNR, psnr(ir, vis, f, { convention })), `${w}×${h} ${convention} PSNR`);
      assert.ok(Object.is(v.RMSE, rmse(ir, vis, f, { convention })), `${w}×${h} ${convention} RMSE`);
    }
  }
});

t('constant images: correlations 0, variance 0, SSE exact', () => {
  const m = tripletMoments(constant(5, 4, 3).data, constant(5, 4, 7).data, constant(5, 4, 5).data);
  assert.equal([m.corrIrF, m.corrVisF, m.corrIrDv, m.corrVisDi, m.varianceF, m.sseIr, m.sseVis], [0, 0, 0, 0, 0, 80, 80]);
});

t.run();
