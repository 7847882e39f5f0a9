/**
 * The training loss of AUIF (paper Eq. (12); upstream `train.py`):
 *
 *   L = L_MSE(I, Î) + μ · L_SSIM(I, Î),   L_MSE = mean((I − Î)²),   μ = 5
 *
 * with L_SSIM the kornia-0.4.1 SSIM loss of {@link ssimLoss}.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ssimLoss } from './ssim_loss.js';

/** Upstream weight of the SSIM term. */
export const DEFAULT_MU = 5;

/** The loss and its two terms, as scalars. */
export interface ReconstructionLoss { loss: tf.Scalar; mse: tf.Scalar; ssim: tf.Scalar }

/** L_MSE = mean((I − Î)²) (`nn.MSELoss()(img_input, img_recon)`). */
export function mseLoss(I: tf.Tensor, recon: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.square(tf.sub(I, recon))) as tf.Scalar);
}

/** L = L_MSE + μ·L_SSIM of a batch and its reconstruction (both NHWC [n, h, w, 1]). */
export function reconstructionLoss(I: tf.Tensor4D, recon: tf.Tensor4D, mu = DEFAULT_MU): ReconstructionLoss {
  const mse = mseLoss(I, recon);
  const ssim = ssimLoss(I, recon);
  return { loss: tf.add(mse, tf.mul(mu, ssim)) as tf.Scalar, mse, ssim };
}
