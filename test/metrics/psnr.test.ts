import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { psnr, rmse } from '../../lib/metrics/psnr.js';
import { close, constant, img } from './_helpers.js';

const t = suite('metrics/psnr (PSNR, RMSE)');

const ir = constant(2, 2, 0);
const vis = constant(2, 2, 2);
const f = constant(2, 2, 1);

t('paper: MSE averaged over the sources, PSNR = 10·log10(255²/MSE), RMSE = sqrt(MSE)', () => {
  close(rmse(ir, vis, f), 1);
  close(psnr(ir, vis, f), 10 * Math.log10(255 * 255));
  // 3×3: MSE(IR,F) = 9/9 (one pixel off by 3), MSE(VIS,F) = 0 → MSE = 1/2
  const a = img([[0, 0, 0], [0, 3, 0], [0, 0, 0]]);
  const z = constant(3, 3, 0);
  close(rmse(a, z, z), Math.sqrt(0.5));
  close(psnr(a, z, z), 10 * Math.log10((255 * 255) / 0.5));
});

t('vifb: e = sqrt(SSE)/(MN); RMSE = mean e; PSNR = 20·log10(255/sqrt(mean e))', () => {
  // e = sqrt(4)/4 = 0.5 for both sources
  close(rmse(ir, vis, f, { convention: 'vifb' }), 0.5);
  close(psnr(ir, vis, f, { convention: 'vifb' }), 20 * Math.log10(255 / Math.sqrt(0.5)));
  const a = img([[0, 0, 0], [0, 3, 0], [0, 0, 0]]);
  const z = constant(3, 3, 0);
  close(rmse(a, z, z, { convention: 'vifb' }), (3 / 9) / 2);
});

t('F equal to both sources: RMSE 0, PSNR +Infinity (no NaN)', () => {
  for (const convention of ['paper', 'vifb'] as const) {
    assert.is(rmse(f, f, f, { convention }), 0);
    assert.is(psnr(f, f, f, { convention }), Infinity);
  }
});

t('input errors name the metric and the image at fault (size, convention)', () => {
  const small = constant(2, 1, 0);
  for (const [fn, name] of [[psnr, 'PSNR'], [rmse, 'RMSE']] as const) {
    assert.throws(() => fn(ir, vis, small), (e: Error) => e.message === `${name}: size mismatch: ir is 2×2 but fused is 2×1`, `${name} fused`);
    assert.throws(() => fn(ir, small, f), (e: Error) => e.message === `${name}: size mismatch: ir is 2×2 but vis is 2×1`, `${name} vis`);
    // @ts-expect-error: bad convention on purpose
    assert.throws(() => fn(ir, vis, f, { convention: 'matlab' }), (e: Error) => e.message.startsWith(`${name}: unknown convention 'matlab'`), `${name} convention`);
  }
});

t('the two sources are not interchangeable with F, and each one counts (asymmetric 3×2 case)', () => {
  // IR off by 1 in every pixel, VIS off by 2 in two of six pixels: SSE 6 and 8.
  const F = img([[10, 20, 30], [40, 50, 60]]);
  const I = img([[11, 21, 31], [41, 51, 61]]);
  const V = img([[12, 20, 30], [40, 50, 58]]);
  close(rmse(I, V, F), Math.sqrt((6 / 6 + 8 / 6) / 2));
  close(psnr(I, V, F), 10 * Math.log10((255 * 255) / ((6 / 6 + 8 / 6) / 2)));
  close(rmse(I, V, F, { convention: 'vifb' }), (Math.sqrt(6) / 6 + Math.sqrt(8) / 6) / 2);
  close(psnr(I, V, F, { convention: 'vifb' }), 20 * Math.log10(255 / Math.sqrt((Math.sqrt(6) / 6 + Math.sqrt(8) / 6) / 2)));
  // printed = paper for PSNR/RMSE
  assert.is(rmse(I, V, F, { convention: 'printed' }), rmse(I, V, F));
});

t.run();
