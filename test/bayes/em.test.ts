/**
 * The E-step and the first M-step sweep of BF (lib/bayes/em.ts) against values computed from the
 * README's formulas by an independent implementation (Python 3 float arithmetic, below), and the
 * start of the iteration (X = 2Y/5 in the first sweep, exactly).
 *
 *   D = sqrt(2/τ_b/(X**2 + 1e-6)); C = sqrt(2/τ_a/((Y − X + 1e-6)**2)); D = 2C where D > 2C
 *   ρ = .5*(C + D); τ_b' = mean(1/(D + 1e-6) + τ_b/2); τ_a' = mean(1/(C + 1e-6) + τ_a/2)
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { bayesFusion, eStep, initialState, mStepSweep, BAYES_DEFAULTS, type BayesState } from '../../lib/bayes/em.js';
import { TvSolver } from '../../lib/bayes/tv_solve.js';

const t = suite('bayes/em');

/** A 2×2 state with Y and X chosen to hit both branches of the cap D ≤ 2C (pixels 0, 2, 3 capped). */
function state(tauA: number, tauB: number): BayesState {
  const Y = Float64Array.from([0.5, -0.1, 0.2, 1.0]);
  const s = initialState(Y, new Float64Array(4), 2, 2);
  s.X.set([0.1, -0.2, 0, 0.001]);
  s.tauA = tauA; s.tauB = tauB;
  return s;
}

const close = (a: ArrayLike<number>, b: number[], what: string) => {
  for (let k = 0; k < b.length; k++) assert.ok(Math.abs(a[k] - b[k]) <= 4e-16 * Math.abs(b[k]), `${what}[${k}]: ${a[k]} vs ${b[k]}`);
};

t('E-step from τ_a = τ_b = 1 (the first one) = the Python values', () => {
  const s = state(1, 1);
  eStep(s);
  close(s.C, [3.5355250671200698, 14.141994203788911, 7.0710324567031915, 1.4156277745198405], 'C');
  close(s.D, [7.0710501342401395, 7.070979425175073, 14.142064913406383, 2.831255549039681], 'D');
  close(s.rho, [5.303287600680105, 10.606486814481993, 10.606548685054786, 2.1234416617797605], 'rho');
  close([s.tauA, s.tauB], [0.8003441614153121, 0.676688971615264], 'tau');
});

t('E-step from τ_a = 0.7, τ_b = 1.3 (each τ uses its own old value) = the Python values', () => {
  const s = state(0.7, 1.3);
  eStep(s);
  close(s.C, [4.225760709240809, 16.902916065409677, 8.451500289783716, 1.6919988162744914], 'C');
  close(s.D, [8.451521418481619, 6.201659209204806, 16.903000579567433, 3.383997632548983], 'D');
  close(s.rho, [6.338641063861214, 11.552287637307241, 12.677250434675575, 2.537998224411737], 'rho');
  close([s.tauA, s.tauB], [0.601285974694805, 0.8085596264406518], 'tau');
});

t('the first sweep gives X = 2Y/5 exactly (C = D = ρ = 1, H = 0), and F₁, F₂ are soft-thresholded at λ', () => {
  const W = 6, H = 5;
  const U = Float64Array.from({ length: W * H }, (_, k) => ((k * 37) % 256) / 255);
  const V = Float64Array.from({ length: W * H }, (_, k) => ((k * 91 + 13) % 256) / 255);
  const s = initialState(U, V, W, H);
  mStepSweep(s, BAYES_DEFAULTS.lambda, new TvSolver(W, H));
  for (let k = 0; k < W * H; k++) assert.is(s.X[k], (2 * (U[k] - V[k])) / 5, `pixel ${k}`);
  for (let k = 0; k < W * H; k++) {
    const gx = k % W === W - 1 ? s.H[k] : s.H[k] - s.H[k + 1];
    const want = Math.abs(gx) <= 0.5 ? 0 : gx - Math.sign(gx) * 0.5;
    assert.ok(Math.abs(s.F1[k] - want) <= 1e-16, `F1[${k}]`);
  }
});

t('bayesFusion: F = X + V of the final state; sizes checked', () => {
  const W = 9, H = 7;
  const U = Float64Array.from({ length: W * H }, (_, k) => ((k * 53) % 256) / 255);
  const V = Float64Array.from({ length: W * H }, (_, k) => ((k * 29 + 7) % 256) / 255);
  const { F, state: s } = bayesFusion(U, V, W, H, { outer: 3 });
  for (let k = 0; k < W * H; k++) assert.is(F[k], s.X[k] + V[k]);
  assert.ok(F.every(Number.isFinite));
  assert.throws(() => bayesFusion(U, V.subarray(1), W, H), /9×7/);
});

t.run();
