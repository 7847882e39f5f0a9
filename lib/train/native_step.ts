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
import type * as tf from '@tensorflow/tfjs-core';
import type { AuifParams, EncoderKind } from '../model/params.js';
import { BN_MOMENTUM } from '../model/params.js';
import { boxKernel, laplacianKernel } from '../unrolling/filters.js';
import { coefficientsVjp, operatorCoefficients, type NativeKernels } from '../kernels/native.js';
import { gaussianWindow } from './ssim_loss.js';
import type { LossAndGradients } from './gradients.js';
import { trainableParams } from './parameters.js';

const f32 = Math.fround;
const LAYER_LIST = { base: 'conv1', detail: 'conv2' } as const;

/** The addon entry points the native step uses. */
export type NativeStepKernels = Pick<NativeKernels, 'trainStep' | 'setThreads' | 'correlateReflect'>;

/** A batch on the host: n planes h × w (NHWC with one channel = NCHW). */
export interface HostBatch { data: Float32Array; n: number; h: number; w: number }

/**
 * L, ∂L/∂p and the BN updates by {@link NativeKernels.trainStep}, from host arrays: `weight(key)`
 * gives each tensor of the model by upstream key (trainable parameters and BN running
 * statistics), `layers` the depth of each encoder, `init` the x⁰ filters (default: box₁₁ and
 * lap₁₉, lib/unrolling/filters.ts; x⁰ = init ⋆ I with PyTorch's rounding, by the addon's
 * `correlateReflect`).
 */
export function nativeLossAndGradientsHost(I: HostBatch, weight: (key: string) => Float32Array, layers: number, nk: NativeStepKernels,
  opts: { mu: number; keepRecon?: boolean; init?: Partial<Record<EncoderKind, Float32Array>> }): LossAndGradients {
  const { n, h, w } = I;
  if (I.data.length !== n * h * w) throw new Error(`nativeLossAndGradients: the batch has ${I.data.length} values, not ${n}·${h}·${w}`);
  if (n * h * w < 2) throw new Error('nativeLossAndGradients: batch norm in train mode needs more than one value per channel');
  const L = layers;
  const x0 = (kind: EncoderKind): Float32Array => {
    const kernel = opts.init?.[kind] ?? (kind === 'base' ? boxKernel() : laplacianKernel());
    const k = Math.round(Math.sqrt(kernel.length));
    if (k * k !== kernel.length || k % 2 === 0) throw new Error(`nativeLossAndGradients: the ${kind} encoder's x⁰ filter has ${kernel.length} values, not k×k with k odd`);
    if (k >> 1 >= h || k >> 1 >= w) throw new Error(`nativeLossAndGradients: the ${k}×${k} x⁰ filter needs images larger than ${k >> 1}×${k >> 1}, got ${h}×${w}`);
    const out = new Float32Array(n * h * w);
    nk.correlateReflect(I.data, n, h, w, kernel, k, out);
    return out;
  };
  const prefixes = (['base', 'detail'] as const).flatMap((kind) => Array.from({ length: L }, (_, i) => `${kind}.${LAYER_LIST[kind]}.${i}.`));
  const w5 = new Float64Array(2 * L * 25);
  const M = new Float64Array(2 * L * 81);
  const coef = new Float32Array(2 * L * 5);
  const Ks: Float32Array[] = [];
  prefixes.forEach((p, i) => {
    const K = weight(p + 'kernel');
    Ks.push(K);
    const c = operatorCoefficients(K);
    w5.set(c.w5, i * 25);
    M.set(c.M, i * 81);
    coef.set(['eta', 'theta', 'rest.0.weight', 'rest.0.bias', 'rest.1.weight'].map((name) => weight(p + name)[0]), i * 5);
  });
  const dec = new Float32Array(11);
  dec.set(weight('decoder.decoder.1.weight'), 0);
  dec[9] = weight('decoder.decoder.2.weight')[0];
  dec[10] = weight('decoder.decoder.2.bias')[0];
  const out = {
    stats: new Float64Array(3 + 2 * (2 * L + 1)), dw5: new Float64Array(2 * L * 25), dM: new Float64Array(2 * L * 81),
    dcoef: new Float64Array(2 * L * 5), ddec: new Float64Array(11), recon: new Float32Array(n * h * w),
  };
  nk.trainStep({
    I: I.data, B0: x0('base'), D0: x0('detail'), n, h, w, layers: L,
    w5, M, coef, dec, window: gaussianWindow(), mu: opts.mu, threads: Math.max(1, nk.setThreads(-1)),
  }, out);

  const grads = new Map<string, Float32Array>();
  const buffers = new Map<string, Float32Array>();
  const count = n * h * w;
  const bnUpdate = (prefix: string, b: number) => {
    const mean = out.stats[3 + 2 * b], varSum = out.stats[4 + 2 * b];
    const m = BN_MOMENTUM;
    buffers.set(prefix + 'running_mean', Float32Array.of(f32(m * mean + (1 - m) * weight(prefix + 'running_mean')[0])));
    buffers.set(prefix + 'running_var', Float32Array.of(f32(m * f32(varSum / (count - 1)) + (1 - m) * weight(prefix + 'running_var')[0])));
  };
  prefixes.forEach((p, i) => {
    const g = out.dcoef.subarray(i * 5, i * 5 + 5);
    grads.set(p + 'kernel', coefficientsVjp(Ks[i], out.dw5.subarray(i * 25, i * 25 + 25), out.dM.subarray(i * 81, i * 81 + 81)));
    grads.set(p + 'eta', Float32Array.of(g[0]));
    grads.set(p + 'theta', Float32Array.of(g[1]));
    grads.set(p + 'rest.0.weight', Float32Array.of(g[2]));
    grads.set(p + 'rest.0.bias', Float32Array.of(g[3]));
    grads.set(p + 'rest.1.weight', Float32Array.of(g[4]));
    bnUpdate(p + 'rest.0.', i);
  });
  grads.set('decoder.decoder.1.weight', Float32Array.from(out.ddec.subarray(0, 9)));
  grads.set('decoder.decoder.2.weight', Float32Array.of(out.ddec[9]));
  grads.set('decoder.decoder.2.bias', Float32Array.of(out.ddec[10]));
  bnUpdate('decoder.decoder.2.', 2 * L);
  const mse = f32(out.stats[1]), ssim = f32(out.stats[2]);
  const r: LossAndGradients = { loss: f32(mse + f32(opts.mu * ssim)), mse, ssim, grads, buffers };
  if (opts.keepRecon) r.recon = out.recon;
  return r;
}

