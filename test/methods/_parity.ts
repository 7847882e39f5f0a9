/** Shared by the baseline tests: staged TNO pairs and a pixel comparison against an 8-bit reference. */
import { readGrey, type GreyImage, type Grey8Image } from '../../lib/io/image.js';
import { findReferenceFile, referenceDirs } from '../../lib/data/reference.js';
import { skipLoudly, upstreamFile } from '../helpers/upstream.js';

export async function tnoPair(i: number): Promise<[GreyImage, GreyImage] | null> {
  const a = await upstreamFile(`Datasets/Test_data_TNO/IR${i}.bmp`);
  const b = await upstreamFile(`Datasets/Test_data_TNO/VIS${i}.bmp`);
  return a && b ? [await readGrey(a), await readGrey(b)] : null;
}

/**
 * A reference file (`datasets/reference/`, else `$AUIF_REFERENCE_DIR` or `../shared/reference`:
 * lib/data/reference.ts), or null after a loud skip.
 */
export function referencePath(rel: string): string | null {
  const f = findReferenceFile(rel);
  if (f) return f;
  skipLoudly(`reference ${rel}`, `not found in ${referenceDirs().map((d) => d.dir).join(', ') || 'any reference folder'} (set AUIF_REFERENCE_DIR)`);
  return null;
}

/** Differing pixels and the largest difference between F (×255) and an 8-bit reference. */
export function compare(F: GreyImage, ref: Grey8Image): { diff: number; max: number; share: number } {
  if (F.width !== ref.width || F.height !== ref.height) throw new Error(`size ${F.width}×${F.height} vs reference ${ref.width}×${ref.height}`);
  let diff = 0, max = 0;
  for (let k = 0; k < ref.data.length; k++) {
    const e = Math.abs(Math.round(F.data[k] * 255) - ref.data[k]);
    if (e) diff++;
    if (e > max) max = e;
  }
  return { diff, max, share: diff / ref.data.length };
}
