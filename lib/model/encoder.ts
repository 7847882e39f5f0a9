/**
 * The two unrolled encoders (AUIF Sec. III-B; upstream `Encoder_Base`, `Encoder_Detail`):
 *
 *   base:   B⁰ = box₁₁ ⋆ I,  Bᵏ⁺¹ = Bᵏ − ηₖ(PReLU(BN(K̃ₖ∗(Kₖ∗Bᵏ))) − θₖ(I − Bᵏ)),  k = 0…N−1
 *   detail: D⁰ = lap₁₉ ⋆ I,  Dᵏ⁺¹ = Dᵏ − ηₖ(PReLU(BN(K̃ₖ∗(Kₖ∗Dᵏ))) − θₖ(I − Dᵏ))
 *
 * The output is Bᴺ (resp. Dᴺ); `keepIntermediate` also returns B⁰…Bᴺ for teaching.
 */
import * as tf from '@tensorflow/tfjs-core';
import { boxKernel, filter2D, laplacianKernel } from '../unrolling/filters.js';
import { unrolledStep } from '../unrolling/step.js';
import type { EncoderKind, EncoderParams } from './params.js';
import type { OperatorImpl } from '../unrolling/operator.js';

/** x⁰ of an encoder: `init ⋆ I`, by default the box blur (base) or the Laplacian (detail) of I. */
export function initialEstimate(I: tf.Tensor4D, kind: EncoderKind, init?: Float32Array): tf.Tensor4D {
  return filter2D(I, init ?? (kind === 'base' ? boxKernel() : laplacianKernel()));
}

/** Runs an encoder in eval mode; returns xᴺ, and x⁰…xᴺ when `keepIntermediate`. */
export function encode(I: tf.Tensor4D, params: EncoderParams, opts: { keepIntermediate?: boolean; operator?: OperatorImpl } = {}): { out: tf.Tensor4D; steps?: tf.Tensor4D[] } {
  const steps: tf.Tensor4D[] = [];
  let x = initialEstimate(I, params.kind, params.init);
  if (opts.keepIntermediate) steps.push(x);
  for (const layer of params.layers) {
    const next = unrolledStep(x, I, layer, opts.operator);
    if (!opts.keepIntermediate) x.dispose();
    x = next;
    if (opts.keepIntermediate) steps.push(x);
  }
  return opts.keepIntermediate ? { out: x, steps } : { out: x };
}

/** Bᴺ: the base (low-frequency) feature map of I. */
export function baseEncoder(I: tf.Tensor4D, params: EncoderParams): tf.Tensor4D {
  return encode(I, params).out;
}

/** Dᴺ: the detail (high-frequency) feature map of I. */
export function detailEncoder(I: tf.Tensor4D, params: EncoderParams): tf.Tensor4D {
  return encode(I, params).out;
}
