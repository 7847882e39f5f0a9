import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as M from '../../lib/metrics/index.js';
import { computeAll, computeAllRgb, METRIC_NAMES, MetricInputError } from '../../lib/metrics/index.js';
import { close, constant, gen, noise } from './_helpers.js';
import { triplet } from './_data.js';

const t = suite('metrics/index (computeAll, computeAllRgb, input checks)');
const CONVENTIONS = ['paper', 'vifb', 'printed'] as const;

const ir = noise(24, 20, 1);
const vis = noise(24, 20, 2);
const fused = gen(24, 20, (x, y) => Math.round((ir.data[y * 24 + x] + vis.data[y * 24 + x]) / 2));

t('computeAll returns exactly the 13 keys, each the single-metric function', () => {
  const v = computeAll(ir, vis, fused);
  assert.equal(Object.keys(v).sort(), [...METRIC_NAMES].sort());
  assert.equal(METRIC_NAMES, ['EN', 'SD', 'SF', 'AG', 'MI', 'SCD', 'VIF', 'Qabf', 'SSIM', 'CC', 'PSNR', 'RMSE', 'CE']);
  assert.equal(v, computeAll(ir, vis, fused, { convention: 'paper' }));
  assert.is(v.EN, M.entropy(fused));
  assert.is(v.SD, M.standardDeviation(fused));
  assert.is(v.SF, M.spatialFrequency(fused));
  assert.is(v.AG, M.averageGradient(fused));
  assert.is(v.MI, M.mutualInformation(ir, vis, fused));
  assert.is(v.SCD, M.scd(ir, vis, fused));
  assert.is(v.VIF, M.vif(ir, vis, fused));
  assert.is(v.Qabf, M.qabf(ir, vis, fused));
  assert.is(v.SSIM, M.ssim(ir, vis, fused));
  assert.is(v.CC, M.correlationCoefficient(ir, vis, fused));
  close(v.PSNR, M.psnr(ir, vis, fused));
  close(v.RMSE, M.rmse(ir, vis, fused));
  assert.is(v.CE, M.crossEntropy(ir, vis, fused));
  // Uint8Array input gives the same numbers
  const u8 = (m: M.MetricImage) => ({ width: m.width, height: m.height, data: Uint8Array.from(m.data) });
  assert.equal(computeAll(u8(ir), u8(vis), u8(fused)), v);
});

t('conventions: vifb changes MI, Qabf, PSNR, RMSE; printed changes SD, SF, VIF', () => {
  const p = computeAll(ir, vis, fused);
  const v = computeAll(ir, vis, fused, { convention: 'vifb' });
  const q = computeAll(ir, vis, fused, { convention: 'printed' });
  for (const k of METRIC_NAMES) {
    if (['MI', 'Qabf', 'PSNR', 'RMSE'].includes(k)) assert.is.not(v[k], p[k], `vifb ${k}`);
    else assert.is(v[k], p[k], `vifb ${k}`);
    if (['SD', 'SF', 'VIF'].includes(k)) assert.is.not(q[k], p[k], `printed ${k}`);
    else assert.is(q[k], p[k], `printed ${k}`);
  }
  assert.is(v.MI, M.mutualInformation(ir, vis, fused, { convention: 'vifb' }));
  assert.is(q.SD, M.standardDeviationColumns(fused));
  assert.is(q.SF, M.spatialFrequencyZeroPadded(fused));
  assert.is(q.VIF, M.viff(ir, vis, fused));
});

t('constant images: every metric defined (no NaN), documented values', () => {
  // 48×48 so that all four VIF scales exist
  const a = constant(48, 48, 10);
  const b = constant(48, 48, 20);
  const f = constant(48, 48, 15);
  const C1 = (0.01 * 255) ** 2;
  for (const convention of CONVENTIONS) {
    const v = computeAll(a, b, f, { convention });
    for (const k of METRIC_NAMES) assert.ok(Number.isFinite(v[k]), `${convention} ${k} = ${v[k]}`);
    assert.is(v.EN, 0);
    assert.is(v.SD, 0);
    assert.is(v.AG, 0);
    assert.is(v.MI, 0);
    assert.is(v.SCD, 0);
    assert.is(v.CC, 0);
    assert.is(v.CE, 0);
    close(v.VIF, convention === 'printed' ? 1 : 0); // VIFF's per-pixel C makes every 0/0 scale ratio 1
    close(v.SSIM, (2 * 10 * 15 + C1) / (100 + 225 + C1) + (2 * 20 * 15 + C1) / (400 + 225 + C1));
    close(v.RMSE, convention === 'vifb' ? Math.sqrt(2304 * 25) / 2304 : 5);
  }
  assert.is(computeAll(a, b, f).SF, 0);
  // F identical to both sources: PSNR = +Infinity (not NaN), RMSE 0
  const v = computeAll(f, f, f);
  assert.is(v.PSNR, Infinity);
  assert.is(v.RMSE, 0);
});

