/**
 * Reflection padding (PyTorch `nn.ReflectionPad2d`, kornia's 'reflect' border): the image is
 * mirrored about its first and last row/column without repeating them,
 *   pad(x)[−i] = x[i],  pad(x)[H−1+i] = x[H−1−i]   (1 ≤ i ≤ p), which requires p < H and p < W.
 *
 * tfjs's own gradient for `MirrorPad` (tfjs-core 4.22) only slices the centre of dy and drops the
 * contributions of the mirrored border, which is wrong. {@link reflectPad} uses `tf.mirrorPad`
 * for the value and the exact adjoint for the gradient: the border gradients are folded back
 * onto the rows/columns they were copied from. On the CPU backends (tensors in host memory) the
 * adjoint is a loop on the host ({@link reflectPadAdjoint}, the same arithmetic); elsewhere it is
 * composed of tfjs slices, reverses and pads (the wasm backend's `Slice` of a non-contiguous block
 * runs in JavaScript and is ~50× slower than that loop).
 */
import * as tf from '@tensorflow/tfjs-core';
import { NATIVE_BACKENDS as HOST_BACKENDS } from '../kernels/native.js'; // the CPU backends (tensors in host memory)

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

/** The adjoint of reflect padding by `p` in tfjs ops (any backend, any channel count): columns folded, then rows. */
export function reflectPadAdjointOps(dy: tf.Tensor4D, p: number): tf.Tensor4D {
  const [, hp, wp] = dy.shape;
  return foldAxis(foldAxis(dy, p, wp - 2 * p, 2), p, hp - 2 * p, 1);
}

/**
 * The adjoint of reflect padding by `p` of one-channel planes, on the host: dy holds `planes`
 * planes of (h + 2p) × (w + 2p), the result `planes` planes of h × w. Columns are folded first,
 * then rows, each as dx[j] = (dy[p + j] + dy[p − j]) + dy[p + 2n − 2 − j] in float32 (the mirrored
 * terms only where they exist: 1 ≤ j ≤ p, resp. n − 1 − p ≤ j ≤ n − 2) — the arithmetic of
 * {@link foldAxis}, so the host and the tfjs adjoints agree bit for bit. (ATen accumulates the
 * four terms of a pixel diagonally inside a corner in another order; the two differ by float32
 * rounding at those pixels only.)
 */
export function reflectPadAdjoint(dy: Float32Array, planes: number, h: number, w: number, p: number): Float32Array {
  const hp = h + 2 * p, wp = w + 2 * p;
  if (dy.length !== planes * hp * wp) throw new PadError(`reflectPadAdjoint: ${dy.length} values are not ${planes} planes of ${hp}×${wp}`);
  const f32 = Math.fround;
  const cols = new Float32Array(planes * hp * w); // columns folded: planes × hp × w
  for (let r = 0; r < planes * hp; r++) {
    const src = r * wp, dst = r * w;
    for (let j = 0; j < w; j++) {
      let v = dy[src + p + j];
      if (j >= 1 && j <= p) v = f32(v + dy[src + p - j]);
      if (j >= w - 1 - p && j <= w - 2) v = f32(v + dy[src + p + 2 * w - 2 - j]);
      cols[dst + j] = v;
    }
  }
  const dx = new Float32Array(planes * h * w);
  for (let k = 0; k < planes; k++) {
    const src = k * hp * w, dst = k * h * w;
    for (let i = 0; i < h; i++) {
      const c = src + (p + i) * w, o = dst + i * w;
      const head = i >= 1 && i <= p ? src + (p - i) * w : -1;
      const tail = i >= h - 1 - p && i <= h - 2 ? src + (p + 2 * h - 2 - i) * w : -1;
      for (let j = 0; j < w; j++) {
        let v = cols[c + j];
        if (head >= 0) v = f32(v + cols[head + j]);
        if (tail >= 0) v = f32(v + cols[tail + j]);
        dx[o + j] = v;
      }
    }
  }
  return dx;
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
      gradFunc: (dy: tf.Tensor) => {
        const [n, , , c] = dy.shape;
        if (c === 1 && HOST_BACKENDS.includes(tf.getBackend())) {
          return tf.tensor4d(reflectPadAdjoint(dy.dataSync() as Float32Array, n, h, w, p), [n, h, w, 1]);
        }
        return reflectPadAdjointOps(dy as tf.Tensor4D, p);
      },
    };
  }) as Parameters<typeof tf.customGrad>[0]);
  return f(x) as tf.Tensor4D;
}
