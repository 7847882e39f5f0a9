/**
 * Image I/O as the upstream code sees images: grey, 8-bit, scaled to [0, 1] in float32.
 *
 * - Reading: JPEG/PNG/WebP/TIFF through sharp (libvips), BMP through {@link decodeBmp}.
 *   Colour is reduced to luminance exactly as PIL's `convert('L')` (ITU-R 601-2 luma with
 *   PIL's fixed-point rounding): L = (19595·R + 38470·G + 7471·B + 2¹⁵) >> 16.
 * - Scaling: x = float32(v) / 255 (numpy `np.array(img, dtype='float32') / 255`).
 * - Writing: v = clip(rint(255·x), 0, 255) with round-half-to-even (numpy `rint`, as
 *   scikit-image's `img_as_ubyte` used by the authors' `imsave`), 8-bit grey PNG, written to a
 *   temporary name and renamed so no half-written file ever has the final name.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { decodeBmp } from './bmp.js';
import { writeFileAtomic as atomicWrite } from './atomic.js';

/** A grey image, row-major, values in [0, 1] (float32), `data.length === width * height`. */
export interface GreyImage { width: number; height: number; data: Float32Array }
/** An 8-bit grey image, row-major. */
export interface Grey8Image { width: number; height: number; data: Uint8Array }

/** Error about an input or output image; the message names the file. */
export class ImageError extends Error {
  constructor(message: string, readonly file?: string) { super(message); this.name = 'ImageError'; }
}

/** PIL 'L' conversion of one RGB pixel: (19595 R + 38470 G + 7471 B + 0x8000) >> 16. */
export function luma601(r: number, g: number, b: number): number {
  return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
}

function rgbToGrey(src: Uint8Array | Buffer, channels: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  if (channels === 1 || channels === 2) {
    for (let i = 0; i < n; i++) out[i] = src[i * channels];
  } else {
    for (let i = 0; i < n; i++) {
      const o = i * channels;
      out[i] = luma601(src[o], src[o + 1], src[o + 2]);
    }
  }
  return out;
}

/** Reads an image file as 8-bit grey (PIL `Image.open(f).convert('L')`). */
export async function readGrey8(file: string): Promise<Grey8Image> {
  let bytes: Buffer;
  try {
    bytes = await fs.promises.readFile(file);
  } catch (e) {
    throw new ImageError(`cannot read image ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, file);
  }
  if (bytes.length >= 2 && bytes[0] === 0x42 && bytes[1] === 0x4d) {
    try {
      const { width, height, rgb } = decodeBmp(bytes, file);
      return { width, height, data: rgbToGrey(rgb, 3, width * height) };
    } catch (e) {
      throw new ImageError((e as Error).message, file);
    }
  }
  try {
    const { data, info } = await sharp(bytes, { failOn: 'error' }).raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: rgbToGrey(data, info.channels, info.width * info.height) };
  } catch (e) {
    throw new ImageError(`${file}: not a readable image (${(e as Error).message})`, file);
  }
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

/** Writes a [0, 1] grey image as an 8-bit grey PNG (see {@link unitToU8}), atomically. */
export async function writeGreyPng(file: string, img: GreyImage): Promise<void> {
  if (img.data.length !== img.width * img.height) {
    throw new ImageError(`cannot write ${file}: ${img.data.length} values for a ${img.width}×${img.height} image`, file);
  }
  await writeFileAtomic(file, await encodeGreyPng({ width: img.width, height: img.height, data: unitToU8(img.data) }));
}
