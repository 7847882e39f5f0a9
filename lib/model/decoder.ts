/**
 * The decoder (AUIF Sec. III-C; upstream `Decoder`): one 3×3 convolution of the sum of the two
 * feature maps, batch norm and a sigmoid,
 *
 *   F = σ(BN(W ∗ reflectpad₁(B + D)))      (W: 1×1×3×3, no bias)
 */
import * as tf from '@tensorflow/tfjs-core';
import { reflectPad } from '../unrolling/pad.js';
import { batchNormEval } from '../nn/batchnorm.js';
import type { DecoderParams } from './params.js';

/** Pre-BN decoder response W ∗ pad(B + D). */
export function decoderConv(B: tf.Tensor4D, D: tf.Tensor4D, params: DecoderParams): tf.Tensor4D {
  return tf.conv2d(reflectPad(tf.add(B, D), 1), tf.transpose(params.W, [2, 3, 1, 0]) as tf.Tensor4D, 1, 'valid');
}

/** F = σ(BN(W ∗ pad(B + D))), eval mode. */
export function decoder(B: tf.Tensor4D, D: tf.Tensor4D, params: DecoderParams): tf.Tensor4D {
  return tf.tidy(() => tf.sigmoid(batchNormEval(decoderConv(B, D, params), params.bn)));
}
