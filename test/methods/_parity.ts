/**
 * Shared by the baseline tests: staged TNO pairs and the parity check against an 8-bit reference
 * image — the image itself where it is at hand (`../shared/reference`, `$AUIF_REFERENCE_DIR`),
 * else its committed derived values (`datasets/reference/<method>/<name>.stats.json`,
 * lib/data/reference_stats.ts): the reference images are whole fused images, which are not
 * committed.
 */
import * as assert from 'uvu/assert';
import { readGrey, readGrey8, type GreyImage, type Grey8Image } from '../../lib/io/image.js';
import { findReferenceFile, referenceDirs } from '../../lib/data/reference.js';
import {
  boundViolations, greyStats, parityBounds, readGreyStats, statsDistance, statsNameFor, unitToCompared8,
  type GreyStats, type ParityBounds, type StatsDistance,
} from '../../lib/data/reference_stats.js';
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

/** A parity reference: the image where one is at hand, always its committed derived values where they exist. */
export interface ParityRef { rel: string; image: string | null; stats: GreyStats | null }

/**
 * The reference image `rel` (e.g. `densefuse/F1_tf1e2_sum.png`) and/or its derived values
 * `rel.stats.json`; null after a loud skip when neither is found.
 */
export function parityReference(rel: string): ParityRef | null {
  const image = findReferenceFile(rel);
  const statsFile = findReferenceFile(statsNameFor(rel));
  if (!image && !statsFile) {
    skipLoudly(`reference ${rel}`, `neither it nor ${statsNameFor(rel)} found in ${referenceDirs().map((d) => d.dir).join(', ') || 'any reference folder'} (set AUIF_REFERENCE_DIR)`);
    return null;
  }
  return { rel, image, stats: statsFile ? readGreyStats(statsFile) : null };
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

/** The derived check of F (as round(255·F), what {@link compare} compares) against `ref`'s values. */
export function derivedCheck(F: GreyImage | Grey8Image, ref: GreyStats, maxShare: number): { d: StatsDistance; b: ParityBounds; violations: string[] } {
  const u8 = F.data instanceof Uint8Array ? F as Grey8Image : unitToCompared8(F.width, F.height, F.data as Float32Array);
  const d = statsDistance(greyStats(u8), ref);
  const b = parityBounds(ref.width, ref.height, maxShare);
  return { d, b, violations: boundViolations(d, b) };
}

function describe(d: StatsDistance, b: ParityBounds): string {
  return `Σ|Δrow| ${d.rows} (≤ ${b.rows}), Σ|Δcol| ${d.cols} (≤ ${b.cols}), hist L1 ${d.histL1} (≤ ${b.histL1}), cum-hist L1 ${d.histEmd} (≤ ${b.histEmd}), sha256 ${d.sha256Equal ? 'equal' : 'differs'}`;
}

/**
 * Asserts the baselines' parity claim — max 1 grey level, at most `maxShare` of the pixels
 * differing (k = ⌊maxShare·W·H⌋ pixels) — for the port's image F against reference `ref`:
 * - the reference image at hand: the pixel comparison ({@link compare}: max ≤ 1, share ≤ maxShare);
 * - always, where the derived values are committed: the bounds the same claim implies for them
 *   (lib/data/reference_stats.ts): Σ_y|Δ row sum| ≤ k and Σ_x|Δ column sum| ≤ k (each of the ≤ k
 *   differing pixels moves its row and its column sum by ≤ 1), histogram L1 ≤ 2k (each leaves one
 *   bin and enters another), cumulative-histogram L1 ≤ k (the grey values' transport cost is at
 *   most Σ_p|ΔF_p| ≤ k); no sha256 equality, since the claim is not bit-exactness (equality is
 *   printed). Then, to show on this very image that the check can fail: F with one row raised by
 *   one grey level (W pixels, W > k for every TNO size) must break the bounds.
 */
export async function assertParity(F: GreyImage, ref: ParityRef, label: string, maxShare = 1e-3): Promise<void> {
  if (ref.image) {
    const c = compare(F, await readGrey8(ref.image));
    console.log(`  ${label}: ${c.diff} pixels differ (${(100 * c.share).toFixed(4)} %), max ${c.max}`);
    assert.ok(c.max <= 1 && c.share <= maxShare, `${label}: ${JSON.stringify(c)}`);
  }
  if (!ref.stats) return;
  const { d, b, violations } = derivedCheck(F, ref.stats, maxShare);
  console.log(`  ${label}, derived values of ${ref.rel}${ref.image ? '' : ' (the image is not at hand)'}: ${describe(d, b)}`);
  assert.equal(violations, [], `${label}: ${violations.join('; ')}`);
  const u8 = unitToCompared8(F.width, F.height, F.data);
  const y = Math.floor(F.height / 2);
  for (let x = 0; x < F.width; x++) if (u8.data[y * F.width + x] < 255) u8.data[y * F.width + x]++;
  const bumped = derivedCheck(u8, ref.stats, maxShare);
  assert.ok(bumped.violations.length > 0, `${label}: row ${y} raised by 1 still passes (${describe(bumped.d, bumped.b)})`);
}
