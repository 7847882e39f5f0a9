/**
 * Iterates x⁰ … xᴺ of an encoder (Bᵏ or Dᵏ) as image strips: one row per solver (e.g. the
 * classic fixed-filter iteration and the learned AUIF encoder), one column per k, each map
 * contrast-stretched on its own (their ranges drift a lot from layer to layer in the learned
 * encoder), optionally with an extra last column (e.g. the classic solver after 300 steps).
 */
import type { GreyImage } from '../io/image.js';
import { imageGrid, type GridImage, type GridOptions } from './imageGrid.js';
import { scaleMaps, type ScaleOptions } from './greyscale.js';

export interface StripRow {
  /** Row title, e.g. 'AUIF  Bᵏ'. */
  title: string;
  /** x⁰ … xᴺ. */
  maps: GreyImage[];
  /** One more map after the strip, with its caption (e.g. 'k = 300'). */
  extra?: { caption: string; map: GreyImage };
}

/**
 * The strips as one PNG. Captions are `k = 0` … `k = N`; scaling per map by default
 * (`scale: { perMap: false }` shares one range per row), ignoring the 0.2 % most extreme values.
 */
export async function stepStrips(rows: StripRow[], opts: GridOptions & { scale?: ScaleOptions & { perMap?: boolean } } = {}): Promise<Buffer> {
  const scale = { range: 'minmax' as const, clip: 0.002, perMap: true, ...opts.scale };
  const grid: GridImage[][] = rows.map((r) => {
    const maps = r.extra ? [...r.maps, r.extra.map] : r.maps;
    const { images } = scaleMaps(maps, scale);
    return images.map((image, k) => ({ image, caption: r.extra && k === r.maps.length ? r.extra.caption : `k = ${k}` }));
  });
  return imageGrid(grid, { rowTitles: rows.map((r) => r.title), cellWidth: 150, fontSize: 15, ...opts });
}
