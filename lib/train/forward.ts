/**
 * The training-phase forward pass (AUIF Fig. 1a; upstream `train.py`, modules in `.train()`
 * mode): each image of the batch is decomposed by both encoders and reconstructed,
 *
 *   B⁰ = box₁₁ ⋆ I,  Bᵏ⁺¹ = Bᵏ − ηₖ(PReLU(BN_B(K̃ₖ∗(Kₖ∗Bᵏ))) − θₖ(I − Bᵏ))     (base, N layers)
 *   D⁰ = lap₁₉ ⋆ I,  Dᵏ⁺¹ = Dᵏ − ηₖ(PReLU(BN_B(K̃ₖ∗(Kₖ∗Dᵏ))) − θₖ(I − Dᵏ))     (detail)
 *   Î = σ(BN_B(W ∗ reflectpad₁(Bᴺ + Dᴺ)))
 *
 * where BN_B normalises with the statistics of the batch (biased variance) — so, unlike the
 * test phase, the images of a batch interact. Every batch norm also yields its updated running
 * statistics (unbiased variance, momentum 0.1), returned alongside and never differentiated.
 */
import * as tf from '@tensorflow/tfjs-core';
import { preluTrain } from './prelu_train.js';
import { initialEstimate } from '../model/encoder.js';
import { decoderConv } from '../model/decoder.js';
import type { BatchNormUpdate } from '../nn/batchnorm.js';
import { applyOperator, type OperatorImpl } from '../unrolling/operator.js';
import type { AuifParams, EncoderParams, UnrolledLayerParams } from '../model/params.js';
import { batchNormTrainExact } from './batchnorm_train.js';

/** New running statistics of every batch norm, in the layout of {@link AuifParams}. */
export interface BatchNormUpdates {
  base: BatchNormUpdate[];
  detail: BatchNormUpdate[];
  decoder: BatchNormUpdate;
}

/** Output of {@link trainForward}. */
export interface TrainForward {
  /** Î, NHWC [n, h, w, 1]. */
  recon: tf.Tensor4D;
  /** Bᴺ and Dᴺ. */
  B: tf.Tensor4D;
  D: tf.Tensor4D;
  bn: BatchNormUpdates;
}

/**
 * One unrolled layer in train mode, xᵏ⁺¹ = xᵏ − η(PReLU(BN_B(K̃∗(K∗xᵏ))) − θ(I − xᵏ)) — the update
 * of `unrolledStepTrain` (lib/unrolling/step.ts), with the batch norm of
 * {@link batchNormTrainExact} (PyTorch's float64 batch statistics) in place of `tf.moments`.
 */
export function unrolledStepTrainExact(x: tf.Tensor4D, I: tf.Tensor4D, layer: UnrolledLayerParams, operator?: OperatorImpl): { x: tf.Tensor4D; bn: BatchNormUpdate } {
  const { y, update } = batchNormTrainExact(applyOperator(x, layer.K, operator), layer.bn);
  const g = preluTrain(y, layer.alpha);
  return { x: tf.sub(x, tf.mul(layer.eta, tf.sub(g, tf.mul(layer.theta, tf.sub(I, x))))) as tf.Tensor4D, bn: update };
}

/** xᴺ of one encoder in train mode, and the BN update of each layer. */
export function encodeTrain(I: tf.Tensor4D, enc: EncoderParams, operator?: OperatorImpl): { out: tf.Tensor4D; bn: BatchNormUpdate[] } {
  let x = initialEstimate(I, enc.kind, enc.init);
  const bn: BatchNormUpdate[] = [];
  for (const layer of enc.layers) {
    const step = unrolledStepTrainExact(x, I, layer, operator);
    x = step.x;
    bn.push(step.bn);
  }
  return { out: x, bn };
}

/**
 * Î = decoder(Bᴺ, Dᴺ) in train mode for a batch I (NHWC [n, h, w, 1], values in [0, 1]).
 * Intermediates are left to the caller's scope (a gradient computation needs them); wrap the
 * call in `tf.tidy` or a gradient function.
 */
export function trainForward(I: tf.Tensor4D, params: AuifParams, opts: { operator?: OperatorImpl } = {}): TrainForward {
  if (I.rank !== 4 || I.shape[3] !== 1) throw new Error(`trainForward: I must be a one-channel NHWC batch [n, h, w, 1], got [${I.shape}]`);
  if (I.shape[0] * I.shape[1] * I.shape[2] < 2) throw new Error('trainForward: batch norm in train mode needs more than one value per channel');
  const base = encodeTrain(I, params.base, opts.operator);
  const detail = encodeTrain(I, params.detail, opts.operator);
  const { y, update } = batchNormTrainExact(decoderConv(base.out, detail.out, params.decoder), params.decoder.bn);
  return { recon: tf.sigmoid(y), B: base.out, D: detail.out, bn: { base: base.bn, detail: detail.bn, decoder: update } };
}
