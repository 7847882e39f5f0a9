/**
 * 8-bit images that keep their colour: one channel (grey) or three (RGB, interleaved), as
 * MATLAB's `imread` and PIL's `Image.open(f).convert('RGB')` see them — for the colour fusion
 * path (lib/fusion/colour.ts) and VIFB's colour metrics.
 *
 * Reading refuses, with one line naming the file, what neither path can use faithfully (the
 * same gate as every reader, lib/io/decode_image.ts): transparency, more than 8 bits per sample
 * (16-bit PNG/TIFF), CMYK (e.g. Adobe CMYK JPEG), SVG, images over the pixel limit.
 * A palettised BMP whose palette is grey, and any RGB file whose pixels all have R = G = B, are
 * grey in content; {@link isGreyContent} says so (the file's channel count is kept, because VIFB's
 * metrics depend on it).
 */
import sharp from 'sharp';
import { decodeImageFile, type Image8 } from './decode_image.js';
import { ImageError, luma601, requirePngName, writeFileAtomic, type Grey8Image } from './image.js';

export type { Image8 } from './decode_image.js';

/**
 * Reads an image file as 8-bit grey (1 channel) or RGB (3 channels) without changing any value.
 * BMP is grey when every pixel has R = G = B (TNO's palettised grey BMPs), else RGB. Throws an
 * {@link ImageError} naming the file for unreadable files, SVG and other non-raster formats,
 * images over the pixel limit, 16-bit samples, CMYK and transparency
 * ({@link decodeImageFile}, the gate every reader shares).
 */
export async function readImage8(file: string): Promise<Image8> {
  return decodeImageFile(file);
}

/** True when the image has one channel, or three with R = G = B at every pixel. */
export function isGreyContent(img: Image8): boolean {
  if (img.channels === 1) return true;
  const d = img.data;
  for (let o = 0; o < d.length; o += 3) if (d[o] !== d[o + 1] || d[o] !== d[o + 2]) return false;
  return true;
}

/**
 * The grey version of an image: itself for one channel, else PIL `convert('L')`,
 * L = (19595 R + 38470 G + 7471 B + 2¹⁵) >> 16 (which is v for a grey pixel (v, v, v)).
 */
export function luma8(img: Image8): Grey8Image {
  if (img.channels === 1) return { width: img.width, height: img.height, data: img.data };
  const n = img.width * img.height;
  const out = new Uint8Array(n);
  for (let i = 0, o = 0; i < n; i++, o += 3) out[i] = luma601(img.data[o], img.data[o + 1], img.data[o + 2]);
  return { width: img.width, height: img.height, data: out };
}

/** The channel planes of an image ([grey] or [R, G, B]), each `width·height` long. */
export function channelPlanes(img: Image8): Grey8Image[] {
  if (img.channels === 1) return [{ width: img.width, height: img.height, data: img.data }];
  const n = img.width * img.height;
  const planes = [new Uint8Array(n), new Uint8Array(n), new Uint8Array(n)];
  for (let i = 0, o = 0; i < n; i++, o += 3) {
    planes[0][i] = img.data[o];
    planes[1][i] = img.data[o + 1];
    planes[2][i] = img.data[o + 2];
  }
  return planes.map((data) => ({ width: img.width, height: img.height, data }));
}

/** Encodes an 8-bit image as PNG bytes: one channel → 8-bit grey PNG, three → 8-bit RGB PNG. */
export async function encodePng(img: Image8): Promise<Buffer> {
  if (img.data.length !== img.width * img.height * img.channels) {
    throw new ImageError(`encodePng: ${img.data.length} values for a ${img.width}×${img.height}×${img.channels} image`);
  }
  const s = sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), {
    raw: { width: img.width, height: img.height, channels: img.channels },
  });
  return (img.channels === 1 ? s.toColourspace('b-w') : s).png({ compressionLevel: 6 }).toBuffer();
}

/** Writes an 8-bit grey or RGB image as PNG, atomically (temporary name, then rename); `file` must end in .png. */
export async function writeImagePng(file: string, img: Image8): Promise<void> {
  requirePngName(file);
  await writeFileAtomic(file, await encodePng(img));
}
