/**
 * Exact tiling of the AUIF test phase (bounded memory at any image size).
 *
 * Every output pixel of F depends only on the input pixels within the network's receptive
 * field: the initial filter (x⁰ = box₁₁ ⋆ I or lap₁₉ ⋆ I: radius 5 or 9), N 5×5 unrolled layers
 * (radius 2 each) and the decoder's 3×3 (radius 1), so
 *
 *   R = max(k_base/2 + 2·N_base, k_detail/2 + 2·N_detail) + 1      (30 for AUIF: 9 + 20 + 1).
 *
 * A tile is computed on its window — the tile grown by R on each side and clipped to the image —
 * with the true reflect padding and the exact outer-ring operator on the sides that lie on the
 * image border (native/fuse_kernels.cc). Values on window sides inside the image are wrong only
 * within R of that side, so the tile itself gets exactly the untiled bits, whatever the tiling.
 */
import type { AuifParams } from './params.js';
import { boxKernel, laplacianKernel } from '../unrolling/filters.js';

/** An output rectangle: rows [r0, r1), columns [c0, c1). */
export interface TileRect { r0: number; r1: number; c0: number; c1: number }

/** Images with more pixels than this are fused in tiles by default (~2.4 k × 2.4 k). */
export const TILE_AUTO_PIXELS = 6_000_000;
/** Default tile side for tiled fusion (the halo then costs ~(1 + 2R/side)² − 1 ≈ 12 % extra work). */
export const DEFAULT_TILE = 1024;

/** R, the receptive-field radius of F (see module doc). */
export function receptiveRadius(params: AuifParams): number {
  const k = (enc: AuifParams['base'], dflt: Float32Array) => Math.round(Math.sqrt((enc.init ?? dflt).length));
  return Math.max((k(params.base, boxKernel()) >> 1) + 2 * params.base.layers.length, (k(params.detail, laplacianKernel()) >> 1) + 2 * params.detail.layers.length) + 1;
}

/**
 * The h×w image cut into tiles of at most `side`×`side` (row-major order; the last row and column
 * of tiles take the remainder). `side` ≤ 0 or ≥ both sides: one tile, the whole image.
 */
export function tileRects(h: number, w: number, side: number): TileRect[] {
  if (!(Number.isInteger(h) && Number.isInteger(w) && h > 0 && w > 0)) throw new RangeError(`tileRects: bad image size ${w}×${h}`);
  if (!(side > 0) || (side >= h && side >= w)) return [{ r0: 0, r1: h, c0: 0, c1: w }];
  const s = Math.max(1, Math.floor(side));
  const out: TileRect[] = [];
  for (let r0 = 0; r0 < h; r0 += s) for (let c0 = 0; c0 < w; c0 += s) out.push({ r0, r1: Math.min(h, r0 + s), c0, c1: Math.min(w, c0 + s) });
  return out;
}

/** The tile side fuse() uses for an h×w pair: `tile` when given (0 = untiled), else automatic. */
export function chooseTile(h: number, w: number, tile?: number): number {
  if (tile !== undefined) {
    if (!(Number.isInteger(tile) && tile >= 0)) throw new RangeError(`fuse: tile must be a non-negative integer (0 = untiled), got ${tile}`);
    return tile;
  }
  return h * w > TILE_AUTO_PIXELS ? DEFAULT_TILE : 0;
}
