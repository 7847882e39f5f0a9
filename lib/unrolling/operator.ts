/**
 * The linear operator of one unrolled layer, A(x) = K̃ ∗ pad₁(K ∗ pad₁(x)), with K: C filters
 * 3×3 (one channel in, C out) and K̃ = rot180(K)ᵀ (C in, one out). Two exact formulations:
 *
 * - {@link normalOperatorTwoConv}: the upstream computation, a C-channel intermediate map.
 * - {@link normalOperator} (default): away from the border, A is one 5×5 correlation with the
 *   summed autocorrelation of the filters,
 *       A(x)[q] = Σ_d w[d] · x̄[q + d],   w[d] = Σ_c Σ_a k_c[a] · k_c[a + d],   d ∈ {−2…2}²,
 *   where x̄ = pad₂(x) (reflect). This holds for every pixel except the outermost ring, where
 *   the second pad mirrors the C-channel intermediate map rather than x; the ring is computed
 *   exactly with the two-convolution form on 3-pixel-wide strips. C·9·2 multiply-adds per pixel
 *   become 25, and the C-channel map is never materialised. Gradients reach K through w.
 */
import * as tf from '@tensorflow/tfjs-core';
import { reflectPad } from './pad.js';
import { coefficientsVjp, nativeEngine, operatorCoefficients, type NativeKernels } from '../kernels/native.js';

/** Kₖ as a tfjs HWIO filter [3, 3, 1, C] and K̃ₖ as [3, 3, C, 1]. */
export function filterPair(K: tf.Tensor4D): { K: tf.Tensor4D; Ktilde: tf.Tensor4D } {
  const C = K.shape[0];
  const hwio = tf.transpose(K, [2, 3, 1, 0]) as tf.Tensor4D; // K[c,0,i,j] → [i,j,0,c]
  // K̃[0,c,i,j] = K[c,0,2−i,2−j]  →  HWIO [i,j,c,0] = hwio[2−i,2−j,0,c]
  const Ktilde = tf.reshape(tf.reverse(hwio, [0, 1]), [3, 3, C, 1]) as tf.Tensor4D;
  return { K: hwio, Ktilde };
}

/**
 * Which formulation computes A(x), all exact:
 * - 'fast' (default): the native kernels on a CPU backend when built, else 'tfjs';
 * - 'native': the 5×5 + ring form in the native addon (lib/kernels/native.ts), with its VJPs;
 * - 'tfjs': the 5×5 + ring form in tfjs ops (what GPU and libtensorflow backends run);
 * - 'twoConv': the upstream two-convolution form (the reference).
 */
export type OperatorImpl = 'fast' | 'native' | 'tfjs' | 'twoConv';

/** A(x) with the chosen formulation (see {@link OperatorImpl}). */
export function applyOperator(x: tf.Tensor4D, K: tf.Tensor4D, impl: OperatorImpl = 'fast'): tf.Tensor4D {
  if (impl === 'twoConv') return normalOperatorTwoConv(x, K);
  if (impl === 'tfjs') return normalOperator(x, K);
  const nk = nativeEngine(impl === 'native');
  return nk ? normalOperatorNative(x, K, nk) : normalOperator(x, K);
}

/**
 * A(x) by the native kernels, differentiable: the VJPs are Aᵀg for x and, for K, the chain
 * rule through w and M ({@link coefficientsVjp}) of ∂L/∂w[d] = Σ_interior g·x̄[·+d] and
 * ∂L/∂M[q][t] = Σ_ring g·x[…] — all computed by the addon in float64.
 */
