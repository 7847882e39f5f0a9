/**
 * DIDFuse's auto-encoder in tfjs (NHWC): the fallback path, used on GPU/`tensorflow` backends
 * and wherever the native convolution addon is missing. Same blocks and the same folded BN as
 * the native path (`network_native.ts`); reference `README.md` §1–2 in this folder:
 *
 *   block(x) = act(conv₃ₓ₃(pad₁(x)) + b)·α + β'),   pad₁ = reflection (cov1, cov7) or zeros
 *   encoder:  f1 = cov1(I), f2 = cov2(f1), fb = cov3(f2) (base), fd = cov4(f2) (detail)
 *   decoder:  o1 = cov5([Fb, Fd]), o2 = cov6([o1, F2]), out = cov7([o2, F1])    ([·,·] = channel concat)
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ConvBlock, DidfuseParams } from './params.js';

/** tfjs tensors of one block (HWIO kernel). */
interface TfBlock { kernel: tf.Tensor4D; bias: tf.Tensor1D; scale: tf.Tensor1D; shift: tf.Tensor1D; alpha: tf.Scalar; block: ConvBlock }

/** The seven blocks as tfjs tensors; {@link disposeTfParams} frees them. */
export type TfParams = Record<keyof Omit<DidfuseParams, 'epoch'>, TfBlock>;

/** Uploads the parameters: OIHW weights → HWIO kernels. */
export function toTfParams(p: DidfuseParams): TfParams {
  const one = (b: ConvBlock): TfBlock => ({
    kernel: tf.tidy(() => tf.transpose(tf.tensor4d(b.weight, [b.cout, b.cin, 3, 3]), [2, 3, 1, 0]) as tf.Tensor4D),
    bias: tf.tensor1d(b.bias), scale: tf.tensor1d(b.scale), shift: tf.tensor1d(b.shift), alpha: tf.scalar(b.alpha), block: b,
  });
  return { cov1: one(p.cov1), cov2: one(p.cov2), cov3: one(p.cov3), cov4: one(p.cov4), cov5: one(p.cov5), cov6: one(p.cov6), cov7: one(p.cov7) };
}

export function disposeTfParams(p: TfParams): void {
  for (const b of Object.values(p)) tf.dispose([b.kernel, b.bias, b.scale, b.shift, b.alpha]);
}

/** One block on an NHWC batch; `inputs` are concatenated along the channels first. */
export function blockTf(inputs: tf.Tensor4D[], b: TfBlock): tf.Tensor4D {
  return tf.tidy(() => {
    const x = inputs.length === 1 ? inputs[0] : tf.concat(inputs, 3);
    const pad: Array<[number, number]> = [[0, 0], [1, 1], [1, 1], [0, 0]];
    const xp = b.block.reflect ? tf.mirrorPad(x, pad, 'reflect') : tf.pad(x, pad);
    const z = tf.add(tf.conv2d(xp, b.kernel, 1, 'valid'), b.bias);
    const y = tf.add(tf.mul(z, b.scale), b.shift) as tf.Tensor4D;
    switch (b.block.activation) {
      case 'prelu': return tf.prelu(y, b.alpha as unknown as tf.Tensor4D) as tf.Tensor4D;
      case 'tanh': return tf.tanh(y);
      default: return tf.sigmoid(y);
    }
  });
}

/** The encoder's four maps of an NHWC batch of grey images. */
export function encodeTf(I: tf.Tensor4D, p: TfParams): { f1: tf.Tensor4D; f2: tf.Tensor4D; fb: tf.Tensor4D; fd: tf.Tensor4D } {
  const f1 = blockTf([I], p.cov1);
  const f2 = blockTf([f1], p.cov2);
  return { f1, f2, fb: blockTf([f2], p.cov3), fd: blockTf([f2], p.cov4) };
}

/** The decoder on fused maps: o1, o2 and the output image in (0, 1). */
export function decodeTf(F1: tf.Tensor4D, F2: tf.Tensor4D, Fb: tf.Tensor4D, Fd: tf.Tensor4D, p: TfParams): { o1: tf.Tensor4D; o2: tf.Tensor4D; out: tf.Tensor4D } {
  const o1 = blockTf([Fb, Fd], p.cov5);
  const o2 = blockTf([o1, F2], p.cov6);
  return { o1, o2, out: blockTf([o2, F1], p.cov7) };
}
