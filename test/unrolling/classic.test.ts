import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import { encode } from '../../lib/model/encoder.js';
import { correlateReflect, boxKernel, laplacianKernel } from '../../lib/unrolling/filters.js';
import {
  classicEncoder, classicObjective, classicSettings, classicSolve, differenceFilters, meanFilter, operatorNormBound, stepSizeBound,
} from '../../lib/unrolling/classic.js';
import { useBackend } from '../helpers/fixture.js';

const t = suite('unrolling/classic');
t.before(() => useBackend('cpu'));

/** K̃ ∗ pad₁(K ∗ pad₁(x)) in float64, straight from the definition (reflect padding). */
function operatorRef(x: Float64Array, h: number, w: number, filters: Float32Array[]): Float64Array {
  const r = (i: number, n: number) => (i < 0 ? -i : i >= n ? 2 * n - 2 - i : i);
  const out = new Float64Array(h * w);
  for (const f of filters) {
    const y = new Float64Array(h * w);
    for (let a = 0; a < h; a++) for (let b = 0; b < w; b++) {
      let s = 0;
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) s += f[i * 3 + j] * x[r(a + i - 1, h) * w + r(b + j - 1, w)];
      y[a * w + b] = s;
    }
    for (let a = 0; a < h; a++) for (let b = 0; b < w; b++) {
      let s = 0; // K̃ = rot180(K): correlation with the flipped filter
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) s += f[(2 - i) * 3 + (2 - j)] * y[r(a + i - 1, h) * w + r(b + j - 1, w)];
      out[a * w + b] += s;
    }
  }
  return out;
}

t('‖K̃K‖: 8 for the forward differences, 1 for the 3×3 mean; L = θ + ‖K̃K‖', () => {
  assert.ok(Math.abs(operatorNormBound(differenceFilters()) - 8) < 1e-9);
  assert.ok(Math.abs(operatorNormBound(meanFilter()) - 1) < 1e-6);
  assert.ok(Math.abs(stepSizeBound(differenceFilters(), 0.1) - 8.1) < 1e-9);
  const s = classicSettings('base');
  assert.ok(Math.abs(s.eta - 1 / 8.1) < 1e-12);
  assert.is(s.steps, 10);
});

t('classicSettings rejects a step that cannot converge, θ ≤ 0 and malformed filters (naming the value)', () => {
  assert.throws(() => classicSettings('base', { eta: 0.3 }), /η = 0.3 does not converge/);
  assert.throws(() => classicSettings('detail', { theta: 0 }), /θ must be > 0/);
  assert.throws(() => classicSettings('base', { filters: [new Float32Array(4)] }), /filter 0 has 4 values, expected 9/);
});

t('the classic encoder through encode() is gradient descent xᵏ⁺¹ = xᵏ − η(K̃∗(K∗xᵏ) − θ(I − xᵏ)) from the network x⁰', () => {
  const h = 23, w = 19;
  const I = tf.randomUniform([1, h, w, 1], 0, 1, 'float32', 7) as tf.Tensor4D;
  const Id = Float64Array.from(I.dataSync());
  for (const kind of ['base', 'detail'] as const) {
    const s = classicSettings(kind, { steps: 6 });
    const { steps } = encode(I, classicEncoder(kind, { steps: 6 }), { keepIntermediate: true });
    let x = Float64Array.from(correlateReflect(I.dataSync() as Float32Array, h, w, kind === 'base' ? boxKernel() : laplacianKernel()));
    for (let k = 0; k <= 6; k++) {
      const got = steps![k].dataSync();
      let err = 0;
      for (let q = 0; q < x.length; q++) err = Math.max(err, Math.abs(got[q] - x[q]));
      assert.ok(err < 2e-5, `${kind} x${k}: max |Δ| ${err}`);
      const Ax = operatorRef(x, h, w, s.filters);
      x = x.map((v, q) => v - s.eta * (Ax[q] - s.theta * (Id[q] - v)));
    }
  }
});

t('classicSolve: the objective falls, and the iterates converge (step length shrinks geometrically)', () => {
  const h = 128, w = 128; // large enough that the border (see the module comment) does not dominate
  // a smooth ramp plus texture, so both problems have work to do
  const I = tf.tidy(() => tf.add(tf.randomUniform([1, h, w, 1], 0, 0.2, 'float32', 3), tf.linspace(0.2, 0.8, h * w).reshape([1, h, w, 1]))) as tf.Tensor4D;
  const Id = I.dataSync() as Float32Array;
  for (const kind of ['base', 'detail'] as const) {
    const s = classicSettings(kind, { steps: 400 });
    const E: number[] = [];
    const moves: number[] = [];
    let prev: Float32Array | null = null;
    classicSolve(I, kind, { steps: 400 }, (_k, x) => {
      const cur = Float32Array.from(x.dataSync());
      E.push(classicObjective(cur, Id, h, w, s.filters, s.theta));
      if (prev) { let m = 0; for (let q = 0; q < cur.length; q++) m = Math.max(m, Math.abs(cur[q] - prev[q])); moves.push(m); }
      prev = cur;
    }).dispose();
    assert.is(E.length, 401);
    assert.ok(E[10] < E[0] && E[400] < E[0], `${kind}: E ${E[0]} → ${E[10]} → ${E[400]}`);
    assert.ok(moves[399] < 1e-3 * moves[0], `${kind}: step length ${moves[0]} → ${moves[399]}`);
  }
});

t.run();