t('size mismatch: the error names the function and both sizes', () => {
  const small = noise(20, 24, 3);
  assert.throws(() => computeAll(ir, vis, small), (e: unknown) => e instanceof MetricInputError && /computeAll: size mismatch: ir is 24×20 but fused is 20×24/.test((e as Error).message));
  assert.throws(() => M.mutualInformation(ir, small, fused), /MI: size mismatch: ir is 24×20 but vis is 20×24/);
  assert.throws(() => M.ssim(small, vis, fused), /SSIM: size mismatch: ir is 20×24 but vis is 24×20/);
  assert.throws(() => M.vif(ir, vis, small), /VIF: size mismatch: ir is 24×20 but fused is 20×24/);
  assert.throws(() => M.qabf(ir, vis, small), /Qabf: size mismatch/);
  assert.throws(() => M.psnr(ir, vis, small, { convention: 'vifb' }), /PSNR: size mismatch/);
  assert.throws(() => M.crossEntropy(ir, vis, small), /CE: size mismatch/);
  assert.throws(() => M.scd(ir, vis, small), /SCD: size mismatch/);
  assert.throws(() => M.correlationCoefficient(ir, vis, small), /CC: size mismatch/);
});

t('malformed input and unknown conventions are rejected', () => {
  assert.throws(() => M.entropy({ width: 3, height: 3, data: new Uint8Array(8) }), /EN: fused is 3×3 but has 8 values \(expected 9\)/);
  assert.throws(() => M.standardDeviation({ width: 0, height: 3, data: [] }), /SD: fused has an invalid size 0×3/);
  assert.throws(() => computeAll(ir, vis, fused, { convention: 'matlab' as never }), /unknown convention 'matlab'/);
});

t('computeAllRgb: channel by channel, averaged; a grey source serves every channel', () => {
  const planes = [0, 1, 2].map((k) => gen(24, 20, (x, y) => (fused.data[y * 24 + x] * (k + 1)) % 256));
  const visRgb = [0, 1, 2].map((k) => noise(24, 20, 10 + k));
  for (const convention of CONVENTIONS) {
    const got = computeAllRgb(ir, visRgb, planes, { convention });
    const per = planes.map((p, k) => computeAll(ir, visRgb[k], p, { convention }));
    for (const name of METRIC_NAMES) {
      const mean = (per[0][name] + per[1][name] + per[2][name]) / 3;
      if (name === 'SF' && convention === 'vifb') close(got.SF, M.spatialFrequencyVifbRgb(planes), 1e-12, 'SF');
      else close(got[name], mean, 1e-12, `${convention} ${name}`);
    }
  }
  // one plane each = computeAll
  assert.equal(computeAllRgb(ir, vis, fused), computeAll(ir, vis, fused));
  assert.equal(computeAllRgb([ir], [vis], [fused], { convention: 'vifb' }), computeAll(ir, vis, fused, { convention: 'vifb' }));
  assert.throws(() => computeAllRgb(ir, visRgb, fused), /computeAllRgb: vis has 3 planes but fused has 1/);
});

t('benchMetrics runs (timing is reported, never asserted)', () => {
  const r = M.benchMetrics(1, 64, 48);
  assert.ok(r.medianMs >= 0 && r.runs === 1 && r.width === 64 && r.height === 48);
});

t('a real 768×576 triplet (TNO 1, 8-bit; native paths, shared histograms and sums): computeAll = each metric alone on float64 data, every convention', async () => {
  const tr = await triplet('AUIF', 'TNO', 1);
  if (!tr) return; // loud SKIP printed by the staging
  const f64 = (m: M.MetricImage): M.MetricImage => ({ width: m.width, height: m.height, data: Float64Array.from(m.data) });
  const [I, V, F] = [tr.ir, tr.vis, tr.fused].map(f64);
  for (const convention of CONVENTIONS) {
    const o = { convention };
    const v = computeAll(tr.ir, tr.vis, tr.fused, o);
    assert.equal(computeAll(I, V, F, o), v, `${convention}: Uint8Array vs Float64Array input`);
    const alone = {
      EN: M.entropy(F), SD: M.standardDeviation(F, o), SF: M.spatialFrequency(F, o), AG: M.averageGradient(F), MI: M.mutualInformation(I, V, F, o),
      SCD: M.scd(I, V, F), VIF: convention === 'printed' ? M.viff(I, V, F) : M.vif(I, V, F), Qabf: M.qabf(I, V, F, o), SSIM: M.ssim(I, V, F),
      CC: M.correlationCoefficient(I, V, F), CE: M.crossEntropy(I, V, F, o),
    };
    for (const [k, x] of Object.entries(alone)) assert.is(v[k as M.MetricName], x, `${convention} ${k}`);
    close(v.PSNR, M.psnr(I, V, F, o), 1e-12, `${convention} PSNR`);
    close(v.RMSE, M.rmse(I, V, F, o), 1e-12, `${convention} RMSE`);
  }
});

t.run();
