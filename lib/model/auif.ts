/**
 * The AUIF test phase (AUIF Fig. 1c; upstream `Test_fusion`):
 *
 *   (B_ir, D_ir) = (baseEncoder(I_ir), detailEncoder(I_ir)),  likewise for I_vis
 *   F = decoder(fuse(B_ir, B_vis), fuse(D_ir, D_vis))
 *
 * and the training-phase reconstruction Î = decoder(Bᴺ, Dᴺ) of one image. IR and VIS travel
 * through each encoder together as a batch of two (eval-mode BN is per pixel, so this is exact).
 */
import * as tf from '@tensorflow/tfjs-core';
import { decoder } from './decoder.js';
import { encode } from './encoder.js';
import type { AuifParams } from './params.js';
import { fuseMaps, type FusionMode } from '../fusion/rules.js';
import { MIN_SIDE } from '../unrolling/filters.js';
import { ImageError, type GreyImage } from '../io/image.js';
import type { OperatorImpl } from '../unrolling/operator.js';
import { nativeEngine, type NativeKernels } from '../kernels/native.js';
import { encodePlanesPerLayer, layerCoefficients } from './encoder.js';
import { batchNormEvalCoefficients } from '../nn/batchnorm.js';
import { boxKernel, laplacianKernel } from '../unrolling/filters.js';
import { chooseTile, tileRects } from './tiling.js';
import { createProgress } from '../util/progress.js';

/**
 * Inference options: which exact formulation of the layer operator to use and, for the native
 * test phase, the tiling (lib/model/tiling.ts; every tiling gives the same bits).
 */
export interface InferenceOptions {
  operator?: OperatorImpl;
  /** Tile side in pixels; 0 = one pass over the whole image; default: tiles of 1024² above ~6 M pixels. */
  tile?: number;
  /** Progress bar for tiled fusion (lib/util/progress.ts); default: on when there are ≥ 16 tiles. */
  progress?: boolean;
}

/** Checks that an image is large enough for the network (the 19×19 Laplacian's reflect pad). */
export function checkSize(width: number, height: number, name = 'image'): void {
  if (width < MIN_SIDE || height < MIN_SIDE) {
    throw new ImageError(`${name} is ${width}×${height}; AUIF needs at least ${MIN_SIDE}×${MIN_SIDE} pixels (the 19×19 Laplacian reflect-pads by 9)`, name);
  }
}

/** Checks an IR/VIS pair: same size, each large enough. */
export function checkPair(ir: { width: number; height: number }, vis: { width: number; height: number }, names = { ir: 'IR image', vis: 'VIS image' }): void {
  if (ir.width !== vis.width || ir.height !== vis.height) {
    throw new ImageError(`IR and VIS sizes differ: ${names.ir} is ${ir.width}×${ir.height}, ${names.vis} is ${vis.width}×${vis.height} (AUIF fuses registered pairs of equal size; nothing is resized)`);
  }
  checkSize(ir.width, ir.height, names.ir);
  checkSize(vis.width, vis.height, names.vis);
}

/** A grey image as an NHWC tensor [1, h, w, 1]. */
export function toTensor(img: GreyImage): tf.Tensor4D {
  return tf.tensor4d(img.data, [1, img.height, img.width, 1]);
}

/** Feature maps of a batch of images: Bᴺ, Dᴺ (and all Bᵏ, Dᵏ when asked). */
export function decompose(I: tf.Tensor4D, params: AuifParams, opts: { keepIntermediate?: boolean } & InferenceOptions = {}) {
  const base = encode(I, params.base, opts);
  const detail = encode(I, params.detail, opts);
  return { B: base.out, D: detail.out, Bsteps: base.steps, Dsteps: detail.steps };
}

/** Î = decoder(Bᴺ, Dᴺ): the training-phase reconstruction, eval mode. */
export function reconstruct(I: tf.Tensor4D, params: AuifParams, opts: InferenceOptions = {}): tf.Tensor4D {
  return tf.tidy(() => {
    const { B, D } = decompose(I, params, opts);
    return decoder(B, D, params.decoder);
  });
}

/** F = decoder(fuse(B_ir, B_vis), fuse(D_ir, D_vis)) for [1, h, w, 1] tensors in [0, 1]. */
export function fuseTensors(ir: tf.Tensor4D, vis: tf.Tensor4D, params: AuifParams, mode: FusionMode = 'sum', opts: InferenceOptions = {}): tf.Tensor4D {
  return tf.tidy(() => {
    const { B, D } = decompose(tf.concat([ir, vis], 0), params, opts);
    const [Bir, Bvis] = tf.split(B, 2, 0) as tf.Tensor4D[];
    const [Dir, Dvis] = tf.split(D, 2, 0) as tf.Tensor4D[];
    return decoder(fuseMaps(Bir, Bvis, mode), fuseMaps(Dir, Dvis, mode), params.decoder);
  });
}

