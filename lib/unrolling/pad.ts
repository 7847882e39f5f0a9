/**
 * Reflection padding (PyTorch `nn.ReflectionPad2d`, kornia's 'reflect' border): the image is
 * mirrored about its first and last row/column without repeating them,
 *   pad(x)[−i] = x[i],  pad(x)[H−1+i] = x[H−1−i]   (1 ≤ i ≤ p), which requires p < H and p < W.
 *
 * tfjs's own gradient for `MirrorPad` (tfjs-core 4.22) only slices the centre of dy and drops the
 * contributions of the mirrored border, which is wrong. {@link reflectPad} uses `tf.mirrorPad`
 * for the value and the exact adjoint for the gradient: the border gradients are folded back
 * onto the rows/columns they were copied from.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Error for a tensor that is too small for the requested reflect padding. */
export class PadError extends Error {}

/**
 * Folds the gradient of a reflect pad by `p` along `axis` (1 = rows, 2 = columns of NHWC):
 *   dx = dy[p : p+n] + scatter(reverse(dy[0 : p]) → rows 1..p) + scatter(reverse(dy[p+n :]) → rows n−1−p..n−2).
 */
function foldAxis(dy: tf.Tensor4D, p: number, n: number, axis: 1 | 2): tf.Tensor4D {
  const size = (len: number): [number, number, number, number] =>
    axis === 1 ? [-1, len, -1, -1] : [-1, -1, len, -1];
  const begin = (b: number): [number, number, number, number] => (axis === 1 ? [0, b, 0, 0] : [0, 0, b, 0]);
  const padSpec = (before: number, after: number): Array<[number, number]> =>
    axis === 1 ? [[0, 0], [before, after], [0, 0], [0, 0]] : [[0, 0], [0, 0], [before, after], [0, 0]];
  const centre = tf.slice(dy, begin(p), size(n));
  const head = tf.reverse(tf.slice(dy, begin(0), size(p)), axis);
  const tail = tf.reverse(tf.slice(dy, begin(p + n), size(p)), axis);
  return tf.addN([centre, tf.pad(head, padSpec(1, n - 1 - p)), tf.pad(tail, padSpec(n - 1 - p, 1))]) as tf.Tensor4D;
}

/** Pads an NHWC tensor by `p` pixels on every side with reflection (see the module comment). */
export function reflectPad(x: tf.Tensor4D, p: number): tf.Tensor4D {
  if (p === 0) return x;
  const [, h, w] = x.shape;
  if (p >= h || p >= w) {
    throw new PadError(`reflectPad: padding ${p} needs an image larger than ${p}×${p}, got ${h}×${w}`);
  }
  const f = tf.customGrad(((input: tf.Tensor) => {
    const value = tf.mirrorPad(input as tf.Tensor4D, [[0, 0], [p, p], [p, p], [0, 0]], 'reflect');
    return {
      value,
      gradFunc: (dy: tf.Tensor) => foldAxis(foldAxis(dy as tf.Tensor4D, p, w, 2), p, h, 1),
    };
  }) as Parameters<typeof tf.customGrad>[0]);
  return f(x) as tf.Tensor4D;
}
