/**
 * The seeded stream (determinism, state round trip, distributions) and the upstream weight
 * initialisation (shapes, constants, moments of K, η, θ and the decoder's Kaiming-uniform W).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../lib/train/rng.js';
import { convInitBound, initParams } from '../../lib/train/init.js';
import { disposeParams, stateDictFromParams } from '../../lib/model/params.js';
import { useBackend } from '../helpers/fixture.js';

const t = suite('train/rng + init');
t.before(async () => { await useBackend('cpu'); });

function moments(xs: ArrayLike<number>): { mean: number; std: number } {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  const mean = s / xs.length;
  let v = 0;
  for (let i = 0; i < xs.length; i++) v += (xs[i] - mean) ** 2;
  return { mean, std: Math.sqrt(v / (xs.length - 1)) };
}

t('same seed, same stream; different seeds differ', () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const c = new Rng(43);
  const sa = Array.from({ length: 8 }, () => a.nextU32());
  assert.equal(Array.from({ length: 8 }, () => b.nextU32()), sa);
  assert.not.equal(Array.from({ length: 8 }, () => c.nextU32()), sa);
});

t('state() / fromState() continue the stream exactly', () => {
  const a = new Rng(7);
  for (let i = 0; i < 5; i++) a.normal();
  const b = Rng.fromState(a.state());
  for (let i = 0; i < 20; i++) assert.is(b.uniform(), a.uniform());
  assert.throws(() => Rng.fromState([0, 0, 0, 0]), /not all zero/);
  assert.throws(() => Rng.fromState([1, 2, 3]), /four 32-bit words/);
});

t('uniform, normal, int and permutation have the right distributions', () => {
  const r = new Rng(1);
  const n = 200_000;
  const u = Float64Array.from({ length: n }, () => r.uniform());
  assert.ok(u.every((x) => x >= 0 && x < 1));
  const mu = moments(u);
  assert.ok(Math.abs(mu.mean - 0.5) < 4 * Math.sqrt(1 / 12 / n), `uniform mean ${mu.mean}`);
  const z = Float64Array.from({ length: n }, () => r.normal(3, 2));
  const mz = moments(z);
  assert.ok(Math.abs(mz.mean - 3) < 4 * 2 / Math.sqrt(n), `normal mean ${mz.mean}`);
  assert.ok(Math.abs(mz.std - 2) < 0.02, `normal std ${mz.std}`);
  const counts = new Array(7).fill(0);
  for (let i = 0; i < 70_000; i++) counts[r.int(0, 7)]++;
  for (const c of counts) assert.ok(Math.abs(c - 10_000) < 5 * Math.sqrt(10_000), `int counts ${counts}`);
  const p = r.permutation(360);
  assert.equal([...p].sort((a, b) => a - b), Array.from({ length: 360 }, (_, i) => i));
  const f = r.uniformF32(0.08, 1);
  assert.is(f, Math.fround(f));
  assert.throws(() => r.int(3, 3), /lo < hi/);
});

t('init: constants and shapes as upstream (BN 1/0/0/1/0, PReLU 0.25)', () => {
  const p = initParams(new Rng(0), { layers: 3, channels: 64 });
  const sd = stateDictFromParams(p);
  disposeParams(p);
  assert.equal(sd.get('base.conv1.0.kernel')!.shape, [64, 1, 3, 3]);
  assert.equal(sd.get('decoder.decoder.1.weight')!.shape, [1, 1, 3, 3]);
  for (const [k, v] of sd) {
    if (k.endsWith('rest.0.weight') || k.endsWith('decoder.2.weight') || k.endsWith('running_var')) assert.is(v.data[0], 1, k);
    if (k.endsWith('rest.0.bias') || k.endsWith('decoder.2.bias') || k.endsWith('running_mean')) assert.is(v.data[0], 0, k);
    if (k.endsWith('num_batches_tracked')) assert.is(v.data[0], 0n, k);
    if (k.endsWith('rest.1.weight')) assert.is(v.data[0], 0.25, k);
  }
});

t('init: K ~ N(0, 1), η ~ N(0.1, 0.03), θ ~ N(1e-3, 1e-4), W ~ U(−1/3, 1/3) (moments over many draws)', () => {
  const K: number[] = [];
  const eta: number[] = [];
  const theta: number[] = [];
  const W: number[] = [];
  for (let seed = 0; seed < 40; seed++) {
    const p = initParams(new Rng(seed), { layers: 10, channels: 64 });
    for (const enc of [p.base, p.detail]) for (const l of enc.layers) {
      K.push(...l.K.dataSync());
      eta.push(l.eta.dataSync()[0]);
      theta.push(l.theta.dataSync()[0]);
    }
    W.push(...p.decoder.W.dataSync());
    disposeParams(p);
  }
  const check = (name: string, xs: number[], mean: number, std: number) => {
    const m = moments(xs);
    assert.ok(Math.abs(m.mean - mean) < 4 * std / Math.sqrt(xs.length), `${name} mean ${m.mean} (want ${mean})`);
    assert.ok(Math.abs(m.std - std) < 0.1 * std, `${name} std ${m.std} (want ${std})`);
  };
  check('K', K, 0, 1);
  check('eta', eta, 0.1, 0.03);
  check('theta', theta, 1e-3, 1e-4);
  assert.ok(Math.abs(convInitBound(9) - 1 / 3) < 1e-15);
  assert.ok(W.every((w) => Math.abs(w) <= 1 / 3));
  check('W', W, 0, (1 / 3) / Math.sqrt(3));
});

t('init is a function of the seed', () => {
  const before = tf.memory().numTensors;
  const a = initParams(new Rng(5), { layers: 2, channels: 8 });
  const b = initParams(new Rng(5), { layers: 2, channels: 8 });
  const c = initParams(new Rng(6), { layers: 2, channels: 8 });
  assert.equal(Array.from(a.base.layers[1].K.dataSync()), Array.from(b.base.layers[1].K.dataSync()));
  assert.not.equal(Array.from(a.base.layers[1].K.dataSync()), Array.from(c.base.layers[1].K.dataSync()));
  [a, b, c].forEach(disposeParams);
  assert.throws(() => initParams(new Rng(0), { layers: 0 }), /layers must be an integer ≥ 1/);
  assert.is(tf.memory().numTensors, before, 'disposeParams frees every tensor, and the failed call leaks none');
});

t.run();
