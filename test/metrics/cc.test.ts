import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { correlationCoefficient, pearson } from '../../lib/metrics/cc.js';
import { scd } from '../../lib/metrics/scd.js';
import { close, constant, img } from './_helpers.js';

const t = suite('metrics/cc (CC) and scd (SCD)');

t('CC: mean of corr(IR,F) and corr(VIS,F)', () => {
  const ir = img([[0, 1], [2, 3]]);
  const vis = img([[3, 2], [1, 0]]);
  const f = img([[0, 2], [4, 6]]);
  close(pearson(ir, f), 1);
  close(pearson(vis, f), -1);
  close(correlationCoefficient(ir, vis, f), 0);
  // 3×3 by hand: a = 1..9 row-major, b = [1 0 0 / 0 0 0 / 0 0 1]
  // ā = 5, b̄ = 2/9; Σ(a−ā)(b−b̄) = (1−5) + (9−5) − 0 = 0 → corr 0
  const a = img([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
  close(pearson(a, img([[1, 0, 0], [0, 0, 0], [0, 0, 1]])), 0);
  // b = [1 0 0 / 0 0 0 / 0 0 0]: Σ(a−ā)(b−b̄) = Σ(a−ā)·b = 1 − 5 = −4,
  // Σ(a−ā)² = 60, Σ(b−b̄)² = 1 − 1/9 = 8/9 → −4/sqrt(60·8/9)
  close(pearson(a, img([[1, 0, 0], [0, 0, 0], [0, 0, 0]])), -4 / Math.sqrt((60 * 8) / 9));
});

t('SCD: corr(IR, F−VIS) + corr(VIS, F−IR)', () => {
  const ir = img([[1, 0], [0, 0]]);
  const vis = img([[0, 1], [0, 0]]);
  close(scd(ir, vis, img([[1, 1], [0, 0]])), 2);
  // F = IR + constant VIS: corr(IR, IR) = 1, corr(VIS, const) := 0
  const ir2 = img([[0, 1], [2, 3]]);
  close(scd(ir2, constant(2, 2, 1), img([[1, 2], [3, 4]])), 1);
});

t('correlation with a constant image is 0, never NaN', () => {
  const c = constant(3, 3, 4);
  const a = img([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
  assert.is(pearson(a, c), 0);
  assert.is(correlationCoefficient(c, c, c), 0);
  assert.is(scd(c, c, c), 0);
});

t.run();
