/**
 * Fusion rules for the test phase (AUIF Sec. III-D; upstream `utils_AUIFNet.Test_fusion`).
 * Applied to the base maps and, separately, to the detail maps of the two sources:
 *
 *   sum:     F = y₁ + y₂                       (the paper's choice)
 *   average: F = (y₁ + y₂) / 2
 *   l1:      aᵢ = box₃ ⋆ |yᵢ| (zero padding),  F = a₁/(a₁+a₂)·y₁ + a₂/(a₁+a₂)·y₂
 *
 * Where a₁ + a₂ = 0 (both maps zero over a 3×3 window) upstream divides 0 by 0; here both
 * weights are ½ there, which gives the same F = 0 without NaN.
 */
import * as tf from '@tensorflow/tfjs-core';

export type FusionMode = 'sum' | 'average' | 'l1';
export const FUSION_MODES: readonly FusionMode[] = ['sum', 'average', 'l1'];

/** l1-norm activity weights (upstream `l1_addition`, window 3×3, zero padding). */
export function l1Fuse(y1: tf.Tensor4D, y2: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const box = tf.fill([3, 3, 1, 1], 1 / 9) as tf.Tensor4D;
    const a1 = tf.conv2d(tf.abs(y1), box, 1, 'same');
    const a2 = tf.conv2d(tf.abs(y2), box, 1, 'same');
    const s = tf.add(a1, a2);
    const zero = tf.equal(s, 0);
    const w1 = tf.where(zero, tf.fill(s.shape, 0.5), tf.div(a1, s));
    const w2 = tf.where(zero, tf.fill(s.shape, 0.5), tf.div(a2, s));
    return tf.add(tf.mul(w1, y1), tf.mul(w2, y2)) as tf.Tensor4D;
  });
}

/** Merges two feature maps with the given rule. */
export function fuseMaps(y1: tf.Tensor4D, y2: tf.Tensor4D, mode: FusionMode): tf.Tensor4D {
  switch (mode) {
    case 'sum': return tf.add(y1, y2);
    case 'average': return tf.tidy(() => tf.div(tf.add(y1, y2), 2));
    case 'l1': return l1Fuse(y1, y2);
    default: throw new Error(`unknown fusion mode '${mode as string}' (use ${FUSION_MODES.join(', ')})`);
  }
}
