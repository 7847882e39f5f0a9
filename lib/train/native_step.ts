/**
 * The train-mode forward and backward pass in the native addon (native/train_kernels.cc), the
 * CPU backends' default: the same function as {@link lossAndGradients}'s tfjs graph
 * (lib/train/forward.ts, lib/train/loss.ts: upstream `train.py`'s `loss.backward()`),
 *
 *   xᵏ⁺¹ = xᵏ − ηₖ(PReLU(BN_B(Aₖxᵏ)) − θₖ(I − xᵏ)),   Î = σ(BN_B(W ∗ pad₁(Bᴺ + Dᴺ)))
 *   L = mean((I − Î)²) + μ·mean(clamp(1 − SSIM(I, Î), 0, 1)/2)       (kornia 0.4.1 SSIM, 3×3 σ 1.5)
 *
 * with every gradient ∂L/∂p computed by hand-written adjoints in one native call and no tfjs
 * tensor on the way. The forward pass rounds like the graph with the native operator (A in
 * float64, the BN affine, PReLU and update in float32, ATen's float64 batch statistics); the
 * decoder's convolution, the loss and the whole backward pass are float64, every reduction in a
 * fixed order (per image, then over images), so the result is independent of the thread count.
 * The filters' gradient ∂L/∂K comes from ∂L/∂w and ∂L/∂M by {@link coefficientsVjp}; the
 * running statistics are updated as {@link batchNormTrainExact} does.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { AuifParams, EncoderParams } from '../model/params.js';
import { BN_MOMENTUM } from '../model/params.js';
import { initialEstimate } from '../model/encoder.js';
import { coefficientsVjp, operatorCoefficients, type NativeKernels } from '../kernels/native.js';
import { gaussianWindow } from './ssim_loss.js';
import type { LossAndGradients } from './gradients.js';

const f32 = Math.fround;
const LAYER_LIST = { base: 'conv1', detail: 'conv2' } as const;

/** L, ∂L/∂p and the BN updates of batch `I` (NHWC [n, h, w, 1]) at `params`, by {@link NativeKernels.trainStep}. */
export function nativeLossAndGradients(I: tf.Tensor4D, params: AuifParams, nk: Pick<NativeKernels, 'trainStep' | 'setThreads'>, opts: { mu: number; keepRecon?: boolean }): LossAndGradients {
  const [n, h, w, ch] = I.shape;
  if (ch !== 1) throw new Error(`nativeLossAndGradients: I must be a one-channel NHWC batch [n, h, w, 1], got [${I.shape}]`);
  if (n * h * w < 2) throw new Error('nativeLossAndGradients: batch norm in train mode needs more than one value per channel');
  const L = params.base.layers.length;
  if (params.detail.layers.length !== L) throw new Error(`nativeLossAndGradients: the encoders have ${L} and ${params.detail.layers.length} layers; the native step needs equal depths`);
  const x0 = (enc: EncoderParams): Float32Array => {
    const t = initialEstimate(I, enc.kind, enc.init);
    try { return t.dataSync() as Float32Array; } finally { t.dispose(); }
  };
  const encs = [params.base, params.detail];
  const layers = encs.flatMap((e) => e.layers);
  const w5 = new Float64Array(2 * L * 25);
  const M = new Float64Array(2 * L * 81);
  const coef = new Float32Array(2 * L * 5);
  const Ks: Float32Array[] = [];
  layers.forEach((l, i) => {
    const K = l.K.dataSync() as Float32Array;
    Ks.push(K);
    const c = operatorCoefficients(K);
    w5.set(c.w5, i * 25);
    M.set(c.M, i * 81);
    coef.set([l.eta, l.theta, l.bn.gamma, l.bn.beta, l.alpha].map((t) => t.dataSync()[0]), i * 5);
  });
  const d = params.decoder;
  const dec = new Float32Array(11);
  dec.set(d.W.dataSync() as Float32Array, 0);
  dec[9] = d.bn.gamma.dataSync()[0];
  dec[10] = d.bn.beta.dataSync()[0];
  const out = {
    stats: new Float64Array(3 + 2 * (2 * L + 1)), dw5: new Float64Array(2 * L * 25), dM: new Float64Array(2 * L * 81),
    dcoef: new Float64Array(2 * L * 5), ddec: new Float64Array(11), recon: new Float32Array(n * h * w),
  };
  nk.trainStep({
    I: I.dataSync() as Float32Array, B0: x0(params.base), D0: x0(params.detail), n, h, w, layers: L,
    w5, M, coef, dec, window: gaussianWindow(), mu: opts.mu, threads: Math.max(1, nk.setThreads(-1)),
  }, out);

  const grads = new Map<string, Float32Array>();
  const buffers = new Map<string, Float32Array>();
  const count = n * h * w;
  const bnUpdate = (prefix: string, b: number, runningMean: tf.Tensor, runningVar: tf.Tensor) => {
    const mean = out.stats[3 + 2 * b], varSum = out.stats[4 + 2 * b];
    const m = BN_MOMENTUM;
    buffers.set(prefix + 'running_mean', Float32Array.of(f32(m * mean + (1 - m) * runningMean.dataSync()[0])));
    buffers.set(prefix + 'running_var', Float32Array.of(f32(m * f32(varSum / (count - 1)) + (1 - m) * runningVar.dataSync()[0])));
  };
  layers.forEach((l, i) => {
    const enc = encs[i < L ? 0 : 1];
    const p = `${enc.kind}.${LAYER_LIST[enc.kind]}.${i % L}.`;
    const g = out.dcoef.subarray(i * 5, i * 5 + 5);
    grads.set(p + 'kernel', coefficientsVjp(Ks[i], out.dw5.subarray(i * 25, i * 25 + 25), out.dM.subarray(i * 81, i * 81 + 81)));
    grads.set(p + 'eta', Float32Array.of(g[0]));
    grads.set(p + 'theta', Float32Array.of(g[1]));
    grads.set(p + 'rest.0.weight', Float32Array.of(g[2]));
    grads.set(p + 'rest.0.bias', Float32Array.of(g[3]));
    grads.set(p + 'rest.1.weight', Float32Array.of(g[4]));
    bnUpdate(p + 'rest.0.', i, l.bn.runningMean, l.bn.runningVar);
  });
  grads.set('decoder.decoder.1.weight', Float32Array.from(out.ddec.subarray(0, 9)));
  grads.set('decoder.decoder.2.weight', Float32Array.of(out.ddec[9]));
  grads.set('decoder.decoder.2.bias', Float32Array.of(out.ddec[10]));
  bnUpdate('decoder.decoder.2.', 2 * L, d.bn.runningMean, d.bn.runningVar);
  const mse = f32(out.stats[1]), ssim = f32(out.stats[2]);
  const r: LossAndGradients = { loss: f32(mse + f32(opts.mu * ssim)), mse, ssim, grads, buffers };
  if (opts.keepRecon) r.recon = out.recon;
  return r;
}
