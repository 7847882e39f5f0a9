/** Test helper: a w×h window of an 8-bit grey or RGB image (lib/io/colour_image.ts `Image8`) at (left, top). */
import type { Image8 } from '../../lib/io/colour_image.js';

export function crop8(img: Image8, left: number, top: number, w: number, h: number): Image8 {
  if (left + w > img.width || top + h > img.height) throw new RangeError(`crop8: ${w}×${h} at (${left}, ${top}) exceeds ${img.width}×${img.height}`);
  const c = img.channels;
  const data = new Uint8Array(w * h * c);
  for (let r = 0; r < h; r++) data.set(img.data.subarray(((top + r) * img.width + left) * c, ((top + r) * img.width + left + w) * c), r * w * c);
  return { width: w, height: h, channels: c, data };
}
