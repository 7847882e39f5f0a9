/**
 * Input checks shared by the ported baselines: a registered pair of equal size, each side at
 * least the method's smallest legal size, values finite. One clear message naming the method and
 * the sizes (the CLI adds the file names).
 */
import { ImageError, type GreyImage } from '../io/image.js';
import { checkPairFor, type MethodInfo } from './types.js';

/**
 * {@link checkPairFor} (equal sizes, each side ≥ `info.minSide`) plus the plane lengths: one
 * {@link ImageError} naming the method and the sizes.
 */
export function checkMethodPair(info: MethodInfo, ir: GreyImage, vis: GreyImage, names = { ir: 'IR image', vis: 'VIS image' }): void {
  checkPairFor(info, ir, vis, names);
  for (const [img, name] of [[ir, names.ir], [vis, names.vis]] as const) {
    if (img.data.length !== img.width * img.height) {
      throw new ImageError(`${name}: ${img.data.length} values for a ${img.width}×${img.height} image`);
    }
  }
}

/** The 8-bit values v = rint(255·x) of a [0, 1] image read by `readGrey` (exact: x = v/255). */
export function toBytes(img: GreyImage): Float64Array {
  const out = new Float64Array(img.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(img.data[i] * 255);
  return out;
}

/** MATLAB `uint8(x)`: round half away from zero, saturate to 0..255, NaN → 0. */
export function matlabUint8(x: number): number {
  if (Number.isNaN(x)) return 0;
  const r = x < 0 ? -Math.round(-x) : Math.round(x);
  return r < 0 ? 0 : r > 255 ? 255 : r;
}

/** An 8-bit result as a [0, 1] image: x = float32(v/255), so writing it (rint(255·x)) gives v back exactly. */
export function bytesToUnit(v: ArrayLike<number>, width: number, height: number): GreyImage {
  const data = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) data[i] = v[i] / 255;
  return { width, height, data };
}

/** A float plane (any range) as a {@link GreyImage} for `intermediates` maps. */
export function planeImage(p: ArrayLike<number>, width: number, height: number): GreyImage {
  return { width, height, data: Float32Array.from(p) };
}
