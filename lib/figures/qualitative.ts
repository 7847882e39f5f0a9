/**
 * The paper's qualitative figure (AUIF Figs. 5–7): selected pairs of a test set as rows of
 * IR | VIS | AUIF, and the plain sample-pair grid (IR | VIS) of a data set.
 */
import { readGrey, type GreyImage } from '../io/image.js';
import { DATASETS, type ImagePair } from '../data/datasets.js';
import { fuse } from '../model/auif.js';
import type { AuifParams } from '../model/params.js';
import type { FusionMode } from '../fusion/rules.js';
import { imageGrid, writePng, type GridImage, type GridOptions } from './imageGrid.js';

/** A fused pair with its images (all in [0, 1]) and the time `fuse()` took. */
export interface FusedPair { pair: ImagePair; ir: GreyImage; vis: GreyImage; F: GreyImage; ms: number }

/** "TNO 3", "FLIR 12": how figures name a pair. */
export function pairLabel(p: ImagePair): string {
  return `${DATASETS[p.dataset].title.split(' ')[0]} ${p.index}`;
}

/** Reads and fuses each pair (rule `mode`, default 'sum' as the paper); `onPair` after each. */
export async function fusePairs(pairs: ImagePair[], params: AuifParams, opts: { mode?: FusionMode; onPair?: (f: FusedPair) => void } = {}): Promise<FusedPair[]> {
  const out: FusedPair[] = [];
  for (const pair of pairs) {
    const [ir, vis] = await Promise.all([readGrey(pair.ir), readGrey(pair.vis)]);
    const t0 = performance.now();
    const F = await fuse(ir, vis, params, opts.mode ?? 'sum');
    const f = { pair, ir, vis, F, ms: performance.now() - t0 };
    opts.onPair?.(f);
    out.push(f);
  }
  return out;
}

/**
 * The qualitative figure: one row per fused pair, IR | VIS | AUIF (plus any `extra` columns,
 * e.g. a retrained model's output, given per row). Returns PNG bytes; writes them to
 * `opts.file` when given.
 */
export async function qualitativeGrid(
  fused: FusedPair[],
  opts: GridOptions & { file?: string; fusedTitle?: string; extra?: { title: string; images: GreyImage[] }[] } = {},
): Promise<Buffer> {
  for (const e of opts.extra ?? []) {
    if (e.images.length !== fused.length) throw new Error(`qualitativeGrid: extra column '${e.title}' has ${e.images.length} images for ${fused.length} rows`);
  }
  const rows: GridImage[][] = fused.map((f, i) => [
    { image: f.ir }, { image: f.vis }, { image: f.F },
    ...(opts.extra ?? []).map((e) => ({ image: e.images[i] })),
  ]);
  const png = await imageGrid(rows, {
    columnTitles: ['IR', 'VIS', opts.fusedTitle ?? 'AUIF', ...(opts.extra ?? []).map((e) => e.title)],
    rowTitles: fused.map((f) => pairLabel(f.pair)),
    ...opts,
  });
  if (opts.file) await writePng(opts.file, png);
  return png;
}

/** Any registered pair of files with its own label (e.g. a training pair). */
export interface LabelledPair { ir: string; vis: string; label: string }

/** Sample pairs as rows IR | VIS (read from disk), labelled with {@link pairLabel} or their own label. */
export async function samplePairsGrid(pairs: (ImagePair | LabelledPair)[], opts: GridOptions & { file?: string } = {}): Promise<Buffer> {
  const rows: GridImage[][] = [];
  for (const p of pairs) {
    const [ir, vis] = await Promise.all([readGrey(p.ir), readGrey(p.vis)]);
    rows.push([{ image: ir }, { image: vis }]);
  }
  const png = await imageGrid(rows, { columnTitles: ['IR', 'VIS'], rowTitles: pairs.map((p) => ('label' in p ? p.label : pairLabel(p))), ...opts });
  if (opts.file) await writePng(opts.file, png);
  return png;
}
