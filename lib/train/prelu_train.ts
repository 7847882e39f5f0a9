/**
 * PReLU with one learned slope (He et al. 2015; `torch.nn.PReLU()`), for training:
 *
 *   g = max(0, y) + a·min(0, y),   ∂L/∂y = dy · (y > 0 ? 1 : a),   ∂L/∂a = Σ_{y ≤ 0} dy·y
 *
 * ∂L/∂a is one reduction over the whole batch (32·128² terms that largely cancel). ATen reduces it
 * with a cascade float32 sum; tfjs's `Prelu` gradient sums in plain float32 order, whose error
 * (~1e-6 absolute on the fixture batch) is as large as the tolerance of the parity test. On CPU
 * backends the sum is therefore taken on the host in float64 (then rounded to float32), which is
 * within rounding of ATen's cascade sum, in the same loop as ∂L/∂y; elsewhere tfjs's own gradient is
 * used.
 */
import * as tf from '@tensorflow/tfjs-core';
import { NATIVE_BACKENDS as HOST_BACKENDS } from '../kernels/native.js'; // the CPU backends (tensors in host memory)

/** g = PReLU_a(y) with a float64 reduction for ∂L/∂a on CPU backends; `a` has shape [1]. */
export function preluTrain(y: tf.Tensor4D, a: tf.Tensor): tf.Tensor4D {
  if (!HOST_BACKENDS.includes(tf.getBackend())) return tf.prelu(y, a as unknown as tf.Tensor4D);
  const f = tf.customGrad(((yy: tf.Tensor4D, aa: tf.Tensor, save: tf.GradSaveFunc) => {
    save([yy, aa]);
    return {
      value: tf.prelu(yy, aa as unknown as tf.Tensor4D),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [ys, as] = saved;
        const yv = ys.dataSync() as Float32Array;
        const dv = dy.dataSync() as Float32Array;
        const a = as.dataSync()[0];
        const dx = new Float32Array(yv.length); // ∂L/∂y = dy·(y > 0 ? 1 : a), float32 products as tfjs's Prelu gradient
        let da = 0;
        for (let i = 0; i < yv.length; i++) {
          if (yv[i] > 0) dx[i] = dv[i];
          else {
            dx[i] = dv[i] * a;
            da += dv[i] * yv[i];
          }
        }
        return [tf.tensor(dx, ys.shape), tf.tensor(Float32Array.of(da), as.shape)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(y, a) as tf.Tensor4D;
}
