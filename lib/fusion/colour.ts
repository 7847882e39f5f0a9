/**
 * Colour fusion around any grey fusion method — the convention of VIFB's deep methods (DeepFuse,
 * U2Fusion, CDDFuse …): a colour visible image is split into full-range BT.601 YCbCr exactly as
 * PIL's `convert('YCbCr')` does (lib/io/ycbcr.ts), its luma is fused with the infrared image, the
 * visible chroma is kept, and the result goes back to RGB as PIL's `convert('RGB')`:
 *
 *   (Y, Cb, Cr) = YCbCr(V),   Y_F = rint(255 · fuse(IR/255, Y/255)),   F = RGB(Y_F, Cb, Cr)
 *
 * Grey visible images (one channel, a grey-palette BMP, or R = G = B everywhere) are fused as
 * grey and give a one-channel result — the same pixels as the grey path. A colour infrared image
 * is reduced to luma first (PIL `convert('L')`); the result says so (`irReducedToLuma`).
 *
 * ```ts
 * const fuser = await getMethod('auif').load();
 * const r = await fuseColour(fuser, await readImage8('IR.jpg'), await readImage8('VI.jpg'));
 * await writeImagePng('F.png', r.F);      // RGB when VI.jpg is colour, else one channel
 * ```
 */
import { ImageError, u8ToUnit, unitToU8, type GreyImage } from '../io/image.js';
import { isGreyContent, luma8, type Image8 } from '../io/colour_image.js';
import { rgbToYCbCr, yCbCrToRgb } from '../io/ycbcr.js';
import type { Fuser } from '../methods/types.js';

/** `auto`: colour in → colour out; `grey`: a colour visible image is reduced to luma (PIL 'L'). */
export type ColourMode = 'auto' | 'grey';
export const COLOUR_MODES: readonly ColourMode[] = ['auto', 'grey'];

export interface ColourFuseOptions {
  /** Default `auto`. */
  colour?: ColourMode;
  /** File names for error messages (default 'IR image', 'VIS image'). */
  names?: { ir: string; vis: string };
}

export interface ColourFusionResult {
  /** The fused image, 8-bit: RGB (3 channels) for a colour visible image under `auto`, else grey. */
  F: Image8;
  /** The method's fused plane in [0, 1] before quantisation (the luma Y_F/255 in the colour path). */
  fusedPlane: GreyImage;
  /** Whether the colour path ran (visible image colour and mode `auto`). */
  colour: boolean;
  /** Whether the infrared image was colour and was reduced to luma. */
  irReducedToLuma: boolean;
}

/**
 * Fuses an infrared and a visible 8-bit image with `fuser`, keeping the visible image's colour
 * (see the module comment for the equations). Throws an {@link ImageError} naming both files when
 * the sizes differ.
 */
export async function fuseColour(fuser: Fuser, ir: Image8, vis: Image8, opts: ColourFuseOptions = {}): Promise<ColourFusionResult> {
  const mode = opts.colour ?? 'auto';
  if (!COLOUR_MODES.includes(mode)) throw new ImageError(`fuseColour: colour must be one of ${COLOUR_MODES.join(', ')}, got '${String(mode)}'`);
  const names = opts.names ?? { ir: 'IR image', vis: 'VIS image' };
  if (ir.width !== vis.width || ir.height !== vis.height) {
    throw new ImageError(`IR and VIS sizes differ: ${names.ir} is ${ir.width}×${ir.height}, ${names.vis} is ${vis.width}×${vis.height} (fusion needs registered pairs of equal size; nothing is resized)`);
  }
  const { width, height } = ir;
  const irGrey = isGreyContent(ir);
  const ir8 = luma8(ir); // L of a grey pixel (v, v, v) is v
  const irUnit: GreyImage = { width, height, data: u8ToUnit(ir8.data) };
  if (mode === 'grey' || isGreyContent(vis)) {
    const v8 = luma8(vis);
    const { F } = await fuser.fuse(irUnit, { width, height, data: u8ToUnit(v8.data) });
    return { F: { width, height, channels: 1, data: unitToU8(F.data) }, fusedPlane: F, colour: false, irReducedToLuma: !irGrey };
  }
  const ycc = rgbToYCbCr(width, height, vis.data);
  const { F } = await fuser.fuse(irUnit, { width, height, data: u8ToUnit(ycc.Y) });
  const rgb = yCbCrToRgb({ width, height, Y: unitToU8(F.data), Cb: ycc.Cb, Cr: ycc.Cr });
  return { F: { width, height, channels: 3, data: rgb }, fusedPlane: F, colour: true, irReducedToLuma: !irGrey };
}

