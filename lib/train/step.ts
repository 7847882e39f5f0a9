/**
 * One optimisation step of upstream `train.py` on host-held weights:
 *
 *   (L, ∂L/∂p, BN statistics) = forward + backward of the batch        (`loss.backward()`)
 *   p ← Adam(p, ∂L/∂p) with the lr of p's group                       (`optimizer{1,2,3}.step()`)
 *   μ̂, σ̂² ← the new running statistics; num_batches_tracked += 1      (BN buffers, train mode)
 *
 * The weights are a state dict with upstream names; the step replaces its entries with new
 * arrays (never mutating the old ones) and creates no tensor that outlives it.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { StateDict } from '../io/tensor_record.js';
import { disposeParams, inferArchitecture, paramsFromStateDict } from '../model/params.js';
import type { OperatorImpl } from '../unrolling/operator.js';
import type { Adam } from './adam.js';
import { lossAndGradients, nativeStepKernels, type GradientEngine } from './gradients.js';
import { nativeLossAndGradientsHost } from './native_step.js';
import { X0_FILTER_KEY } from './variant.js';
import { groupOf } from './parameters.js';
import type { LearningRates } from './config.js';

/** Loss terms of a step (before the update). */
export interface StepLoss { loss: number; mse: number; ssim: number }

/** One step on `weights` (updated in place: entries replaced) with batch `I` (NHWC [n, h, w, 1]). */
export function optimizationStep(weights: StateDict, adam: Adam, I: tf.Tensor4D, lr: LearningRates, opts: { mu: number; operator?: OperatorImpl; engine?: GradientEngine }): StepLoss {
  let r;
  const nk = nativeStepKernels(opts);
  if (nk) {
    // the native step reads the state dict directly (no tensors made for the weights)
    const [n, h, w] = I.shape;
    const weight = (key: string): Float32Array => {
      const t = weights.get(key);
      if (!t) throw new Error(`optimizationStep: the weights have no '${key}'`);
      return t.data as Float32Array;
    };
    // an ablation variant's x⁰ filter (lib/train/variant.ts), when the state dict carries one
    const x0 = (key: string): Float32Array | undefined => weights.get(key)?.data as Float32Array | undefined;
    const init = { base: x0(X0_FILTER_KEY.base), detail: x0(X0_FILTER_KEY.detail) };
    r = nativeLossAndGradientsHost({ data: I.dataSync() as Float32Array, n, h, w }, weight, inferArchitecture(weights).layers, nk, { mu: opts.mu, init });
  } else {
    const params = paramsFromStateDict(weights);
    try {
      r = lossAndGradients(I, params, { mu: opts.mu, operator: opts.operator, engine: opts.engine });
    } finally {
      disposeParams(params);
    }
  }
  const current = new Map([...r.grads.keys()].map((k) => [k, weights.get(k)!.data as Float32Array]));
  const updated = adam.step(current, r.grads, (k) => lr[groupOf(k)]);
  for (const [k, v] of updated) weights.set(k, { ...weights.get(k)!, data: v });
  for (const [k, v] of r.buffers) weights.set(k, { ...weights.get(k)!, data: v });
  for (const [k, t] of weights) {
    if (k.endsWith('num_batches_tracked')) weights.set(k, { ...t, data: BigInt64Array.of((t.data as BigInt64Array)[0] + 1n) });
  }
  return { loss: r.loss, mse: r.mse, ssim: r.ssim };
}
