/**
 * Full-range ITU-R BT.601 (JPEG/JFIF) YCbCr, bit for bit as PIL computes it: `Image.convert('YCbCr')`
 * from RGB and `Image.convert('RGB')` from YCbCr (Pillow `libImaging/ConvertYCbCr.c`, read for this
 * port; the arithmetic below is our own, derived from its description).
 *
 *   Y  =  0.29900 R + 0.58700 G + 0.11400 B
 *   Cb = −0.16874 R − 0.33126 G + 0.50000 B + 128
 *   Cr =  0.50000 R − 0.41869 G − 0.08131 B + 128
 *   R  = Y + 1.40200 (Cr − 128)
 *   G  = Y − 0.34414 (Cb − 128) − 0.71414 (Cr − 128)
 *   B  = Y + 1.77200 (Cb − 128)
 *
 * PIL evaluates these in 6-bit fixed point: every product c·v is a table entry
 * T_c[v] = trunc(64·c·v + 0.5) (C's `(int)` cast, so negative entries round towards +∞ at .5 and
 * truncate towards zero otherwise), the three entries are summed and shifted right by 6 with an
 * arithmetic shift (floor division by 64, also for negative sums), 128 is added to Cb and Cr, and
 * R, G, B are clamped to 0..255. For the inverse the tables are indexed by Cb or Cr and hold
 * trunc(64·c·(v − 128) + 0.5). A grey pixel (v, v, v) has Cb = Cr = 128, but Y = v or v − 1
 * (the three rounded entries can sum to 64·v − 1, e.g. v = 11) — which is why grey images are
 * fused as grey, not through YCbCr (lib/fusion/colour.ts).
 *
 * Checked against PIL itself (Debian python3-pil 9.4) on every one of the 2²⁴ RGB triplets and
 * every one of the 2²⁴ YCbCr triplets: test/io/ycbcr.test.ts.
 */

const SCALE = 6;

/** trunc(64·c·(v − offset) + 0.5) for v = 0..255: one of PIL's fixed-point product tables. */
function table(c: number, offset = 0): Int32Array {
  const t = new Int32Array(256);
  for (let v = 0; v < 256; v++) t[v] = Math.trunc(c * (v - offset) * (1 << SCALE) + 0.5);
  return t;
}

const Y_R = table(0.299);
const Y_G = table(0.587);
const Y_B = table(0.114);
const CB_R = table(-0.16874);
const CB_G = table(-0.33126);
const CB_B = table(0.5); // also Cr_R
const CR_G = table(-0.41869);
const CR_B = table(-0.08131);
const R_CR = table(1.402, 128);
const G_CB = table(-0.34414, 128);
const G_CR = table(-0.71414, 128);
const B_CB = table(1.772, 128);

/** Planes of a YCbCr image, 8-bit, row-major, each `width·height` long. */
export interface YCbCrPlanes { width: number; height: number; Y: Uint8Array; Cb: Uint8Array; Cr: Uint8Array }

/** PIL `convert('YCbCr')` of one RGB pixel: [Y, Cb, Cr]. */
export function rgbPixelToYCbCr(r: number, g: number, b: number): [number, number, number] {
  return [
    (Y_R[r] + Y_G[g] + Y_B[b]) >> SCALE,
    ((CB_R[r] + CB_G[g] + CB_B[b]) >> SCALE) + 128,
    ((CB_B[r] + CR_G[g] + CR_B[b]) >> SCALE) + 128,
  ];
}

const clamp8 = (v: number): number => (v <= 0 ? 0 : v >= 255 ? 255 : v);

/** PIL `convert('RGB')` of one YCbCr pixel: [R, G, B]. */
export function yCbCrPixelToRgb(y: number, cb: number, cr: number): [number, number, number] {
  return [
    clamp8(y + (R_CR[cr] >> SCALE)),
    clamp8(y + ((G_CB[cb] + G_CR[cr]) >> SCALE)),
    clamp8(y + (B_CB[cb] >> SCALE)),
  ];
}

/**
 * PIL `convert('YCbCr')` of an interleaved 8-bit RGB buffer (`rgb.length === 3·width·height`).
 * Y = (T_YR[R] + T_YG[G] + T_YB[B]) >> 6, Cb/Cr likewise + 128 (see the module comment).
 */
export function rgbToYCbCr(width: number, height: number, rgb: Uint8Array): YCbCrPlanes {
  const n = width * height;
  if (rgb.length !== 3 * n) throw new RangeError(`rgbToYCbCr: ${rgb.length} values for a ${width}×${height} RGB image (expected ${3 * n})`);
  const Y = new Uint8Array(n);
  const Cb = new Uint8Array(n);
  const Cr = new Uint8Array(n);
  for (let i = 0, o = 0; i < n; i++, o += 3) {
    const r = rgb[o];
    const g = rgb[o + 1];
    const b = rgb[o + 2];
    Y[i] = (Y_R[r] + Y_G[g] + Y_B[b]) >> SCALE;
    Cb[i] = ((CB_R[r] + CB_G[g] + CB_B[b]) >> SCALE) + 128;
    Cr[i] = ((CB_B[r] + CR_G[g] + CR_B[b]) >> SCALE) + 128;
  }
  return { width, height, Y, Cb, Cr };
}

/**
 * PIL `convert('RGB')` of YCbCr planes: R = clamp(Y + (T_RCr[Cr] >> 6)), G = clamp(Y +
 * ((T_GCb[Cb] + T_GCr[Cr]) >> 6)), B = clamp(Y + (T_BCb[Cb] >> 6)). Returns interleaved RGB.
 */
export function yCbCrToRgb(p: YCbCrPlanes): Uint8Array {
  const n = p.width * p.height;
  for (const k of ['Y', 'Cb', 'Cr'] as const) {
    if (p[k].length !== n) throw new RangeError(`yCbCrToRgb: plane ${k} has ${p[k].length} values for a ${p.width}×${p.height} image`);
  }
  const out = new Uint8Array(3 * n);
  for (let i = 0, o = 0; i < n; i++, o += 3) {
    const y = p.Y[i];
    const cb = p.Cb[i];
    const cr = p.Cr[i];
    out[o] = clamp8(y + (R_CR[cr] >> SCALE));
    out[o + 1] = clamp8(y + ((G_CB[cb] + G_CR[cr]) >> SCALE));
    out[o + 2] = clamp8(y + (B_CB[cb] >> SCALE));
  }
  return out;
}
