/**
 * Parity of two 8-bit images (ours against the authors' published output): the largest
 * grey-level difference, how many pixels differ at all, and the histogram of differences.
 */
import { readGrey, readGrey8, unitToU8, type Grey8Image } from '../io/image.js';
import { datasetPairs, type DatasetName } from '../data/datasets.js';
import { fuse } from '../model/auif.js';
import type { AuifParams } from '../model/params.js';

export interface Parity {
  maxDiff: number;
  differing: number;
  total: number;
  /** histogram[d + 255] = number of pixels with ours − theirs = d. */
  histogram: Uint32Array;
}

/** Compares `ours` with `theirs`; the sizes must match (the error states both). */
export function compareGrey8(ours: Grey8Image, theirs: Grey8Image, names = { ours: 'ours', theirs: 'theirs' }): Parity {
  if (ours.width !== theirs.width || ours.height !== theirs.height) {
    throw new Error(`cannot compare ${names.ours} (${ours.width}×${ours.height}) with ${names.theirs} (${theirs.width}×${theirs.height}): sizes differ`);
  }
  const histogram = new Uint32Array(511);
  let maxDiff = 0;
  let differing = 0;
  for (let i = 0; i < ours.data.length; i++) {
    const d = ours.data[i] - theirs.data[i];
    histogram[d + 255]++;
    if (d !== 0) {
      differing++;
      maxDiff = Math.max(maxDiff, Math.abs(d));
    }
  }
  return { maxDiff, differing, total: ours.data.length, histogram };
}

/** Sums parities (for a whole data set). */
export function mergeParity(ps: Parity[]): Parity {
  const histogram = new Uint32Array(511);
  for (const p of ps) for (let i = 0; i < 511; i++) histogram[i] += p.histogram[i];
  return {
    maxDiff: Math.max(0, ...ps.map((p) => p.maxDiff)),
    differing: ps.reduce((s, p) => s + p.differing, 0),
    total: ps.reduce((s, p) => s + p.total, 0),
    histogram,
  };
}

/** Per-pair parity of our fused output against the authors' published one. */
export interface PairParity extends Parity { dataset: string; index: number; width: number; height: number; ms: number }

/**
 * Fuses the given pairs of a data set with `params` ('sum' rule, as the authors' published
 * outputs), rounds to 8 bits as their `imsave` did, and compares with their F{i}.png.
 */
export async function parityWithAuthors(
  dataset: DatasetName, params: AuifParams,
  opts: { indices?: number[]; onPair?: (p: PairParity) => void } = {},
): Promise<PairParity[]> {
  const pairs = await datasetPairs(dataset, { withAuthors: true, quiet: true });
  const chosen = opts.indices ? pairs.filter((p) => opts.indices!.includes(p.index)) : pairs;
  const out: PairParity[] = [];
  for (const p of chosen) {
    if (!p.authors) throw new Error(`the authors published no fused images for ${dataset}`);
    const [ir, vis, theirs] = await Promise.all([readGrey(p.ir), readGrey(p.vis), readGrey8(p.authors)]);
    const t0 = performance.now();
    const F = await fuse(ir, vis, params, 'sum');
    const ms = performance.now() - t0;
    const ours = { width: F.width, height: F.height, data: unitToU8(F.data) };
    const r = { dataset, index: p.index, width: F.width, height: F.height, ms, ...compareGrey8(ours, theirs, { ours: `our F${p.index}`, theirs: p.authors }) };
    opts.onPair?.(r);
    out.push(r);
  }
  return out;
}
