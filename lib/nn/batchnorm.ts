/**
 * BatchNorm2d(1) with PyTorch semantics (Ioffe & Szegedy 2015; `torch.nn.BatchNorm2d`):
 *
 *   eval:  y = (x − μ̂) / √(σ̂² + ε) · γ + β          (running statistics μ̂, σ̂²)
 *   train: y = (x − μ_B) / √(σ²_B + ε) · γ + β        (batch statistics, biased variance)
 *          μ̂ ← (1 − m)·μ̂ + m·μ_B,  σ̂² ← (1 − m)·σ̂² + m·σ²_B·n/(n − 1)   (unbiased), m = 0.1
 *
 * Tensors are NHWC with one channel, so the statistics run over every element.
 *
 * A layer shared by the unrolled steps (lib/unrolling/step.ts) and the model (decoder, encoders),
 * so it lives below both.
 */
import * as tf from '@tensorflow/tfjs-core';

/** BatchNorm2d(1) state (PyTorch semantics: eps 1e-5, momentum 0.1). */
export interface BatchNormParams {
  gamma: tf.Tensor1D;
  beta: tf.Tensor1D;
  runningMean: tf.Tensor1D;
  runningVar: tf.Tensor1D;
  /** `num_batches_tracked` (int64 upstream). */
  numBatchesTracked: bigint;
}

/** PyTorch's defaults for BatchNorm2d. */
export const BN_EPS = 1e-5;
export const BN_MOMENTUM = 0.1;

/** Eval-mode batch norm with the running statistics. */
export function batchNormEval(x: tf.Tensor4D, bn: BatchNormParams): tf.Tensor4D {
  return tf.tidy(() => {
    // ATen's CPU kernel: α = γ / √(σ̂² + ε), y = x·α + (β − μ̂·α)
    const alpha = tf.mul(bn.gamma, tf.div(1, tf.sqrt(tf.add(bn.runningVar, BN_EPS))));
    return tf.add(tf.mul(x, alpha), tf.sub(bn.beta, tf.mul(bn.runningMean, alpha))) as tf.Tensor4D;
  });
}

/**
 * The eval-mode batch norm as the affine map y = x·a + b that {@link batchNormEval} applies, with
 * its float32 roundings: a = fl(γ·fl(1/fl(√fl(σ̂² + ε)))), b = fl(β − fl(μ̂·a)). For kernels
 * outside tfjs (lib/kernels/native.ts).
 */
export function batchNormEvalCoefficients(bn: BatchNormParams): { a: number; b: number } {
  const f = Math.fround;
  const one = (t: tf.Tensor) => (t.dataSync() as Float32Array)[0];
  const a = f(one(bn.gamma) * f(1 / f(Math.sqrt(f(one(bn.runningVar) + f(BN_EPS))))));
  return { a, b: f(one(bn.beta) - f(one(bn.runningMean) * a)) };
}

/** Running statistics after one training batch (not differentiated). */
export interface BatchNormUpdate { runningMean: tf.Tensor1D; runningVar: tf.Tensor1D }

/**
 * Train-mode batch norm: normalises with the batch statistics (biased variance) and returns
 * the updated running statistics (unbiased variance, momentum 0.1) alongside.
 */
export function batchNormTrain(x: tf.Tensor4D, bn: BatchNormParams): { y: tf.Tensor4D; update: BatchNormUpdate } {
  const n = x.size;
  const { mean, variance } = tf.moments(x);
  const y = tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, BN_EPS))), bn.gamma), bn.beta) as tf.Tensor4D;
  // The update is not part of the loss, so no gradient flows through it.
  const update = tf.tidy(() => {
    const m = tf.reshape(mean, [1]);
    const v = tf.mul(tf.reshape(variance, [1]), n / (n - 1));
    return {
      runningMean: tf.add(tf.mul(bn.runningMean, 1 - BN_MOMENTUM), tf.mul(m, BN_MOMENTUM)) as tf.Tensor1D,
      runningVar: tf.add(tf.mul(bn.runningVar, 1 - BN_MOMENTUM), tf.mul(v, BN_MOMENTUM)) as tf.Tensor1D,
    };
  });
  return { y, update };
}
