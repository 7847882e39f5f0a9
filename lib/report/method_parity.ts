/**
 * Parity of any fusion method (behind `lib/methods/`) with a set of published fused images:
 * per pair the largest grey-level difference and the number of differing pixels, with our output
 * rounded to 8 bits as the authors' `imsave` wrote theirs (`round(x·255)`, see `unitToU8`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { readGrey, readGrey8, unitToU8, writeGreyPng } from '../io/image.js';
import { datasetPairs, type DatasetName } from '../data/datasets.js';
import { ensureStaged, stagedPath, type GroupName, type Repo } from '../data/stage.js';
import type { Fuser } from '../methods/types.js';
import { compareGrey8, type PairParity } from './parity.js';

/** Where a method's published outputs of one test set are: `<folder>/F{i}.png` of `repo`, staged as `group`. */
export interface PublishedOutputs { repo: Repo; group: GroupName; folder: string }

/**
 * Fuses the pairs of `dataset` (all, or `opts.indices`) with `fuser` and compares each result,
 * rounded to 8 bits, with the published `F{i}.png`; with `keepDir`, our PNGs are written there
 * as `F{i}.png` (atomically).
 */
export async function parityWithPublished(
  dataset: DatasetName, fuser: Fuser, published: PublishedOutputs,
  opts: { indices?: number[]; onPair?: (p: PairParity) => void; keepDir?: string } = {},
): Promise<PairParity[]> {
  const pairs = await datasetPairs(dataset, { quiet: true });
  await ensureStaged(published.group, { quiet: true });
  const chosen = opts.indices ? pairs.filter((p) => opts.indices!.includes(p.index)) : pairs;
  const out: PairParity[] = [];
  for (const p of chosen) {
    const theirsFile = stagedPath(`${published.folder}/F${p.index}.png`, published.repo);
    const [ir, vis, theirs] = await Promise.all([readGrey(p.ir), readGrey(p.vis), readGrey8(theirsFile)]);
    const t0 = performance.now();
    const { F } = await fuser.fuse(ir, vis);
    const ms = performance.now() - t0;
    const ours = { width: F.width, height: F.height, data: unitToU8(F.data) };
    const r: PairParity = { dataset, index: p.index, width: F.width, height: F.height, ms, ...compareGrey8(ours, theirs, { ours: `our F${p.index}`, theirs: theirsFile }) };
    if (opts.keepDir) {
      await fs.promises.mkdir(opts.keepDir, { recursive: true });
      await writeGreyPng(path.join(opts.keepDir, `F${p.index}.png`), F);
    }
    opts.onPair?.(r);
    out.push(r);
  }
  return out;
}
