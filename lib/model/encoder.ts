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
import { nativeEngine, operatorCoefficients, type NativeKernels } from '../kernels/native.js';
import type { UnrolledLayerParams } from './params.js';
import { batchNormEvalCoefficients } from '../nn/batchnorm.js';

/** x⁰ of an encoder: `init ⋆ I`, by default the box blur (base) or the Laplacian (detail) of I. */
export function initialEstimate(I: tf.Tensor4D, kind: EncoderKind, init?: Float32Array): tf.Tensor4D {
  return filter2D(I, init ?? (kind === 'base' ? boxKernel() : laplacianKernel()));
}

/**
 * Runs an encoder in eval mode; returns xᴺ, and x⁰…xᴺ when `keepIntermediate`. On CPU backends
 * with the native kernels this is a forward computation only (no gradient tape): differentiate
 * through `trainForward` (lib/train/forward.ts) or pass `operator: 'tfjs'`.
 */
export function encode(I: tf.Tensor4D, params: EncoderParams, opts: { keepIntermediate?: boolean; operator?: OperatorImpl } = {}): { out: tf.Tensor4D; steps?: tf.Tensor4D[] } {
  const impl = opts.operator ?? 'fast';
  const nk = impl === 'fast' || impl === 'native' ? nativeEngine(impl === 'native') : null;
  if (nk) return encodeNative(nk, I, params, !!opts.keepIntermediate);
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

/**
 * The eval-mode layer as the native kernel's coefficients: w and M of Kₖ, and
 * [a_BN, b_BN, α_PReLU, ηₖ, θₖ] (see {@link batchNormEvalCoefficients}). Cached per K tensor
 * (tfjs tensors are immutable).
 */
const layerCache = new WeakMap<tf.Tensor, { w5: Float64Array; M: Float64Array; coef: Float32Array; of: UnrolledLayerParams }>();
export function layerCoefficients(layer: UnrolledLayerParams): { w5: Float64Array; M: Float64Array; coef: Float32Array } {
  const hit = layerCache.get(layer.K);
  if (hit && hit.of === layer) return hit;
  const one = (t: tf.Tensor) => (t.dataSync() as Float32Array)[0];
  const { a, b } = batchNormEvalCoefficients(layer.bn);
  const entry = { ...operatorCoefficients(layer.K.dataSync() as Float32Array), coef: Float32Array.of(a, b, one(layer.alpha), one(layer.eta), one(layer.theta)), of: layer };
  layerCache.set(layer.K, entry);
  return entry;
}

/**
 * {@link encode} on the native kernels, on raw planes (n × h × w, row-major): one pass of the
 * encoder's line-buffer pipeline (native/fuse_kernels.cc `encodeAuif`, the arithmetic of fuse()),
 * or with an addon from an older checkout one threaded pass per layer. Returns [xᴺ], or
 * [x⁰ … xᴺ] when `keep`.
 */
export function encodePlanes(nk: NativeKernels, src: Float32Array, n: number, h: number, w: number, params: EncoderParams, keep = false): Float32Array[] {
  const kernel = params.init ?? (params.kind === 'base' ? boxKernel() : laplacianKernel());
  if (typeof nk.encodeAuif === 'function') {
    const L = params.layers.length;
    const layers = new Float64Array(L * 106);
    const lc = new Float32Array(L * 5);
    params.layers.forEach((layer, i) => { const c = layerCoefficients(layer); layers.set(c.w5, i * 106); layers.set(c.M, i * 106 + 25); lc.set(c.coef.subarray(0, 5), i * 5); });
    const out = new Float32Array((keep ? L + 1 : 1) * src.length);
    nk.encodeAuif(src, n, h, w, layers, lc, L, kernel, keep ? 1 : 0, out);
    return keep ? Array.from({ length: L + 1 }, (_, l) => out.subarray(l * src.length, (l + 1) * src.length)) : [out];
  }
  return encodePlanesPerLayer(nk, src, n, h, w, params, kernel, keep);
}

/** {@link encodePlanes} as one `layerEval` call per layer (float64 5×5 sums; addons without `encodeAuif`). */
export function encodePlanesPerLayer(nk: NativeKernels, src: Float32Array, n: number, h: number, w: number, params: EncoderParams, kernel: Float32Array, keep = false): Float32Array[] {
  let x = new Float32Array(src.length);
  nk.correlateReflect(src, n, h, w, kernel, Math.round(Math.sqrt(kernel.length)), x);
  const planes = [x];
  let spare: Float32Array | null = null;
  for (const layer of params.layers) {
    const { w5, M, coef } = layerCoefficients(layer);
    const next: Float32Array = spare ?? new Float32Array(src.length);
    nk.layerEval(x, n, h, w, w5, M, src, coef, next);
    if (keep) planes.push(next); else spare = x;
    x = next;
  }
  return keep ? planes : [x];
}

function encodeNative(nk: NativeKernels, I: tf.Tensor4D, params: EncoderParams, keep: boolean): { out: tf.Tensor4D; steps?: tf.Tensor4D[] } {
  const [n, h, w, ch] = I.shape;
  if (ch !== 1) throw new Error(`encode: expected one channel, got ${ch}`);
  const shape: [number, number, number, number] = [n, h, w, 1];
  const planes = encodePlanes(nk, I.dataSync() as Float32Array, n, h, w, params, keep);
  if (!keep) return { out: tf.tensor4d(planes[0], shape) };
  const steps = planes.map((p) => tf.tensor4d(p, shape));
  return { out: steps[steps.length - 1], steps };
}
