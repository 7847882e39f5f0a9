/**
 * The one gate every image reader of the package passes (`readGrey8`/`readGrey` in image.ts,
 * `readImage8` in colour_image.ts, the training images in train/data.ts): an image file decoded
 * to 8-bit grey or RGB samples without changing any value, or refused with one line that names
 * the file and what is not supported. Everything is decided from the header, before any pixel is
 * decoded:
 *
 * - **Format, by content** (never by the file name): BMP (signature "BM", lib/io/bmp.ts), and
 *   PNG, JPEG, TIFF, WebP through sharp. SVG is refused (a vector format: sharp would rasterise it
 *   at a size of its own choosing), as is every other format sharp may know (GIF, HEIF, PDF, …).
 * - **Pixel limit** (a decompression-bomb guard, as PIL's `Image.MAX_IMAGE_PIXELS`): an image whose
 *   header declares more than {@link maxPixels} pixels (width·height) is refused before decoding.
 *   The default is the point where PIL raises `DecompressionBombError`:
 *   2 · MAX_IMAGE_PIXELS = 2 · ⌊2³⁰ / 4 / 3⌋ = 178 956 970 pixels (≈ 13 377²; the bench's
 *   10000×10000 pair is 10⁸). Overridable by `AUIF_MAX_PIXELS=N` or the CLI's `--max-pixels N`
 *   (0: no limit).
 * - **8 bits per sample only**: 16-bit PNG/TIFF are refused — PIL's `convert('L')` clips a
 *   16-bit grey value above 255 to 255 (Pillow Convert.c, `I16_L`), sharp would divide by 257:
 *   neither is the image, so neither is done silently.
 * - **CMYK** is refused (PIL's and libvips' CMYK → RGB differ).
 * - **Alpha**: accepted only when every pixel is opaque (alpha 255: dropping the channel loses
 *   nothing); a transparent pixel is refused, naming it — transparency has no meaning for fusion.
 */
import fs from 'node:fs';
import sharp from 'sharp';
import { bmpHeaderSize, decodeBmp } from './bmp.js';
import { ImageError } from './image_error.js';

/** An 8-bit image, row-major; `channels === 3`: interleaved R, G, B. */
export interface Image8 { width: number; height: number; channels: 1 | 3; data: Uint8Array }

/** PIL's `Image.MAX_IMAGE_PIXELS` = int(1024 · 1024 · 1024 // 4 // 3) (warning threshold). */
export const PIL_MAX_IMAGE_PIXELS = 89_478_485;
/** The default pixel limit: 2 · PIL_MAX_IMAGE_PIXELS, where PIL raises DecompressionBombError. */
export const DEFAULT_MAX_PIXELS = 2 * PIL_MAX_IMAGE_PIXELS;
/** The environment variable that overrides the pixel limit (0: no limit). */
export const MAX_PIXELS_ENV = 'AUIF_MAX_PIXELS';
/** The formats read through sharp (its format name → the name in messages); BMP is read by lib/io/bmp.ts. */
const SHARP_FORMATS: Readonly<Record<string, string>> = { png: 'PNG', jpeg: 'JPEG', tiff: 'TIFF', webp: 'WebP' };
const READ_HERE = 'PNG, JPEG, BMP, TIFF, WebP';

let limitOverride: number | undefined;

/** A pixel limit given as text (`--max-pixels`, AUIF_MAX_PIXELS): a decimal integer ≥ 0; `source` names where it came from. */
export function parseMaxPixels(text: string, source: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) throw new ImageError(`${source} must be a whole number of pixels (0: no limit), got '${text}'`);
  return n;
}

/** Sets the pixel limit for this process (the CLI's `--max-pixels`); undefined: back to AUIF_MAX_PIXELS or the default. */
export function setMaxPixels(n: number | undefined): void {
  if (n !== undefined && !(Number.isSafeInteger(n) && n >= 0)) throw new RangeError(`setMaxPixels: a whole number ≥ 0 is needed, got ${n}`);
  limitOverride = n;
}

/** The pixel limit in force: {@link setMaxPixels}, else AUIF_MAX_PIXELS, else {@link DEFAULT_MAX_PIXELS}; 0 = none. */
export function maxPixels(): number {
  if (limitOverride !== undefined) return limitOverride;
  const env = process.env[MAX_PIXELS_ENV];
  if (env !== undefined && env !== '') return parseMaxPixels(env, MAX_PIXELS_ENV);
  return DEFAULT_MAX_PIXELS;
}

/** Refuses an image whose header declares width·height > {@link maxPixels} (`kind`: e.g. "PNG"). */
export function checkPixelLimit(file: string, kind: string, width: number, height: number): void {
  let limit: number;
  try {
    limit = maxPixels();
  } catch (e) {
    throw new ImageError(`${(e as Error).message} (reading ${file})`, file);
  }
  const pixels = BigInt(Math.max(0, width)) * BigInt(Math.max(0, height));
  if (limit === 0 || pixels <= BigInt(limit)) return;
  throw new ImageError(`${file}: the ${kind} header declares ${width}×${height} = ${pixels} pixels, over the limit of ${limit} `
    + `(a decompression-bomb guard, as PIL's); if the file is trusted, raise it with --max-pixels N or ${MAX_PIXELS_ENV}=N (0: no limit)`, file);
}

