/**
 * Image I/O as the upstream code sees images: grey, 8-bit, scaled to [0, 1] in float32.
 *
 * - Reading: JPEG/PNG/WebP/TIFF through sharp (libvips), BMP through lib/io/bmp.ts, all behind
 *   one gate (lib/io/decode_image.ts: format by content, pixel limit, 8 bits only). Colour is reduced to luminance exactly as PIL's `convert('L')` (ITU-R 601-2 luma with
 *   PIL's fixed-point rounding): L = (19595·R + 38470·G + 7471·B + 2¹⁵) >> 16.
 * - Scaling: x = float32(v) / 255 (numpy `np.array(img, dtype='float32') / 255`).
 * - Writing: v = clip(rint(255·x), 0, 255) with round-half-to-even (numpy `rint`, as
 *   scikit-image's `img_as_ubyte` used by the authors' `imsave`), 8-bit grey PNG, written to a
 *   temporary name and renamed so no half-written file ever has the final name.
 */
import path from 'node:path';
import sharp from 'sharp';
import { decodeImageFile } from './decode_image.js';
import { writeFileAtomic as atomicWrite } from './atomic.js';
import { ImageError } from './image_error.js';

/** A grey image, row-major, values in [0, 1] (float32), `data.length === width * height`. */
export interface GreyImage { width: number; height: number; data: Float32Array }
/** An 8-bit grey image, row-major. */
export interface Grey8Image { width: number; height: number; data: Uint8Array }

export { ImageError };

/** PIL 'L' conversion of one RGB pixel: (19595 R + 38470 G + 7471 B + 0x8000) >> 16. */
export function luma601(r: number, g: number, b: number): number {
  return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
}

/**
 * Reads an image file as 8-bit grey: PIL `Image.open(f).convert('L')` — a grey file as it is,
 * RGB through {@link luma601}. Decoding and what is refused (SVG and other non-raster formats,
 * images over the pixel limit, 16-bit, CMYK, transparency): {@link decodeImageFile}.
 */
export async function readGrey8(file: string): Promise<Grey8Image> {
  const img = await decodeImageFile(file);
  const n = img.width * img.height;
  if (img.channels === 1) return { width: img.width, height: img.height, data: img.data };
  const out = new Uint8Array(n);
  for (let i = 0, o = 0; i < n; i++, o += 3) out[i] = luma601(img.data[o], img.data[o + 1], img.data[o + 2]);
  return { width: img.width, height: img.height, data: out };
}

/** Reads an image file as grey float32 in [0, 1]: x = L / 255. */
export async function readGrey(file: string): Promise<GreyImage> {
  const g = await readGrey8(file);
  return { width: g.width, height: g.height, data: u8ToUnit(g.data) };
}

/** x = float32(v) / 255 for each 8-bit value v. */
export function u8ToUnit(v: Uint8Array): Float32Array {
  const lut = new Float32Array(256);
  for (let i = 0; i < 256; i++) lut[i] = Math.fround(i / 255);
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = lut[v[i]];
  return out;
}

/** Round half to even (numpy `rint`). */
export function rintHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** v = clip(rint(float32(255·x)), 0, 255): the 8-bit image the authors' `imsave` writes. */
export function unitToU8(x: Float32Array): Uint8Array {
  const out = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (Number.isNaN(v)) throw new ImageError(`pixel ${i} is NaN`);
    const r = rintHalfEven(Math.fround(255 * v));
    out[i] = r < 0 ? 0 : r > 255 ? 255 : r;
  }
  return out;
}

/** Writes `bytes` to `file` atomically (lib/io/atomic.ts: temporary sibling, fsync, rename). */
export async function writeFileAtomic(file: string, bytes: Uint8Array | Buffer): Promise<void> {
  try {
    await atomicWrite(file, bytes);
  } catch (e) {
    throw new ImageError(`cannot write ${file}: ${(e as Error).message}`, file);
  }
}

/**
 * Encodes an 8-bit grey image as PNG bytes: a one-channel (colour type 0) 8-bit PNG. (Without
 * `toColourspace('b-w')` sharp would write the single band as three equal RGB channels.)
 */
export async function encodeGreyPng(img: Grey8Image): Promise<Buffer> {
  return sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), {
    raw: { width: img.width, height: img.height, channels: 1 },
  }).toColourspace('b-w').png({ compressionLevel: 6 }).toBuffer();
}

/**
 * Refuses an output name that does not end in `.png` (any case): the writers write PNG only —
 * lossless, so the fused values are what a metric later reads — and never PNG bytes under a
 * `.jpg` (or any other) name.
 */
export function requirePngName(file: string): void {
  if (path.extname(file).toLowerCase() === '.png') return;
  const ext = path.extname(file);
  throw new ImageError(`${file}: ${ext ? `'${ext}' output is not written` : 'an output name without an extension is refused'}; `
    + 'fused images are written as PNG only (lossless, so the written values are the fused ones): give a .png name', file);
}

/** Writes a [0, 1] grey image as an 8-bit grey PNG (see {@link unitToU8}), atomically; `file` must end in .png. */
export async function writeGreyPng(file: string, img: GreyImage): Promise<void> {
  requirePngName(file);
  if (img.data.length !== img.width * img.height) {
    throw new ImageError(`cannot write ${file}: ${img.data.length} values for a ${img.width}×${img.height} image`, file);
  }
  await writeFileAtomic(file, await encodeGreyPng({ width: img.width, height: img.height, data: unitToU8(img.data) }));
}

/**
 * The image as it reads back after being saved as a baseline grey JPEG of quality `quality`
 * (libjpeg's standard quantisation tables scaled by the quality; sharp / libjpeg-turbo):
 *
 *   F̃ = decode(encode_q(unitToU8(F))) / 255.
 *
 * Why it is here: the DenseFuse and DeepFuse numbers that the AUIF and DIDFuse tables print for
 * FLIR are reproduced from our fused images after this round trip at quality 75, PIL's default
 * (and so that of `scipy.misc.imsave` for a `.jpg` name; the FLIR inputs are `.jpg`). Without the
 * round trip they are not: SF is 0.85 and AG 0.37 lower. The package itself always writes PNG;
 * this only models how those printed rows were made (test/methods/printed_flir.test.ts).
 */
export async function jpegRoundTrip(img: GreyImage, quality = 75): Promise<GreyImage> {
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) throw new ImageError(`JPEG quality must be an integer from 1 to 100 (got ${quality})`);
  if (img.data.length !== img.width * img.height) throw new ImageError(`cannot encode ${img.data.length} values as a ${img.width}×${img.height} image`);
  const u8 = unitToU8(img.data);
  const jpg = await sharp(Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength), { raw: { width: img.width, height: img.height, channels: 1 } })
    .toColourspace('b-w').jpeg({ quality }).toBuffer();
  const { data, info } = await sharp(jpg).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 1 || info.width !== img.width || info.height !== img.height) {
    throw new ImageError(`JPEG round trip gave ${info.width}×${info.height}×${info.channels}, expected ${img.width}×${img.height}×1`);
  }
  return { width: img.width, height: img.height, data: u8ToUnit(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)) };
}
