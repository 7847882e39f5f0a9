/**
 * The training augmentation of upstream `train.py`:
 *
 *   transforms.Compose([RandomResizedCrop(128), Grayscale(1), ToTensor()])
 *
 * on images that torchvision's `ImageFolder` loads as PIL `RGB` (so a grey JPEG becomes three equal
 * planes, and a colour one is cropped and resized per channel before the grey conversion):
 *
 * 1. {@link randomResizedCropParams} — torchvision's `RandomResizedCrop.get_params`: up to 10
 *    tries of area fraction s ~ U(0.08, 1) and aspect r = exp(U(ln ¾, ln ⁴⁄₃)),
 *    w = round(√(s·A·r)), h = round(√(s·A/r)) (Python's round, half to even), accepted when
 *    0 < w ≤ W and 0 < h ≤ H, then the corner uniformly; otherwise the central-crop fallback
 *    (the whole image clamped to the ratio range).
 * 2. {@link resizeBilinear} — PIL's `Image.resize(size, BILINEAR)` of the crop (Pillow
 *    `ImagingResample`: a separable triangle filter whose support grows with the reduction factor
 *    (antialiasing), horizontal pass then vertical pass, 8-bit fixed-point coefficients with 22
 *    fractional bits and rounding after each pass), reproduced integer for integer.
 * 3. PIL `convert('L')`: L = (19595 R + 38470 G + 7471 B + 2¹⁵) >> 16; then `ToTensor`: L/255.
 *
 * Residual difference to upstream: only the random numbers (torch's generator is not
 * reproduced; the float32 rounding of its uniform samples is). The arithmetic of the crop box,
 * the resize and the grey conversion is PIL's exactly (checked against Pillow in
 * test/train/augment.test.ts).
 */
import { luma601, rintHalfEven, u8ToUnit } from '../io/image.js';
import type { Rng } from './rng.js';

/** An 8-bit image, interleaved channels (1 = grey, 3 = RGB), row-major. */
export interface Image8 { width: number; height: number; channels: 1 | 3; data: Uint8Array }

/** A crop box: top row, left column, height, width (torchvision's `i, j, h, w`). */
export interface CropBox { top: number; left: number; height: number; width: number }

/** `RandomResizedCrop` defaults. */
export const CROP_SCALE: readonly [number, number] = [0.08, 1.0];
export const CROP_RATIO: readonly [number, number] = [3 / 4, 4 / 3];
/** Tries before the central-crop fallback. */
export const CROP_TRIES = 10;

const f32 = Math.fround;

/**
 * torchvision `RandomResizedCrop.get_params(img, scale, ratio)` for a W×H image.
 * Random draws: per try, the area fraction (float32 uniform), the log-ratio (float32 uniform,
 * exp in float32), and on success the top row then the left column (uniform integers).
 */
export function randomResizedCropParams(rng: Rng, width: number, height: number, scale: readonly [number, number] = CROP_SCALE, ratio: readonly [number, number] = CROP_RATIO): CropBox {
  if (!(width >= 1 && height >= 1)) throw new RangeError(`randomResizedCropParams: image is ${width}×${height}`);
  const area = height * width;
  const logRatio = [f32(Math.log(f32(ratio[0]))), f32(Math.log(f32(ratio[1])))]; // torch.log(torch.tensor(ratio))
  for (let attempt = 0; attempt < CROP_TRIES; attempt++) {
    const targetArea = area * rng.uniformF32(scale[0], scale[1]);
    const aspectRatio = f32(Math.exp(rng.uniformF32(logRatio[0], logRatio[1])));
    const w = rintHalfEven(Math.sqrt(targetArea * aspectRatio));
    const h = rintHalfEven(Math.sqrt(targetArea / aspectRatio));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      const top = rng.int(0, height - h + 1);
      const left = rng.int(0, width - w + 1);
      return { top, left, height: h, width: w };
    }
  }
  return centralCrop(width, height, ratio);
}

/** The fallback of `get_params`: the largest central crop whose aspect lies in the ratio range. */
export function centralCrop(width: number, height: number, ratio: readonly [number, number] = CROP_RATIO): CropBox {
  const inRatio = width / height;
  const rmin = Math.min(ratio[0], ratio[1]);
  const rmax = Math.max(ratio[0], ratio[1]);
  let w: number;
  let h: number;
  if (inRatio < rmin) {
    w = width;
    h = rintHalfEven(w / rmin);
  } else if (inRatio > rmax) {
    h = height;
    w = rintHalfEven(h * rmax);
  } else {
    w = width;
    h = height;
  }
  return { top: Math.floor((height - h) / 2), left: Math.floor((width - w) / 2), height: h, width: w };
}

/** PIL's fixed-point precision of 8-bit resampling: 32 − 8 − 2 bits. */
const PRECISION_BITS = 22;

/**
 * Pillow `precompute_coeffs` for the bilinear (triangle) filter, support 1 scaled by the
 * reduction factor, then `normalize_coeffs_8bpc`: for each output index, the first input index,
 * the number of taps and the integer coefficients.
 */