/** {@link nativeLossAndGradientsHost} for a tfjs batch (NHWC [n, h, w, 1]) and an {@link AuifParams} record (read, not kept). */
export function nativeLossAndGradients(I: tf.Tensor4D, params: AuifParams, nk: NativeStepKernels, opts: { mu: number; keepRecon?: boolean }): LossAndGradients {
  const [n, h, w, ch] = I.shape;
  if (ch !== 1) throw new Error(`nativeLossAndGradients: I must be a one-channel NHWC batch [n, h, w, 1], got [${I.shape}]`);
  const L = params.base.layers.length;
  if (params.detail.layers.length !== L) throw new Error(`nativeLossAndGradients: the encoders have ${L} and ${params.detail.layers.length} layers; the native step needs equal depths`);
  const tensors = new Map<string, tf.Tensor>(trainableParams(params).map((p) => [p.key, p.tensor]));
  const bn = (prefix: string, b: AuifParams['decoder']['bn']) => { tensors.set(prefix + 'running_mean', b.runningMean); tensors.set(prefix + 'running_var', b.runningVar); };
  for (const enc of [params.base, params.detail]) enc.layers.forEach((l, i) => bn(`${enc.kind}.${LAYER_LIST[enc.kind]}.${i}.rest.0.`, l.bn));
  bn('decoder.decoder.2.', params.decoder.bn);
  const weight = (key: string): Float32Array => {
    const t = tensors.get(key);
    if (!t) throw new Error(`nativeLossAndGradients: the model has no '${key}'`);
    return t.dataSync() as Float32Array;
  };
  return nativeLossAndGradientsHost({ data: I.dataSync() as Float32Array, n, h, w }, weight, L, nk,
    { mu: opts.mu, keepRecon: opts.keepRecon, init: { base: params.base.init, detail: params.detail.init } });
}
