/**
 * Labelled grids of grey (or RGB) images as one PNG (sharp): the qualitative figure (rows of
 * IR | VIS | fused), image strips (B⁰ … B¹⁰), sample pairs of a data set.
 *
 * Layout: every image is scaled to the same cell width (aspect kept), a row is as tall as its
 * tallest cell, images are centred in their cells. Titles (figure, columns, rows, per-image
 * captions) are drawn by an SVG overlay rendered by sharp (librsvg, system fonts).
 *
 * ```ts
 * const png = await imageGrid([[{ image: ir }, { image: vis }, { image: F }]],
 *   { columnTitles: ['IR', 'VIS', 'AUIF'], rowTitles: ['TNO 3'] });
 * await writeImageGrid('figures/qualitative-tno.png', rows, opts);
 * ```
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { writeFileAtomic, type Grey8Image, type GreyImage } from '../io/image.js';
import { toGrey8 } from './greyscale.js';
import type { Image8 } from '../io/colour_image.js';

/** An 8-bit RGB image, row-major, 3 bytes per pixel (e.g. a map on a colour scale, `colormap.ts`). */
export interface RgbImage { width: number; height: number; channels: 3; data: Uint8Array }

/**
 * One cell: an 8-bit grey image, an RGB image, or a float image in [0, 1] (shown as rint(255·x));
 * `null` = empty. A grid with any RGB cell is an RGB PNG, else a grey one.
 */
export type GridImage = { image: Grey8Image | GreyImage | RgbImage | Image8; caption?: string } | null;

export interface GridOptions {
  /**
   * RGB figures only: quantise to a 256-colour palette (default true — right for maps on a colour
   * scale, 2–3× smaller); `false` keeps full colour (photographs, e.g. colour fusion results).
   */
  palette?: boolean;
  /** Figure title, above everything. */
  title?: string;
  /** One title above each column. */
  columnTitles?: string[];
  /** One title left of each row. */
  rowTitles?: string[];
  /** Width every image is scaled to, px (default: the narrowest image's width, at most 360). */
  cellWidth?: number;
  /** Space between cells and around the grid, px (default 8). */
  gap?: number;
  /** Font size of titles, px (default 18; captions are 0.8×). */
  fontSize?: number;
  /** Resampling kernel (default 'lanczos3'; 'nearest' shows pixels of small maps as blocks). */
  kernel?: keyof sharp.KernelEnum;
  /** Background grey level 0…255 (default 255, white); text is black on light, white on dark. */
  background?: number;
}

/** Error about a grid's shape or an image in it; names the cell. */
export class GridError extends Error {
  constructor(message: string) { super(message); this.name = 'GridError'; }
}

const FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif";

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Approximate width of `s` in px at `size` (DejaVu Sans averages ~0.6 em per character). */
function textWidth(s: string, size: number): number {
  return Math.ceil(s.length * size * 0.62);
}

interface Raw8 { width: number; height: number; channels: 1 | 3; data: Uint8Array }

function as8(img: Grey8Image | GreyImage | RgbImage | Image8, where: string): Raw8 {
  const channels = 'channels' in img && img.channels === 3 ? 3 : 1;
  if (img.data.length !== img.width * img.height * channels) {
    throw new GridError(`imageGrid: ${where} has ${img.data.length} values for ${img.width}×${img.height}${channels === 3 ? '×3' : ''}`);
  }
  if (channels === 3) return img as RgbImage;
  const g = img.data instanceof Uint8Array ? (img as Grey8Image) : toGrey8(img as GreyImage, { lo: 0, hi: 1 });
  return { width: g.width, height: g.height, channels: 1, data: g.data };
}

/**
 * Composes `rows` of images into one grey PNG (see the module comment).
 * @param rows rows of cells; rows may differ in length (missing cells stay empty).
 * @returns PNG bytes (8-bit grey).
 */
