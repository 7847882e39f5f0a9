/**
 * Adam against values computed by hand from torch.optim.Adam's update, and MultiStepLR as
 * upstream steps it (once per epoch, milestones [41, 81], γ = 0.1).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Adam, adamInitialState, adamUpdate, ADAM_DEFAULTS } from '../../lib/train/adam.js';
import { multiStepLr } from '../../lib/train/schedule.js';

const t = suite('train/adam + MultiStepLR');

/** torch.optim.Adam in float64 (the float32 code must agree to float32 precision). */
function adam64(p: number, grads: number[], lr: number, wd = 0): number[] {
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  let m = 0;
  let v = 0;
  const out: number[] = [];
  grads.forEach((g0, i) => {
    const t = i + 1;
    const g = g0 + wd * p;
    m = b1 * m + (1 - b1) * g;
    v = b2 * v + (1 - b2) * g * g;
    const stepSize = lr / (1 - b1 ** t);
    p = p - stepSize * m / (Math.sqrt(v) / Math.sqrt(1 - b2 ** t) + eps);
    out.push(p);
  });
  return out;
}

t('first step moves each parameter by lr·g/(|g| + ε): p = 1, g = 0.5, lr 0.1 → 0.9', () => {
  const st = adamInitialState(1);
  const p = adamUpdate(Float32Array.of(1), Float32Array.of(0.5), st, 0.1);
  assert.is(st.step, 1);
  assert.ok(Math.abs(p[0] - 0.9) < 1e-7, `${p[0]}`);
  assert.ok(Math.abs(st.expAvg[0] - 0.05) < 0.05 * 1e-6);
  assert.ok(Math.abs(st.expAvgSq[0] - 0.00025) < 0.00025 * 1e-6);
});

t('three steps with bias correction match the float64 formula', () => {
  const grads = [0.5, -0.25, 0.125];
  const want = adam64(1, grads, 0.1);
  const st = adamInitialState(1);
  let p = Float32Array.of(1);
  grads.forEach((g, i) => {
    p = adamUpdate(p, Float32Array.of(g), st, 0.1);
    assert.ok(Math.abs(p[0] - want[i]) < 2e-7, `step ${i + 1}: ${p[0]} vs ${want[i]}`);
  });
  // by hand, step 2: m = 0.02, v = 0.00031225, p₂ = p₁ − (0.1/0.19)·0.02/(√0.00031225/√0.001999 + 1e-8)
  const p2 = want[0] - (0.1 / 0.19) * 0.02 / (Math.sqrt(0.00031225) / Math.sqrt(0.001999) + 1e-8);
  assert.ok(Math.abs(want[1] - p2) < 1e-12);
});

t('weight decay adds wd·p to the gradient', () => {
  const st = adamInitialState(1);
  const p = adamUpdate(Float32Array.of(2), Float32Array.of(0.1), st, 0.01, { ...ADAM_DEFAULTS, weightDecay: 0.5 });
  assert.ok(Math.abs(p[0] - adam64(2, [0.1], 0.01, 0.5)[0]) < 1e-7);
});

t('Adam.step: per-parameter state, per-group lr, new arrays', () => {
  const opt = new Adam();
  const params = new Map([['base.a', Float32Array.of(1, 2)], ['detail.b', Float32Array.of(3)]]);
  const grads = new Map([['base.a', Float32Array.of(1, -1)], ['detail.b', Float32Array.of(1)]]);
  const out = opt.step(params, grads, (k) => (k.startsWith('base') ? 1e-2 : 1e-3));
  assert.ok(Math.abs(out.get('base.a')![0] - 0.99) < 1e-7 && Math.abs(out.get('base.a')![1] - 2.01) < 1e-7);
  assert.ok(Math.abs(out.get('detail.b')![0] - 2.999) < 1e-6);
  assert.is(params.get('base.a')![0], 1, 'inputs untouched');
  assert.is(opt.state.get('base.a')!.step, 1);
  assert.throws(() => opt.step(params, new Map([['nope', Float32Array.of(1)]]), () => 1), /not a parameter/);
});

t('MultiStepLR [41, 81], γ 0.1: epochs 1…41 at lr, 42… at 0.1·lr (as PyTorch computes it)', () => {
  assert.is(multiStepLr(1e-2, 0), 1e-2);
  assert.is(multiStepLr(1e-2, 40), 1e-2);
  assert.is(multiStepLr(1e-2, 41), 1e-2 * 0.1);
  assert.is(multiStepLr(1e-2, 79), 1e-2 * 0.1);
  assert.is(multiStepLr(1e-2, 81), 1e-2 * 0.1 * 0.1);
  assert.is(multiStepLr(1e-3, 100), 1e-3 * 0.1 * 0.1);
  assert.is(multiStepLr(1, 5, [2, 2, 4], 0.5), 1 * 0.5 ** 2 * 0.5);
  assert.throws(() => multiStepLr(1, -1), /integer ≥ 0/);
});

t.run();
