/**
 * `--max-pixels N` (fuse, eval, train): the pixel limit of the image readers for this run
 * (lib/io/decode_image.ts; default 2 · PIL's MAX_IMAGE_PIXELS = 178 956 970, 0 = no limit;
 * AUIF_MAX_PIXELS sets it for every command).
 */
import { parseMaxPixels, setMaxPixels } from '../io/decode_image.js';
import { UsageError } from './usage.js';

/** The parseArgs entry of the flag. */
export const MAX_PIXELS_OPTION = { 'max-pixels': { type: 'string' } } as const;

/** Applies `--max-pixels` when given (a decimal integer ≥ 0, else one usage line naming the flag). */
export function applyMaxPixels(value: string | undefined): void {
  if (value === undefined) return;
  let n: number;
  try {
    n = parseMaxPixels(value, '--max-pixels');
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  setMaxPixels(n);
}
