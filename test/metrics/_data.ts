/**
 * Access to the authors' fused images and their sources for the metric tests (not a test file).
 * Files come through the project's staging (`upstreamFile`), which prints a loud SKIP and
 * returns null where a file cannot be had.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readGrey8, type Grey8Image } from '../../lib/io/image.js';
import { referenceDir, skipLoudly, upstreamFile } from '../helpers/upstream.js';

export type Model = 'AUIF' | 'DIDFuse';
export type Dataset = 'TNO' | 'FLIR';
export const MODELS: Model[] = ['AUIF', 'DIDFuse'];
export const DATASETS: Dataset[] = ['TNO', 'FLIR'];
export const PAIRS = Array.from({ length: 40 }, (_, i) => i + 1);
/** Whether the full (all-pairs) runs were asked for. */
export const FULL = process.env.AUIF_FULL === '1';

export interface Triplet { ir: Grey8Image; vis: Grey8Image; fused: Grey8Image }

/** IR, VIS and the model's fused image of one pair, or null (after a loud SKIP). */
export async function triplet(model: Model, dataset: Dataset, pair: number): Promise<Triplet | null> {
  const ext = dataset === 'TNO' ? 'bmp' : 'jpg';
  const irPath = await upstreamFile(`Datasets/Test_data_${dataset}/IR${pair}.${ext}`, 'auif');
  const visPath = await upstreamFile(`Datasets/Test_data_${dataset}/VIS${pair}.${ext}`, 'auif');
  const fusedPath = model === 'AUIF'
    ? await upstreamFile(`Test_result/${dataset}_TCSVT/F${pair}.png`, 'auif')
    : await upstreamFile(`Test_result/${dataset}_IJCAI/F${pair}.png`, 'didfuse');
  if (!irPath || !visPath || !fusedPath) return null;
  return { ir: await readGrey8(irPath), vis: await readGrey8(visPath), fused: await readGrey8(fusedPath) };
}

/** Rows of a CSV in ../shared/reference as objects keyed by the header, or null (loud SKIP). */
export function referenceCsv(name: string): Record<string, string>[] | null {
  const dir = referenceDir();
  const file = dir ? path.join(dir, name) : null;
  if (!file || !fs.existsSync(file)) {
    skipLoudly(`reference table ${name}`, `not found (looked in ${dir ?? '../shared/reference'})`);
    return null;
  }
  const lines = fs.readFileSync(file, 'utf8').trim().split(/\r?\n/);
  const header = lines[0].split(',');
  return lines.slice(1).map((l) => {
    const cells = l.split(',');
    return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
  });
}
