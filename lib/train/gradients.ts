/**
 * One train-mode forward and backward pass: the loss L = L_MSE + μ·L_SSIM of a batch
 * ({@link reconstructionLoss}), its gradient ∂L/∂p for every trainable parameter p (by reverse
 * mode through {@link trainForward}; upstream `loss.backward()`), and the new BN running
 * statistics. Everything comes back as host arrays keyed by upstream name; no tensor outlives
 * the call.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { AuifParams } from '../model/params.js';
import type { BatchNormUpdate } from '../nn/batchnorm.js';
import type { OperatorImpl } from '../unrolling/operator.js';
import { trainForward, type BatchNormUpdates } from './forward.js';
import { DEFAULT_MU, reconstructionLoss } from './loss.js';
import { trainableParams } from './parameters.js';
import { nativeEngine, nativeEntries } from '../kernels/native.js';
import { nativeLossAndGradients } from './native_step.js';

/** Result of {@link lossAndGradients}. */
export interface LossAndGradients {
  loss: number;
  mse: number;
  ssim: number;
  /** ∂L/∂p by upstream key (e.g. `base.conv1.0.kernel`), PyTorch layout. */
  grads: Map<string, Float32Array>;
  /** New BN running statistics by upstream key (`….running_mean`, `….running_var`). */
  buffers: Map<string, Float32Array>;
  /** Î as NCHW = NHWC data (one channel), when `keepRecon`. */
  recon?: Float32Array;
}

export interface GradientOptions {
  /** Weight μ of the SSIM term (default 5). */
  mu?: number;
  /** Formulation of the layer operator (default: the library's). */
  operator?: OperatorImpl;
  /** Also return Î. */
  keepRecon?: boolean;
  /**
   * Who computes the pass: 'native' — the whole forward and backward in the native addon
   * (lib/train/native_step.ts); 'graph' — tfjs's reverse mode through {@link trainForward} (with
   * the chosen `operator`; GPU backends, and the reference); 'auto' (default) — 'native' where the
   * operator is 'fast' or 'native', the addon is built and (for 'fast') the backend is a CPU one.
   */
  engine?: GradientEngine;
}

/** See {@link GradientOptions.engine}. */
export type GradientEngine = 'auto' | 'native' | 'graph';

/** The addon entry points of the native step if `opts` selects it (see {@link GradientOptions.engine}). */
export function nativeStepKernels(opts: Pick<GradientOptions, 'engine' | 'operator'> = {}) {
  const engine = opts.engine ?? 'auto';
  if (engine === 'graph') return null;
  const op = opts.operator ?? 'fast';
  if (engine === 'auto' && op !== 'fast' && op !== 'native') return null;
  if (!nativeEngine(engine === 'native' || op === 'native')) return null;
  const k = nativeEntries('trainStep', 'setThreads', 'correlateReflect');
  if (!k && engine === 'native') throw new Error('the native training step is unavailable: the loaded addon has no trainStep (rebuild it: `npm run build:native`)');
  return k;
}

/** The upstream key prefix of each BN of the model, and the update computed for it. */
function bnEntries(bn: BatchNormUpdates): [string, BatchNormUpdate][] {
  return [
    ...bn.base.map((u, i): [string, BatchNormUpdate] => [`base.conv1.${i}.rest.0.`, u]),
    ...bn.detail.map((u, i): [string, BatchNormUpdate] => [`detail.conv2.${i}.rest.0.`, u]),
    ['decoder.decoder.2.', bn.decoder],
  ];
}

/**
 * L, ∂L/∂p and the BN updates for batch `I` (NHWC [n, h, w, 1], values in [0, 1]) at `params`.
 * @param opts.mu weight of the SSIM term (upstream 5)
 */
export function lossAndGradients(I: tf.Tensor4D, params: AuifParams, opts: GradientOptions = {}): LossAndGradients {
  const mu = opts.mu ?? DEFAULT_MU;
  const nk = nativeStepKernels(opts);
  if (nk) return nativeLossAndGradients(I, params, nk, { mu, keepRecon: opts.keepRecon });
  const trainables = trainableParams(params);
  let kept: tf.Tensor[] = [];
  let terms: { mse: tf.Scalar; ssim: tf.Scalar; recon?: tf.Tensor; bn: [string, BatchNormUpdate][] } | undefined;
  const f = () => {
    const fw = trainForward(I, params, { operator: opts.operator });
    const l = reconstructionLoss(I, fw.recon, mu);
    const bn = bnEntries(fw.bn);
    kept = [l.mse, l.ssim, ...bn.flatMap(([, u]) => [u.runningMean, u.runningVar]), ...(opts.keepRecon ? [fw.recon] : [])];
    kept.forEach((t) => tf.keep(t));
    terms = { mse: l.mse, ssim: l.ssim, recon: opts.keepRecon ? fw.recon : undefined, bn };
    return l.loss;
  };
  const { value, grads } = tf.valueAndGrads(f)(trainables.map((p) => p.tensor));
  try {
    const t = terms!;
    const out: LossAndGradients = {
      loss: value.dataSync()[0],
      mse: t.mse.dataSync()[0],
      ssim: t.ssim.dataSync()[0],
      grads: new Map(trainables.map((p, i) => [p.key, Float32Array.from(grads[i].dataSync() as Float32Array)])),
      buffers: new Map(t.bn.flatMap(([prefix, u]): [string, Float32Array][] => [
        [prefix + 'running_mean', Float32Array.from(u.runningMean.dataSync() as Float32Array)],
        [prefix + 'running_var', Float32Array.from(u.runningVar.dataSync() as Float32Array)],
      ])),
    };
    if (t.recon) out.recon = Float32Array.from(t.recon.dataSync() as Float32Array);
    return out;
  } finally {
    tf.dispose([value, ...grads, ...kept]);
  }
}
