/**
 * Iterates x⁰ … xᴺ of encoders (Bᵏ or Dᵏ) side by side, at a few chosen k: one row per solver
 * (e.g. the classic fixed-filter iteration and the learned AUIF encoder), one column per k.
 *
 * All maps of one column are drawn on the same display scale, so the solvers can be compared at
 * equal k; each map is captioned with its own value range [min, max], and the last row shows the
 * scale of each column as a bar:
 * - base maps (`signed: false`): grey, [lo, hi] = the `clip` and 1 − `clip` quantiles of the column;
 * - detail maps (`signed: true`): the diverging scale of `colormap.ts`, centred at 0, [−m, m] with
 *   m the 1 − `clip` quantile of |x| over the column — blue negative, white 0, red positive.
 */
import type { GreyImage } from '../io/image.js';
import { imageGrid, type GridImage, type GridOptions } from './imageGrid.js';
import { displayRange, toGrey8 } from './greyscale.js';
import { divergingBar, greyBar, toDiverging } from './colormap.js';

export interface IterateRow {
  /** Row title, e.g. 'AUIF  Bᵏ'. */
  title: string;
  /** x⁰ … xᴺ. */
  maps: GreyImage[];
  /** One more map after the chosen k, with its column title (e.g. 'k = 150'); one per figure. */
  extra?: { caption: string; map: GreyImage };
}

export interface IterateStripOptions extends GridOptions {
  /** The k shown (default 0, 1, 2, 5, 10; those beyond a row's N are left empty). */
  ks?: number[];
  /** Detail maps: diverging scale centred at 0 (default false: grey). */
  signed?: boolean;
  /** Fraction of the most extreme values of a column ignored for its scale (default 0.002). */
  clip?: number;
}

/** One column of the figure: its title, display scale, and each row's [min, max] (null: no map). */
export interface IterateColumn { title: string; lo: number; hi: number; ranges: ({ min: number; max: number } | null)[] }

/** `v` with 3 significant digits and a true minus sign. */
export function formatValue(v: number): string {
  const s = Math.abs(v) >= 1e-3 || v === 0 ? String(Number(v.toPrecision(3))) : v.toExponential(1);
  return s.replace(/^-/, '−');
}

function minMax(x: ArrayLike<number>): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < x.length; i++) { if (x[i] < min) min = x[i]; if (x[i] > max) max = x[i]; }
  return { min, max };
}

/**
 * The strips as one PNG (RGB when `signed`), and the scale and value ranges of every column.
 * @throws if a chosen k is not an integer ≥ 0 or no row has a map at any chosen k.
 */
export async function iterateStrips(rows: IterateRow[], opts: IterateStripOptions = {}): Promise<{ png: Buffer; columns: IterateColumn[] }> {
  const ks = opts.ks ?? [0, 1, 2, 5, 10];
  for (const k of ks) if (!(Number.isInteger(k) && k >= 0)) throw new Error(`iterateStrips: k must be an integer ≥ 0, got ${k}`);
  const clip = opts.clip ?? 0.002;
  const extra = rows.find((r) => r.extra)?.extra;
  const cols: { title: string; maps: (GreyImage | null)[] }[] = ks.map((k) => ({ title: `k = ${k}`, maps: rows.map((r) => r.maps[k] ?? null) }));
  if (extra) cols.push({ title: extra.caption, maps: rows.map((r) => r.extra?.map ?? null) });
  if (cols.every((c) => c.maps.every((m) => m === null))) throw new Error(`iterateStrips: no row has a map at k = ${ks.join(', ')}`);

  const columns: IterateColumn[] = cols.map((c) => {
    const data = c.maps.filter((m): m is GreyImage => m !== null).map((m) => m.data);
    const { lo, hi } = data.length ? displayRange(data, { range: opts.signed ? 'symmetric' : 'minmax', clip }) : { lo: 0, hi: 1 };
    return { title: c.title, lo, hi, ranges: c.maps.map((m) => (m ? minMax(m.data) : null)) };
  });
  const grid: GridImage[][] = rows.map((_, i) => cols.map((c, j) => {
    const m = c.maps[i];
    if (!m) return null;
    const { lo, hi, ranges } = columns[j];
    const image = opts.signed ? toDiverging(m, hi) : toGrey8(m, { lo, hi });
    return { image, caption: `[${formatValue(ranges[i]!.min)}, ${formatValue(ranges[i]!.max)}]` };
  }));
  const cellWidth = opts.cellWidth ?? 240;
  grid.push(columns.map((c) => ({
    image: opts.signed ? divergingBar(cellWidth, 14) : greyBar(cellWidth, 14),
    // Em spaces (U+2003): SVG text collapses ordinary runs of spaces.
    caption: opts.signed ? `${formatValue(c.lo)}\u2003\u2003 0 \u2003\u2003+${formatValue(c.hi)}` : `${formatValue(c.lo)}\u2003 … \u2003${formatValue(c.hi)}`,
  })));
  const png = await imageGrid(grid, {
    columnTitles: cols.map((c) => c.title), rowTitles: [...rows.map((r) => r.title), 'scale'],
    fontSize: 16, ...opts, cellWidth,
  });
  return { png, columns };
}
