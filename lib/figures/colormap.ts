/**
 * A diverging colour scale for signed maps (detail layers Dᵏ, differences): a value x on the
 * scale [−m, m] is shown with colour c(x/m), blue for negative, near-white at 0, red for positive:
 *
 *   c(t) = linear interpolation (in sRGB) of the 11 stops of ColorBrewer's RdBu scheme, reversed,
 *          at t ∈ [−1, 1] (clipped outside);
 *
 * (Brewer, Harrower et al., ColorBrewer 2.0, colorbrewer2.org; RdBu is colour-blind safe.)
 * Plus horizontal colour bars for a figure's legend.
 */
import type { Grey8Image, GreyImage } from '../io/image.js';
import type { RgbImage } from './imageGrid.js';

/** ColorBrewer RdBu, 11 classes, from the most negative (dark blue) to the most positive (dark red). */
export const RDBU_STOPS: readonly (readonly [number, number, number])[] = [
  [0x05, 0x30, 0x61], [0x21, 0x66, 0xac], [0x43, 0x93, 0xc3], [0x92, 0xc5, 0xde], [0xd1, 0xe5, 0xf0], [0xf7, 0xf7, 0xf7],
  [0xfd, 0xdb, 0xc7], [0xf4, 0xa5, 0x82], [0xd6, 0x60, 0x4d], [0xb2, 0x18, 0x2b], [0x67, 0x00, 0x1f],
];

/** c(t) for t ∈ [−1, 1] (clipped; NaN → the colour of 0), as 8-bit RGB. */
export function divergingColour(t: number): [number, number, number] {
  const u = Number.isNaN(t) ? 0.5 : (Math.min(1, Math.max(-1, t)) + 1) / 2; // 0 … 1
  const pos = u * (RDBU_STOPS.length - 1);
  const i = Math.min(RDBU_STOPS.length - 2, Math.floor(pos));
  const f = pos - i;
  const a = RDBU_STOPS[i];
  const b = RDBU_STOPS[i + 1];
  return [0, 1, 2].map((c) => Math.round(a[c] + f * (b[c] - a[c]))) as [number, number, number];
}

/** A signed map on the diverging scale [−m, m]: pixel colour c(x/m). */
export function toDiverging(img: GreyImage, m: number): RgbImage {
  if (!(m > 0)) throw new Error(`toDiverging: the scale half-width m must be > 0, got ${m}`);
  if (img.data.length !== img.width * img.height) throw new Error(`toDiverging: ${img.data.length} values for a ${img.width}×${img.height} image`);
  const lut = Array.from({ length: 1025 }, (_, j) => divergingColour(j / 512 - 1)); // 1025 levels over [−1, 1]
  const out = new Uint8Array(img.data.length * 3);
  for (let i = 0; i < img.data.length; i++) {
    const t = img.data[i] / m;
    const j = Number.isNaN(t) ? 512 : Math.round((Math.min(1, Math.max(-1, t)) + 1) * 512);
    out.set(lut[j], i * 3);
  }
  return { width: img.width, height: img.height, channels: 3, data: out };
}

/** A horizontal bar of the diverging scale, −m at the left, 0 in the middle, +m at the right. */
export function divergingBar(width: number, height: number): RgbImage {
  const out = new Uint8Array(width * height * 3);
  for (let x = 0; x < width; x++) {
    const c = divergingColour(width === 1 ? 0 : (2 * x) / (width - 1) - 1);
    for (let y = 0; y < height; y++) out.set(c, (y * width + x) * 3);
  }
  return { width, height, channels: 3, data: out };
}

/** A horizontal grey bar, black (the scale's low end) at the left to white at the right. */
export function greyBar(width: number, height: number): Grey8Image {
  const out = new Uint8Array(width * height);
  for (let x = 0; x < width; x++) {
    const v = width === 1 ? 128 : Math.round((255 * x) / (width - 1));
    for (let y = 0; y < height; y++) out[y * width + x] = v;
  }
  return { width, height, data: out };
}