function bilinearCoeffs(inSize: number, outSize: number): { bounds: Int32Array; ksize: number; kk: Int32Array } {
  const scale = inSize / outSize; // (in1 − in0) / outSize with the box (0, inSize)
  const filterscale = Math.max(scale, 1);
  const support = 1 * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const kk = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const ss = 1 / filterscale;
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const t = Math.abs((x + xmin - center + 0.5) * ss);
      const w = t < 1 ? 1 - t : 0;
      k[x] = w;
      ww += w;
    }
    for (let x = 0; x < xmax; x++) {
      const v = ww !== 0 ? k[x] / ww : k[x];
      kk[xx * ksize + x] = v < 0 ? Math.trunc(-0.5 + v * (1 << PRECISION_BITS)) : Math.trunc(0.5 + v * (1 << PRECISION_BITS));
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { bounds, ksize, kk };
}

/** clip8(ss) = clamp(ss >> 22, 0, 255) (Pillow's lookup table). */
function clip8(ss: number): number {
  const v = ss >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/**
 * PIL `Image.resize((outW, outH), Image.BILINEAR)` of one 8-bit plane (W×H, row-major):
 * Pillow's `ImagingResampleInner` — horizontal pass over the rows the vertical pass needs, then
 * the vertical pass, each with rounding to 8 bits; a pass is skipped where that axis keeps its size.
 */
export function resizeBilinear(src: Uint8Array, width: number, height: number, outW: number, outH: number): Uint8Array {
  if (src.length !== width * height) throw new RangeError(`resizeBilinear: ${src.length} values for a ${width}×${height} plane`);
  if (!(outW >= 1 && outH >= 1)) throw new RangeError(`resizeBilinear: output size ${outW}×${outH}`);
  const needH = outW !== width;
  const needV = outH !== height;
  const vert = bilinearCoeffs(height, outH);
  const yFirst = vert.bounds[0];
  const yLast = vert.bounds[outH * 2 - 2] + vert.bounds[outH * 2 - 1];
  let img = src;
  let w = width;
  let vOffset = 0; // first source row held by `img`
  if (needH) {
    const hor = bilinearCoeffs(width, outW);
    const rows = yLast - yFirst;
    const tmp = new Uint8Array(outW * rows);
    for (let yy = 0; yy < rows; yy++) {
      const row = (yy + yFirst) * width;
      for (let xx = 0; xx < outW; xx++) {
        const xmin = hor.bounds[xx * 2];
        const xmax = hor.bounds[xx * 2 + 1];
        const o = xx * hor.ksize;
        let ss = 1 << (PRECISION_BITS - 1);
        for (let x = 0; x < xmax; x++) ss += src[row + x + xmin] * hor.kk[o + x];
        tmp[yy * outW + xx] = clip8(ss);
      }
    }
    img = tmp;
    w = outW;
    vOffset = yFirst;
  }
  if (!needV) return img === src ? Uint8Array.from(src) : img;
  const out = new Uint8Array(w * outH);
  for (let yy = 0; yy < outH; yy++) {
    const ymin = vert.bounds[yy * 2] - vOffset;
    const ymax = vert.bounds[yy * 2 + 1];
    const o = yy * vert.ksize;
    for (let xx = 0; xx < w; xx++) {
      let ss = 1 << (PRECISION_BITS - 1);
      for (let y = 0; y < ymax; y++) ss += img[(y + ymin) * w + xx] * vert.kk[o + y];
      out[yy * w + xx] = clip8(ss);
    }
  }
  return out;
}

/** The `c`-th channel of a crop box of an interleaved image, as a plane. */
function cropPlane(img: Image8, box: CropBox, c: number): Uint8Array {
  const out = new Uint8Array(box.width * box.height);
  for (let y = 0; y < box.height; y++) {
    const src = ((box.top + y) * img.width + box.left) * img.channels + c;
    for (let x = 0; x < box.width; x++) out[y * box.width + x] = img.data[src + x * img.channels];
  }
  return out;
}

/**
 * torchvision `resized_crop(img, i, j, h, w, (size, size), BILINEAR)` then `Grayscale(1)` on a
 * PIL RGB image: each channel cropped and resized with {@link resizeBilinear}, then PIL's luma.
 * A grey image stands for three equal planes (its luma is the plane itself).
 */
export function resizedCropGrey(img: Image8, box: CropBox, outW: number, outH = outW): Uint8Array {
  if (box.top < 0 || box.left < 0 || box.width < 1 || box.height < 1 || box.top + box.height > img.height || box.left + box.width > img.width) {
    throw new RangeError(`resizedCropGrey: crop box ${JSON.stringify(box)} outside the ${img.width}×${img.height} image`);
  }
  const planes = Array.from({ length: img.channels }, (_, c) => resizeBilinear(cropPlane(img, box, c), box.width, box.height, outW, outH));
  if (img.channels === 1) return planes[0];
  const [r, g, b] = planes;
  const out = new Uint8Array(outW * outH);
  for (let i = 0; i < out.length; i++) out[i] = luma601(r[i], g[i], b[i]);
  return out;
}

/**
 * One training sample: `RandomResizedCrop(size)` + `Grayscale(1)` + `ToTensor()` of an image;
 * returns size×size values in [0, 1] (float32(L)/255), row-major.
 */
export function randomResizedCropSample(rng: Rng, img: Image8, size: number): Float32Array {
  const box = randomResizedCropParams(rng, img.width, img.height);
  return u8ToUnit(resizedCropGrey(img, box, size));
}
