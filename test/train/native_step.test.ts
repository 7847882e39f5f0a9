/**
 * The native training step (lib/train/native_step.ts, native/train_kernels.cc) against the tfjs
 * graph of the same function (engine 'graph' with the native operator: lib/train/forward.ts,
 * lib/train/loss.ts, differentiated by tfjs), on a batch whose sides are not multiples of any
 * vector or register block (5 × 21 × 27, 3 layers of 6 filters, upstream's random initialisation),
 * and the step's independence of the thread count, bit for bit (what makes `--resume` exact on
 * any machine). The PyTorch parity of the native step is in fixture.test.ts.
 *
 * Tolerances against the graph: the two share the forward's float32 arithmetic except the decoder
 * convolution and the batch-statistic sums (float64 here); the graph's backward is float32, ours
 * float64. Loss terms within 1e-6 relative, Î within 1e-6 absolute, BN running statistics within
 * 1e-6 relative, every gradient within 1e-4 of its tensor's scale (max |∂L/∂p|) — the fixture
 * test's bar. Measured: see the log lines.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import { lossAndGradients, nativeStepKernels } from '../../lib/train/gradients.js';
import { initParams } from '../../lib/train/init.js';
import { Rng } from '../../lib/train/rng.js';
import { disposeParams, type AuifParams } from '../../lib/model/params.js';
import { nativeKernels } from '../../lib/kernels/native.js';
import { skipLoudly } from '../helpers/upstream.js';
import { useBackend } from '../helpers/fixture.js';

const t = suite('train/native_step');
const nk = nativeKernels();
const available = nk !== null && typeof nk.trainStep === 'function';
if (!available) skipLoudly('native training step tests', 'the native addon (with trainStep) is not built');

let params: AuifParams;
let I: tf.Tensor4D;

t.before(async () => {
  await useBackend('cpu');
  if (!available) return;
  params = initParams(new Rng(7), { layers: 3, channels: 6 }); // upstream's initialisation (lib/train/init.ts)
  const rng = new Rng(8);
  const data = new Float32Array(5 * 21 * 27);
  for (let i = 0; i < data.length; i++) data[i] = Math.fround(0.5 + 0.4 * Math.sin(i * 0.37) * rng.uniform());
  I = tf.tensor4d(data, [5, 21, 27, 1]);
});
t.after(() => {
  if (params) disposeParams(params);
  I?.dispose();
  nk?.setThreads(0);
});

function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): { abs: number; scale: number } {
  let abs = 0, scale = 0;
  for (let i = 0; i < b.length; i++) { abs = Math.max(abs, Math.abs(a[i] - b[i])); scale = Math.max(scale, Math.abs(b[i])); }
  return { abs, scale };
}

t('the native step agrees with the tfjs graph (loss, Î, BN statistics, every gradient)', () => {
  if (!available) return;
  const n = lossAndGradients(I, params, { engine: 'native', keepRecon: true });
  const g = lossAndGradients(I, params, { engine: 'graph', operator: 'native', keepRecon: true });
  for (const k of ['loss', 'mse', 'ssim'] as const) assert.ok(Math.abs(n[k] - g[k]) <= 1e-6 * Math.abs(g[k]), `${k}: ${n[k]} vs ${g[k]}`);
  assert.ok(relDiff(n.recon!, g.recon!).abs <= 1e-6, `recon max |Δ| ${relDiff(n.recon!, g.recon!).abs}`);
  assert.equal([...n.buffers.keys()], [...g.buffers.keys()]);
  for (const [k, v] of n.buffers) {
    const { abs, scale } = relDiff(v, g.buffers.get(k)!);
    assert.ok(abs <= 1e-6 * scale, `${k}: ${v[0]} vs ${g.buffers.get(k)![0]}`);
  }
  assert.equal([...n.grads.keys()], [...g.grads.keys()], 'the same parameters in the same order');
  let worst = 0;
  let worstKey = '';
  for (const [k, v] of n.grads) {
    const { abs, scale } = relDiff(v, g.grads.get(k)!);
    const r = abs / (1e-4 * scale);
    if (r > worst) { worst = r; worstKey = k; }
    assert.ok(abs <= 1e-4 * scale, `∂L/∂${k}: max |Δ| ${abs.toExponential(2)}, scale ${scale.toExponential(2)}`);
  }
  console.log(`    native step vs graph: worst gradient |Δ|/(1e-4·scale) ${worst.toFixed(3)} (${worstKey}); loss Δ ${Math.abs(n.loss - g.loss).toExponential(1)}`);
});

t('bit for bit the same with 1, 2 and 3 threads', () => {
  if (!available) return;
  const run = (threads: number) => {
    nk!.setThreads(threads);
    return lossAndGradients(I, params, { engine: 'native', keepRecon: true });
  };
  const ref = run(1);
  for (const threads of [2, 3]) {
    const r = run(threads);
    for (const k of ['loss', 'mse', 'ssim'] as const) assert.is(r[k], ref[k], `${k} with ${threads} threads`);
    for (const [k, v] of [...r.grads, ...r.buffers]) {
      const b = ref.grads.get(k) ?? ref.buffers.get(k)!;
      assert.equal(Buffer.from(v.buffer, v.byteOffset, v.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength), `${k} with ${threads} threads`);
    }
    assert.equal(Buffer.from(r.recon!.buffer), Buffer.from(ref.recon!.buffer), `recon with ${threads} threads`);
  }
  nk!.setThreads(0);
});

t('the engine choice: auto → native on CPU backends with the default operator, graph for tfjs/twoConv', () => {
  if (!available) return;
  assert.ok(nativeStepKernels({}) !== null);
  assert.ok(nativeStepKernels({ operator: 'native' }) !== null);
  assert.is(nativeStepKernels({ operator: 'tfjs' }), null);
  assert.is(nativeStepKernels({ operator: 'twoConv' }), null);
  assert.is(nativeStepKernels({ engine: 'graph' }), null);
});

t('bad input: one clear error naming the argument', () => {
  if (!available) return;
  const good = () => ({
    I: new Float32Array(2 * 9), B0: new Float32Array(2 * 9), D0: new Float32Array(2 * 9), n: 2, h: 3, w: 3, layers: 1,
    w5: new Float64Array(50), M: new Float64Array(162), coef: new Float32Array(10), dec: new Float32Array(11), window: new Float32Array(9), mu: 5, threads: 1,
  });
  const out = () => ({ stats: new Float64Array(9), dw5: new Float64Array(50), dM: new Float64Array(162), dcoef: new Float64Array(10), ddec: new Float64Array(11), recon: new Float32Array(18) });
  assert.not.throws(() => nk!.trainStep(good(), out()));
  assert.throws(() => nk!.trainStep({ ...good(), coef: new Float32Array(9) }, out()), /'coef' has 9 values, expected 10/);
  assert.throws(() => nk!.trainStep({ ...good(), M: new Float32Array(162) as unknown as Float64Array }, out()), /'M' must be a Float64Array/);
  assert.throws(() => nk!.trainStep({ ...good(), h: 2 }, out()), /'h' must be an integer in \[3/);
  const { window: _w, ...missing } = good();
  assert.throws(() => nk!.trainStep(missing as ReturnType<typeof good>, out()), /missing 'window'/);
  const p = initParams(new Rng(1), { layers: 2, channels: 4 });
  const q = initParams(new Rng(1), { layers: 3, channels: 4 });
  const mixed = { ...p, detail: q.detail };
  assert.throws(() => lossAndGradients(I, mixed, { engine: 'native' }), /the encoders have 2 and 3 layers/);
  disposeParams(p);
  disposeParams(q);
});

t.run();