/** The bytes of an image file (`what` names it in the message, e.g. "training image"). */
export async function readImageBytes(file: string, what = 'image'): Promise<Buffer> {
  try {
    return await fs.promises.readFile(file);
  } catch (e) {
    throw new ImageError(`cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, file);
  }
}

/** R = G = B at every pixel of interleaved RGB → one plane, else the RGB itself. */
function compactGrey(rgb: Uint8Array, n: number): { channels: 1 | 3; data: Uint8Array } {
  for (let i = 0, o = 0; i < n; i++, o += 3) if (rgb[o] !== rgb[o + 1] || rgb[o] !== rgb[o + 2]) return { channels: 3, data: rgb };
  const g = new Uint8Array(n);
  for (let i = 0; i < n; i++) g[i] = rgb[3 * i];
  return { channels: 1, data: g };
}

function refuseTransparent(file: string, kind: string, x: number, y: number, alpha: number): never {
  throw new ImageError(`${file}: ${kind} with an alpha channel that is not opaque (pixel (${x}, ${y}) has alpha ${alpha}); `
    + 'remove the alpha channel first (transparency has no meaning for fusion)', file);
}

/**
 * Decodes an image file (its `bytes`, or read from `file`) to 8-bit samples, exactly (see the
 * module comment for what is refused). BMP: one channel when every pixel has R = G = B (TNO's
 * palettised grey BMPs), else RGB. Other formats: the file's own channel count, 1 or 3 (an
 * opaque alpha channel dropped).
 * @throws ImageError naming the file
 */
export async function decodeImageFile(file: string, bytes?: Buffer): Promise<Image8> {
  const b = bytes ?? await readImageBytes(file);
  if (b.length >= 2 && b[0] === 0x42 && b[1] === 0x4d) {
    const size = bmpHeaderSize(b);
    if (size) checkPixelLimit(file, 'BMP', size.width, size.height);
    let img: ReturnType<typeof decodeBmp>;
    try {
      img = decodeBmp(b, file);
    } catch (e) {
      throw new ImageError((e as Error).message, file);
    }
    if (img.transparent) refuseTransparent(file, 'BMP', img.transparent.x, img.transparent.y, img.transparent.alpha);
    return { width: img.width, height: img.height, ...compactGrey(img.rgb, img.width * img.height) };
  }
  let meta: sharp.Metadata;
  try {
    meta = await sharp(b, { failOn: 'error', limitInputPixels: false }).metadata();
  } catch (e) {
    throw new ImageError(`${file}: not a readable image (${(e as Error).message})`, file);
  }
  const kind = SHARP_FORMATS[meta.format ?? ''];
  if (meta.format === 'svg') {
    throw new ImageError(`${file}: SVG is a vector format, not a raster image (it would be rendered at a size of the renderer's choosing); read here: ${READ_HERE}`, file);
  }
  if (!kind) throw new ImageError(`${file}: ${String(meta.format ?? 'this format').toUpperCase()} is not read here (read: ${READ_HERE}); convert it to PNG first`, file);
  checkPixelLimit(file, kind, meta.width ?? 0, meta.height ?? 0);
  if (meta.space === 'cmyk' || (meta.channels === 4 && !meta.hasAlpha)) {
    throw new ImageError(`${file}: ${kind} in CMYK; convert it to RGB or grey first (fusion needs grey or RGB input)`, file);
  }
  if (meta.depth && meta.depth !== 'uchar' && meta.depth !== 'char') {
    const bits = meta.depth === 'ushort' || meta.depth === 'short' ? '16-bit' : `${meta.depth}-sample`;
    throw new ImageError(`${file}: ${bits} ${kind}; only 8-bit images are read (PIL's convert('L') would clip it at 255, a rescaling would change every value); convert it to 8 bits first`, file);
  }
  let data: Buffer; let info: sharp.OutputInfo;
  try {
    // sharp's raw output turns a one-band image into three equal bands; take the band itself
    const img = sharp(b, { failOn: 'error', limitInputPixels: false });
    if (meta.channels === 1) img.extractChannel(0);
    ({ data, info } = await img.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true }));
  } catch (e) {
    throw new ImageError(`${file}: not a readable image (${(e as Error).message})`, file);
  }
  const n = info.width * info.height;
  const ch = info.channels;
  if (ch === 2 || ch === 4) {
    for (let i = 0; i < n; i++) {
      const a = data[i * ch + ch - 1];
      if (a !== 255) refuseTransparent(file, kind, i % info.width, Math.floor(i / info.width), a);
    }
    const colour = ch === 4 ? 3 : 1;
    const out = new Uint8Array(n * colour);
    for (let i = 0; i < n; i++) for (let c = 0; c < colour; c++) out[i * colour + c] = data[i * ch + c];
    return { width: info.width, height: info.height, channels: colour as 1 | 3, data: out };
  }
  if (ch !== 1 && ch !== 3) throw new ImageError(`${file}: ${kind} with ${ch} channels is not read here (grey or RGB, optionally with an opaque alpha channel)`, file);
  return { width: info.width, height: info.height, channels: ch, data: new Uint8Array(data.buffer, data.byteOffset, n * ch) };
}
