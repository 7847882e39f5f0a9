/**
 * Float maps → displayable 8-bit grey images, for figures.
 *
 * A map x (an image in [0, 1], or a feature map Bᵏ, Dᵏ of any range) is shown as
 *
 *   v = clip(round(255 · (x − lo) / (hi − lo)), 0, 255)
 *
 * with one display range [lo, hi] for a whole series of maps, so that maps of one strip (B⁰…B¹⁰)
 * are comparable. The range is one of:
 * - `'unit'`: [0, 1] (source and fused images, exactly as the authors' `imsave`: rint(255·x));
 * - `'minmax'`: [min, max] over the series (after clipping the `clip` fraction of extremes);
 * - `'symmetric'`: [−m, m] with m = max |x| (after clipping), so 0 is mid-grey — for detail maps;
 * - `{ lo, hi }`: given.
 */
import * as tf from '@tensorflow/tfjs-core';
import { unitToU8, type Grey8Image, type GreyImage } from '../io/image.js';

export type DisplayRange = 'unit' | 'minmax' | 'symmetric' | { lo: number; hi: number };

export interface ScaleOptions {
  /** How [lo, hi] is chosen (default `'minmax'`). */
  range?: DisplayRange;
  /**
   * Fraction of the most extreme values ignored when the range is taken from the data
   * (`'minmax'`: at each end; `'symmetric'`: of |x|), e.g. 0.005 — so a few outliers do not
   * wash out the contrast. Default 0.
   */
  clip?: number;
}

/** The `q`-quantile (0…1) of `values`, on a strided sample of at most `maxSamples` values. */
export function quantile(values: ArrayLike<number>[], q: number, maxSamples = 1 << 20): number {
  const total = values.reduce((s, v) => s + v.length, 0);
  if (total === 0) throw new Error('quantile: no values');
  const stride = Math.max(1, Math.ceil(total / maxSamples));
  const sample = new Float64Array(Math.ceil(total / stride) + values.length);
  let n = 0;
  for (const v of values) for (let i = 0; i < v.length; i += stride) sample[n++] = v[i];
  const s = sample.subarray(0, n).sort();
  const pos = Math.min(n - 1, Math.max(0, q * (n - 1)));
  const i = Math.floor(pos);
  return i + 1 < n ? s[i] + (pos - i) * (s[i + 1] - s[i]) : s[i];
}

/** The display range [lo, hi] of a series of maps (see the module comment). */
export function displayRange(maps: ArrayLike<number>[], opts: ScaleOptions = {}): { lo: number; hi: number } {
  const range = opts.range ?? 'minmax';
  const clip = opts.clip ?? 0;
  if (!(clip >= 0 && clip < 0.5)) throw new Error(`displayRange: clip must be in [0, 0.5), got ${clip}`);
  if (typeof range === 'object') {
    if (!(range.hi > range.lo)) throw new Error(`displayRange: hi (${range.hi}) must exceed lo (${range.lo})`);
    return range;
  }
  if (range === 'unit') return { lo: 0, hi: 1 };
  let lo: number;
  let hi: number;
  if (range === 'symmetric') {
    const m = clip > 0 ? quantile(maps.map((v) => Float64Array.from(v, Math.abs)), 1 - clip) : maxAbs(maps);
    lo = -m;
    hi = m;
  } else if (clip > 0) {
    lo = quantile(maps, clip);
    hi = quantile(maps, 1 - clip);
  } else {
    lo = Infinity;
    hi = -Infinity;
    for (const v of maps) for (let i = 0; i < v.length; i++) { if (v[i] < lo) lo = v[i]; if (v[i] > hi) hi = v[i]; }
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new Error('displayRange: maps hold no finite value');
  if (hi <= lo) { hi = lo + 1e-6; } // a constant map shows as black
  return { lo, hi };
}

function maxAbs(maps: ArrayLike<number>[]): number {
  let m = 0;
  for (const v of maps) for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
  return m;
}

/** One map as 8 bits with the given range: v = clip(round(255 (x − lo)/(hi − lo)), 0, 255). */
export function toGrey8(img: GreyImage, range: { lo: number; hi: number }): Grey8Image {
  if (img.data.length !== img.width * img.height) {
    throw new Error(`toGrey8: ${img.data.length} values for a ${img.width}×${img.height} image`);
  }
  if (range.lo === 0 && range.hi === 1) return { width: img.width, height: img.height, data: unitToU8(img.data) };
  const s = 255 / (range.hi - range.lo);
  const out = new Uint8Array(img.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = Math.round((img.data[i] - range.lo) * s);
    out[i] = v < 0 ? 0 : v > 255 ? 255 : v; // NaN → 0
  }
  return { width: img.width, height: img.height, data: out };
}

/**
 * A series of maps as 8-bit images: with one shared display range (default), or, with
 * `perMap`, each map stretched to its own range (for maps whose range drifts, like the learned
 * Bᵏ, Dᵏ). Returns the range of each image too.
 */
export function scaleMaps(maps: GreyImage[], opts: ScaleOptions & { perMap?: boolean } = {}): { images: Grey8Image[]; ranges: { lo: number; hi: number }[] } {
  if (opts.perMap) {
    const ranges = maps.map((m) => displayRange([m.data], opts));
    return { images: maps.map((m, i) => toGrey8(m, ranges[i])), ranges };
  }
  const range = displayRange(maps.map((m) => m.data), opts);
  return { images: maps.map((m) => toGrey8(m, range)), ranges: maps.map(() => range) };
}

/** Image `index` of an NHWC one-channel batch [n, h, w, 1] as a float grey image (a copy). */
export function tensorToGrey(t: tf.Tensor, index = 0): GreyImage {
  if (t.rank !== 4 || t.shape[3] !== 1) throw new Error(`tensorToGrey: expected an NHWC tensor [n, h, w, 1], got [${t.shape.join(', ')}]`);
  const [n, h, w] = t.shape as [number, number, number, number];
  if (!(index >= 0 && index < n)) throw new Error(`tensorToGrey: index ${index} outside a batch of ${n}`);
  const all = t.dataSync() as Float32Array;
  return { width: w, height: h, data: all.slice(index * h * w, (index + 1) * h * w) };
}
