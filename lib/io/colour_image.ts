/**
 * 8-bit images that keep their colour: one channel (grey) or three (RGB, interleaved), as
 * MATLAB's `imread` and PIL's `Image.open(f).convert('RGB')` see them — for the colour fusion
 * path (lib/fusion/colour.ts) and VIFB's colour metrics.
 *
 * Reading refuses, with one line naming the file, what neither path can use faithfully: an alpha
 * channel, more than 8 bits per sample (16-bit PNG/TIFF), and CMYK (e.g. Adobe CMYK JPEG).
 * A palettised BMP whose palette is grey, and any RGB file whose pixels all have R = G = B, are
 * grey in content; {@link isGreyContent} says so (the file's channel count is kept, because VIFB's
 * metrics depend on it).
 */
import fs from 'node:fs';
import sharp from 'sharp';
import { decodeBmp } from './bmp.js';
import { ImageError, luma601, writeFileAtomic, type Grey8Image } from './image.js';

/** An 8-bit image, row-major; `channels === 3`: interleaved R, G, B. */
export interface Image8 { width: number; height: number; channels: 1 | 3; data: Uint8Array }

function channelsOfBmp(rgb: Uint8Array): { channels: 1 | 3; data: Uint8Array } {
  const n = rgb.length / 3;
  for (let i = 0; i < n; i++) {
    const o = 3 * i;
    if (rgb[o] !== rgb[o + 1] || rgb[o] !== rgb[o + 2]) return { channels: 3, data: rgb };
  }
  const g = new Uint8Array(n);
  for (let i = 0; i < n; i++) g[i] = rgb[3 * i];
  return { channels: 1, data: g };
}

/**
 * Reads an image file as 8-bit grey (1 channel) or RGB (3 channels) without changing any value.
 * BMP (through {@link decodeBmp}) is grey when every pixel has R = G = B (TNO's palettised grey
 * BMPs), else RGB. Throws an {@link ImageError} naming the file for unreadable files, alpha,
 * 16-bit samples and CMYK.
 */
export async function readImage8(file: string): Promise<Image8> {
  let bytes: Buffer;
  try {
    bytes = await fs.promises.readFile(file);
  } catch (e) {
    throw new ImageError(`cannot read image ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, file);
  }
  if (bytes.length >= 2 && bytes[0] === 0x42 && bytes[1] === 0x4d) {
    try {
      const { width, height, rgb } = decodeBmp(bytes, file);
      return { width, height, ...channelsOfBmp(rgb) };
    } catch (e) {
      throw new ImageError((e as Error).message, file);
    }
  }
  let meta: sharp.Metadata;
  try {
    meta = await sharp(bytes, { failOn: 'error' }).metadata();
  } catch (e) {
    throw new ImageError(`${file}: not a readable image (${(e as Error).message})`, file);
  }
  const kind = `${meta.format ?? 'image'}`.toUpperCase();
  if (meta.space === 'cmyk' || meta.channels === 4 && !meta.hasAlpha) {
    throw new ImageError(`${file}: ${kind} in CMYK; convert it to RGB or grey first (fusion needs grey or RGB input)`, file);
  }
  if (meta.hasAlpha) {
    throw new ImageError(`${file}: ${kind} with an alpha channel (${meta.channels} channels); remove the alpha channel first (transparency has no meaning for fusion)`, file);
  }
  if (meta.depth && meta.depth !== 'uchar' && meta.depth !== 'char') {
    const bits = meta.depth === 'ushort' || meta.depth === 'short' ? '16-bit' : `${meta.depth}-sample`;
    throw new ImageError(`${file}: ${bits} ${kind}; only 8-bit images are read (convert it to 8 bits first)`, file);
  }
  try {
    // sharp's raw output turns a one-band image into three equal bands; take the band itself
    const img = sharp(bytes, { failOn: 'error' });
    if (meta.channels === 1) img.extractChannel(0);
    const { data, info } = await img.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    const n = info.width * info.height;
    if (info.channels === 1) return { width: info.width, height: info.height, channels: 1, data: new Uint8Array(data.buffer, data.byteOffset, n) };
    if (info.channels !== 3) throw new Error(`${info.channels} channels`);
    return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data.buffer, data.byteOffset, 3 * n) };
  } catch (e) {
    throw new ImageError(`${file}: not a readable image (${(e as Error).message})`, file);
  }
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

/** Writes an 8-bit grey or RGB image as PNG, atomically (temporary name, then rename). */
export async function writeImagePng(file: string, img: Image8): Promise<void> {
  await writeFileAtomic(file, await encodePng(img));
}