/** Fuses a registered IR/VIS pair of grey images (values in [0, 1]); returns F in [0, 1]. */
export async function fuse(ir: GreyImage, vis: GreyImage, params: AuifParams, mode: FusionMode = 'sum', opts: InferenceOptions = {}): Promise<GreyImage> {
  checkPair(ir, vis);
  const impl = opts.operator ?? 'fast';
  const nk = impl === 'fast' || impl === 'native' ? nativeEngine(impl === 'native') : null;
  // The native test phase covers the sum and average rules; the l1 rule runs through tfjs.
  if (nk && mode !== 'l1') {
    const data = typeof nk.fuseAuif === 'function'
      ? await fuseTiled(nk, ir.data, vis.data, ir.height, ir.width, params, mode, opts)
      : fusePlanesPerLayer(nk, ir.data, vis.data, ir.height, ir.width, params, mode);
    return { width: ir.width, height: ir.height, data };
  }
  const F = tf.tidy(() => fuseTensors(toTensor(ir), toTensor(vis), params, mode, opts));
  try {
    return { width: ir.width, height: ir.height, data: (await F.data()) as Float32Array };
  } finally {
    F.dispose();
  }
}

/** The native test phase's packed parameters (see native/fuse_kernels.cc `fuseAuif`), cached per params. */
const packed = new WeakMap<AuifParams, { layers: Float64Array; lc: Float32Array; Lb: number; Ld: number; baseInit: Float32Array; detailInit: Float32Array; decW: Float32Array; decCoef: Float32Array }>();
function packParams(params: AuifParams) {
  const hit = packed.get(params);
  if (hit) return hit;
  const all = [...params.base.layers, ...params.detail.layers].map(layerCoefficients);
  const layers = new Float64Array(all.length * 106);
  const lc = new Float32Array(all.length * 5);
  all.forEach((c, i) => { layers.set(c.w5, i * 106); layers.set(c.M, i * 106 + 25); lc.set(c.coef.subarray(0, 5), i * 5); });
  const { a, b } = batchNormEvalCoefficients(params.decoder.bn);
  const entry = {
    layers, lc, Lb: params.base.layers.length, Ld: params.detail.layers.length,
    baseInit: params.base.init ?? boxKernel(), detailInit: params.detail.init ?? laplacianKernel(),
    decW: params.decoder.W.dataSync() as Float32Array, decCoef: Float32Array.of(a, b),
  };
  packed.set(params, entry);
  return entry;
}

/**
 * The test phase F = σ(BN(W ∗ pad(rule(B_ir, B_vis) + rule(D_ir, D_vis)))) in one native pass per
 * tile (native/fuse_kernels.cc: x⁰, the ten layers of the four encoders as line-buffer pipelines,
 * the rule and the decoder), over the tiles of {@link chooseTile}; memory: the inputs, F and a few
 * tile-sized planes. Bit-identical to {@link fusePlanesPerLayer} for any tiling (tested). Shows a
 * progress bar for long tiled work.
 */
export async function fuseTiled(nk: NativeKernels, ir: Float32Array, vis: Float32Array, h: number, w: number, params: AuifParams, mode: 'sum' | 'average', opts: InferenceOptions = {}): Promise<Float32Array> {
  const p = packParams(params);
  const rects = tileRects(h, w, chooseTile(h, w, opts.tile));
  const F = new Float32Array(h * w);
  const run = (rs: typeof rects) => {
    const flat = Int32Array.from(rs.flatMap((r) => [r.r0, r.r1, r.c0, r.c1]));
    nk.fuseAuif!(ir, vis, h, w, p.layers, p.lc, p.Lb, p.Ld, p.baseInit, p.detailInit, p.decW, p.decCoef, mode === 'average' ? 1 : 0, flat, F);
  };
  if (rects.length === 1) { run(rects); return F; }
  const batch = Math.max(1, nk.setThreads(-1));
  const bar = (opts.progress ?? rects.length >= 16) ? createProgress(`fuse ${w}×${h}`, rects.length, 'tiles') : null;
  try {
    for (let i = 0; i < rects.length; i += batch) {
      run(rects.slice(i, i + batch));
      bar?.tick(Math.min(batch, rects.length - i));
      if (bar) await new Promise((r) => setImmediate(r)); // let the bar redraw
    }
  } finally {
    bar?.stop();
  }
  return F;
}

/**
 * The test phase on the native kernels, one call per layer with float64 5×5 sums (the per-layer
 * reference {@link fuseTiled} is tested against): the sum/average rules in float32 (fl(y₁ + y₂), fl(fl(y₁ + y₂)/2)) and the decoder's
 * σ(BN(W ∗ pad(B + D))) in one pass. Same values as {@link fuseTensors}.
 */
export function fusePlanesPerLayer(nk: NativeKernels, ir: Float32Array, vis: Float32Array, h: number, w: number, params: AuifParams, mode: 'sum' | 'average'): Float32Array {
  const size = h * w;
  const I = new Float32Array(2 * size);
  I.set(ir, 0);
  I.set(vis, size);
  const merge = (y: Float32Array) => {
    const out = new Float32Array(size);
    for (let i = 0; i < size; i++) out[i] = mode === 'sum' ? y[i] + y[size + i] : Math.fround(y[i] + y[size + i]) / 2;
    return out;
  };
  const B = merge(encodePlanesPerLayer(nk, I, 2, h, w, params.base, params.base.init ?? boxKernel())[0]);
  const D = merge(encodePlanesPerLayer(nk, I, 2, h, w, params.detail, params.detail.init ?? laplacianKernel())[0]);
  const { a, b } = batchNormEvalCoefficients(params.decoder.bn);
  const F = new Float32Array(size);
  nk.decoderEval(B, D, 1, h, w, params.decoder.W.dataSync() as Float32Array, Float32Array.of(a, b), F);
  return F;
}