export function normalOperatorNative(x: tf.Tensor4D, K: tf.Tensor4D, nk: NativeKernels): tf.Tensor4D {
  const f = tf.customGrad(((xt: tf.Tensor4D, Kt: tf.Tensor4D) => {
    const [n, h, w] = xt.shape;
    const xd = xt.dataSync() as Float32Array;
    const Kd = Kt.dataSync() as Float32Array;
    const { w5, M } = operatorCoefficients(Kd);
    const out = new Float32Array(xd.length);
    nk.operatorForward(xd, n, h, w, w5, M, out);
    return {
      value: tf.tensor4d(out, xt.shape),
      gradFunc: (dy: tf.Tensor) => {
        const g = dy.dataSync() as Float32Array;
        const dx = new Float32Array(xd.length);
        nk.operatorVjpX(g, n, h, w, w5, M, dx);
        const dw5 = new Float64Array(25);
        const dM = new Float64Array(81);
        nk.operatorVjpW(g, n, h, w, xd, dw5, dM);
        return [tf.tensor4d(dx, xt.shape), tf.tensor(coefficientsVjp(Kd, dw5, dM), Kt.shape)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x, K) as tf.Tensor4D;
}

/** A(x) = K̃ ∗ pad₁(K ∗ pad₁(x)), the upstream two-convolution form (reference path). */
export function normalOperatorTwoConv(x: tf.Tensor4D, K: tf.Tensor4D): tf.Tensor4D {
  const { K: k, Ktilde } = filterPair(K);
  const z = tf.conv2d(reflectPad(x, 1), k, 1, 'valid');
  return tf.conv2d(reflectPad(z, 1), Ktilde, 1, 'valid');
}

/** w = Σ_c k_c ⋆ k_c in float64 from the C×1×3×3 filters (row-major 5×5), rounded once to float32. */
export function autocorrelation64(K: Float32Array | Float64Array): Float32Array {
  const C = K.length / 9;
  const w = new Float64Array(25);
  for (let c = 0; c < C; c++) {
    const o = c * 9;
    for (let ai = 0; ai < 3; ai++) for (let aj = 0; aj < 3; aj++) {
      const ka = K[o + ai * 3 + aj];
      for (let bi = 0; bi < 3; bi++) for (let bj = 0; bj < 3; bj++) {
        w[(bi - ai + 2) * 5 + (bj - aj + 2)] += ka * K[o + bi * 3 + bj];
      }
    }
  }
  return Float32Array.from(w);
}

/**
 * Vector–Jacobian product of w(K): since ∂w[d]/∂k_c[b] = k_c[b + d] + k_c[b − d],
 *   ∂L/∂k_c[b] = Σ_d s[d] · k_c[b + d],   s = g + rot180(g),   g = ∂L/∂w,
 * a correlation of each zero-padded filter with s.
 */
function autocorrelationVjp(g: tf.Tensor, K: tf.Tensor): tf.Tensor {
  const C = K.shape[0];
  const s = tf.add(g, tf.reverse(g, [0, 1])) as tf.Tensor4D; // [5,5,1,1]
  const kimg = tf.pad(tf.reshape(K, [C, 3, 3, 1]), [[0, 0], [2, 2], [2, 2], [0, 0]]) as tf.Tensor4D;
  return tf.reshape(tf.conv2d(kimg, s, 1, 'valid'), [C, 1, 3, 3]);
}

/**
 * w = Σ_c k_c ⋆ k_c (full 2-D autocorrelation of each 3×3 filter, summed over the C filters),
 * as a tfjs filter [5, 5, 1, 1]; symmetric, w[d] = w[−d]. The value is summed in float64 (the
 * C·9 terms reach |w| ≈ 650 for the pretrained filters, where float32 sums lose ~1e-6
 * relative); the gradient w.r.t. K is the analytic one ({@link autocorrelationVjp}).
 */
export function autocorrelationKernel(K: tf.Tensor4D): tf.Tensor4D {
  const f = tf.customGrad(((k: tf.Tensor, save: tf.GradSaveFunc) => {
    save([k]);
    return {
      value: tf.tensor4d(autocorrelation64(k.dataSync() as Float32Array), [5, 5, 1, 1]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => autocorrelationVjp(dy, saved[0]),
    };
  }) as Parameters<typeof tf.customGrad>[0]);
  return f(K) as tf.Tensor4D;
}

/**
 * A(x) with the 5×5 kernel `w` (from {@link autocorrelationKernel}) inside and the exact
 * two-convolution form on the outer ring. Same value as {@link normalOperatorTwoConv}.
 */
export function normalOperator(x: tf.Tensor4D, K: tf.Tensor4D, w: tf.Tensor4D = autocorrelationKernel(K)): tf.Tensor4D {
  const [, h, wd] = x.shape;
  const inner = tf.conv2d(reflectPad(x, 2), w, 1, 'valid');
  const top = tf.slice(normalOperatorTwoConv(tf.slice(x, [0, 0, 0, 0], [-1, 3, -1, -1]), K), [0, 0, 0, 0], [-1, 1, -1, -1]);
  const bottom = tf.slice(normalOperatorTwoConv(tf.slice(x, [0, h - 3, 0, 0], [-1, 3, -1, -1]), K), [0, 2, 0, 0], [-1, 1, -1, -1]);
  const left = tf.slice(normalOperatorTwoConv(tf.slice(x, [0, 0, 0, 0], [-1, -1, 3, -1]), K), [0, 1, 0, 0], [-1, h - 2, 1, -1]);
  const right = tf.slice(normalOperatorTwoConv(tf.slice(x, [0, 0, wd - 3, 0], [-1, -1, 3, -1]), K), [0, 1, 2, 0], [-1, h - 2, 1, -1]);
  const middle = tf.concat([left, tf.slice(inner, [0, 1, 1, 0], [-1, h - 2, wd - 2, -1]), right], 2);
  return tf.concat([top, middle, bottom], 1) as tf.Tensor4D;
}
