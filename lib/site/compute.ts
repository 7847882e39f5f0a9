/**
 * What the teaching page computes (issue 19), independent of the DOM so that Node can run it too:
 * the AUIF test phase on a grey IR/VIS pair with the tfjs formulation of the layers (the native
 * addon is Node-only), keeping every iterate,
 *
 *   Bᵏ⁺¹ = Bᵏ − ηₖ(PReLU(BN(K̃ₖ∗(Kₖ∗Bᵏ))) − θₖ(I − Bᵏ)),  B⁰ = box₁₁ ⋆ I   (likewise Dᵏ, D⁰ = lap₁₉ ⋆ I)
 *   F = decoder(rule(B¹⁰_ir, B¹⁰_vis), rule(D¹⁰_ir, D¹⁰_vis))
 *
 * (AUIF Sec. III, Fig. 1c; lib/model/auif.ts `fuseTensors`, whose body this is with the
 * intermediate maps kept), and beside them the classic fixed-filter solver's iterates from the same
 * x⁰ (lib/unrolling/classic.ts). F is what `fuse()` gives (test/site/site.test.ts: ≤ 1 grey level).
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkPair, decompose, toTensor } from '../model/auif.js';
import { decoder } from '../model/decoder.js';
import type { AuifParams } from '../model/params.js';
import { fuseMaps, type FusionMode } from '../fusion/rules.js';
import { classicSolve } from '../unrolling/classic.js';
import { ImageError, type GreyImage } from '../io/image.js';
import type { Image8 } from '../io/colour_image.js';
import { AUIF_INFO } from '../methods/auif_info.js';
import type { Fuser } from '../methods/types.js';

/** Iterates x⁰ … xᴺ of one encoder for the IR and the VIS image (row-major planes). */
export interface IteratePlanes { ir: Float32Array[]; vis: Float32Array[] }

export interface PageResult {
  width: number;
  height: number;
  /** F in [0, 1]. */
  fused: Float32Array;
  learned: { B: IteratePlanes; D: IteratePlanes };
  classic: { B: IteratePlanes; D: IteratePlanes };
  /** The learned ηₖ, θₖ of each encoder, k = 0 … N−1. */
  steps: { base: { eta: number[]; theta: number[] }; detail: { eta: number[]; theta: number[] } };
}

/**
 * Largest image (pixels) the page accepts: it keeps 4 × 2 × 11 iterate planes (learned and
 * classic, B and D, IR and VIS, k = 0 … 10) of float32 besides the tensors of one pass, ~400 B per
 * pixel; 2 M pixels (e.g. 1920×1080) is ~0.8 GB.
 */
export const MAX_PIXELS = 2_000_000;

/** Refuses a pair that is unequal, too small, or too large for the page (one line naming the files or the size). */
export function checkPagePair(ir: { width: number; height: number }, vis: { width: number; height: number }, maxPixels = MAX_PIXELS, maxSide = Infinity,
  names = { ir: 'IR image', vis: 'VIS image' }): void {
  checkPair(ir, vis, names);
  const n = ir.width * ir.height;
  if (n > maxPixels) throw new ImageError(`the images are ${ir.width}×${ir.height} = ${n} pixels; this page handles at most ${maxPixels} pixels on this device (crop or downscale the pair, or use \`npx auif fuse\`)`);
  if (ir.width > maxSide || ir.height > maxSide) throw new ImageError(`the images are ${ir.width}×${ir.height}; this device's GPU textures hold at most ${maxSide} pixels per side (crop the pair, or reload with ?backend=wasm)`);
}

const planes = async (t: tf.Tensor4D[]): Promise<IteratePlanes> => {
  const ir: Float32Array[] = [];
  const vis: Float32Array[] = [];
  for (const x of t) {
    const d = (await x.data()) as Float32Array;
    const size = d.length / 2;
    ir.push(d.slice(0, size));
    vis.push(d.slice(size));
  }
  return { ir, vis };
};

/**
 * Fuses a pair and collects everything the page shows. `onProgress(fraction, what)` is called
 * between stages (the caller may repaint there).
 */