export async function imageGrid(rows: GridImage[][], opts: GridOptions = {}): Promise<Buffer> {
  if (rows.length === 0 || rows.every((r) => r.every((c) => c === null))) throw new GridError('imageGrid: no images');
  const nCols = Math.max(...rows.map((r) => r.length), opts.columnTitles?.length ?? 0);
  if (opts.rowTitles && opts.rowTitles.length !== rows.length) {
    throw new GridError(`imageGrid: ${opts.rowTitles.length} row titles for ${rows.length} rows`);
  }
  const gap = opts.gap ?? 8;
  const font = opts.fontSize ?? 18;
  const capFont = Math.round(font * 0.8);
  const bg = opts.background ?? 255;
  const ink = bg >= 128 ? 'black' : 'white';
  const imgs = rows.map((r, i) => r.map((c, j) => (c ? as8(c.image, `row ${i + 1}, column ${j + 1}`) : null)));
  const all = imgs.flat().filter((g): g is Raw8 => g !== null);
  const colour = all.some((g) => g.channels === 3);
  const cellW = opts.cellWidth ?? Math.min(360, ...all.map((g) => g.width));
  if (!(cellW >= 1)) throw new GridError(`imageGrid: cellWidth must be ≥ 1, got ${cellW}`);
  const scaledH = (g: Raw8) => Math.max(1, Math.round((g.height * cellW) / g.width));
  const hasCaption = rows.map((r) => r.some((c) => c?.caption));
  const rowH = imgs.map((r, i) => Math.max(0, ...r.map((g) => (g ? scaledH(g) : 0))) + (hasCaption[i] ? Math.round(capFont * 1.5) : 0));

  const titleH = opts.title ? Math.round(font * 1.8) : 0;
  const colTitleH = opts.columnTitles?.length ? Math.round(font * 1.6) : 0;
  const leftW = opts.rowTitles?.length ? Math.max(...opts.rowTitles.map((t) => textWidth(t, font))) + gap : 0;
  const width = leftW + gap + nCols * (cellW + gap);
  const height = titleH + colTitleH + gap + rowH.reduce((s, h) => s + h + gap, 0);

  const composites: sharp.OverlayOptions[] = [];
  const svg: string[] = [];
  const text = (x: number, y: number, s: string, size: number, anchor: 'start' | 'middle' | 'end', weight = 'normal') =>
    svg.push(`<text x="${x}" y="${y}" font-family="${FONT}" font-size="${size}" font-weight="${weight}" fill="${ink}" text-anchor="${anchor}" dominant-baseline="middle">${escapeXml(s)}</text>`);

  if (opts.title) text(width / 2, titleH / 2 + gap / 2, opts.title, Math.round(font * 1.15), 'middle', 'bold');
  opts.columnTitles?.forEach((t, j) => text(leftW + gap + j * (cellW + gap) + cellW / 2, titleH + colTitleH / 2 + gap / 2, t, font, 'middle', 'bold'));
  let y = titleH + colTitleH + gap;
  for (let i = 0; i < imgs.length; i++) {
    const imgH = rowH[i] - (hasCaption[i] ? Math.round(capFont * 1.5) : 0);
    if (opts.rowTitles) text(leftW, y + imgH / 2, opts.rowTitles[i], font, 'end');
    for (let j = 0; j < imgs[i].length; j++) {
      const g = imgs[i][j];
      const x = leftW + gap + j * (cellW + gap);
      if (g) {
        const h = scaledH(g);
        const input = await sharp(Buffer.from(g.data.buffer, g.data.byteOffset, g.data.byteLength), { raw: { width: g.width, height: g.height, channels: g.channels } })
          .resize(cellW, h, { fit: 'fill', kernel: opts.kernel ?? 'lanczos3' })
          .png().toBuffer();
        composites.push({ input, left: x, top: y + Math.floor((imgH - h) / 2) });
      }
      const cap = rows[i][j]?.caption;
      if (cap) text(x + cellW / 2, y + imgH + Math.round(capFont * 0.8), cap, capFont, 'middle');
    }
    y += rowH[i] + gap;
  }
  if (svg.length) {
    composites.push({ input: Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${svg.join('')}</svg>`), left: 0, top: 0 });
  }
  const { data: rgba, info } = await sharp({ create: { width, height, channels: 3, background: { r: bg, g: bg, b: bg } } })
    .composite(composites)
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (colour) {
    // A 256-colour palette (no dithering): a colour-scaled map is a few hundred colours at most,
    // and a full-colour PNG of noisy maps is 2–3× larger (over 1 MB for the detail strips).
    const rgb = sharp(rgba, { raw: { width: info.width, height: info.height, channels: info.channels } }).removeAlpha();
    return (opts.palette === false ? rgb.png({ compressionLevel: 9 }) : rgb.png({ palette: true, colours: 256, dither: 0, compressionLevel: 9 })).toBuffer();
  }
  // Everything drawn is grey: keep one channel (composite leaves RGBA).
  return sharp(rgba, { raw: { width: info.width, height: info.height, channels: info.channels } })
    .extractChannel(0)
    .toColourspace('b-w')
    .png({ compressionLevel: 9 })
    .toBuffer();
}

/** One row of images with a caption under each, e.g. B⁰ … B¹⁰. */
export async function imageStrip(images: (Grey8Image | GreyImage | RgbImage)[], captions: string[] = [], opts: GridOptions = {}): Promise<Buffer> {
  return imageGrid([images.map((image, i) => ({ image, caption: captions[i] }))], opts);
}

/** Writes PNG bytes to `file` atomically, creating its folder. */
export async function writePng(file: string, png: Uint8Array): Promise<void> {
  await fs.promises.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await writeFileAtomic(file, png);
}

/** {@link imageGrid}, written to `file` (atomically); returns the PNG bytes. */
export async function writeImageGrid(file: string, rows: GridImage[][], opts: GridOptions = {}): Promise<Buffer> {
  const png = await imageGrid(rows, opts);
  await writePng(file, png);
  return png;
}
