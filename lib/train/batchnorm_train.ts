/**
 * Train-mode BatchNorm2d(1) with PyTorch's CPU arithmetic (ATen `batch_norm_cpu`,
 * `batch_norm_cpu_collect_stats_contiguous_impl`, `batch_norm_cpu_backward_contiguous_impl`):
 *
 *   μ_B = Σx / n (float64 sum, rounded to float32),  S = Σ(x − μ_B)² (float64 sum)
 *   y = x·α + β_c,   α = γ / √(S/n + ε),  β_c = β − μ_B·α                (float32)
 *   μ̂ ← m·μ_B + (1 − m)·μ̂,   σ̂² ← m·S/(n − 1) + (1 − m)·σ̂²            (m = 0.1)
 *
 *   backward: ∂L/∂x = (dy − Σdy/n − (x − μ_B)·k)·invstd·γ,  k = Σ(x − μ_B)dy · invstd² / n
 *             ∂L/∂γ = Σ(x − μ_B)dy · invstd,   ∂L/∂β = Σdy
 *
 * Why not `lib/nn/batchnorm.ts`'s `batchNormTrain`: it takes the batch statistics with
 * `tf.moments`, i.e. float32 sums. The unrolled layers' pre-BN maps have means ~80 over
 * 32·128² values, where a float32 sum is off by ~1e-4 relative, and the ten layers amplify that
 * to ~6e-5 in Î against the PyTorch reference (1e-5 needed). The statistics and the gradient's
 * two reductions are therefore taken on the host in float64, as ATen does.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BN_EPS, BN_MOMENTUM, type BatchNormParams } from '../model/params.js';
import type { BatchNormUpdate } from '../nn/batchnorm.js';

const f32 = Math.fround;

/** Batch statistics as ATen computes them: μ_B (float32), S = Σ(x − μ_B)² (float64 sum → float32). */
export function batchStatistics(x: Float32Array): { mean: number; varSum: number } {
  const n = x.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += x[i];
  const mean = f32(sum / n);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = f32(x[i] - mean);
    s += f32(d * d);
  }
  return { mean, varSum: f32(s) };
}

/**
 * Train-mode batch norm of a one-channel batch (any shape; statistics over every element):
 * returns y and the new running statistics (not differentiated). Differentiable in x, γ, β.
 */
export function batchNormTrainExact(x: tf.Tensor4D, bn: BatchNormParams): { y: tf.Tensor4D; update: BatchNormUpdate } {
  const n = x.size;
  if (n < 2) throw new Error('batchNormTrainExact: train-mode batch norm needs more than one value per channel');
  let stats: { mean: number; invstd: number; varSum: number } | undefined;
  const f = tf.customGrad(((xx: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, save: tf.GradSaveFunc) => {
    const xd = xx.dataSync() as Float32Array;
    const { mean, varSum } = batchStatistics(xd);
    const invstd = f32(1 / Math.sqrt(f32(varSum / n) + BN_EPS));
    stats = { mean, invstd, varSum };
    const g = gamma.dataSync()[0];
    const alpha = f32(invstd * g);
    const shift = f32(beta.dataSync()[0] - f32(mean * alpha));
    save([xx, gamma]);
    return {
      value: tf.add(tf.mul(xx, alpha), shift),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, gs] = saved;
        const xv = xs.dataSync() as Float32Array;
        const dyv = dy.dataSync() as Float32Array;
        const w = gs.dataSync()[0];
        let sum = 0;
        let dotp = 0;
        for (let i = 0; i < n; i++) {
          sum += dyv[i];
          dotp += f32(f32(xv[i] - mean) * dyv[i]);
        }
        const k = f32(f32(f32(f32(dotp) * invstd) * invstd) / n);
        const gradMean = f32(sum / n);
        const dx = new Float32Array(n);
        for (let i = 0; i < n; i++) {
          const d = f32(f32(xv[i] - mean) * k);
          dx[i] = f32(f32(f32(f32(dyv[i] - gradMean) - d) * invstd) * w);
        }
        return [tf.tensor(dx, xs.shape), tf.tensor1d([f32(dotp * invstd)]), tf.tensor1d([f32(sum)])];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  const y = f(x, bn.gamma, bn.beta) as tf.Tensor4D;
  const { mean, varSum } = stats!;
  const m = BN_MOMENTUM;
  const rm = bn.runningMean.dataSync()[0];
  const rv = bn.runningVar.dataSync()[0];
  const update: BatchNormUpdate = {
    runningMean: tf.tensor1d([f32(m * mean + (1 - m) * rm)]),
    runningVar: tf.tensor1d([f32(m * f32(varSum / (n - 1)) + (1 - m) * rv)]),
  };
  return { y, update };
}