export async function computePage(ir: GreyImage, vis: GreyImage, params: AuifParams, mode: FusionMode = 'sum',
  onProgress: (fraction: number, what: string) => void | Promise<void> = () => {}): Promise<PageResult> {
  checkPair(ir, vis);
  const { width, height } = ir;
  const I = tf.concat([toTensor(ir), toTensor(vis)], 0) as tf.Tensor4D;
  try {
    await onProgress(0.05, 'unrolled encoders (learned)');
    const { B, D, Bsteps, Dsteps } = decompose(I, params, { keepIntermediate: true, operator: 'tfjs' });
    const F = tf.tidy(() => {
      const [Bir, Bvis] = tf.split(B, 2, 0) as tf.Tensor4D[];
      const [Dir, Dvis] = tf.split(D, 2, 0) as tf.Tensor4D[];
      return decoder(fuseMaps(Bir, Bvis, mode), fuseMaps(Dir, Dvis, mode), params.decoder);
    });
    const fused = Float32Array.from((await F.data()) as Float32Array);
    F.dispose();
    const learned = { B: await planes(Bsteps!), D: await planes(Dsteps!) };
    tf.dispose([...Bsteps!, ...Dsteps!]);
    await onProgress(0.6, 'classic solver');
    const classicOf = async (kind: 'base' | 'detail'): Promise<IteratePlanes> => {
      const out: IteratePlanes = { ir: [], vis: [] };
      const last = classicSolve(I, kind, {}, (_k, x) => {
        const d = x.dataSync() as Float32Array; // x is disposed after the call
        const size = d.length / 2;
        out.ir.push(d.slice(0, size));
        out.vis.push(d.slice(size));
      });
      last.dispose();
      return out;
    };
    const classic = { B: await classicOf('base'), D: await classicOf('detail') };
    await onProgress(0.95, 'drawing');
    const one = (t: tf.Tensor) => (t.dataSync() as Float32Array)[0];
    const steps = {
      base: { eta: params.base.layers.map((l) => one(l.eta)), theta: params.base.layers.map((l) => one(l.theta)) },
      detail: { eta: params.detail.layers.map((l) => one(l.eta)), theta: params.detail.layers.map((l) => one(l.theta)) },
    };
    return { width, height, fused, learned, classic, steps };
  } finally {
    I.dispose();
  }
}

/** A {@link Fuser} over {@link computePage}, remembering the last run's {@link PageResult} (all the page shows). */
export interface PageFuser extends Fuser { last?: PageResult }

/**
 * AUIF as the page computes it, behind the method interface (lib/methods/types.ts), so that the
 * page's colour path is the library's own: `fuseColour(pageFuser(params), ir, vis)`
 * (lib/fusion/colour.ts: Y_F = rint(255 · F(IR/255, Y/255)), F_rgb = RGB(Y_F, Cb, Cr), PIL-exact YCbCr).
 */
export function pageFuser(params: AuifParams, mode: FusionMode = 'sum',
  onProgress?: (fraction: number, what: string) => void | Promise<void>): PageFuser {
  const f: PageFuser = {
    info: AUIF_INFO,
    async fuse(ir, vis) {
      const r = await computePage(ir, vis, params, mode, onProgress);
      f.last = r;
      return { F: { width: r.width, height: r.height, data: r.fused } };
    },
    dispose() { f.last = undefined; },
  };
  return f;
}

/**
 * An 8-bit image (lib/io/colour_image.ts `Image8`) from decoded pixels with `stride` bytes per
 * pixel (3: RGB, 4: RGBA as a canvas returns them): one channel when R = G = B everywhere (a grey
 * image decoded to RGB), else interleaved RGB. With RGBA, any pixel whose alpha is not 255 is
 * refused with one line naming `name` (transparency has no meaning for fusion).
 */
export function image8FromPixels(width: number, height: number, px: Uint8Array | Uint8ClampedArray, stride: 3 | 4, name: string, kind = 'image'): Image8 {
  const n = width * height;
  if (px.length !== stride * n) throw new ImageError(`${name}: ${px.length} decoded values for ${width}×${height} pixels (expected ${stride * n})`, name);
  let grey = true;
  for (let i = 0, o = 0; i < n; i++, o += stride) {
    if (stride === 4 && px[o + 3] !== 255) {
      // the words of the Node reader (lib/io/decode_image.ts)
      throw new ImageError(`${name}: ${kind} with an alpha channel that is not opaque (pixel (${i % width}, ${Math.floor(i / width)}) has alpha ${px[o + 3]}); remove the alpha channel first (transparency has no meaning for fusion)`, name);
    }
    if (px[o] !== px[o + 1] || px[o] !== px[o + 2]) grey = false;
  }
  const data = new Uint8Array(grey ? n : 3 * n);
  for (let i = 0, o = 0; i < n; i++, o += stride) {
    if (grey) data[i] = px[o];
    else { data[3 * i] = px[o]; data[3 * i + 1] = px[o + 1]; data[3 * i + 2] = px[o + 2]; }
  }
  return { width, height, channels: grey ? 1 : 3, data };
}

/** The 1 − q quantile of |x| over several planes (the half-width of a signed map's fixed scale). */
export function absQuantile(maps: Float32Array[], q = 0.002): number {
  const step = Math.max(1, Math.floor(maps.reduce((s, m) => s + m.length, 0) / 400_000)); // subsample large sets
  const vals: number[] = [];
  for (const m of maps) for (let i = 0; i < m.length; i += step) vals.push(Math.abs(m[i]));
  vals.sort((a, b) => a - b);
  const v = vals[Math.min(vals.length - 1, Math.floor((1 - q) * vals.length))] ?? 0;
  return v > 0 ? v : 1e-6;
}
