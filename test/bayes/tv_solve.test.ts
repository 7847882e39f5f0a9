/**
 * The H-step's FFT solve (lib/bayes/tv_solve.ts) against a direct dense solve of
 * (I + K₁ᵀK₁ + K₂ᵀK₂) H = X + K₁ᵀF₁ + K₂ᵀF₂ on small images, the matrix assembled entry by entry
 * from the circular stencils (K₁ᵀK₁ x)(i,j) = 2x(i,j) − x(i,j−1) − x(i,j+1), likewise along
 * columns, and solved by Gaussian elimination with partial pivoting. Tolerance 1e-13 (measured
 * ≤ 1e-15; the matrix is well conditioned, eigenvalues in [1, 9]).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { TvSolver } from '../../lib/bayes/tv_solve.js';

const t = suite('bayes/tv_solve');

function image(W: number, H: number, seed: number): Float64Array {
  let s = seed >>> 0;
  return Float64Array.from({ length: W * H }, () => {
    s = (Math.imul(s, 69069) + 1) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
}

function denseSolve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    [M[c], M[p]] = [M[p], M[c]];
    for (let r = c + 1; r < n; r++) {
      const f = M[r][c] / M[c][c];
      for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r][n];
    for (let k = r + 1; k < n; k++) s -= M[r][k] * x[k];
    x[r] = s / M[r][r];
  }
  return x;
}

function reference(W: number, H: number, X: Float64Array, F1: Float64Array, F2: Float64Array): number[] {
  const n = W * H, idx = (i: number, j: number) => ((i + H) % H) * W + ((j + W) % W);
  const A = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const b = new Array<number>(n).fill(0);
  for (let i = 0; i < H; i++) {
    for (let j = 0; j < W; j++) {
      const p = idx(i, j);
      A[p][p] += 1 + 2 + 2;
      A[p][idx(i, j - 1)] -= 1; A[p][idx(i, j + 1)] -= 1;
      A[p][idx(i - 1, j)] -= 1; A[p][idx(i + 1, j)] -= 1;
      // (K₁ᵀF₁)(i,j) = F₁(i,j−1) − F₁(i,j); (K₂ᵀF₂)(i,j) = F₂(i−1,j) − F₂(i,j)
      b[p] = X[p] + F1[idx(i, j - 1)] - F1[p] + F2[idx(i - 1, j)] - F2[p];
    }
  }
  return denseSolve(A, b);
}

t('FFT solve = dense solve on 8×6, 7×5, 3×4, 2×2, 5×2 (within 1e-13)', () => {
  for (const [W, H] of [[8, 6], [7, 5], [3, 4], [2, 2], [5, 2]]) {
    const X = image(W, H, 1), F1 = image(W, H, 2), F2 = image(W, H, 3);
    const got = new TvSolver(W, H).solve(X, F1, F2);
    const want = reference(W, H, X, F1, F2);
    let err = 0;
    for (let k = 0; k < W * H; k++) err = Math.max(err, Math.abs(got[k] - want[k]));
    assert.ok(err <= 1e-13, `${W}×${H}: max |H_fft − H_dense| = ${err.toExponential(2)}`);
  }
});

t('the denominator is 1 + |K̂₁|² + |K̂₂|²: 1 at DC, 9 at (H/2, W/2) for even sizes', () => {
  const s = new TvSolver(8, 6);
  const Wh = 5;
  assert.is(s.denominator[0], 1);
  assert.ok(Math.abs(s.denominator[3 * Wh + 4] - 9) <= 1e-15);
  assert.is(s.denominator.length, 6 * Wh);
});

t('a constant X with F = 0 is its own solution (the DC bin is divided by 1)', () => {
  const W = 9, H = 4, X = new Float64Array(W * H).fill(0.25), z = new Float64Array(W * H);
  const h = new TvSolver(W, H).solve(X, z, z);
  for (const v of h) assert.ok(Math.abs(v - 0.25) <= 1e-16);
});

t('arrays of the wrong length are refused, naming the sizes', () => {
  const s = new TvSolver(4, 3);
  assert.throws(() => s.solve(new Float64Array(11), new Float64Array(12), new Float64Array(12)), /4×3/);
});

t.run();
