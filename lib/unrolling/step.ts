/**
 * One unrolled gradient step (AUIF Sec. III, Eqs. (5)–(9); upstream `BCL`/`DCL`.forward).
 *
 * Each encoder solves min_x ½θ‖x − I‖² + Φ(K∗x) by gradient descent; the k-th step, with the
 * gradient of the prior term replaced by a learned nonlinearity, is
 *
 *   xᵏ⁺¹ = xᵏ − ηₖ · ( PReLU(BN(K̃ₖ ∗ (Kₖ ∗ xᵏ))) − θₖ · (I − xᵏ) )
 *
 * where Kₖ ∗ · maps one channel to C (3×3 filters), K̃ₖ = rot180(Kₖ)ᵀ maps C back to one (the
 * adjoint), and each convolution is preceded by a reflection pad of 1.
 */
import * as tf from '@tensorflow/tfjs-core';
import { applyOperator, type OperatorImpl } from './operator.js';
import { batchNormEval, batchNormTrain, type BatchNormParams, type BatchNormUpdate } from '../nn/batchnorm.js';

/** One unrolled layer's parameters: x ← x − η·(PReLU(BN(K̃∗(K∗x))) − θ·(I − x)). */
export interface UnrolledLayerParams {
  /** C×1×3×3 filters (PyTorch OIHW layout). */
  K: tf.Tensor4D;
  eta: tf.Tensor1D;
  theta: tf.Tensor1D;
  bn: BatchNormParams;
  /** PReLU slope, shape [1]. */
  alpha: tf.Tensor1D;
}

/**
 * xᵏ⁺¹ = xᵏ − η·(PReLU(BN(K̃∗(K∗xᵏ))) − θ·(I − xᵏ)), eval mode (running BN statistics).
 * @param x current estimate xᵏ, NHWC [n, h, w, 1]
 * @param I source image, same shape
 * @param impl formulation of K̃∗(K∗x) (see {@link OperatorImpl}): 'fast' (default), 'native', 'tfjs' or 'twoConv' (upstream)
 */
export function unrolledStep(x: tf.Tensor4D, I: tf.Tensor4D, layer: UnrolledLayerParams, impl: OperatorImpl = 'fast'): tf.Tensor4D {
  return tf.tidy(() => update(x, I, layer, batchNormEval(applyOperator(x, layer.K, impl), layer.bn)));
}

/** The same step in train mode: batch statistics, and the new running statistics returned. */
export function unrolledStepTrain(x: tf.Tensor4D, I: tf.Tensor4D, layer: UnrolledLayerParams, impl: OperatorImpl = 'fast'): { x: tf.Tensor4D; bn: BatchNormUpdate } {
  const { y, update: bn } = batchNormTrain(applyOperator(x, layer.K, impl), layer.bn);
  return { x: update(x, I, layer, y), bn };
}

function update(x: tf.Tensor4D, I: tf.Tensor4D, layer: UnrolledLayerParams, z: tf.Tensor4D): tf.Tensor4D {
  const g = tf.prelu(z, layer.alpha as unknown as tf.Tensor4D); // alpha [1] broadcasts
  // x − η·(g − θ·(I − x)), in the upstream order of operations.
  return tf.sub(x, tf.mul(layer.eta, tf.sub(g, tf.mul(layer.theta, tf.sub(I, x))))) as tf.Tensor4D;
}
